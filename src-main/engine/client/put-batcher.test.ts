import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '../../../test/helpers/trees';
import { sha256, startServerFixture } from '../server/test-harness';
import { PutBatcher } from './put-batcher';

afterAll(cleanupTempDirs);

const file = (path: string, data: Buffer) => ({ path, size: data.length, mtimeMs: 1_700_000_000_000, mode: 0o644, hash: sha256(data), base: null });

describe('PutBatcher (real server)', () => {
  it('sends puts started in one turn as few frames, and gives each caller its own outcome', async () => {
    const fx = await startServerFixture(await tempDir());
    try {
      const c = await fx.client();
      const requests: string[] = [];
      const request = c.conn.request.bind(c.conn);
      c.conn.request = (h, p, o) => (requests.push((h as { type: string }).type), request(h, p, o));
      const b = new PutBatcher(c.conn);
      const datas = Array.from({ length: 150 }, (_, i) => Buffer.from(`file ${i} `.repeat(i + 1)));
      const good = datas.map((d, i) => b.put(file(`dir/f${i}.txt`, d), d));
      // One bad file in the same batch fails alone.
      const bad = b.put({ ...file('bad.txt', Buffer.from('a')), hash: sha256(Buffer.from('b')) }, Buffer.from('a')).catch((e: unknown) => e);
      await Promise.all(good);
      expect(await bad).toMatchObject({ code: 'HASH_MISMATCH', path: 'bad.txt' });
      // 151 files: batches of at most 64 files.
      expect(requests).toEqual(['putBatch', 'putBatch', 'putBatch']);
      for (const [i, d] of datas.entries()) expect((await readFile(join(fx.roots.main!, `dir/f${i}.txt`))).equals(d)).toBe(true);
    } finally {
      await fx.close();
    }
  });

  it('fails every file of a batch when the connection is gone', async () => {
    const fx = await startServerFixture(await tempDir());
    try {
      const c = await fx.client();
      const b = new PutBatcher(c.conn);
      c.conn.close();
      const d = Buffer.from('x');
      const r = await Promise.allSettled([b.put(file('a', d), d), b.put(file('b', d), d)]);
      expect(r.map((x) => x.status)).toEqual(['rejected', 'rejected']);
      expect(r.map((x) => (x as PromiseRejectedResult).reason.path)).toEqual(['a', 'b']);
    } finally {
      await fx.close();
    }
  });
});
