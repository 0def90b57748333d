/** The operations a plan is made of; each maps to one request (an upload to put or begin/need/chunk/commit). */

/** One change to apply to the server. */
export type SyncOp =
  | { kind: 'mkdir'; path: string; mode: number; mtimeMs: number }
  | { kind: 'remove'; path: string }
  | { kind: 'upload'; path: string; size: number; mtimeMs: number; mode: number; diskPath?: string; ino?: number }
  | { kind: 'symlink'; path: string; target: string; mtimeMs: number }
  | { kind: 'setMeta'; path: string; mode: number; mtimeMs: number }
  | { kind: 'move'; from: string; to: string };

/** Paths an operation touches (a move touches two), for the queue's overlap rule. */
export function opPaths(op: SyncOp): string[] {
  switch (op.kind) {
    case 'move':
      return [op.from, op.to];
    case 'mkdir':
    case 'remove':
    case 'upload':
    case 'symlink':
    case 'setMeta':
      return [op.path];
  }
}

/** Short human description, for logs and test failures. */
export function describeOp(op: SyncOp): string {
  return op.kind === 'move' ? `move ${op.from} → ${op.to}` : `${op.kind} ${op.path}`;
}
