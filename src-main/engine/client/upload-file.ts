/**
 * Sending one file: whole in a `put` when small, else `begin` with its chunk recipe, then only the chunks the
 * server lacks, then `commit`. The announced hashes always describe exactly the bytes sent: a file that changes
 * while being read is detected (stat before/after here, the server's check of every chunk against the recipe) and
 * re-read, a bounded number of times.
 */
import { lstat, open, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { INLINE_FILE_MAX_BYTES, MAX_PAYLOAD_BYTES, RECIPE_ENTRY_BYTES } from '../../../src-shared/protocol/limits';
import type { ConflictInfo, FileBase, ServerMessage } from '../../../src-shared/protocol/messages';
import { FerryError, toFerryError } from '../errors';
import type { Connection } from '../net/connection';
import type { Frame } from '../net/frame-codec';
import { computeRecipe, encodeRecipe, recipeDigest, sha256Hex, type FileRecipe } from '../chunking/recipe';
import type { RecipeCache } from '../chunking/recipe-cache';
import { DEFAULT_CHUNKING } from '../chunking/fastcdc';
import type { RateLimiter } from './rate-limiter';
import { putBatcherFor } from './put-batcher';
import { readSmallFile } from './read-small-file';

/** Tries before a file that keeps changing is reported and left for its next change. */
export const MAX_UPLOAD_TRIES = 5;

/** What one upload needs from its session. */
export interface UploadContext {
  conn: Connection;
  cache: RecipeCache;
  /** Called with (bytesDone, bytesSent) as chunks leave. */
  onProgress: (bytesDone: number, bytesSent: number) => void;
  /** The session's upload bandwidth limit, when one is set: file payloads wait on it, control messages do not. */
  limiter?: RateLimiter | null;
}

/** The file as sent. */
export interface UploadResult {
  size: number;
  mtimeMs: number;
  mode: number;
  bytesSent: number;
  conflict: ConflictInfo | undefined;
  /** Content identity of what was sent (SHA-256 of a small file's bytes, a large file's recipe digest). */
  hash: string;
  /** A large file's recipe (for delta downloads on this device later). */
  recipe?: FileRecipe;
}

/** Stat of a local file as the wire wants it (plus the inode, to notice a replaced file). */
export interface FileStat {
  size: number;
  mtimeMs: number;
  mode: number;
  ino: number;
}

/**
 * Upload `rel` from `abs` with the given base; null when the path is no longer a regular file (a later scan
 * handles it). `scanned` is the stat the plan was made from: the first try trusts it as the "before" stat
 * (saving a syscall per file); if the file moved on since, the after-read check sends us round with a fresh one.
 */
export async function uploadFile(ctx: UploadContext, rel: string, abs: string, base: () => FileBase, scanned?: FileStat): Promise<UploadResult | null> {
  let lastErr: FerryError | null = null;
  for (let attempt = 0; attempt < MAX_UPLOAD_TRIES; attempt++) {
    const st = attempt === 0 && scanned !== undefined ? scanned : await statFile(abs, rel);
    if (st === null) return null;
    try {
      const r = st.size <= INLINE_FILE_MAX_BYTES ? await putWhole(ctx, rel, abs, st, base()) : await sendChunked(ctx, rel, abs, st, base());
      if (r !== 'changed') return r;
      lastErr = new FerryError('HASH_MISMATCH', `${rel} changed while being read`, { path: rel });
    } catch (err) {
      let e = toFerryError(err, rel);
      // Errors from reading (the hash worker) name the absolute path; the session knows files by `rel`.
      if (e.path !== rel) e = new FerryError(e.code, e.message, { path: rel, cause: e });
      if (e.code !== 'HASH_MISMATCH' && e.code !== 'NOT_FOUND') throw e;
      ctx.cache.delete(rel);
      lastErr = e;
    }
  }
  throw new FerryError('HASH_MISMATCH', `${rel} kept changing while being sent (${MAX_UPLOAD_TRIES} tries); it will be sent again after its next change`, {
    path: rel,
    cause: lastErr,
  });
}

async function statFile(abs: string, rel: string): Promise<FileStat | null> {
  let st: Stats;
  try {
    st = await lstat(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw toFerryError(err, rel);
  }
  if (!st.isFile()) return null;
  return { size: st.size, mtimeMs: Math.floor(st.mtimeMs), mode: st.mode & 0o7777, ino: st.ino };
}

function sameStat(a: FileStat | null, b: FileStat): boolean {
  return a !== null && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino && a.mode === b.mode;
}

function resultOf(st: FileStat, bytesSent: number, f: Frame<ServerMessage>, hash: string, recipe: FileRecipe): UploadResult {
  const conflict = f.header.type === 'ok' ? f.header.conflict : undefined;
  return { size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, bytesSent, conflict, hash, recipe };
}

async function putWhole(ctx: UploadContext, rel: string, abs: string, st: FileStat, base: FileBase): Promise<UploadResult | 'changed'> {
  const read = await readSmallFile(abs, st.size);
  if (read === null) return 'changed';
  const buf = read.buf;
  if (buf.length !== st.size || !sameStat(read.after, st)) return 'changed';
  const file = { path: rel, size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, hash: sha256Hex(buf), base };
  await ctx.limiter?.take(buf.length);
  const { conflict } = await putBatcherFor(ctx.conn).put(file, buf);
  ctx.onProgress(st.size, buf.length);
  return { size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, bytesSent: buf.length, conflict, hash: file.hash };
}

async function recipeFor(ctx: UploadContext, rel: string, abs: string, st: FileStat): Promise<FileRecipe | 'changed'> {
  const cached = ctx.cache.get(rel, st);
  if (cached !== undefined) return cached;
  // The announced hash is the recipe's digest (sendChunked): a whole-file hash would be a second pass for nothing.
  const recipe = await computeRecipe(abs, DEFAULT_CHUNKING, 'recipe');
  if (recipe.size !== st.size || !sameStat(await statFile(abs, rel), st)) return 'changed';
  ctx.cache.set(rel, st, recipe);
  return recipe;
}

async function sendChunked(ctx: UploadContext, rel: string, abs: string, st: FileStat, base: FileBase): Promise<UploadResult | 'changed'> {
  const recipe = await recipeFor(ctx, rel, abs, st);
  if (recipe === 'changed') return 'changed';
  if (recipe.chunks.length * RECIPE_ENTRY_BYTES > MAX_PAYLOAD_BYTES) {
    // One recipe must fit one frame: about 29 GiB at the default chunk sizes.
    throw new FerryError('FRAME_TOO_LARGE', `${rel} is too large to send (${recipe.chunks.length} chunks do not fit one recipe frame)`, { path: rel });
  }
  const wire = encodeRecipe(recipe.chunks);
  // The recipe's digest, not the whole-file hash: the server verifies each chunk against the recipe instead.
  const begin = { type: 'begin', path: rel, size: st.size, mtimeMs: st.mtimeMs, mode: st.mode, hash: recipeDigest(wire), base, chunkCount: recipe.chunks.length, id: 0 };
  const need = await ctx.conn.request(begin, wire);
  if (need.header.type !== 'need') throw new FerryError('BAD_FRAME', `Expected need for ${rel}, got ${need.header.type}`, { path: rel });
  const transfer = begin.id;
  const sent = await sendMissing(ctx, rel, abs, st, recipe, need.header.missing, transfer);
  if (sent === 'changed') {
    ctx.conn.request({ type: 'abort', transfer }).catch(() => {});
    ctx.cache.delete(rel);
    return 'changed';
  }
  const f = await ctx.conn.request({ type: 'commit', transfer });
  ctx.onProgress(st.size, sent);
  return resultOf(st, sent, f, begin.hash, recipe);
}

/**
 * Largest single read: runs of contiguous missing chunks are read this much at a time and sliced into chunk
 * frames (one read per chunk cost more than the sending). With one read ahead, at most 2 × this is buffered
 * per upload, besides what the connection's backpressure lets the socket hold.
 */
const READ_SPAN_BYTES = 8 * 1024 * 1024;

/**
 * Consecutive chunks travel together in one `chunk` frame up to this many bytes: per-frame costs (header,
 * validation, promises, garbage) then stop mattering, while a frame cut off by a dropped connection loses little.
 */
const FRAME_BYTES = 1024 * 1024;

/** One coalesced read: chunks [first, end) of the recipe, contiguous in the file. */
interface Span {
  first: number;
  end: number;
  offset: number;
  length: number;
}

/** Group the asked chunk ranges into contiguous spans of at most READ_SPAN_BYTES (a single larger chunk is its own span). */
function spansOf(recipe: FileRecipe, missing: [number, number][]): Span[] {
  const spans: Span[] = [];
  for (const [start, end] of missing) {
    let span: Span | null = null;
    for (let i = start; i < end; i++) {
      const c = recipe.chunks[i];
      if (c === undefined) throw new FerryError('BAD_FRAME', `Server asked for chunk ${i} of ${recipe.chunks.length}`);
      if (span !== null && span.length + c.length <= READ_SPAN_BYTES) {
        span.end = i + 1;
        span.length += c.length;
      } else {
        span = { first: i, end: i + 1, offset: c.offset, length: c.length };
        spans.push(span);
      }
    }
  }
  return spans;
}

/**
 * The read buffers of one upload, reused once the socket is done with every frame cut from them: a fresh 8 MiB
 * buffer per span cost page faults and garbage collections (external memory) on every span.
 */
class SpanBuffers {
  private readonly free: Buffer[] = [];
  private readonly waiting: ((b: Buffer | null) => void)[] = [];
  private made = 0;
  private closed = false;

  /** `size`: the longest span; two buffers, one being sent while the next span is read into the other. */
  constructor(private readonly size: number) {}

  take(): Promise<Buffer | null> {
    if (this.closed) return Promise.resolve(null);
    const b = this.free.pop();
    if (b !== undefined) return Promise.resolve(b);
    if (this.made < 2) {
      this.made++;
      return Promise.resolve(Buffer.allocUnsafe(this.size));
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  give(b: Buffer): void {
    const w = this.waiting.shift();
    if (w !== undefined) w(b);
    else this.free.push(b);
  }

  /** The upload is over: whoever still waits for a buffer gets none. */
  close(): void {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w(null);
  }
}

/** Read a span into `buf` (from the pool); a view of exactly the span, or null when the file is now too short for it (it changed). */
async function readSpan(fh: FileHandle, span: Span, buf: Buffer | null): Promise<Buffer | null> {
  if (buf === null) return null;
  let got = 0;
  while (got < span.length) {
    const { bytesRead } = await fh.read(buf, got, span.length - got, span.offset + got);
    if (bytesRead === 0) return null;
    got += bytesRead;
  }
  return buf.subarray(0, span.length);
}

/**
 * Send the asked chunks, read in large sequential spans (the next read overlapping this span's sending).
 * Chunks are not re-hashed here: a change while sending is caught by the stat after the last chunk, and
 * anything that slips past it by the server's check of each chunk against the recipe (HASH_MISMATCH → retry).
 */
async function sendMissing(ctx: UploadContext, rel: string, abs: string, st: FileStat, recipe: FileRecipe, missing: [number, number][], transfer: number): Promise<number | 'changed'> {
  const spans = spansOf(recipe, missing);
  let fh: FileHandle;
  try {
    fh = await open(abs, 'r');
  } catch {
    return 'changed';
  }
  let sent = 0;
  let done = recipe.size - spans.reduce((n, s) => n + s.length, 0);
  let ahead: Promise<{ data: Buffer; whole: Buffer } | null> | null = null;
  const pool = new SpanBuffers(spans.reduce((n, s) => Math.max(n, s.length), 0));
  const read = async (span: Span): Promise<{ data: Buffer; whole: Buffer } | null> => {
    const whole = await pool.take();
    const data = await readSpan(fh, span, whole);
    return data === null ? null : { data, whole: whole! };
  };
  try {
    ahead = spans.length > 0 ? read(spans[0]!) : null;
    for (let k = 0; k < spans.length; k++) {
      const span = spans[k]!;
      const got = await ahead!;
      ahead = k + 1 < spans.length ? read(spans[k + 1]!) : null;
      if (got === null) return 'changed';
      const buf = got.data;
      // Under a bandwidth limit each chunk goes alone, so the pacing stays as fine as before.
      const maxFrame = ctx.limiter ? 0 : FRAME_BYTES;
      for (let i = span.first, p = 0; i < span.end; ) {
        let end = i + 1;
        let len = recipe.chunks[i]!.length;
        while (end < span.end && len + recipe.chunks[end]!.length <= maxFrame) len += recipe.chunks[end++]!.length;
        await ctx.limiter?.take(len);
        // Writes complete in order: once the span's last frame is written, its buffer may take the next read.
        const onWritten = end === span.end ? () => pool.give(got.whole) : undefined;
        await ctx.conn.send({ type: 'chunk', id: ctx.conn.nextId(), transfer, index: i }, buf.subarray(p, p + len), onWritten);
        i = end;
        p += len;
        sent += len;
        done += len;
        ctx.onProgress(done, sent);
      }
    }
  } finally {
    // An early return may leave a read ahead in flight (or waiting for a buffer): let it settle before closing its handle.
    pool.close();
    await ahead?.catch(() => null);
    await fh.close();
  }
  return sameStat(await statFile(abs, rel), st) ? sent : 'changed';
}
