/**
 * Moves from inodes: entries that vanished at one path and appeared at another with the same inode
 * (and, for files, the same size and mtime, which a rename keeps) are one move, sent without data.
 */
import { comparePaths, type TreeEntry } from './tree';
import { isWithin } from '../../../src-shared/protocol/paths';

/** A detected rename. */
export interface DetectedMove {
  from: string;
  to: string;
  kind: TreeEntry['kind'];
}

/** Pair vanished and appeared entries by inode; a folder's move covers its unchanged children. */
export function pairMoves(gone: readonly TreeEntry[], appeared: readonly TreeEntry[]): DetectedMove[] {
  const byIno = new Map<number, TreeEntry>();
  for (const g of gone) if (g.ino !== undefined && g.ino !== 0) byIno.set(g.ino, g);
  const pairs: DetectedMove[] = [];
  for (const a of appeared) {
    if (a.ino === undefined || a.ino === 0) continue;
    const g = byIno.get(a.ino);
    if (g === undefined || g.kind !== a.kind || g.path === a.path) continue;
    if (a.kind === 'file' && (g.size !== a.size || Math.floor(g.mtimeMs) !== Math.floor(a.mtimeMs))) continue;
    byIno.delete(a.ino);
    pairs.push({ from: g.path, to: a.path, kind: a.kind });
  }
  return collapseMoves(pairs);
}

/**
 * Drop moves implied by a folder move (from/x → to/x after from → to) and rewrite the source of the rest to
 * where the earlier folder move put it; moves whose destination is another move's source (swaps, cycles) are
 * dropped, since sending them in any order would overwrite data.
 */
export function collapseMoves(moves: readonly DetectedMove[]): DetectedMove[] {
  const sorted = [...moves].sort((a, b) => comparePaths(a.from, b.from));
  const sources = sorted.map((m) => m.from);
  const out: DetectedMove[] = [];
  for (const m of sorted) {
    if (sources.some((s) => s !== m.from && isWithin(m.to, s) && !isWithin(m.from, s))) continue;
    if (isWithin(m.to, m.from)) continue;
    let from = m.from;
    for (const d of out) if (d.kind === 'dir' && isWithin(from, d.from)) from = d.to + from.slice(d.from.length);
    if (from === m.to) continue;
    out.push({ from, to: m.to, kind: m.kind });
  }
  return out;
}
