import { describe, expect, it } from 'vitest';
import { pairMoves } from './move-detect';
import type { TreeEntry } from './tree';

const f = (path: string, ino: number, size = 3, mtimeMs = 9): TreeEntry => ({ path, kind: 'file', size, mtimeMs, mode: 0o644, ino });
const d = (path: string, ino: number): TreeEntry => ({ path, kind: 'dir', size: 0, mtimeMs: 1, mode: 0o755, ino });

describe('pairMoves', () => {
  it('pairs a rename by inode', () => {
    expect(pairMoves([f('a', 1)], [f('b', 1)])).toEqual([{ from: 'a', to: 'b', kind: 'file' }]);
  });
  it('does not pair different inodes, sizes or mtimes', () => {
    expect(pairMoves([f('a', 1)], [f('b', 2)])).toEqual([]);
    expect(pairMoves([f('a', 1, 3)], [f('b', 1, 4)])).toEqual([]);
    expect(pairMoves([f('a', 1, 3, 1)], [f('b', 1, 3, 2)])).toEqual([]);
  });
  it('does not pair a file with a folder', () => {
    expect(pairMoves([f('a', 1)], [d('b', 1)])).toEqual([]);
  });
  it('collapses a folder rename with its children into one move', () => {
    const gone = [d('p', 10), ...Array.from({ length: 100 }, (_, i) => f(`p/f${i}`, 100 + i))];
    const appeared = [d('q', 10), ...Array.from({ length: 100 }, (_, i) => f(`q/f${i}`, 100 + i))];
    expect(pairMoves(gone, appeared)).toEqual([{ from: 'p', to: 'q', kind: 'dir' }]);
  });
  it('rewrites the source of a child moved out of a renamed folder', () => {
    const moves = pairMoves([d('p', 10), f('p/x', 11), f('p/y', 12)], [d('q', 10), f('q/x', 11), f('other/y', 12)]);
    expect(moves).toEqual([
      { from: 'p', to: 'q', kind: 'dir' },
      { from: 'q/y', to: 'other/y', kind: 'file' },
    ]);
  });
  it('drops swaps, which no order of moves can express', () => {
    expect(pairMoves([f('a', 1), f('b', 2)], [f('a', 2), f('b', 1)])).toEqual([]);
  });
  it('pairs an editor save: temp file renamed over the original', () => {
    expect(pairMoves([f('.x.tmp', 5), f('x', 4)], [f('x', 5)])).toEqual([{ from: '.x.tmp', to: 'x', kind: 'file' }]);
  });
  it('ignores entries without inodes', () => {
    expect(pairMoves([{ ...f('a', 0) }], [{ ...f('b', 0) }])).toEqual([]);
  });
  it('moves across folders', () => {
    expect(pairMoves([f('a/x', 7)], [f('b/c/x', 7)])).toEqual([{ from: 'a/x', to: 'b/c/x', kind: 'file' }]);
  });
});
