import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir, writeTree } from '../../../test/helpers/trees';
import { toWireEntry, walkTree } from './tree-walk';

describe('walkTree', () => {
  afterAll(cleanupTempDirs);

  it('lists files, folders and links, parents first, skipping .ferry at the root only', async () => {
    const root = await tempDir();
    await writeTree(root, {
      'b/z.txt': { content: 'zz', mode: 0o600, mtimeMs: 1_650_000_000_000 },
      'a.txt': 'a',
      'b/c/d': { dir: true },
      'link': { link: '../elsewhere' },
      '.ferry/versions/x': 'hidden',
      'b/.ferry': 'not hidden here',
    });
    const got = [];
    for await (const e of walkTree(root)) got.push(toWireEntry(e));
    expect(got.map((e) => e.path)).toEqual(['a.txt', 'b', 'b/.ferry', 'b/c', 'b/c/d', 'b/z.txt', 'link']);
    const z = got.find((e) => e.path === 'b/z.txt')!;
    expect(z).toEqual({ path: 'b/z.txt', kind: 'file', size: 2, mtimeMs: 1_650_000_000_000, mode: 0o600 });
    expect(got.find((e) => e.path === 'link')).toMatchObject({ kind: 'symlink', target: '../elsewhere' });
    expect(got.find((e) => e.path === 'b')).toMatchObject({ kind: 'dir', size: 0 });
    expect(Object.keys(got[0]!)).not.toContain('ino');
  });
});
