import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '../../../test/helpers/trees';
import { FerryError } from '../errors';
import { recipeOnWorker, sha256FileOnWorker, stopHashWorker } from './hash-worker';
import { RecipeBuilder, computeRecipe, decodeRecipe, encodeRecipe, readChunk, recipeDigest, recipeOfBuffer, recipeSplit, sha256File } from './recipe';

afterAll(async () => {
  await stopHashWorker();
  await cleanupTempDirs();
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('recipes', () => {
  it('recipe of a file equals the recipe of its bytes, and every chunk hash is right', async () => {
    const dir = await tempDir();
    // 5 MiB + a bit: several 1 MiB read blocks, so chunks straddle block edges
    const data = randomBytes(5 * 1024 * 1024 + 12345);
    const file = join(dir, 'big.bin');
    await writeFile(file, data);
    const fromFile = await computeRecipe(file);
    const fromBuf = recipeOfBuffer(data);
    expect(fromFile).toEqual(fromBuf);
    expect(fromFile.size).toBe(data.length);
    expect(fromFile.hash).toBe(sha(data));
    expect(await sha256File(file)).toBe(sha(data));
    let offset = 0;
    for (const c of fromFile.chunks) {
      expect(c.offset).toBe(offset);
      expect(c.hash).toBe(sha(data.subarray(c.offset, c.offset + c.length)));
      offset += c.length;
    }
    expect(offset).toBe(data.length);
    // a chunk read back through readChunk hashes to its recipe entry
    const mid = fromFile.chunks[Math.floor(fromFile.chunks.length / 2)]!;
    expect(sha(await readChunk(file, mid.offset, mid.length))).toBe(mid.hash);
  });

  it('large files get the same recipe with the whole-file hash computed on the worker', async () => {
    const dir = await tempDir();
    const data = randomBytes(9 * 1024 * 1024 + 7); // above the off-thread threshold
    const file = join(dir, 'large.bin');
    await writeFile(file, data);
    const r = await computeRecipe(file);
    expect(r.hash).toBe(sha(data));
    expect(r).toEqual(recipeOfBuffer(data));
    expect(await sha256FileOnWorker(file)).toBe(sha(data));
    expect(await sha256File(file)).toBe(sha(data));
    await expect(sha256FileOnWorker(join(dir, 'missing'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('the worker cuts and hashes exactly like the Chunker, for any chunker sizes and across its read blocks', async () => {
    const dir = await tempDir();
    // random, then zeros (no content cuts: forced max-size cuts), then random again; crosses 4 MiB read blocks
    const data = Buffer.concat([randomBytes(3 * 1024 * 1024 + 11), Buffer.alloc(2 * 1024 * 1024), randomBytes(4 * 1024 * 1024 + 5)]);
    const file = join(dir, 'mixed.bin');
    await writeFile(file, data);
    for (const opts of [undefined, { minSize: 2048, avgSize: 8192, maxSize: 65536 }]) {
      const r = await recipeOnWorker(file, opts ?? { minSize: 8 * 1024, avgSize: 32 * 1024, maxSize: 128 * 1024 })!;
      const want = recipeOfBuffer(data, opts);
      expect(r.size).toBe(want.size);
      expect(r.hash).toBe(want.hash);
      expect([...r.lengths]).toEqual(want.chunks.map((c) => c.length));
      expect(Buffer.from(r.digests).toString('hex')).toBe(want.chunks.map((c) => c.hash).join(''));
    }
    await expect(recipeOnWorker(join(dir, 'missing'), { minSize: 2048, avgSize: 8192, maxSize: 65536 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a file chunked by two workers from its two halves gets exactly the one-chunker recipe, also when the halves never meet', async () => {
    const dir = await tempDir();
    const saved = { ...recipeSplit };
    Object.assign(recipeSplit, { minBytes: 1024 * 1024, resyncBytes: 512 * 1024 });
    try {
      const cases = [
        randomBytes(9 * 1024 * 1024 + 333), // the halves meet within a few chunks past the middle
        // zeros around the middle (cut only at the maximum size): the halves' cuts are out of phase past the
        // resync distance, so the rest is chunked again from the first half's last cut
        Buffer.concat([randomBytes(3 * 1024 * 1024 + 77), Buffer.alloc(4 * 1024 * 1024), randomBytes(2 * 1024 * 1024)]),
        randomBytes(1024 * 1024 + 1), // barely above the threshold: the first half reads to the end
      ];
      for (const [k, data] of cases.entries()) {
        const file = join(dir, `split-${k}.bin`);
        await writeFile(file, data);
        await stopHashWorker(); // idle workers: the recipe is split
        const r = await computeRecipe(file, undefined, 'recipe');
        const want = recipeOfBuffer(data);
        expect(r.size).toBe(data.length);
        expect(r.chunks).toEqual(want.chunks);
        expect(r.hash).toBe(recipeDigest(encodeRecipe(want.chunks)));
      }
    } finally {
      Object.assign(recipeSplit, saved);
    }
  });

  it('the incremental builder gives the same recipe for any feed split', () => {
    const data = randomBytes(700_000);
    const b = new RecipeBuilder();
    for (let p = 0, n = 1; p < data.length; p += n, n = (n * 7 + 13) % 90_000) b.update(data.subarray(p, p + n));
    const r = b.done();
    expect(r).toEqual(recipeOfBuffer(data));
    expect(r.hash).toBe(sha(data));
    for (const c of r.chunks) expect(c.hash).toBe(sha(data.subarray(c.offset, c.offset + c.length)));
  });

  it('handles empty and tiny files', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'empty'), '');
    await writeFile(join(dir, 'tiny'), 'hi');
    expect(await computeRecipe(join(dir, 'empty'))).toEqual({
      size: 0,
      hash: sha(Buffer.alloc(0)),
      chunks: [],
    });
    const tiny = await computeRecipe(join(dir, 'tiny'));
    expect(tiny.chunks).toEqual([{ hash: sha(Buffer.from('hi')), offset: 0, length: 2 }]);
    // a single-chunk file: the chunk hash is the file hash
    expect(tiny.hash).toBe(sha(Buffer.from('hi')));
  });

  it('reports a missing file as NOT_FOUND and a short read as IO_ERROR', async () => {
    const dir = await tempDir();
    await expect(computeRecipe(join(dir, 'nope'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await writeFile(join(dir, 'f'), 'abc');
    await expect(readChunk(join(dir, 'f'), 1, 10)).rejects.toMatchObject({
      code: 'IO_ERROR',
    });
  });

  it('encodes 36 bytes per entry and decodes them back', () => {
    const r = recipeOfBuffer(randomBytes(300_000));
    const wire = encodeRecipe(r.chunks);
    expect(wire.length).toBe(r.chunks.length * 36);
    expect(wire.subarray(0, 32).toString('hex')).toBe(r.chunks[0]!.hash);
    expect(wire.readUInt32BE(32)).toBe(r.chunks[0]!.length);
    expect(decodeRecipe(wire, r.chunks.length)).toEqual(r.chunks.map(({ hash, length }) => ({ hash, length })));
    expect(decodeRecipe(Buffer.alloc(0), 0)).toEqual([]);
  });

  it('rejects a payload whose size does not match the count', () => {
    const wire = encodeRecipe([{ hash: 'ab'.repeat(32), length: 7 }]);
    for (const [buf, count] of [
      [wire, 2],
      [wire, 0],
      [Buffer.concat([wire, Buffer.alloc(1)]), 1],
      [wire.subarray(0, 35), 1],
      [wire, -1],
      [wire, 1.5],
    ] as const) {
      let err: unknown;
      try {
        decodeRecipe(buf, count);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FerryError);
      expect((err as FerryError).code).toBe('BAD_FRAME');
    }
  });

  it('rejects chunk lengths that could never travel in a frame', () => {
    for (const bad of [0, 32 * 1024 * 1024 + 1, 0xffffffff]) {
      const wire = encodeRecipe([{ hash: 'ab'.repeat(32), length: bad }]);
      expect(() => decodeRecipe(wire, 1)).toThrow(/impossible chunk length/);
    }
  });

  it('refuses to encode a malformed hash', () => {
    expect(() => encodeRecipe([{ hash: 'xyz', length: 1 }])).toThrow(FerryError);
  });
});
