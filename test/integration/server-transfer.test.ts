/** Small and chunked uploads: verification, dedup against the share, conflicts, resumption after a disconnect. */
import { lstat, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countMissing, pseudoRandom, sha256, startServerFixture, type ServerFixture } from '../../src-main/engine/server/test-harness';
import { cleanupTempDirs, tempDir, waitFor } from '../helpers/trees';

let fx: ServerFixture;
let root: string;

beforeAll(async () => {
  fx = await startServerFixture(await tempDir(), { durability: 'fsync' });
  root = fx.roots.main!;
});
afterAll(async () => {
  await fx.close();
  await cleanupTempDirs();
});

const staging = () => join(root, '.ferry/staging');
// Resumable temp files of uncommitted transfers (`<key>.part` + `<key>.json` record) live in staging/chunks.
const stagedChunks = async () => (await readdir(join(staging(), 'chunks'))).filter((n) => n.endsWith('.part') || n.endsWith('.json'));
const tempFiles = async () => (await readdir(staging())).filter((n) => n !== 'chunks');

describe('put', () => {
  it('installs a small file with mode and mtime', async () => {
    const c = await fx.client();
    const res = await c.put('dir/a.txt', Buffer.from('hello'), { mode: 0o600, mtimeMs: 1_700_000_000_321 });
    expect(res.header).toMatchObject({ type: 'ok' });
    const st = await lstat(join(root, 'dir/a.txt'));
    expect(await readFile(join(root, 'dir/a.txt'), 'utf8')).toBe('hello');
    expect(st.mode & 0o7777).toBe(0o600);
    expect(Math.floor(st.mtimeMs)).toBe(1_700_000_000_321);
  });

  it('wrong hash → HASH_MISMATCH and no file, no temp file', async () => {
    const c = await fx.client();
    expect(await c.errorCode({ type: 'put', path: 'bad.txt', size: 3, mtimeMs: 1, mode: 0o644, hash: sha256(Buffer.from('xyz')), base: null }, Buffer.from('abc'))).toBe('HASH_MISMATCH');
    await expect(lstat(join(root, 'bad.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await tempFiles()).toEqual([]);
  });

  it('size differing from the payload → BAD_FRAME', async () => {
    const c = await fx.client();
    expect(await c.errorCode({ type: 'put', path: 'short.txt', size: 10, mtimeMs: 1, mode: 0o644, hash: sha256(Buffer.from('abc')), base: null }, Buffer.from('abc'))).toBe('BAD_FRAME');
    await expect(lstat(join(root, 'short.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('chunked upload', () => {
  const first = pseudoRandom(3 * 1024 * 1024 + 777, 1);

  it('assembles a multi-MiB file from chunks, then a copy needs no chunk at all', async () => {
    const c = await fx.client();
    const t = await c.upload('big/one.bin', first, { mode: 0o640, mtimeMs: 1_650_000_000_999 });
    expect(countMissing(t.missing)).toBe(new Set(t.recipe.chunks.map((x) => x.hash)).size);
    expect(t.missing[0]![0]).toBe(0);
    expect(t.ok.bytesReused).toBe(0);
    const got = await readFile(join(root, 'big/one.bin'));
    expect(sha256(got)).toBe(sha256(first));
    const st = await lstat(join(root, 'big/one.bin'));
    expect(st.mode & 0o7777).toBe(0o640);
    expect(Math.floor(st.mtimeMs)).toBe(1_650_000_000_999);
    expect(await stagedChunks()).toEqual([]); // consumed by the commit
    expect(await tempFiles()).toEqual([]);

    const copy = await c.upload('elsewhere/copy.bin', first);
    expect(copy.missing).toEqual([]);
    expect(copy.ok.bytesReused).toBe(first.length);
    expect(sha256(await readFile(join(root, 'elsewhere/copy.bin')))).toBe(sha256(first));
  });

  it('an insert at the start costs only a chunk or two', async () => {
    const c = await fx.client();
    const edited = Buffer.concat([Buffer.from('x'.repeat(100)), first]);
    const t = await c.upload('big/one.bin', edited);
    expect(countMissing(t.missing)).toBeGreaterThan(0);
    expect(countMissing(t.missing)).toBeLessThanOrEqual(2);
    expect(sha256(await readFile(join(root, 'big/one.bin')))).toBe(sha256(edited));
  });

  it('a corrupted chunk fails the commit with HASH_MISMATCH and installs nothing', async () => {
    const c = await fx.client();
    const data = pseudoRandom(600 * 1024, 2);
    const t = await c.begin('corrupt.bin', data);
    const bad = Buffer.from(data);
    bad[10] = bad[10]! ^ 0xff;
    await c.sendChunks(t, bad);
    expect(await c.errorCode({ type: 'commit', transfer: t.transfer })).toBe('HASH_MISMATCH');
    await expect(lstat(join(root, 'corrupt.bin'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await tempFiles()).toEqual([]);
    // The transfer is gone after its commit.
    expect(await c.errorCode({ type: 'commit', transfer: t.transfer })).toBe('TRANSFER_UNKNOWN');
  });

  it('a commit before every asked chunk was sent → BAD_FRAME; chunks of unknown transfers are dropped', async () => {
    const c = await fx.client();
    const data = pseudoRandom(500 * 1024, 13);
    const t = await c.begin('partial.bin', data);
    await c.sendChunks(t, data, 1);
    await c.sendChunks({ ...t, transfer: 999_999 }, data); // no such transfer: ignored, session goes on
    expect(await c.errorCode({ type: 'commit', transfer: t.transfer })).toBe('BAD_FRAME');
    await expect(lstat(join(root, 'partial.bin'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await c.request({ type: 'ping' })).header.type).toBe('pong');
  });

  it('a recipe that does not add up to size → BAD_FRAME', async () => {
    const c = await fx.client();
    const data = pseudoRandom(300 * 1024, 3);
    const t = c.begin('x.bin', data);
    await expect(t).resolves.toBeDefined();
    const { recipe } = await t;
    const { encodeRecipe } = await import('../../src-main/engine/chunking/recipe');
    expect(
      await c.errorCode(
        { type: 'begin', path: 'y.bin', size: data.length + 1, mtimeMs: 1, mode: 0o644, hash: recipe.hash, base: null, chunkCount: recipe.chunks.length },
        encodeRecipe(recipe.chunks),
      ),
    ).toBe('BAD_FRAME');
  });

  it('a source file changed behind the index: the commit fails once, the retry asks for the chunks', async () => {
    const c = await fx.client();
    const data = pseudoRandom(700 * 1024, 4);
    await c.upload('src.bin', data);
    // Change the file on disk without telling the server (same size: the index still points into it).
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(root, 'src.bin'), pseudoRandom(700 * 1024, 5));
    const t = await c.begin('dup.bin', data);
    expect(t.missing).toEqual([]);
    expect(await c.errorCode({ type: 'commit', transfer: t.transfer })).toBe('HASH_MISMATCH');
    const retry = await c.upload('dup.bin', data);
    expect(countMissing(retry.missing)).toBeGreaterThan(0);
    expect(sha256(await readFile(join(root, 'dup.bin')))).toBe(sha256(data));
  });
});

describe('conflicts', () => {
  it('base mismatch keeps the server version and reports it; a matching base does not', async () => {
    const a = await fx.client();
    const b = await fx.client();
    await a.put('doc.txt', Buffer.from('v1'), { mtimeMs: 1_700_000_001_000 });
    const v1 = { size: 2, mtimeMs: 1_700_000_001_000 };
    // b saw v1 and updates it: no conflict.
    const r2 = await b.put('doc.txt', Buffer.from('v2 by b'), { mtimeMs: 1_700_000_002_000, base: v1 });
    expect(r2.header).not.toHaveProperty('conflict');
    // a still believes v1 is there: conflict, b's version kept.
    const r3 = await a.put('doc.txt', Buffer.from('v3 by a'), { mtimeMs: 1_700_000_003_000, base: v1 });
    const conflict = (r3.header as { conflict?: { keptAs: string; serverSize: number; serverMtimeMs: number } }).conflict;
    expect(conflict).toMatchObject({ path: 'doc.txt', serverSize: 7, serverMtimeMs: 1_700_000_002_000 });
    expect(conflict!.keptAs).toMatch(/^\.ferry\/versions\/doc\.txt~\d{8}T\d{6}Z(-\d+)?$/);
    expect(await readFile(join(root, conflict!.keptAs), 'utf8')).toBe('v2 by b');
    expect(await readFile(join(root, 'doc.txt'), 'utf8')).toBe('v3 by a');
    // The kept version is readable through `get`.
    const got = await a.request({ type: 'get', area: 'versions', path: conflict!.keptAs.replace('.ferry/versions/', ''), offset: 0, length: 100 });
    expect(got.payload.toString()).toBe('v2 by b');
  });

  it('a file created on the server where the client expected nothing is a conflict too (chunked)', async () => {
    const a = await fx.client();
    await a.put('new.bin', Buffer.from('someone else'));
    const data = pseudoRandom(200 * 1024, 9);
    const t = await a.upload('new.bin', data, { base: null });
    expect(t.ok.conflict).toMatchObject({ path: 'new.bin', serverSize: 12 });
    expect(await readFile(join(root, t.ok.conflict!.keptAs), 'utf8')).toBe('someone else');
  });
});

describe('resumption', () => {
  it('a client gone mid-transfer leaves no file, and its staged chunks are reused on retry', async () => {
    const data = pseudoRandom(2 * 1024 * 1024, 11);
    const before = await stagedChunks(); // left by earlier tests' failed transfers
    const others = fx.server.clients().length;
    const c1 = await fx.client();
    const t1 = await c1.begin('resumed.bin', data);
    const total = countMissing(t1.missing);
    expect(total).toBeGreaterThan(10);
    const sent = await c1.sendChunks(t1, data, Math.floor(total / 2));
    c1.conn.close();
    await c1.conn.closed;
    // The server's session ends once it has suspended the transfer, writing the record of every chunk written (a
    // record saved while chunks still arrived is not yet that one, and the temp file is still held).
    await waitFor(() => fx.server.clients().length === others, 'the server ended the session');
    expect((await stagedChunks()).some((n) => n.endsWith('.json'))).toBe(true);
    await expect(lstat(join(root, 'resumed.bin'))).rejects.toMatchObject({ code: 'ENOENT' });

    const c2 = await fx.client();
    const t2 = await c2.begin('resumed.bin', data);
    expect(countMissing(t2.missing)).toBe(total - sent);
    await c2.sendChunks(t2, data);
    const ok = await c2.request({ type: 'commit', transfer: t2.transfer });
    expect((ok.header as { bytesReused?: number }).bytesReused).toBeGreaterThan(0);
    expect(sha256(await readFile(join(root, 'resumed.bin')))).toBe(sha256(data));
    expect(await stagedChunks()).toEqual(before); // the temp file became the file, its record is gone
  });

  it('abort drops the transfer but keeps its chunks', async () => {
    const data = pseudoRandom(400 * 1024, 12);
    const c = await fx.client();
    const t = await c.begin('aborted.bin', data);
    await c.sendChunks(t, data);
    await c.request({ type: 'abort', transfer: t.transfer });
    expect(await c.errorCode({ type: 'commit', transfer: t.transfer })).toBe('TRANSFER_UNKNOWN');
    const again = await c.begin('aborted.bin', data);
    expect(again.missing).toEqual([]);
    await c.request({ type: 'commit', transfer: again.transfer });
    expect(sha256(await readFile(join(root, 'aborted.bin')))).toBe(sha256(data));
  });
});
