import { describe, expect, it } from 'vitest';
import { planMirror, planMirrorItems } from './plan';
import { describeOp, opOfItem, type SyncOp } from './operations';
import { treeOf, type TreeEntry } from './tree';
import { IgnoreRules } from './ignore-rules';

const f = (path: string, size = 1, mtimeMs = 1000, mode = 0o644): TreeEntry => ({ path, kind: 'file', size, mtimeMs, mode });
const d = (path: string, mode = 0o755): TreeEntry => ({ path, kind: 'dir', size: 0, mtimeMs: 5, mode });
const l = (path: string, target: string): TreeEntry => ({ path, kind: 'symlink', size: target.length, mtimeMs: 7, mode: 0o777, target });
const plan = (local: TreeEntry[], remote: TreeEntry[], ignore?: IgnoreRules) =>
  planMirror(treeOf(local), treeOf(remote), ignore ? { isIgnored: ignore.predicate() } : {}).map(describeOp);

describe('planMirror', () => {
  it('does nothing for equal trees', () => {
    const t = [d('a'), f('a/x'), l('a/l', 'x'), d('empty')];
    expect(plan(t, t)).toEqual([]);
  });

  it('creates nested and empty folders parents first, then files', () => {
    expect(plan([f('a/b/c/x'), d('a/b/c'), d('a'), d('a/b'), d('e')], [])).toEqual([
      'mkdir a', 'mkdir a/b', 'mkdir a/b/c', 'mkdir e', 'upload a/b/c/x',
    ]);
  });

  it('removes only the top-most folder of a gone subtree', () => {
    expect(plan([f('keep')], [f('keep'), d('g'), d('g/h'), f('g/h/x'), f('g/y'), f('z')])).toEqual(['remove z', 'remove g']);
  });

  it('orders separate removals children first', () => {
    const ops = plan([d('a'), d('a/b')], [d('a'), d('a/b'), f('a/b/x'), f('a/y')]);
    expect(ops).toEqual(['remove a/y', 'remove a/b/x']);
  });

  it('updates files whose size or integer mtime differ', () => {
    expect(plan([f('s', 2), f('m', 1, 2000), f('same', 1, 1000.7)], [f('s', 1), f('m', 1, 1000), f('same', 1, 1000.2)])).toEqual([
      'upload m', 'upload s',
    ]);
  });

  it('sends a mode-only difference as setMeta', () => {
    expect(plan([f('x', 1, 1000, 0o600)], [f('x', 1, 1000, 0o644)])).toEqual(['setMeta x']);
  });

  it('turns a file into a folder by remove, then mkdir, then children', () => {
    expect(plan([d('a'), f('a/x')], [f('a')])).toEqual(['remove a', 'mkdir a', 'upload a/x']);
  });

  it('turns a folder into a file by removing the folder first', () => {
    expect(plan([f('a')], [d('a'), f('a/x'), d('a/y')])).toEqual(['remove a', 'upload a']);
  });

  it('replaces a file by a link and updates changed link targets', () => {
    expect(plan([l('a', 't'), l('b', 'new')], [f('a'), l('b', 'old')])).toEqual(['remove a', 'symlink a', 'symlink b']);
  });

  it('handles NFC unicode names as plain keys', () => {
    const name = 'café/naïve-日本.txt'.normalize('NFC');
    expect(plan([d('café'.normalize('NFC')), f(name)], [])).toEqual(['mkdir café', `upload ${name}`]);
  });

  it('restores a restricted folder mode after its children', () => {
    const ops = planMirror(treeOf([d('ro', 0o555), f('ro/x')]), treeOf([]));
    expect(ops.map(describeOp)).toEqual(['mkdir ro', 'upload ro/x', 'setMeta ro']);
    expect(ops[0]).toMatchObject({ mode: 0o755 });
    expect(ops[2]).toMatchObject({ mode: 0o555 });
  });

  it('sets a folder mode difference without touching children', () => {
    expect(plan([d('a', 0o700), f('a/x')], [d('a', 0o755), f('a/x')])).toEqual(['setMeta a']);
  });

  it('neither sends nor deletes ignored paths', () => {
    const ig = new IgnoreRules(['*.tmp', 'build/']);
    expect(plan([f('a.tmp'), d('build'), f('build/o'), f('k')], [f('b.tmp'), d('build'), f('build/p')], ig)).toEqual(['upload k']);
  });

  it('keeps a gone folder that still holds ignored entries, removing its other children', () => {
    const ig = new IgnoreRules(['*.keep']);
    expect(plan([], [d('g'), f('g/a.keep'), f('g/b')], ig)).toEqual(['remove g/b']);
  });

  it('never plans anything under .ferry', () => {
    const ig = new IgnoreRules();
    expect(plan([], [d('.ferry'), f('.ferry/x')], ig)).toEqual([]);
  });

  it('carries the on-disk path of non-NFC names into uploads', () => {
    const ops = planMirror(treeOf([{ ...f('é'), diskPath: 'e\u0301' }]), treeOf([]));
    expect(ops[0]).toMatchObject({ kind: 'upload', path: 'é', diskPath: 'e\u0301' });
  });

  it('plans a large tree in order: every mkdir before anything inside it', () => {
    const local: TreeEntry[] = [];
    for (let i = 0; i < 50; i++) {
      local.push(d(`d${i}`));
      for (let j = 0; j < 20; j++) local.push(f(`d${i}/f${j}`));
    }
    const ops: SyncOp[] = planMirror(treeOf(local.reverse()), treeOf([]));
    const seen = new Set<string>();
    for (const op of ops) {
      if (op.kind === 'upload') expect(seen.has(op.path.split('/')[0] as string)).toBe(true);
      if (op.kind === 'mkdir') seen.add(op.path);
    }
    expect(ops).toHaveLength(1050);
  });

  it('leaves each upload as the local entry in planMirrorItems, the same plan otherwise', () => {
    const local = treeOf([
      { path: 'd', kind: 'dir', size: 0, mtimeMs: 1, mode: 0o500 },
      { path: 'd/f', kind: 'file', size: 2, mtimeMs: 1, mode: 0o644, ino: 3 },
    ]);
    const items = planMirrorItems(local, new Map());
    expect(items[1]).toBe(local.get('d/f'));
    expect(items.map(opOfItem)).toEqual(planMirror(local, new Map()));
    expect(items.map(opOfItem).map(describeOp)).toEqual(['mkdir d', 'upload d/f', 'setMeta d']);
  });
});
