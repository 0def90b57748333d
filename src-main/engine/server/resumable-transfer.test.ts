/** Chunked uploads written in place: resumption after a server restart, bad chunks never installed, re-verification of recorded chunks. */
import { readdir, readFile, lstat, open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '../../../test/helpers/trees';
import { partFileTuning } from './part-file';
import { countMissing, pseudoRandom, sha256, startServerFixture, type ServerFixture } from './test-harness';

const open_: ServerFixture[] = [];
afterEach(async () => {
  for (const fx of open_.splice(0)) await fx.close();
  await cleanupTempDirs();
});

async function start(base: string): Promise<ServerFixture> {
  const fx = await startServerFixture(base);
  open_.push(fx);
  return fx;
}

async function stop(fx: ServerFixture): Promise<void> {
  open_.splice(open_.indexOf(fx), 1);
  await fx.close();
}

const partFiles = async (root: string) => (await readdir(join(root, '.ferry/staging/chunks'))).sort();

describe('resumable assembly', () => {
  it('an upload interrupted by a server restart asks only for the chunks not yet written', async () => {
    const base = await tempDir();
    const data = pseudoRandom(3 * 1024 * 1024, 21);
    const fx1 = await start(base);
    const token = fx1.token;
    const root = fx1.roots.main!;
    const c1 = await fx1.client();
    const t1 = await c1.begin('restart/big.bin', data);
    const total = countMissing(t1.missing);
    expect(total).toBeGreaterThan(20);
    const sent = await c1.sendChunks(t1, data, Math.floor(total / 3));
    await c1.request({ type: 'ping' }); // every chunk before it has been read by the server
    await stop(fx1); // ends the session: the temp file and its record stay
    const kept = await partFiles(root);
    expect(kept.filter((n) => n.endsWith('.part'))).toHaveLength(1);
    expect(kept.filter((n) => n.endsWith('.json'))).toHaveLength(1);
    await expect(lstat(join(root, 'restart/big.bin'))).rejects.toMatchObject({ code: 'ENOENT' });

    const fx2 = await start(base);
    const c2 = await fx2.client({ token });
    const t2 = await c2.begin('restart/big.bin', data);
    expect(countMissing(t2.missing)).toBe(total - sent);
    expect(t2.missing[0]![0]).toBe(sent); // the first third is there
    await c2.sendChunks(t2, data);
    const ok = await c2.request({ type: 'commit', transfer: t2.transfer });
    const written = t1.recipe.chunks.slice(0, sent).reduce((n, c) => n + c.length, 0);
    expect((ok.header as { bytesReused?: number }).bytesReused).toBe(written);
    expect(sha256(await readFile(join(root, 'restart/big.bin')))).toBe(sha256(data));
    expect(await partFiles(root)).toEqual([]);
  });

  it('a corrupted chunk is never committed; the retry asks for that chunk only', async () => {
    const fx = await start(await tempDir());
    const root = fx.roots.main!;
    const c = await fx.client();
    const data = pseudoRandom(1024 * 1024, 22);
    const t = await c.begin('bad/one.bin', data);
    const bad = Buffer.from(data);
    const victim = t.recipe.chunks[2]!;
    bad[victim.offset + 5] = bad[victim.offset + 5]! ^ 0x55;
    await c.sendChunks(t, bad);
    expect(await c.errorCode({ type: 'commit', transfer: t.transfer })).toBe('HASH_MISMATCH');
    await expect(lstat(join(root, 'bad/one.bin'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await readdir(join(root, '.ferry/staging'))).filter((n) => n !== 'chunks')).toEqual([]);

    const retry = await c.begin('bad/one.bin', data);
    expect(retry.missing).toEqual([[2, 3]]);
    await c.sendChunks(retry, data);
    await c.request({ type: 'commit', transfer: retry.transfer });
    expect(sha256(await readFile(join(root, 'bad/one.bin')))).toBe(sha256(data));
    expect(await partFiles(root)).toEqual([]);
  });

  it('recorded chunks are re-verified on resume: bytes damaged on disk are asked for again', async () => {
    const base = await tempDir();
    const data = pseudoRandom(1024 * 1024, 23);
    const fx1 = await start(base);
    const token = fx1.token;
    const root = fx1.roots.main!;
    const c1 = await fx1.client();
    const t1 = await c1.begin('tamper.bin', data);
    await c1.sendChunks(t1, data, 6);
    await c1.request({ type: 'abort', transfer: t1.transfer });
    await stop(fx1);
    const part = (await partFiles(root)).find((n) => n.endsWith('.part'))!;
    // Damage chunk 4 in the temp file behind the server's back.
    const fh = await open(join(root, '.ferry/staging/chunks', part), 'r+');
    await fh.write(Buffer.from('garbage'), 0, 7, t1.recipe.chunks[4]!.offset + 1);
    await fh.close();

    const fx2 = await start(base);
    const c2 = await fx2.client({ token });
    const t2 = await c2.begin('tamper.bin', data);
    expect(t2.missing[0]).toEqual([4, 5]);
    expect(countMissing(t2.missing)).toBe(countMissing(t1.missing) - 5);
    await c2.sendChunks(t2, data);
    await c2.request({ type: 'commit', transfer: t2.transfer });
    expect(sha256(await readFile(join(root, 'tamper.bin')))).toBe(sha256(data));
  });

  it('a second upload of the same file at the same time gets its own temp file', async () => {
    const fx = await start(await tempDir());
    const root = fx.roots.main!;
    const a = await fx.client();
    const b = await fx.client();
    const data = pseudoRandom(600 * 1024, 24);
    const ta = await a.begin('same.bin', data);
    const tb = await b.begin('same.bin', data);
    await a.sendChunks(ta, data);
    await b.sendChunks(tb, data);
    await a.request({ type: 'commit', transfer: ta.transfer });
    await b.request({ type: 'commit', transfer: tb.transfer });
    expect(sha256(await readFile(join(root, 'same.bin')))).toBe(sha256(data));
    expect(await partFiles(root)).toEqual([]);
  });

  it('a silent transfer of the same file is taken over by a newer begin (client gone, connection not yet timed out)', async () => {
    partFileTuning.takeoverIdleMs = 50;
    try {
      const fx = await start(await tempDir());
      const root = fx.roots.main!;
      const data = pseudoRandom(1024 * 1024, 26);
      const stale = await fx.client();
      const t1 = await stale.begin('taken.bin', data);
      const sent = await stale.sendChunks(t1, data, 5);
      await stale.request({ type: 'ping' });
      // The ping proves the chunks were read, not yet written (the last write makes the holder busy again): leave
      // a wide margin over the 50 ms idle time, as a loaded machine may take a while to stage them.
      await new Promise((r) => setTimeout(r, 300));
      const fresh = await fx.client();
      const t2 = await fresh.begin('taken.bin', data);
      expect(countMissing(t2.missing)).toBe(countMissing(t1.missing) - sent);
      await fresh.sendChunks(t2, data);
      await fresh.request({ type: 'commit', transfer: t2.transfer });
      expect(sha256(await readFile(join(root, 'taken.bin')))).toBe(sha256(data));
      // The old session's commit no longer owns the temp file.
      expect(await stale.errorCode({ type: 'commit', transfer: t1.transfer })).toBe('TRANSFER_UNKNOWN');
    } finally {
      partFileTuning.takeoverIdleMs = 5000;
    }
  });

  it('abandoned temp files expire', async () => {
    const fx = await startServerFixture(await tempDir(), { stagedChunkTtlMs: 1 });
    open_.push(fx);
    const root = fx.roots.main!;
    const c = await fx.client();
    const data = pseudoRandom(400 * 1024, 25);
    const t = await c.begin('gone.bin', data);
    await c.sendChunks(t, data, 3);
    await c.request({ type: 'abort', transfer: t.transfer });
    expect((await partFiles(root)).length).toBe(2);
    await new Promise((r) => setTimeout(r, 10));
    await fx.server.maintain();
    expect(await partFiles(root)).toEqual([]);
  });
});
