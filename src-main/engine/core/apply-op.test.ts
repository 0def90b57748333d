import { describe, expect, it } from 'vitest';
import { applyItem, applyOp, shareEntry } from './apply-op';
import type { Tree, TreeEntry } from './tree';

describe('shareEntry', () => {
  it('makes the confirmed tree hold the projected object when both describe the same file', () => {
    const projected: Tree = new Map();
    const confirmed: Tree = new Map();
    const op = { kind: 'upload' as const, path: 'f', size: 3, mtimeMs: 1000, mode: 0o644 };
    applyOp(projected, op);
    applyOp(confirmed, op, { size: 3, mtimeMs: 1000, mode: 0o644 });
    expect(confirmed.get('f')).not.toBe(projected.get('f'));
    shareEntry(confirmed, projected, 'f');
    expect(confirmed.get('f')).toBe(projected.get('f'));
  });

  it('leaves differing entries alone (the file changed between plan and send)', () => {
    const projected: Tree = new Map();
    const confirmed: Tree = new Map();
    applyOp(projected, { kind: 'upload', path: 'f', size: 3, mtimeMs: 1000, mode: 0o644 });
    applyOp(confirmed, { kind: 'upload', path: 'f', size: 3, mtimeMs: 1000, mode: 0o644 }, { size: 4, mtimeMs: 2000, mode: 0o644 });
    shareEntry(confirmed, projected, 'f');
    expect(confirmed.get('f')).toMatchObject({ size: 4, mtimeMs: 2000 });
    expect(confirmed.get('f')).not.toBe(projected.get('f'));
  });
});

describe('applyItem', () => {
  it('puts the scanned entry itself into the tree for an upload, replacing whatever was below the path', () => {
    const tree: Tree = new Map();
    applyOp(tree, { kind: 'mkdir', path: 'x', mode: 0o755, mtimeMs: 1 });
    applyOp(tree, { kind: 'upload', path: 'x/y', size: 1, mtimeMs: 1, mode: 0o644 });
    const e: TreeEntry = { path: 'x', kind: 'file', size: 3, mtimeMs: 1000, mode: 0o644, ino: 7, diskPath: 'X' };
    applyItem(tree, { ...e, kind: 'file' });
    expect([...tree.keys()]).toEqual(['x']);
    expect(tree.get('x')).toMatchObject({ kind: 'file', size: 3 });
  });

  it('applies any other item as its operation', () => {
    const tree: Tree = new Map();
    applyItem(tree, { kind: 'mkdir', path: 'd', mode: 0o755, mtimeMs: 5 });
    expect(tree.get('d')).toEqual({ path: 'd', kind: 'dir', size: 0, mtimeMs: 5, mode: 0o755 });
  });

  it('lets the confirmed tree share the local entry once the upload is confirmed', () => {
    const projected: Tree = new Map();
    const confirmed: Tree = new Map();
    const e = { path: 'f', kind: 'file' as const, size: 3, mtimeMs: 1000, mode: 0o644, ino: 7 };
    applyItem(projected, e);
    applyOp(confirmed, { kind: 'upload', path: 'f', size: 3, mtimeMs: 1000, mode: 0o644, ino: 7 }, { size: 3, mtimeMs: 1000, mode: 0o644 });
    shareEntry(confirmed, projected, 'f');
    expect(confirmed.get('f')).toBe(e);
  });
});
