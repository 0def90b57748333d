import { lstat, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir, writeTree } from '../../../test/helpers/trees';
import { SafeRoot } from '../fs/safe-path';
import { VersionsStore, parseVersionStamp, versionStamp } from './versions-store';

async function setup(): Promise<{ share: string; store: VersionsStore }> {
  const share = await tempDir();
  await mkdir(join(share, '.ferry/versions'), { recursive: true });
  return { share, store: new VersionsStore(await SafeRoot.open(join(share, '.ferry/versions'))) };
}

describe('VersionsStore', () => {
  afterAll(cleanupTempDirs);

  it('formats and parses UTC stamps', () => {
    const d = new Date(Date.UTC(2026, 10, 25, 13, 45, 1, 999));
    expect(versionStamp(d)).toBe('20261125T134501Z');
    expect(parseVersionStamp('20261125T134501Z')).toBe(Date.UTC(2026, 10, 25, 13, 45, 1));
    expect(parseVersionStamp('2026-11-25')).toBeUndefined();
  });

  it('moves a file to versions, uniquely when repeated within a second', async () => {
    const { share, store } = await setup();
    const now = new Date(Date.UTC(2026, 10, 25, 13, 45, 1));
    await writeTree(share, { 'a/b.txt': 'one' });
    const k1 = await store.keep('a/b.txt', join(share, 'a/b.txt'), 'move', now);
    await writeTree(share, { 'a/b.txt': 'two' });
    const k2 = await store.keep('a/b.txt', join(share, 'a/b.txt'), 'move', now);
    expect(k1.path).toBe('a/b.txt~20261125T134501Z');
    expect(k2.path).toBe('a/b.txt~20261125T134501Z-2');
    expect(await readFile(k1.abs, 'utf8')).toBe('one');
    expect(await readFile(k2.abs, 'utf8')).toBe('two');
    await expect(lstat(join(share, 'a/b.txt'))).rejects.toThrow();
  });

  it('hard-links a file so it stays in place until replaced', async () => {
    const { share, store } = await setup();
    await writeTree(share, { 'f.txt': 'keep me' });
    const k = await store.keep('f.txt', join(share, 'f.txt'), 'link');
    expect(await readFile(join(share, 'f.txt'), 'utf8')).toBe('keep me');
    expect(await readFile(k.abs, 'utf8')).toBe('keep me');
    expect((await lstat(k.abs)).ino).toBe((await lstat(join(share, 'f.txt'))).ino);
  });

  it('keeps whole folders, lists versions and prunes by age only', async () => {
    const { share, store } = await setup();
    await writeTree(share, { 'd/x.txt': 'x', 'd/sub/y.txt': 'y', 'new.txt': 'n' });
    const old = new Date(Date.now() - 40 * 86_400_000);
    const kOld = await store.keep('d', join(share, 'd'), 'move', old);
    const kNew = await store.keep('new.txt', join(share, 'new.txt'), 'move');
    expect(await readFile(join(kOld.abs, 'sub/y.txt'), 'utf8')).toBe('y');
    const listed = await store.list();
    expect(listed.map((v) => [v.original, v.kind])).toEqual([['new.txt', 'file'], ['d', 'dir']]);

    expect(await store.prune(0)).toEqual([]); // 0 = keep forever
    expect(await store.prune(30)).toEqual([kOld.abs]);
    expect((await store.list()).map((v) => v.path)).toEqual([kNew.path]);
    expect(await readdir(store.root.root)).toEqual([kNew.path]);
  });

  it('leaves files without a version suffix alone when pruning', async () => {
    const { share, store } = await setup();
    await writeFile(join(share, '.ferry/versions/stray.txt'), 's');
    expect(await store.prune(1, Date.now() + 365 * 86_400_000)).toEqual([]);
    expect(await readdir(store.root.root)).toEqual(['stray.txt']);
  });
});

describe('VersionsStore under concurrency', () => {
  afterAll(cleanupTempDirs);

  it('many keeps of one path in the same second all get their own name; nothing is copied over', async () => {
    const { share, store } = await setup();
    const now = new Date(Date.UTC(2026, 10, 25, 13, 45, 1));
    const contents = Array.from({ length: 12 }, (_, i) => `content ${i}`);
    for (let i = 0; i < contents.length; i++) await writeTree(share, { [`f${i}`]: contents[i]! });
    const kept = await Promise.all(contents.map((_, i) => store.keep('f', join(share, `f${i}`), i % 2 ? 'link' : 'move', now)));
    expect(new Set(kept.map((k) => k.path)).size).toBe(contents.length);
    const read = await Promise.all(kept.map((k) => readFile(k.abs, 'utf8')));
    expect(read.sort()).toEqual([...contents].sort());
  });
});
