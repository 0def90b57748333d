import { describe, expect, it } from 'vitest';
import { applyOp, shareEntry } from './apply-op';
import type { Tree } from './tree';

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
