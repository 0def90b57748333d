/** File recipes: content-defined chunks with their SHA-256, the whole-file SHA-256, and the 36-byte wire encoding. */
import { createHash, type Hash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { MAX_PAYLOAD_BYTES, RECIPE_ENTRY_BYTES } from '../../../src-shared/protocol/limits';
import { FerryError, toFerryError } from '../errors';
import { Chunker, DEFAULT_CHUNKING, type ChunkerOptions } from './fastcdc';
import { hashWorkersIdle, recipeOnWorker, recipeRangeOnWorker, sha256FileOnWorker, type WorkerRecipe } from './hash-worker';

/** One chunk of a file: SHA-256 hex of its bytes, where it starts, how long it is. */
export interface ChunkRef {
  hash: string;
  offset: number;
  length: number;
}

/** A file as chunks: total size, whole-file SHA-256 hex, chunks in file order (lengths sum to size). */
export interface FileRecipe {
  size: number;
  hash: string;
  chunks: ChunkRef[];
}

/** Read block size: large enough that per-read overhead vanishes, small enough to bound memory per file. */
const READ_BLOCK = 1024 * 1024;
const HEX64 = /^[0-9a-f]{64}$/;
/**
 * From this size a file's recipe (chunking, chunk hashes and whole-file hash, one pass) is computed on the
 * hash worker, leaving this thread free to send other files' chunks. Below it the message round trip costs
 * more than it saves.
 */
const OFF_THREAD_MIN_BYTES = 8 * 1024 * 1024;
/**
 * From this size a file whose recipe is asked for while the workers are idle (the first large file of a sync: nothing
 * can be sent before its recipe is there) is chunked by two workers at once, one from each half (`splitRecipe`).
 */
export const recipeSplit = { minBytes: 64 * 1024 * 1024, resyncBytes: 4 * 1024 * 1024 };

/** Read up to buf.length bytes at `position`, looping over short reads; returns bytes read (less only at EOF). */
async function readFull(fh: FileHandle, buf: Buffer, position: number): Promise<number> {
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

/**
 * Feed a file's blocks to `onBlock`, reading the next block while the current one is processed
 * (two buffers, so the disk read in the thread pool overlaps the hashing on this thread).
 */
async function forEachBlock(absPath: string, onBlock: (block: Buffer) => void): Promise<void> {
  let fh: FileHandle;
  try {
    fh = await open(absPath, 'r');
  } catch (err) {
    throw toFerryError(err, absPath);
  }
  let pending: Promise<number> = Promise.resolve(0);
  try {
    const bufs = [Buffer.allocUnsafe(READ_BLOCK), Buffer.allocUnsafe(READ_BLOCK)] as const;
    let which = 0;
    let pos = 0;
    pending = readFull(fh, bufs[0], 0);
    for (;;) {
      const got = await pending;
      if (got === 0) break;
      const cur = bufs[which]!;
      pos += got;
      which ^= 1;
      // Only read ahead when the block was full; a short block means EOF (or the file shrank meanwhile).
      pending = got === READ_BLOCK ? readFull(fh, bufs[which]!, pos) : Promise.resolve(0);
      onBlock(got === READ_BLOCK ? cur : cur.subarray(0, got));
    }
  } catch (err) {
    throw toFerryError(err, absPath);
  } finally {
    // If onBlock threw, a read-ahead may still be in flight: let it settle before closing its handle.
    await pending.catch(() => 0);
    await fh.close().catch(() => undefined);
  }
}

/** Incremental recipe builder: feed bytes in any pieces, then `done()`. Chunks spanning pieces are hashed across them. */
export class RecipeBuilder {
  private readonly chunker: Chunker;
  private readonly whole: Hash | null;
  private cur: Hash | null = null;
  private carried = 0; // bytes of the open chunk already hashed (into `cur`, or `whole` for the first chunk)
  private offset = 0; // file offset where the open chunk starts
  private readonly chunks: ChunkRef[] = [];

  /** `wholeFile: false` skips the whole-file hash (`done().hash` is then '') for callers that compute it elsewhere. */
  constructor(opts: ChunkerOptions = DEFAULT_CHUNKING, wholeFile = true) {
    this.chunker = new Chunker(opts);
    this.whole = wholeFile ? createHash('sha256') : null;
  }

  /** Feed the next bytes of the file. The caller may reuse `data` afterwards. */
  update(data: Buffer): void {
    let p = 0;
    for (const len of this.chunker.push(data)) {
      const take = len - this.carried;
      this.close(len, data.subarray(p, p + take));
      p += take;
    }
    if (p < data.length) {
      const rest = data.subarray(p);
      this.whole?.update(rest);
      if (!this.firstRidesOnWhole()) {
        this.cur ??= createHash('sha256');
        this.cur.update(rest);
      }
      this.carried += rest.length;
    }
  }

  /** End of file: the finished recipe. */
  done(): FileRecipe {
    for (const len of this.chunker.finish()) this.close(len, Buffer.alloc(0));
    return { size: this.offset, hash: this.whole ? this.whole.digest('hex') : '', chunks: this.chunks };
  }

  /**
   * The first chunk is a prefix of the file, so its hash is the whole-file hash's state at its end: no
   * second pass over it. That halves the hashing of every single-chunk file (most small files).
   */
  private firstRidesOnWhole(): boolean {
    return this.offset === 0 && this.whole !== null;
  }

  private close(len: number, tail: Buffer): void {
    let hash: string;
    if (this.firstRidesOnWhole()) {
      this.whole!.update(tail);
      hash = this.whole!.copy().digest('hex');
    } else {
      this.whole?.update(tail);
      // A chunk wholly inside one piece is hashed one-shot; only spanning chunks use the open incremental hash.
      hash = (this.cur ?? createHash('sha256')).update(tail).digest('hex');
    }
    this.chunks.push({ hash, offset: this.offset, length: len });
    this.offset += len;
    this.cur = null;
    this.carried = 0;
  }
}

/**
 * What a recipe's `hash` is: `'file'` the whole-file SHA-256 (a second hash pass over every byte), `'recipe'`
 * the digest of its wire form (`recipeDigest`: one pass, what an upload announces and all the server index needs).
 */
export type RecipeHash = 'file' | 'recipe';

/** Recipe of a file on disk, streamed through two 1 MiB buffers (never the whole file in memory). */
export async function computeRecipe(absPath: string, opts: ChunkerOptions = DEFAULT_CHUNKING, hash: RecipeHash = 'file'): Promise<FileRecipe> {
  let size: number;
  try {
    size = (await stat(absPath)).size;
  } catch (err) {
    throw toFerryError(err, absPath);
  }
  if (hash === 'recipe' && size >= recipeSplit.minBytes && hashWorkersIdle()) {
    const split = await splitRecipe(absPath, opts, size);
    if (split) return fromWorker(split);
  }
  const onWorker = size >= OFF_THREAD_MIN_BYTES ? recipeOnWorker(absPath, opts, hash === 'file') : null;
  if (onWorker) return fromWorker(await onWorker);
  const b = new RecipeBuilder(opts, hash === 'file');
  await forEachBlock(absPath, (block) => b.update(block));
  const r = b.done();
  return hash === 'file' ? r : { ...r, hash: recipeDigest(encodeRecipe(r.chunks)) };
}

/**
 * One recipe from two workers: A chunks [0, mid + resync) and B chunks [mid, end) with a fresh chunker. A chunker's
 * state right after a cut is always the same (no hash, no open chunk), so from the first offset past `mid` where A
 * and B both cut, B's chunks are exactly A's would-be chunks: the recipe is A's chunks up to there, then B's. On data
 * where they never meet within the resync distance (long runs cut only at the maximum size), the rest is chunked
 * again from A's last cut, one worker. The result is the same as one chunker over the whole file
 * (recipe.test.ts). Null when no worker can run here.
 */
async function splitRecipe(absPath: string, opts: ChunkerOptions, size: number): Promise<WorkerRecipe | null> {
  const mid = Math.floor(size / 2);
  const a = recipeRangeOnWorker(absPath, opts, 0, Math.min(size, mid + recipeSplit.resyncBytes), 0);
  const b = recipeRangeOnWorker(absPath, opts, mid, undefined, 1);
  if (a === null || b === null) {
    await Promise.allSettled([a, b]);
    return null;
  }
  const [ra, rb] = await Promise.all([a, b]);
  const bEnds = new Map<number, number>(); // end offset of each of B's chunks → its index
  for (let i = 0, end = mid; i < rb.lengths.length; i++) bEnds.set((end += rb.lengths[i]!), i);
  let aEnd = 0;
  for (let i = 0; i < ra.lengths.length; i++) {
    aEnd += ra.lengths[i]!;
    const j = aEnd > mid ? bEnds.get(aEnd) : undefined;
    if (j !== undefined) return joinRecipes(ra, i + 1, rb, j + 1, rb.size);
  }
  // No common cut: chunk the rest from A's last cut (a true cut, so a fresh chunker continues exactly).
  const rest = recipeRangeOnWorker(absPath, opts, aEnd, undefined, 0);
  if (rest === null) return null;
  const rc = await rest;
  return joinRecipes(ra, ra.lengths.length, rc, 0, rc.size);
}

/** A's first `na` chunks followed by B's chunks from index `fromB`; `size` where the file ended. */
function joinRecipes(a: WorkerRecipe, na: number, b: WorkerRecipe, fromB: number, size: number): WorkerRecipe {
  const nb = b.lengths.length - fromB;
  const lengths = new Uint32Array(na + nb);
  lengths.set(a.lengths.subarray(0, na), 0);
  lengths.set(b.lengths.subarray(fromB), na);
  const digests = new Uint8Array((na + nb) * 32);
  digests.set(a.digests.subarray(0, na * 32), 0);
  digests.set(b.digests.subarray(fromB * 32), na * 32);
  return { size, hash: null, digests, lengths };
}

/** Unpack the worker's compact reply (packed digests, so the reply is two transferable arrays, not 8k strings). */
function fromWorker(r: WorkerRecipe): FileRecipe {
  const digests = Buffer.from(r.digests.buffer, r.digests.byteOffset, r.digests.byteLength);
  const chunks: ChunkRef[] = new Array<ChunkRef>(r.lengths.length);
  const wire = r.hash === null ? Buffer.allocUnsafe(r.lengths.length * RECIPE_ENTRY_BYTES) : null;
  let offset = 0;
  for (let i = 0; i < r.lengths.length; i++) {
    const length = r.lengths[i]!;
    chunks[i] = { hash: digests.toString('hex', i * 32, i * 32 + 32), offset, length };
    if (wire !== null) {
      digests.copy(wire, i * RECIPE_ENTRY_BYTES, i * 32, i * 32 + 32);
      wire.writeUInt32BE(length, i * RECIPE_ENTRY_BYTES + 32);
    }
    offset += length;
  }
  return { size: r.size, hash: wire === null ? r.hash! : recipeDigest(wire), chunks };
}

/** Recipe of bytes already in memory. */
export function recipeOfBuffer(buf: Buffer, opts: ChunkerOptions = DEFAULT_CHUNKING): FileRecipe {
  const b = new RecipeBuilder(opts);
  b.update(buf);
  return b.done();
}

/** SHA-256 of bytes in memory, lowercase hex: the form hashes take on the wire. */
export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Whole-file SHA-256 hex, streamed; large files are hashed on the worker so this event loop stays responsive. */
export async function sha256File(absPath: string): Promise<string> {
  let size: number;
  try {
    size = (await stat(absPath)).size;
  } catch (err) {
    throw toFerryError(err, absPath);
  }
  const onWorker = size >= OFF_THREAD_MIN_BYTES ? sha256FileOnWorker(absPath) : null;
  if (onWorker) return onWorker;
  const h = createHash('sha256');
  await forEachBlock(absPath, (block) => h.update(block));
  return h.digest('hex');
}

/** Wire form of a recipe: per chunk 32 raw SHA-256 bytes + u32 BE length (RECIPE_ENTRY_BYTES each). */
export function encodeRecipe(chunks: readonly { hash: string; length: number }[]): Buffer {
  const out = Buffer.allocUnsafe(chunks.length * RECIPE_ENTRY_BYTES);
  let p = 0;
  for (const c of chunks) {
    if (!HEX64.test(c.hash)) throw new FerryError('INTERNAL', `Not a SHA-256 hex digest: ${c.hash.slice(0, 80)}`);
    if (!Number.isInteger(c.length) || c.length < 0 || c.length > 0xffffffff) throw new FerryError('INTERNAL', `Bad chunk length ${c.length}`);
    out.write(c.hash, p, 32, 'hex');
    out.writeUInt32BE(c.length, p + 32);
    p += RECIPE_ENTRY_BYTES;
  }
  return out;
}

/**
 * SHA-256 hex of a wire recipe (`encodeRecipe`'s bytes). A `begin` announcing this instead of the whole-file
 * hash asks the server to verify every chunk against its entry: the same guarantee with one hash pass per side.
 */
export function recipeDigest(wire: Buffer): string {
  return createHash('sha256').update(wire).digest('hex');
}

/** Parse a wire recipe of `count` entries; BAD_FRAME unless the payload is exactly count × 36 bytes and every length is 1..MAX_PAYLOAD_BYTES. */
export function decodeRecipe(buf: Buffer, count: number): { hash: string; length: number }[] {
  if (!Number.isInteger(count) || count < 0 || buf.length !== count * RECIPE_ENTRY_BYTES) {
    throw new FerryError('BAD_FRAME', `Recipe payload of ${buf.length} bytes does not hold ${count} entries of ${RECIPE_ENTRY_BYTES} bytes`);
  }
  const out: { hash: string; length: number }[] = new Array(count);
  for (let i = 0, p = 0; i < count; i++, p += RECIPE_ENTRY_BYTES) {
    const length = buf.readUInt32BE(p + 32);
    // An empty chunk means nothing, and one larger than a frame payload could never be sent.
    if (length === 0 || length > MAX_PAYLOAD_BYTES) throw new FerryError('BAD_FRAME', `Recipe entry ${i} has an impossible chunk length ${length}`);
    out[i] = { hash: buf.toString('hex', p, p + 32), length };
  }
  return out;
}

/** Read exactly `length` bytes at `offset` of a file; NOT_FOUND / IO_ERROR if the file is gone or now too short. */
export async function readChunk(absPath: string, offset: number, length: number): Promise<Buffer> {
  let fh: FileHandle;
  try {
    fh = await open(absPath, 'r');
  } catch (err) {
    throw toFerryError(err, absPath);
  }
  try {
    const buf = Buffer.allocUnsafe(length);
    const got = await readFull(fh, buf, offset);
    if (got !== length)
      throw new FerryError('IO_ERROR', `${absPath} ended after ${offset + got} bytes, expected ${offset + length}`, { path: absPath });
    return buf;
  } catch (err) {
    throw toFerryError(err, absPath);
  } finally {
    await fh.close().catch(() => undefined);
  }
}
