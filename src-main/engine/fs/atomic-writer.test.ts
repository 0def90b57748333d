import { lstat, readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '../../../test/helpers/trees';
import { StagedFile, fsyncDirCoalesced, writeFileAtomic } from './atomic-writer';

async function setup(): Promise<{ dir: string; staging: string }> {
  const dir = await tempDir();
  const staging = join(dir, 'staging');
  await mkdir(staging);
  return { dir, staging };
}

describe('atomic writer', () => {
  afterAll(cleanupTempDirs);

  it.each(['fsync', 'none'] as const)('installs content, mode and exact integer mtime (%s)', async (durability) => {
    const { dir, staging } = await setup();
    const dest = join(dir, 'out.txt');
    const mtimeMs = 1_700_000_000_123; // ms/1000 is not exact in binary: the classic off-by-one
    await writeFileAtomic(dest, Buffer.from('hello'), { stagingDir: staging, mode: 0o640, mtimeMs, durability });
    const st = await lstat(dest);
    expect(await readFile(dest, 'utf8')).toBe('hello');
    expect(st.mode & 0o7777).toBe(0o640);
    expect(Math.floor(st.mtimeMs)).toBe(mtimeMs);
    expect(await readdir(staging)).toEqual([]);
  });

  it('keeps many random mtimes exact', async () => {
    const { dir, staging } = await setup();
    for (let i = 0; i < 50; i++) {
      const mtimeMs = 1_000_000_000_000 + Math.floor(Math.random() * 1e12);
      const dest = join(dir, `f${i}`);
      await writeFileAtomic(dest, Buffer.from([i]), { stagingDir: staging, mode: 0o644, mtimeMs, durability: 'none' });
      expect(Math.floor((await lstat(dest)).mtimeMs)).toBe(mtimeMs);
    }
  });

  it('never shows a partial file under the real name, and replaces the old one whole', async () => {
    const { dir, staging } = await setup();
    const dest = join(dir, 'big.bin');
    await writeFile(dest, 'old');
    const f = await StagedFile.create(staging);
    await f.write(Buffer.alloc(1000, 1));
    expect(await readFile(dest, 'utf8')).toBe('old');
    await f.write(Buffer.alloc(1000, 2));
    await f.seal({ mode: 0o600, mtimeMs: 1_600_000_000_000 }, 'fsync');
    expect(await readFile(dest, 'utf8')).toBe('old');
    await f.installAt(dest, 'fsync');
    const got = await readFile(dest);
    expect(got.length).toBe(2000);
    expect(got[1999]).toBe(2);
    expect(await readdir(staging)).toEqual([]);
  });

  it('discard removes the temp file and leaves the destination alone', async () => {
    const { dir, staging } = await setup();
    const f = await StagedFile.create(staging);
    await f.write(Buffer.from('x'));
    await f.discard();
    expect(await readdir(staging)).toEqual([]);
    expect(await readdir(dir)).toEqual(['staging']);
  });

  it('coalesced folder flushes all settle', async () => {
    const { dir } = await setup();
    await Promise.all(Array.from({ length: 20 }, () => fsyncDirCoalesced(dir)));
    await expect(fsyncDirCoalesced(join(dir, 'missing'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('fsyncDirCoalesced when the folder is gone', () => {
  it('a failed queued flush rejects to its callers only, never as an unhandled rejection', async () => {
    // Gone before the first flush: every flush fails, deterministically (a folder removed mid-flush is the same path).
    const dir = join(await tempDir(), 'gone');
    const first = fsyncDirCoalesced(dir);
    const queued = [fsyncDirCoalesced(dir), fsyncDirCoalesced(dir)];
    await expect(first).rejects.toMatchObject({ code: 'NOT_FOUND' });
    for (const q of queued) await expect(q).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await new Promise((r) => setImmediate(r)); // an escaped rejection is reported by now (and fails the run)
  });
});
