/** What an operation does to a model of the server's tree (the projected one when queued, the confirmed one on `ok`). */
import { deleteWithin, renameWithin, type Tree } from './tree';
import type { PlanItem, SyncOp } from './operations';

/** Apply `op` to `tree`; an upload's actual size/mtime/mode may differ from the plan's (the file changed since). */
export function applyOp(tree: Tree, op: SyncOp, sent?: { size: number; mtimeMs: number; mode: number }): void {
  switch (op.kind) {
    case 'mkdir': {
      const old = tree.get(op.path);
      if (old?.kind !== 'dir') deleteWithin(tree, op.path);
      tree.set(op.path, { path: op.path, kind: 'dir', size: 0, mtimeMs: op.mtimeMs, mode: op.mode });
      return;
    }
    case 'remove':
      deleteWithin(tree, op.path);
      return;
    case 'upload': {
      deleteWithin(tree, op.path);
      const s = sent ?? op;
      tree.set(op.path, { path: op.path, kind: 'file', size: s.size, mtimeMs: s.mtimeMs, mode: s.mode });
      return;
    }
    case 'symlink':
      deleteWithin(tree, op.path);
      tree.set(op.path, { path: op.path, kind: 'symlink', size: Buffer.byteLength(op.target), mtimeMs: op.mtimeMs, mode: 0o777, target: op.target });
      return;
    case 'setMeta': {
      const old = tree.get(op.path);
      if (old) tree.set(op.path, { ...old, mode: op.mode, mtimeMs: op.mtimeMs });
      return;
    }
    case 'move':
      renameWithin(tree, op.from, op.to);
      return;
  }
}

/** Reset `projected` at `path` (and below) to what `confirmed` says: after a failed operation. */
export function revertPath(projected: Tree, confirmed: Tree, path: string): void {
  deleteWithin(projected, path);
  const c = confirmed.get(path);
  if (c === undefined) return;
  if (c.kind !== 'dir') {
    projected.set(path, c);
    return;
  }
  for (const [p, e] of confirmed) if (p === path || p.startsWith(path + '/')) projected.set(p, e);
}

/**
 * Make `tree` hold `from`'s object at `path` when both describe the same file: the confirmed and projected
 * trees then share one entry per synced file instead of two equal ones (100,000 fewer objects after a first upload).
 * The shared object may be the local model's own entry (see applyPlanned): its inode and disk spelling mean nothing
 * to a server-side tree (moves drop the spelling), and entries are never changed in place.
 */
export function shareEntry(tree: Tree, from: Tree, path: string): void {
  const a = tree.get(path);
  const b = from.get(path);
  if (a === undefined || b === undefined || a === b || a.kind !== 'file' || b.kind !== 'file') return;
  if (sameFile(a, b)) tree.set(path, b);
}

/**
 * applyOp for a plan item: an upload's projected entry is the scanned entry itself rather than a copy, so the
 * local model, the projected and (once sent) the confirmed tree hold one object per file.
 */
export function applyItem(tree: Tree, item: PlanItem): void {
  if (item.kind !== 'file') {
    applyOp(tree, item);
    return;
  }
  deleteWithin(tree, item.path);
  tree.set(item.path, item);
}

function sameFile(a: { size: number; mtimeMs: number; mode: number }, b: { size: number; mtimeMs: number; mode: number }): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.mode === b.mode;
}
