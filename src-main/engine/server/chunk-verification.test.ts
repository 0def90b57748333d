/**
 * Chunked uploads whose `begin` announces the recipe's digest (what the client sends): every received chunk is
 * verified against its recipe entry, a bad one is never committed, and a frame may carry several consecutive chunks.
 * Uploads announcing the whole-file hash (older clients) keep working, also with several chunks per frame.
 */
import { readdir, readFile, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '../../../test/helpers/trees';
import { encodeRecipe, recipeDigest, recipeOfBuffer, type FileRecipe } from '../chunking/recipe';
import type { ServerMessage } from '../../../src-shared/protocol/messages';
import { countMissing, pseudoRandom, sha256, startServerFixture, type RawClient, type ServerFixture } from './test-harness';

const open_: ServerFixture[] = [];
afterEach(async () => {
  for (const fx of open_.splice(0)) await fx.close();
  await cleanupTempDirs();
});

async function start(): Promise<{ fx: ServerFixture; c: RawClient; root: string }> {
  const fx = await startServerFixture(await tempDir());
  open_.push(fx);
  return { fx, c: await fx.client(), root: fx.roots.main! };
}

interface Begun {
  transfer: number;
  recipe: FileRecipe;
  missing: [number, number][];
}

/** `begin` announcing the recipe digest (or, with `wholeFile`, the whole-file SHA-256). */
async function begin(c: RawClient, path: string, data: Buffer, wholeFile = false): Promise<Begun> {
  const recipe = recipeOfBuffer(data);
  const wire = encodeRecipe(recipe.chunks);
  const header = { type: 'begin', path, size: data.length, mtimeMs: 1_700_000_000_000, mode: 0o644, hash: wholeFile ? recipe.hash : recipeDigest(wire), base: null, chunkCount: recipe.chunks.length };
  const res = await c.request(header, wire);
  const need = res.header as Extract<ServerMessage, { type: 'need' }>;
  return { transfer: (header as unknown as { id: number }).id, recipe, missing: need.missing };
}

/** Send every asked range in frames of up to `perFrame` consecutive chunks. */
async function sendGrouped(c: RawClient, t: Begun, data: Buffer, perFrame: number): Promise<number> {
  let frames = 0;
  for (const [s, e] of t.missing) {
    for (let i = s; i < e; i += perFrame) {
      const last = t.recipe.chunks[Math.min(e, i + perFrame) - 1]!;
      const from = t.recipe.chunks[i]!.offset;
      await c.conn.send({ type: 'chunk', id: c.conn.nextId(), transfer: t.transfer, index: i }, data.subarray(from, last.offset + last.length));
      frames++;
    }
  }
  return frames;
}

const staging = async (root: string) => (await readdir(join(root, '.ferry/staging'))).filter((n) => n !== 'chunks');
const partFiles = async (root: string) => readdir(join(root, '.ferry/staging/chunks'));

describe('chunks verified against the recipe', () => {
  it('several consecutive chunks per frame assemble the file, for both kinds of announced hash', async () => {
    const { c, root } = await start();
    for (const wholeFile of [false, true]) {
      const data = pseudoRandom(2 * 1024 * 1024 + 12345, wholeFile ? 31 : 32);
      const t = await begin(c, `multi-${wholeFile}.bin`, data, wholeFile);
      expect(countMissing(t.missing)).toBeGreaterThan(20);
      expect(await sendGrouped(c, t, data, 7)).toBeLessThan(countMissing(t.missing));
      await c.request({ type: 'commit', transfer: t.transfer });
      expect(sha256(await readFile(join(root, `multi-${wholeFile}.bin`)))).toBe(sha256(data));
    }
    expect(await partFiles(root)).toEqual([]);
  });

  it('a corrupted chunk inside a multi-chunk frame is never committed; the retry asks for that chunk only', async () => {
    const { c, root } = await start();
    const data = pseudoRandom(1024 * 1024, 33);
    const t = await begin(c, 'bad/one.bin', data);
    const bad = Buffer.from(data);
    const victim = t.recipe.chunks[3]!;
    bad[victim.offset + victim.length - 1] = bad[victim.offset + victim.length - 1]! ^ 0x01;
    await sendGrouped(c, t, bad, 4);
    expect(await c.errorCode({ type: 'commit', transfer: t.transfer })).toBe('HASH_MISMATCH');
    await expect(lstat(join(root, 'bad/one.bin'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await staging(root)).toEqual([]);

    const retry = await begin(c, 'bad/one.bin', data);
    expect(retry.missing).toEqual([[3, 4]]);
    await sendGrouped(c, retry, data, 4);
    const ok = await c.request({ type: 'commit', transfer: retry.transfer });
    expect((ok.header as { bytesReused?: number }).bytesReused).toBe(data.length - victim.length);
    expect(sha256(await readFile(join(root, 'bad/one.bin')))).toBe(sha256(data));
    expect(await partFiles(root)).toEqual([]);
  });

  it('a bad chunk sent again with the right bytes in the same transfer commits', async () => {
    const { c, root } = await start();
    const data = pseudoRandom(600 * 1024, 34);
    const t = await begin(c, 'again.bin', data);
    const bad = Buffer.from(data);
    const at = t.recipe.chunks[1]!.offset;
    bad[at] = bad[at]! ^ 0xff;
    await sendGrouped(c, t, bad, 1);
    await sendGrouped(c, { ...t, missing: [[1, 2]] }, data, 1);
    await c.request({ type: 'commit', transfer: t.transfer });
    expect(sha256(await readFile(join(root, 'again.bin')))).toBe(sha256(data));
  });

  it('a frame that does not end on a chunk boundary fails the commit with BAD_FRAME; nothing is installed', async () => {
    const { c, root } = await start();
    const data = pseudoRandom(700 * 1024, 35);
    const t = await begin(c, 'ragged.bin', data);
    const second = t.recipe.chunks[1]!;
    await c.conn.send({ type: 'chunk', id: c.conn.nextId(), transfer: t.transfer, index: 0 }, data.subarray(0, second.offset + second.length - 1));
    expect(await c.errorCode({ type: 'commit', transfer: t.transfer })).toBe('BAD_FRAME');
    await expect(lstat(join(root, 'ragged.bin'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await c.request({ type: 'ping' })).header.type).toBe('pong');
  });

  it('a hash that is neither the recipe digest nor the file hash is HASH_MISMATCH, even with every chunk right', async () => {
    const { c, root } = await start();
    const data = pseudoRandom(500 * 1024, 36);
    const recipe = recipeOfBuffer(data);
    const wire = encodeRecipe(recipe.chunks);
    const header = { type: 'begin', path: 'lie.bin', size: data.length, mtimeMs: 1, mode: 0o644, hash: sha256(Buffer.from('other')), base: null, chunkCount: recipe.chunks.length };
    const res = await c.request(header, wire);
    const t = { transfer: (header as unknown as { id: number }).id, recipe, missing: (res.header as Extract<ServerMessage, { type: 'need' }>).missing };
    await sendGrouped(c, t, data, 3);
    expect(await c.errorCode({ type: 'commit', transfer: t.transfer })).toBe('HASH_MISMATCH');
    await expect(lstat(join(root, 'lie.bin'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
