import { randomBytes } from 'node:crypto';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '../../../test/helpers/trees';
import { recipeOfBuffer } from './recipe';
import { RecipeCache } from './recipe-cache';

afterAll(cleanupTempDirs);

const st = { size: 300_000, mtimeMs: 1_700_000_000_123.456, ino: 4242 };
const recipe = recipeOfBuffer(randomBytes(st.size));

describe('RecipeCache', () => {
  it('hits only while size, mtime and inode all match', async () => {
    const c = await RecipeCache.open(null);
    c.set('a/b.bin', st, recipe);
    expect(c.get('a/b.bin', { ...st })).toEqual(recipe);
    expect(c.get('a/b.bin', { ...st, size: st.size + 1 })).toBeUndefined();
    expect(c.get('a/b.bin', { ...st, mtimeMs: st.mtimeMs + 0.001 })).toBeUndefined();
    expect(c.get('a/b.bin', { ...st, ino: 1 })).toBeUndefined();
    expect(c.get('other', st)).toBeUndefined();
    c.delete('a/b.bin');
    expect(c.get('a/b.bin', st)).toBeUndefined();
    await c.flush(); // in-memory: a no-op that must not throw
  });

  it('a failed write fails its flush only: the next flush writes again', async () => {
    const dir = await tempDir();
    const file = join(dir, 'blocker', 'recipes.bin');
    const c = await RecipeCache.open(file);
    await writeFile(join(dir, 'blocker'), 'a file where the folder should be');
    c.set('x.bin', st, recipe);
    await expect(c.flush()).rejects.toBeDefined();
    await rm(join(dir, 'blocker'));
    await c.flush();
    expect((await RecipeCache.open(file)).size).toBe(1);
  });

  it('persists across reopen (atomically, no temp files left)', async () => {
    const dir = await tempDir();
    const file = join(dir, 'state', 'recipes.bin');
    const c = await RecipeCache.open(file);
    c.set('x.bin', st, recipe);
    c.set(
      'ünï/cødé.txt',
      { size: 0, mtimeMs: 5, ino: 9 },
      {
        size: 0,
        hash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        chunks: [],
      },
    );
    await c.flush();
    expect(await readdir(join(dir, 'state'))).toEqual(['recipes.bin']);
    const again = await RecipeCache.open(file);
    expect(again.size).toBe(2);
    expect(again.get('x.bin', st)).toEqual(recipe);
    expect(again.get('ünï/cødé.txt', { size: 0, mtimeMs: 5, ino: 9 })?.chunks).toEqual([]);
  });

  it('treats a corrupt or missing file as empty', async () => {
    const dir = await tempDir();
    expect((await RecipeCache.open(join(dir, 'missing.bin'))).size).toBe(0);
    await writeFile(join(dir, 'bad.bin'), Buffer.concat([Buffer.from('FRC1'), randomBytes(100)]));
    expect((await RecipeCache.open(join(dir, 'bad.bin'))).size).toBe(0);
  });

  it('renamePrefix moves a file or a folder, not siblings with a common name prefix', async () => {
    const c = await RecipeCache.open(null);
    for (const p of ['docs/a.bin', 'docs/sub/b.bin', 'docs2/c.bin', 'top.bin']) c.set(p, st, recipe);
    c.renamePrefix('docs', 'archive/docs');
    c.renamePrefix('top.bin', 'moved.bin');
    expect(c.get('archive/docs/a.bin', st)).toEqual(recipe);
    expect(c.get('archive/docs/sub/b.bin', st)).toEqual(recipe);
    expect(c.get('docs/a.bin', st)).toBeUndefined();
    expect(c.get('docs2/c.bin', st)).toEqual(recipe);
    expect(c.get('moved.bin', st)).toEqual(recipe);
    expect(c.get('top.bin', st)).toBeUndefined();
    expect(c.size).toBe(4);
  });

  it('holds 100,000 entries and round-trips them through the file', async () => {
    const dir = await tempDir();
    const file = join(dir, 'recipes.bin');
    const c = await RecipeCache.open(file);
    const small = recipeOfBuffer(randomBytes(10_000));
    for (let i = 0; i < 100_000; i++) c.set(`d${i % 200}/f${i}.txt`, { size: 10_000, mtimeMs: i, ino: i }, small);
    await c.flush();
    const again = await RecipeCache.open(file);
    expect(again.size).toBe(100_000);
    expect(
      again.get('d7/f99807.txt', {
        size: 10_000,
        mtimeMs: 99_807,
        ino: 99_807,
      }),
    ).toEqual(small);
  });
});
