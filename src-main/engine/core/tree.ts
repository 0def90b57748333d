/** Trees of entries keyed by share-relative path: the input of every pure sync decision. */
import type { Entry } from '../../../src-shared/protocol/messages';
import { isWithin } from '../../../src-shared/protocol/paths';

/** One node: the wire entry plus, for local entries, the inode (move detection) and the on-disk path when not NFC. */
export interface TreeEntry extends Entry {
  ino?: number;
  /** Relative path as spelled on disk, only when it differs from `path` (non-NFC names). */
  diskPath?: string;
}

/** relPath → entry. Paths are NFC, POSIX, share-relative. */
export type Tree = Map<string, TreeEntry>;

/** A tree from a list of entries. */
export function treeOf(entries: Iterable<TreeEntry>): Tree {
  const t: Tree = new Map();
  for (const e of entries) t.set(e.path, e);
  return t;
}

/** Entries at `dir` or beneath it ('' = all). */
export function entriesWithin(tree: Tree, dir: string): TreeEntry[] {
  if (dir === '') return [...tree.values()];
  const here = tree.get(dir);
  if (here === undefined) return [];
  if (here.kind !== 'dir') return [here];
  const out: TreeEntry[] = [];
  for (const e of tree.values()) if (isWithin(e.path, dir)) out.push(e);
  return out;
}

/**
 * The sub-tree of `tree` within any of `roots` (read only: for the root '' it is `tree` itself). Roots that are
 * not folders are direct look-ups; folder roots cost one pass over the tree in all (not one per root).
 */
export function subTree(tree: Tree, roots: readonly string[]): Tree {
  const out: Tree = new Map();
  const dirs = new Set<string>();
  for (const r of roots) {
    if (r === '') return tree; // the whole tree: callers only read a sub-tree, so no copy of 100,000 entries
    const e = tree.get(r);
    if (e === undefined) continue;
    if (e.kind === 'dir') dirs.add(r);
    else out.set(r, e);
  }
  if (dirs.size === 0) return out;
  for (const [p, e] of tree) if (withinAny(p, dirs)) out.set(p, e);
  return out;
}

/** True when `p` is one of `dirs` or lies beneath one of them. */
export function withinAny(p: string, dirs: ReadonlySet<string>): boolean {
  if (dirs.has('') || dirs.has(p)) return true;
  for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) if (dirs.has(p.slice(0, i))) return true;
  return false;
}

/** Remove `dir` and everything beneath it from `tree`. */
export function deleteWithin(tree: Tree, dir: string): void {
  const here = tree.get(dir);
  if (dir !== '' && here === undefined) return;
  if (here !== undefined && here.kind !== 'dir') {
    tree.delete(dir);
    return;
  }
  for (const p of [...tree.keys()]) if (isWithin(p, dir)) tree.delete(p);
}

/** Rename `from` (and everything beneath it) to `to` inside `tree`; returns the number of entries moved. */
export function renameWithin(tree: Tree, from: string, to: string): number {
  const moved = entriesWithin(tree, from);
  for (const e of moved) tree.delete(e.path);
  deleteWithin(tree, to);
  for (const e of moved) {
    const path = to + e.path.slice(from.length);
    const { diskPath: _drop, ...rest } = e;
    tree.set(path, { ...rest, path });
  }
  return moved.length;
}

/** Depth of a path (number of segments). */
export function depthOf(p: string): number {
  let n = 1;
  for (let i = 0; i < p.length; i++) if (p.charCodeAt(i) === 47) n++;
  return n;
}

/**
 * Order paths so that parents come before children, siblings by code point: the same order as comparing
 * segment by segment, computed without splitting (sorting 100,000 paths must not allocate millions of arrays).
 */
export function comparePaths(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // '/' ends a segment: a shorter segment sorts first, so it weighs less than any character.
    if (x === 47) return -1;
    if (y === 47) return 1;
    return x - y;
  }
  return a.length - b.length;
}

/** Ancestors of a path, nearest last ('a/b/c' → ['a', 'a/b']). */
export function ancestorsOf(p: string): string[] {
  const out: string[] = [];
  let i = p.indexOf('/');
  while (i >= 0) {
    out.push(p.slice(0, i));
    i = p.indexOf('/', i + 1);
  }
  return out;
}
