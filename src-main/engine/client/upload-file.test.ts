import { afterAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanupTempDirs, tempDir } from '../../../test/helpers/trees';
import { RecipeCache } from '../chunking/recipe-cache';
import { decodeRecipe } from '../chunking/recipe';
import { FerryError } from '../errors';
import type { Connection } from '../net/connection';
import { MAX_UPLOAD_TRIES, uploadFile } from './upload-file';

afterAll(cleanupTempDirs);

interface Sent {
  header: Record<string, unknown>;
  payload: Buffer | undefined;
}

/** A connection that records frames and answers with `answer`. */
function fakeConn(answer: (h: Record<string, unknown>, p: Buffer | undefined) => object | FerryError): { conn: Connection; sent: Sent[] } {
  const sent: Sent[] = [];
  let id = 0;
  const conn = {
    nextId: () => ++id,
    send: async (header: Record<string, unknown>, payload?: Buffer, onWritten?: () => void) => {
      // Recorded frames keep their bytes: copies, since the uploader reuses its read buffers once a frame is written.
      sent.push({ header, payload: payload && Buffer.from(payload) });
      onWritten?.();
    },
    request: async (header: Record<string, unknown>, payload?: Buffer) => {
      header.id = ++id;
      sent.push({ header, payload });
      const a = answer(header, payload);
      if (a instanceof FerryError) throw a;
      return { header: { id: header.id, ...a }, payload: Buffer.alloc(0) };
    },
  };
  return { conn: conn as unknown as Connection, sent };
}

async function setup(content: Buffer) {
  const dir = await tempDir();
  const abs = join(dir, 'f.bin');
  await writeFile(abs, content);
  return { abs, cache: await RecipeCache.open(null) };
}

describe('uploadFile', () => {
  it('sends a small file whole, with the hash of exactly the bytes sent and the given base', async () => {
    const data = Buffer.from('hello');
    const { abs, cache } = await setup(data);
    const { conn, sent } = fakeConn(() => ({ type: 'batchOk', results: [{ ok: true }] }));
    const r = await uploadFile({ conn, cache, onProgress: () => {} }, 'f.bin', abs, () => ({ size: 1, mtimeMs: 2 }));
    expect(r).toMatchObject({ size: 5, bytesSent: 5 });
    // Small files travel in `putBatch` frames (one file here: nothing else was started in the same turn).
    expect(sent[0]?.header).toMatchObject({ type: 'putBatch', files: [{ path: 'f.bin', size: 5, hash: createHash('sha256').update(data).digest('hex'), base: { size: 1, mtimeMs: 2 } }] });
    expect(sent[0]?.payload?.equals(data)).toBe(true);
  });

  it('sends only the chunks the server asks for, then commits the transfer', async () => {
    const data = randomBytes(600 * 1024);
    const { abs, cache } = await setup(data);
    let chunkCount = 0;
    const { conn, sent } = fakeConn((h, p) => {
      if (h.type === 'begin') {
        chunkCount = decodeRecipe(p as Buffer, h.chunkCount as number).length;
        return { type: 'need', missing: [[1, 2]] };
      }
      return { type: 'ok', bytesReused: 0 };
    });
    const r = await uploadFile({ conn, cache, onProgress: () => {} }, 'f.bin', abs, () => null);
    const chunks = sent.filter((s) => s.header.type === 'chunk');
    expect(chunkCount).toBeGreaterThan(2);
    expect(chunks.map((c) => c.header.index)).toEqual([1]);
    expect(chunks[0]?.header.transfer).toBe(sent[0]?.header.id);
    expect(sent.at(-1)?.header).toMatchObject({ type: 'commit', transfer: sent[0]?.header.id });
    expect(r?.bytesSent).toBe(chunks[0]?.payload?.length);
  });

  it('retries on HASH_MISMATCH and gives up after a bounded number of tries with a non-fatal error', async () => {
    const { abs, cache } = await setup(Buffer.from('changing'));
    const { conn, sent } = fakeConn(() => ({ type: 'batchOk', results: [{ ok: false, code: 'HASH_MISMATCH', message: 'hash differs' }] }));
    await expect(uploadFile({ conn, cache, onProgress: () => {} }, 'f.bin', abs, () => null)).rejects.toMatchObject({ code: 'HASH_MISMATCH' });
    expect(sent.filter((s) => s.header.type === 'putBatch')).toHaveLength(MAX_UPLOAD_TRIES);
  });

  it('returns null for a file that is gone, and passes other errors through at once', async () => {
    const { abs, cache } = await setup(Buffer.from('x'));
    const gone = fakeConn(() => ({ type: 'ok' }));
    expect(await uploadFile({ conn: gone.conn, cache, onProgress: () => {} }, 'nope', abs + '.missing', () => null)).toBeNull();
    expect(gone.sent).toHaveLength(0);
    const denied = fakeConn(() => new FerryError('PATH_OUTSIDE_SHARE', 'no'));
    await expect(uploadFile({ conn: denied.conn, cache, onProgress: () => {} }, 'f.bin', abs, () => null)).rejects.toMatchObject({ code: 'PATH_OUTSIDE_SHARE' });
    expect(denied.sent).toHaveLength(1);
  });
});

describe('uploadFile, large files', () => {
  it('announces the recipe digest and sends consecutive asked chunks together, at most 1 MiB per frame (read buffers reused)', async () => {
    const data = randomBytes(20 * 1024 * 1024);
    const { abs, cache } = await setup(data);
    let recipe: { hash: string; length: number }[] = [];
    const { conn, sent } = fakeConn((h, p) => {
      if (h.type !== 'begin') return { type: 'ok', bytesReused: 0 };
      recipe = decodeRecipe(p as Buffer, h.chunkCount as number);
      expect(h.hash).toBe(createHash('sha256').update(p as Buffer).digest('hex'));
      return { type: 'need', missing: [[0, 3], [5, recipe.length]] };
    });
    await uploadFile({ conn, cache, onProgress: () => {} }, 'f.bin', abs, () => null);
    const frames = sent.filter((s) => s.header.type === 'chunk');
    const starts: number[] = [];
    for (const f of frames) {
      const len = f.payload!.length;
      expect(len).toBeLessThanOrEqual(1024 * 1024);
      let i = f.header.index as number;
      starts.push(i);
      // The payload is exactly the chunks from `index` on, in recipe order, never crossing a gap in `missing`.
      const offset = recipe.slice(0, i).reduce((n, c) => n + c.length, 0);
      expect(f.payload!.equals(data.subarray(offset, offset + len))).toBe(true);
      let covered = 0;
      while (covered < len) covered += recipe[i++]!.length;
      expect(covered).toBe(len);
      expect(i <= 3 || (f.header.index as number) >= 5).toBe(true);
    }
    expect(frames.length).toBeLessThan(recipe.length - 2);
    expect(starts).toContain(5);
    expect(frames.reduce((n, f) => n + f.payload!.length, 0)).toBe(data.length - recipe.slice(3, 5).reduce((n, c) => n + c.length, 0));
  });
});
