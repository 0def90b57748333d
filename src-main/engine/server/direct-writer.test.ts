import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '../../../test/helpers/trees';
import { DIRECT_BLOCK, DirectWriter, type PositionalWriter } from './direct-writer';

afterEach(cleanupTempDirs);

/** A plain buffered writer that counts the bytes it was given (what did not go direct). */
class Buffered implements PositionalWriter {
  bytes = 0;
  constructor(private readonly fh: FileHandle) {}
  async write(buf: Buffer, pos: number): Promise<void> {
    this.bytes += buf.length;
    for (let off = 0; off < buf.length; ) off += (await this.fh.write(buf, off, buf.length - off, pos + off)).bytesWritten;
  }
}

/** A temp file of `size` bytes (sparse, like a transfer's part file) with its buffered and direct writers. */
async function target(size: number): Promise<{ path: string; fh: FileHandle; buffered: Buffered; w: DirectWriter }> {
  const path = join(await tempDir(), 'part');
  const fh = await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC, 0o600);
  await fh.truncate(size);
  const buffered = new Buffered(fh);
  return { path, fh, buffered, w: await DirectWriter.open(path, buffered) };
}

/** Cut [from, to) into pieces of pseudo-random sizes between 1 byte and ~1.5 MiB. */
function pieces(from: number, to: number, seed: number): [number, number][] {
  const out: [number, number][] = [];
  for (let p = from, k = seed; p < to; k = (k * 1_103_515_245 + 12_345) % 2_147_483_648) {
    const n = Math.min(to - p, 1 + (k % (k % 3 === 0 ? 4096 : 1_500_000)));
    out.push([p, p + n]);
    p += n;
  }
  return out;
}

const directHere = (constants as { O_DIRECT?: number }).O_DIRECT !== undefined;

describe('direct writer', () => {
  it('writes appends in file order, from an unaligned start, mostly directly; the file is exact', async () => {
    const data = randomBytes(3 * DIRECT_BLOCK + 777_777);
    const { path, fh, buffered, w } = await target(data.length);
    const done: Promise<void>[] = [];
    for (const [a, b] of pieces(123, data.length, 7)) done.push(w.write(Buffer.from(data.subarray(a, b)), a));
    done.push(w.write(data.subarray(0, 123), 0)); // out of order: buffered
    w.flush(); // the last, partial block
    await Promise.all(done);
    await w.close();
    await fh.close();
    expect((await readFile(path)).equals(data)).toBe(true);
    // Where O_DIRECT works (Linux file systems), only the edges went through the page cache.
    if (directHere) expect(buffered.bytes).toBeLessThan(data.length / 20);
  });

  it('keeps the file exact through gaps, rewrites, writes ahead and flushes in the middle', async () => {
    const data = randomBytes(2 * DIRECT_BLOCK + 5000);
    const { path, fh, w } = await target(data.length);
    const done: Promise<void>[] = [];
    const put = (a: number, b: number): void => void done.push(w.write(data.subarray(a, b), a));
    put(10_000, 1_000_000); // starts a block at 12288
    put(2_000_000, 2_100_000); // ahead, inside the open block: ends it early, starts a new one
    put(1_000_000, 1_500_000); // behind the open block: buffered, the block stays open
    put(500_000, 700_000); // a rewrite of bytes already written (same bytes)
    w.flush();
    put(1_500_000, 2_000_000);
    put(2_100_000, data.length);
    put(0, 10_000);
    await w.close(); // flushes whatever is still open
    await Promise.all(done);
    await fh.close();
    expect((await readFile(path)).equals(data)).toBe(true);
  });

  it('a block that stops growing is written by itself: waiting for a write never needs more data', async () => {
    const data = randomBytes(300_000);
    const { path, fh, w } = await target(data.length);
    const t0 = Date.now();
    await Promise.all([w.write(data.subarray(0, 200_000), 0), w.write(data.subarray(200_000), 200_000)]);
    expect(Date.now() - t0).toBeLessThan(2000);
    await w.close();
    await fh.close();
    expect((await readFile(path)).equals(data)).toBe(true);
  });

  it('more files at once than aligned blocks: the others are written buffered, all exact', async () => {
    const files = await Promise.all(Array.from({ length: 12 }, () => target(DIRECT_BLOCK + 100_000)));
    const datas = files.map(() => randomBytes(DIRECT_BLOCK + 100_000));
    const done: Promise<void>[] = [];
    for (let k = 0; k < files.length; k++) {
      for (const [a, b] of pieces(0, datas[k]!.length, k + 1)) done.push(files[k]!.w.write(datas[k]!.subarray(a, b), a));
    }
    for (const f of files) await f.w.close();
    await Promise.all(done);
    for (let k = 0; k < files.length; k++) {
      await files[k]!.fh.close();
      expect((await readFile(files[k]!.path)).equals(datas[k]!)).toBe(true);
    }
  });
});
