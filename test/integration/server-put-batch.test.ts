/** `putBatch`: many small files in one frame, each succeeding or failing alone; the group-committed durable path. */
import { lstat, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PUT_BATCH_MAX_FILES } from '../../src-shared/protocol/limits';
import type { BatchResult, ServerMessage } from '../../src-shared/protocol/messages';
import type { ServerEvents } from '../../src-main/engine/server/ferry-server';
import { pseudoRandom, sha256, startServerFixture, type RawClient } from '../../src-main/engine/server/test-harness';
import { cleanupTempDirs, tempDir } from '../helpers/trees';

afterAll(cleanupTempDirs);

interface F {
  path: string;
  data: Buffer;
  hash?: string;
  size?: number;
  base?: { size: number; mtimeMs: number } | null;
}

async function putBatch(c: RawClient, files: F[], payload?: Buffer): Promise<BatchResult[]> {
  const header = {
    type: 'putBatch',
    files: files.map((f) => ({ path: f.path, size: f.size ?? f.data.length, mtimeMs: 1_700_000_000_123, mode: 0o640, hash: f.hash ?? sha256(f.data), base: f.base ?? null })),
  };
  const res = await c.request(header, payload ?? Buffer.concat(files.map((f) => f.data)));
  const h = res.header as Extract<ServerMessage, { type: 'batchOk' }>;
  expect(h.type).toBe('batchOk');
  return h.results;
}

async function stagingLeftovers(root: string): Promise<string[]> {
  return (await readdir(join(root, '.ferry/staging'))).filter((n) => n.startsWith('tmp-'));
}

for (const durability of ['none', 'fsync'] as const) {
  describe(`putBatch (durability ${durability})`, () => {
    it('writes every file with its bytes, mode and mtime; creates parents; one event per file', async () => {
      const fx = await startServerFixture(await tempDir(), { durability });
      const changes: ServerEvents['fileChanged'][0][] = [];
      fx.server.on('fileChanged', (e) => changes.push(e));
      try {
        const c = await fx.client();
        const files = Array.from({ length: 100 }, (_, i) => ({ path: `d${i % 7}/sub/f${i}.bin`, data: pseudoRandom(i * 37, i) }));
        const results = await putBatch(c, files);
        expect(results).toEqual(files.map(() => ({ ok: true })));
        for (const f of files) {
          const abs = join(fx.roots.main!, f.path);
          expect((await readFile(abs)).equals(f.data)).toBe(true);
          const st = await lstat(abs);
          expect([st.mode & 0o7777, Math.floor(st.mtimeMs)]).toEqual([0o640, 1_700_000_000_123]);
        }
        expect(changes.filter((e) => e.kind === 'write').map((e) => e.path).sort()).toEqual(files.map((f) => f.path).sort());
        expect(await stagingLeftovers(fx.roots.main!)).toEqual([]);
      } finally {
        await fx.close();
      }
    });

    it('fails bad files alone: wrong hash, hostile paths, a symlinked parent; the others land', async () => {
      const base = await tempDir();
      const fx = await startServerFixture(base, { durability });
      const root = fx.roots.main!;
      const outside = join(base, 'outside');
      await mkdir(outside);
      await symlink(outside, join(root, 'escape'));
      try {
        const c = await fx.client();
        const good = Buffer.from('good');
        const results = await putBatch(c, [
          { path: 'ok-1.txt', data: good },
          { path: 'bad-hash.txt', data: Buffer.from('tampered'), hash: sha256(Buffer.from('original')) },
          { path: '../up.txt', data: Buffer.from('x') },
          { path: '/abs.txt', data: Buffer.from('y') },
          { path: 'escape/through-link.txt', data: Buffer.from('z') },
          { path: '.ferry/staging/evil', data: Buffer.from('w') },
          { path: 'ok-2.txt', data: good },
        ]);
        expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ok', 'HASH_MISMATCH', 'PATH_INVALID', 'PATH_INVALID', 'PATH_OUTSIDE_SHARE', 'PATH_INVALID', 'ok']);
        expect(await readFile(join(root, 'ok-2.txt'), 'utf8')).toBe('good');
        await expect(lstat(join(root, 'bad-hash.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
        expect(await readdir(outside)).toEqual([]);
        await expect(lstat(join(base, 'up.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
        expect(await stagingLeftovers(root)).toEqual([]);
      } finally {
        await fx.close();
      }
    });

    it('keeps what it replaces in versions and reports a conflict when the base does not match', async () => {
      const fx = await startServerFixture(await tempDir(), { durability });
      const root = fx.roots.main!;
      try {
        const c = await fx.client();
        await c.put('known.txt', Buffer.from('v1'), { mtimeMs: 1_600_000_000_000 });
        await writeFile(join(root, 'edited-on-server.txt'), 'server edit');
        const results = await putBatch(c, [
          { path: 'known.txt', data: Buffer.from('v2'), base: { size: 2, mtimeMs: 1_600_000_000_000 } },
          { path: 'edited-on-server.txt', data: Buffer.from('client'), base: null },
        ]);
        expect(results[0]).toEqual({ ok: true });
        expect(results[1]).toMatchObject({ ok: true, conflict: { path: 'edited-on-server.txt', serverSize: 11 } });
        expect(await readFile(join(root, 'known.txt'), 'utf8')).toBe('v2');
        expect(await readFile(join(root, 'edited-on-server.txt'), 'utf8')).toBe('client');
        const kept = (await fx.server.listVersions('main')).map((v) => v.original).sort();
        expect(kept).toEqual(['edited-on-server.txt', 'known.txt']);
      } finally {
        await fx.close();
      }
    });
  });
}

describe('putBatch frame checks', () => {
  it('refuses a payload that does not match the announced sizes, and too many files, as a whole frame', async () => {
    const fx = await startServerFixture(await tempDir());
    try {
      const c = await fx.client();
      const header = { type: 'putBatch', files: [{ path: 'a', size: 3, mtimeMs: 1, mode: 0o644, hash: sha256(Buffer.from('abc')), base: null }] };
      expect(await c.errorCode(header, Buffer.from('abcd'))).toBe('BAD_FRAME');
      // Files over the inline limit belong in chunked transfers.
      const big = Buffer.alloc(200 * 1024, 1);
      const res = await putBatch(c, [{ path: 'big.bin', data: big }]);
      expect(res[0]).toMatchObject({ ok: false, code: 'BAD_FRAME' });
      expect(await readdir(fx.roots.main!)).toEqual(['.ferry']);
      // The session goes on.
      expect((await putBatch(c, [{ path: 'after.txt', data: Buffer.from('fine') }]))[0]).toEqual({ ok: true });
      // A header outside the schema is a protocol error: answered, then that connection ends.
      const many = Array.from({ length: PUT_BATCH_MAX_FILES + 1 }, (_, i) => ({ path: `f${i}`, size: 0, mtimeMs: 1, mode: 0o644, hash: sha256(Buffer.alloc(0)), base: null }));
      expect(await (await fx.client()).errorCode({ type: 'putBatch', files: many })).toBe('BAD_FRAME');
      expect((await readdir(fx.roots.main!)).sort()).toEqual(['.ferry', 'after.txt']);
    } finally {
      await fx.close();
    }
  });
});
