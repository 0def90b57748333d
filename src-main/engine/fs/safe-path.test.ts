import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '../../../test/helpers/trees';
import { FerryError } from '../errors';
import { SafeRoot } from './safe-path';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof FerryError ? err.code : `not a FerryError: ${String(err)}`;
  }
  return undefined;
}

describe('SafeRoot', () => {
  let outside: string;
  let root: SafeRoot;

  beforeAll(async () => {
    const base = await tempDir();
    outside = join(base, 'outside');
    await mkdir(outside);
    await mkdir(join(base, 'share', 'real', 'deep'), { recursive: true });
    await writeFile(join(base, 'share', 'file.txt'), 'x');
    await symlink(outside, join(base, 'share', 'escape'));
    await symlink('real', join(base, 'share', 'inside'));
    // The root itself reached through a link: realpath'd once, so it is not refused.
    await symlink(join(base, 'share'), join(base, 'share-link'));
    root = await SafeRoot.open(join(base, 'share-link'));
  });
  afterAll(cleanupTempDirs);

  it('realpaths the root once', () => {
    expect(root.root.endsWith('/share')).toBe(true);
  });

  it('resolves ordinary paths, existing or not', () => {
    expect(root.resolve('real/deep/x.txt')).toBe(join(root.root, 'real/deep/x.txt'));
    expect(root.resolve('new/folder/y')).toBe(join(root.root, 'new/folder/y'));
  });

  it.each([
    ['../x', 'PATH_INVALID'],
    ['a/../../x', 'PATH_INVALID'],
    ['/etc/passwd', 'PATH_INVALID'],
    ['C:/Windows', 'PATH_INVALID'],
    ['c:x', 'PATH_INVALID'],
    ['a\0b', 'PATH_INVALID'],
    ['a\\b', 'PATH_INVALID'],
    ['a//b', 'PATH_INVALID'],
    ['./a', 'PATH_INVALID'],
    ['', 'PATH_INVALID'],
    ['.ferry/versions/x', 'PATH_INVALID'],
  ])('refuses %j', (p, code) => {
    expect(codeOf(() => root.resolve(p))).toBe(code);
  });

  it('refuses a path through a symlink that leaves the share', () => {
    expect(codeOf(() => root.resolve('escape/evil.txt'))).toBe('PATH_OUTSIDE_SHARE');
  });

  it('refuses a path through a symlink even when it stays inside (no writing through links)', () => {
    expect(codeOf(() => root.resolve('inside/deep/x'))).toBe('PATH_OUTSIDE_SHARE');
  });

  it('allows the link itself as the last component (it is replaced, never followed)', () => {
    expect(root.resolve('escape')).toBe(join(root.root, 'escape'));
  });

  it('refuses a file used as a folder', () => {
    expect(codeOf(() => root.resolve('file.txt/child'))).toBe('PATH_INVALID');
  });

  it('resolveForWrite creates parents but not through a link', async () => {
    const abs = await root.resolveForWrite('made/on/demand.txt');
    expect(abs).toBe(join(root.root, 'made/on/demand.txt'));
    await expect(root.resolveForWrite('escape/sub/x')).rejects.toMatchObject({ code: 'PATH_OUTSIDE_SHARE' });
  });

  it('relativeOf maps back and rejects outside paths', () => {
    expect(root.relativeOf(join(root.root, 'a/b'))).toBe('a/b');
    expect(root.relativeOf(outside)).toBeUndefined();
    expect(root.relativeOf(root.root)).toBeUndefined();
  });

  it('refuses a missing root', async () => {
    await expect(SafeRoot.open(join(outside, 'nope'))).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('SafeRoot on a case-insensitive file system', () => {
  afterAll(cleanupTempDirs);

  it('reserves .ferry in any letter case only when told the file system ignores case', async () => {
    const root = await SafeRoot.open(await tempDir());
    expect(root.resolve('.Ferry/x')).toBe(join(root.root, '.Ferry/x'));
    root.caseInsensitive = true;
    expect(codeOf(() => root.resolve('.FERRY/versions/x'))).toBe('PATH_INVALID');
    expect(root.resolve('a/.FERRY')).toBe(join(root.root, 'a/.FERRY'));
  });
});
