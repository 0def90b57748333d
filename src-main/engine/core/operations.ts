/** The operations a plan is made of; each maps to one request (an upload to put or begin/need/chunk/commit). */

/** One change to apply to the server. */
export type SyncOp =
  | { kind: 'mkdir'; path: string; mode: number; mtimeMs: number }
  | { kind: 'remove'; path: string }
  | { kind: 'upload'; path: string; size: number; mtimeMs: number; mode: number; diskPath?: string; ino?: number }
  | { kind: 'symlink'; path: string; target: string; mtimeMs: number }
  | { kind: 'setMeta'; path: string; mode: number; mtimeMs: number }
  | { kind: 'move'; from: string; to: string };

/**
 * One step of a plan as kept until it is sent: an operation, or a scanned file standing for its upload. A plan of
 * 100,000 uploads then holds the scan's own entries instead of 100,000 operation objects made long before use.
 */
export type PlanItem = SyncOp | UploadItem;

/** A local file entry to upload (kind 'file' tells it from any operation). */
export interface UploadItem {
  kind: 'file';
  path: string;
  size: number;
  mtimeMs: number;
  mode: number;
  diskPath?: string;
  ino?: number;
}

/** The operation a plan item stands for (a fresh upload operation for an entry). */
export function opOfItem(item: PlanItem): SyncOp {
  if (item.kind !== 'file') return item;
  const e = item;
  // Optional fields in the literal, not added afterwards: an added property costs each operation a separate array.
  if (e.ino === undefined) {
    return e.diskPath === undefined
      ? { kind: 'upload', path: e.path, size: e.size, mtimeMs: e.mtimeMs, mode: e.mode }
      : { kind: 'upload', path: e.path, size: e.size, mtimeMs: e.mtimeMs, mode: e.mode, diskPath: e.diskPath };
  }
  if (e.diskPath === undefined) return { kind: 'upload', path: e.path, size: e.size, mtimeMs: e.mtimeMs, mode: e.mode, ino: e.ino };
  return { kind: 'upload', path: e.path, size: e.size, mtimeMs: e.mtimeMs, mode: e.mode, diskPath: e.diskPath, ino: e.ino };
}

/** Bytes a plan item will send when it is an upload (undefined for the rest), for the pending counters. */
export function uploadSizeOf(item: PlanItem): number | undefined {
  return item.kind === 'file' || item.kind === 'upload' ? item.size : undefined;
}

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
