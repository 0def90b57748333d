import { describe, expect, it } from 'vitest';
import { LocalModel, reconcileRegion } from './reconcile';
import { describeOp } from './operations';
import { treeOf, type Tree, type TreeEntry } from './tree';

const f = (path: string, ino: number, size = 3): TreeEntry => ({ path, kind: 'file', size, mtimeMs: 9, mode: 0o644, ino });
const d = (path: string, ino: number): TreeEntry => ({ path, kind: 'dir', size: 0, mtimeMs: 1, mode: 0o755, ino });
const strip = (t: TreeEntry[]): Tree => treeOf(t.map(({ ino: _i, ...e }) => e));

function start(entries: TreeEntry[]) {
  const local = new LocalModel();
  local.replaceRegion([''], treeOf(entries));
  return { local, projected: strip(entries) };
}

describe('reconcileRegion', () => {
  it('sends a folder rename with 1,000 files as one move', () => {
    const files = Array.from({ length: 1000 }, (_, i) => f(`p/f${i}`, 100 + i));
    const m = start([d('p', 1), ...files]);
    const scanned = treeOf([d('q', 1), ...files.map((e) => ({ ...e, path: e.path.replace('p/', 'q/') }))]);
    const ops = reconcileRegion({ ...m, roots: ['p', 'q'], scanned });
    expect(ops.map(describeOp)).toEqual(['move p → q']);
    expect(m.projected.has('q/f999')).toBe(true);
    expect(m.projected.has('p')).toBe(false);
    expect(m.local.tree.has('q/f0')).toBe(true);
  });

  it('moves then updates a file renamed and edited', () => {
    const m = start([f('a', 5)]);
    const ops = reconcileRegion({ ...m, roots: [''], scanned: treeOf([{ ...f('b', 5), size: 3, mtimeMs: 9 }, f('c', 6)]) });
    expect(ops.map(describeOp)).toEqual(['move a → b', 'upload c']);
  });

  it('uploads instead of moving when the server no longer has the source', () => {
    const m = start([f('a', 5)]);
    m.projected.delete('a');
    expect(reconcileRegion({ ...m, roots: ['a', 'b'], scanned: treeOf([f('b', 5)]) }).map(describeOp)).toEqual(['upload b']);
  });

  it('creates folders above a region that the server lacks', () => {
    const m = start([d('x', 1), f('x/y', 2)]);
    m.projected.delete('x');
    m.projected.delete('x/y');
    m.local.replaceRegion(['x/z'], treeOf([f('x/z', 3)]));
    const ops = reconcileRegion({ ...m, roots: ['x/z'], scanned: treeOf([f('x/z', 3)]) });
    expect(ops.map(describeOp)).toEqual(['mkdir x', 'upload x/z']);
  });

  it('plans nothing twice: a second identical batch is empty', () => {
    const m = start([]);
    const scanned = treeOf([d('n', 1), f('n/a', 2)]);
    expect(reconcileRegion({ ...m, roots: ['n'], scanned }).map(describeOp)).toEqual(['mkdir n', 'upload n/a']);
    expect(reconcileRegion({ ...m, roots: ['n'], scanned })).toEqual([]);
  });

  it('pairs an editor save through a temp file as a move over the original', () => {
    const m = start([f('doc', 1), f('.doc.tmp', 2, 7)]);
    const ops = reconcileRegion({ ...m, roots: ['doc', '.doc.tmp'], scanned: treeOf([{ ...f('doc', 2, 7) }]) });
    expect(ops.map(describeOp)).toEqual(['move .doc.tmp → doc']);
  });
});

describe('LocalModel', () => {
  it('finds inodes after a whole-folder replace (index built on demand) and follows partial replaces', () => {
    const m = new LocalModel();
    const all = treeOf([d('a', 1), f('a/x', 2), f('b', 3)]);
    m.replaceRegion([''], all);
    expect(m.tree).toBe(all);
    expect(m.pathOfIno(2)).toBe('a/x');
    m.replaceRegion(['a'], treeOf([d('a', 1), f('a/y', 2)]));
    expect(m.pathOfIno(2)).toBe('a/y');
    expect(m.tree.has('a/x')).toBe(false);
    m.replaceRegion(['b'], new Map());
    expect(m.pathOfIno(3)).toBeUndefined();
    expect([...m.tree.keys()].sort()).toEqual(['a', 'a/y']);
  });

  it('updates the index on a partial replace that comes before any look-up', () => {
    const m = new LocalModel();
    m.replaceRegion([''], treeOf([f('p', 4)]));
    m.replaceRegion(['p', 'q'], treeOf([f('q', 4)]));
    expect(m.pathOfIno(4)).toBe('q');
  });
});
