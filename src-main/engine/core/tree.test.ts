import { describe, expect, it } from 'vitest';
import { ancestorsOf, comparePaths, deleteWithin, entriesWithin, renameWithin, treeOf, type TreeEntry } from './tree';
import { compareEntries } from './diff-trees';

const f = (path: string): TreeEntry => ({ path, kind: 'file', size: 1, mtimeMs: 1, mode: 0o644 });
const d = (path: string): TreeEntry => ({ path, kind: 'dir', size: 0, mtimeMs: 1, mode: 0o755 });

describe('tree helpers', () => {
  it('orders parents before children, segment by segment', () => {
    expect(['a-b', 'a/b', 'a', 'a/b/c', 'B'].sort(comparePaths)).toEqual(['B', 'a', 'a/b', 'a/b/c', 'a-b']);
  });
  it('lists ancestors', () => {
    expect(ancestorsOf('a/b/c')).toEqual(['a', 'a/b']);
    expect(ancestorsOf('a')).toEqual([]);
  });
  it('finds, deletes and renames subtrees without touching look-alike siblings', () => {
    const t = treeOf([d('a'), f('a/x'), f('ab'), d('a/s'), f('a/s/y')]);
    expect(entriesWithin(t, 'a').map((e) => e.path).sort()).toEqual(['a', 'a/s', 'a/s/y', 'a/x']);
    renameWithin(t, 'a', 'z/a');
    expect([...t.keys()].sort()).toEqual(['ab', 'z/a', 'z/a/s', 'z/a/s/y', 'z/a/x']);
    deleteWithin(t, 'z/a/s');
    expect([...t.keys()].sort()).toEqual(['ab', 'z/a', 'z/a/x']);
  });
  it('compares entries by kind, size, integer mtime, mode and target', () => {
    expect(compareEntries(f('x'), d('x'))).toBe('kind');
    expect(compareEntries(f('x'), { ...f('x'), mtimeMs: 1.9 })).toBe('same');
    expect(compareEntries(f('x'), { ...f('x'), size: 2 })).toBe('content');
    expect(compareEntries(f('x'), { ...f('x'), mode: 0o600 })).toBe('meta');
    expect(compareEntries(d('x'), { ...d('x'), mtimeMs: 99 })).toBe('same');
  });
});

describe('subTree', () => {
  it('collects file roots directly and folder roots in one pass', async () => {
    const { subTree } = await import('./tree');
    const t = treeOf([d('a'), f('a/x'), f('ab'), d('b'), f('b/y'), f('c')]);
    expect([...subTree(t, ['a', 'c', 'missing']).keys()].sort()).toEqual(['a', 'a/x', 'c']);
    expect([...subTree(t, ['b', 'a/x']).keys()].sort()).toEqual(['a/x', 'b', 'b/y']);
    expect(subTree(t, ['']).size).toBe(6);
  });
});
