import { describe, expect, it } from 'vitest';
import { checkSafety } from './safety';
import { treeOf, type TreeEntry } from './tree';

const f = (path: string): TreeEntry => ({ path, kind: 'file', size: 1, mtimeMs: 1, mode: 0o644 });
const d = (path: string): TreeEntry => ({ path, kind: 'dir', size: 0, mtimeMs: 1, mode: 0o755 });

describe('checkSafety', () => {
  it('halts when the local root is missing, even if empty roots are allowed', () => {
    expect(checkSafety(treeOf([]), treeOf([]), { allowEmptyRoot: true, rootExists: false })?.code).toBe('SAFETY_HALT');
  });
  it('halts when the local folder is empty and the server holds files', () => {
    const e = checkSafety(treeOf([]), treeOf([d('a'), f('a/x')]), { allowEmptyRoot: false, rootExists: true });
    expect(e?.code).toBe('SAFETY_HALT');
    expect(e?.message).toMatch(/1 file/);
  });
  it('allows an empty folder when the user said so', () => {
    expect(checkSafety(treeOf([]), treeOf([f('x')]), { allowEmptyRoot: true, rootExists: true })).toBeNull();
  });
  it('allows an empty folder over a share holding only folders', () => {
    expect(checkSafety(treeOf([]), treeOf([d('a')]), { allowEmptyRoot: false, rootExists: true })).toBeNull();
  });
  it('allows a non-empty folder', () => {
    expect(checkSafety(treeOf([f('y')]), treeOf([f('x')]), { allowEmptyRoot: false, rootExists: true })).toBeNull();
  });
});
