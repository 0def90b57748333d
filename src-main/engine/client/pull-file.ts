/**
 * Downloading one share file into the local folder, as a first-class operation of a two-way or receive pair:
 * staged in the folder's `.ferry/staging` (never scanned, watched or synced), only the chunks this device lacks
 * travel (the rest are copied from any local file that has them, each checked by its hash), the whole is verified
 * against the share's content identity, flushed, given its mode and mtime, and renamed into place — unless the
 * local file changed meanwhile, which is never overwritten (the next round finds the conflict).
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, rename, rm, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { CONTENT_ID_WHOLE_FILE_MAX } from '../../../src-shared/protocol/limits';
import type { ChunkIndex } from '../chunking/chunk-index';
import { decodeRecipe, encodeRecipe, readChunk, recipeDigest, sha256Hex, type FileRecipe } from '../chunking/recipe';
import type { RemoteEntry } from '../core/three-way';
import type { TreeEntry } from '../core/tree';
import { FerryError, toFerryError } from '../errors';
import { utimesSeconds } from '../fs/atomic-writer';
import type { Connection } from '../net/connection';
import type { FileSystemFlusher } from '../fs/flush-filesystem';
import { ensureParents, entryAt, stillAsSeen, STAGING_REL } from './local-apply';

/** Bytes asked per `get` (the protocol allows up to 16 MiB). */
const GET_BYTES = 8 * 1024 * 1024;

/** What a pull needs from its session. */
export interface PullContext {
  conn: Connection;
  rootAbs: string;
  /** Where chunks of local files can be read (kept up to date by the session). */
  chunks: ChunkIndex;
  onProgress?: (bytesDone: number, bytesReceived: number) => void;
  /**
   * Group commit: one syncfs makes every staged file durable (concurrent downloads share it), where a flush per
   * file costs a journal commit each. Null: each staged file is flushed on its own.
   */
  flusher?: FileSystemFlusher | null;
  /**
   * Called (and awaited) right before the staged file is put in place, with what the file will be: the session
   * journals it, so a crash just after the install is still known on restart (client/ancestor-journal.ts).
   */
  beforeInstall?: (tmp: string, entry: TreeEntry) => Promise<void>;
}

/** The outcome of a pull: the file now on disk with its content identity and recipe, or 'changed'. */
export type PullOutcome = { entry: TreeEntry; recipe: FileRecipe | null; bytesReceived: number; bytesReused: number } | 'changed';

/** Download `rel` as `entry` describes it; `expect` is what the reconcile saw locally (undefined: nothing). */
export async function pullFile(ctx: PullContext, rel: string, entry: RemoteEntry, expect: TreeEntry | undefined): Promise<PullOutcome> {
  const staging = join(ctx.rootAbs, STAGING_REL);
  await mkdir(staging, { recursive: true });
  const tmp = join(staging, `${randomBytes(8).toString('hex')}.part`);
  const fh = await open(tmp, 'wx', 0o600);
  let installed = false;
  let journaled = false;
  try {
    const got = entry.size <= CONTENT_ID_WHOLE_FILE_MAX ? await fetchWhole(ctx, rel, entry, fh) : await fetchByRecipe(ctx, rel, fh);
    const staged = await fh.stat();
    const expected = got.recipe?.size ?? got.received;
    if (staged.size !== expected) throw new FerryError('IO_ERROR', `${rel}: ${staged.size} of ${expected} bytes reached the disk`, { path: rel });
    await chmod(tmp, got.mode & 0o777);
    const t = utimesSeconds(got.mtimeMs);
    await utimes(tmp, t, t);
    if (ctx.flusher) {
      await fh.close();
      await ctx.flusher.flush();
    } else {
      await fh.sync();
      await fh.close();
    }
    const abs = join(ctx.rootAbs, rel);
    await ensureParents(ctx.rootAbs, rel);
    if (!stillAsSeen(abs, expect) || expect?.kind === 'dir') return 'changed';
    if (ctx.beforeInstall) {
      const intended: TreeEntry = { path: rel, kind: 'file', size: staged.size, mtimeMs: Math.floor(got.mtimeMs), mode: got.mode & 0o777, hash: got.hash, ino: staged.ino };
      await ctx.beforeInstall(tmp, intended);
      // From here a failed install leaves the staged file: the journal's replay reads its presence as "not installed".
      journaled = true;
    }
    if (expect === undefined) {
      // A new file: link() never replaces what a user may have created since the check above.
      try {
        await link(tmp, abs);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return 'changed';
        throw err;
      }
      await unlink(tmp);
    } else {
      await rename(tmp, abs);
    }
    installed = true;
    const now = entryAt(abs, rel);
    if (now === undefined) return 'changed';
    now.hash = got.hash;
    return { entry: now, recipe: got.recipe, bytesReceived: got.received, bytesReused: got.reused };
  } catch (err) {
    throw toFerryError(err, rel);
  } finally {
    await fh.close().catch(() => undefined);
    if (!installed && !journaled) await rm(tmp, { force: true });
  }
}

interface Fetched {
  hash: string;
  mode: number;
  mtimeMs: number;
  recipe: FileRecipe | null;
  received: number;
  reused: number;
}

type Handle = Awaited<ReturnType<typeof open>>;

/**
 * Write all of `buf` at `offset`. A full disk can end a write short without an error: that is DISK_FULL here, never
 * a shorter file that goes on to be installed.
 */
async function writeAll(fh: Handle, buf: Buffer, offset: number, rel: string): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, offset + done);
    if (bytesWritten <= 0) throw new FerryError('DISK_FULL', `No space left to write ${rel} on this device`, { path: rel });
    done += bytesWritten;
  }
}

async function fetchWhole(ctx: PullContext, rel: string, entry: RemoteEntry, fh: Handle): Promise<Fetched> {
  const f = await ctx.conn.request({ type: 'get', path: rel, area: 'share', offset: 0, length: Math.max(entry.size, 1) });
  if (f.header.type !== 'data') throw new FerryError('BAD_FRAME', `Expected data for ${rel}, got ${f.header.type}`);
  if (f.header.size > CONTENT_ID_WHOLE_FILE_MAX || f.payload.length !== f.header.size) {
    throw new FerryError('HASH_MISMATCH', `${rel} changed on the server while it was fetched`, { path: rel });
  }
  const hash = sha256Hex(f.payload);
  if (entry.hash !== undefined && hash !== entry.hash && f.header.size === entry.size) {
    // The server holds other bytes than its feed announced: a newer change, whose record is on its way.
    throw new FerryError('HASH_MISMATCH', `${rel} changed on the server while it was fetched`, { path: rel });
  }
  await writeAll(fh, f.payload, 0, rel);
  ctx.onProgress?.(f.payload.length, f.payload.length);
  return { hash, mode: f.header.mode, mtimeMs: f.header.mtimeMs, recipe: null, received: f.payload.length, reused: 0 };
}

async function fetchByRecipe(ctx: PullContext, rel: string, fh: Handle): Promise<Fetched> {
  const r = await ctx.conn.request({ type: 'getRecipe', path: rel });
  if (r.header.type !== 'recipe') throw new FerryError('BAD_FRAME', `Expected recipe for ${rel}, got ${r.header.type}`);
  const list = decodeRecipe(r.payload, r.header.chunkCount);
  if (recipeDigest(encodeRecipe(list)) !== r.header.hash) throw new FerryError('BAD_FRAME', `The recipe of ${rel} does not match its hash`);
  const chunks: FileRecipe['chunks'] = [];
  let offset = 0;
  for (const c of list) {
    chunks.push({ hash: c.hash, offset, length: c.length });
    offset += c.length;
  }
  if (offset !== r.header.size) throw new FerryError('BAD_FRAME', `The recipe of ${rel} does not add up to its size`);
  let reused = 0;
  let received = 0;
  const missing: number[] = [];
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i] as FileRecipe['chunks'][number];
    const local = await localChunk(ctx.chunks, c.hash, c.length);
    if (local === null) {
      missing.push(i);
      continue;
    }
    await writeAll(fh, local, c.offset, rel);
    reused += local.length;
  }
  // Consecutive missing chunks travel as one range.
  for (let i = 0; i < missing.length; ) {
    const first = chunks[missing[i] as number] as FileRecipe['chunks'][number];
    let end = first.offset + first.length;
    let j = i + 1;
    while (j < missing.length && missing[j] === (missing[j - 1] as number) + 1 && end - first.offset < GET_BYTES) {
      end += (chunks[missing[j] as number] as FileRecipe['chunks'][number]).length;
      j++;
    }
    const f = await ctx.conn.request({ type: 'get', path: rel, area: 'share', offset: first.offset, length: end - first.offset });
    if (f.header.type !== 'data') throw new FerryError('BAD_FRAME', `Expected data for ${rel}, got ${f.header.type}`);
    if (f.payload.length !== end - first.offset || f.header.size !== r.header.size) {
      throw new FerryError('HASH_MISMATCH', `${rel} changed on the server while it was fetched`, { path: rel });
    }
    let at = 0;
    for (let k = i; k < j; k++) {
      const c = chunks[missing[k] as number] as FileRecipe['chunks'][number];
      if (sha256Hex(f.payload.subarray(at, at + c.length)) !== c.hash) {
        throw new FerryError('HASH_MISMATCH', `${rel} changed on the server while it was fetched`, { path: rel });
      }
      at += c.length;
    }
    await writeAll(fh, f.payload, first.offset, rel);
    received += f.payload.length;
    ctx.onProgress?.(reused + received, received);
    i = j;
  }
  const recipe: FileRecipe = { size: r.header.size, hash: r.header.hash, chunks };
  return { hash: r.header.hash, mode: r.header.mode, mtimeMs: r.header.mtimeMs, recipe, received, reused };
}

/** A chunk's bytes from a local file, if one has it and still holds it (checked by hash). */
async function localChunk(index: ChunkIndex, hash: string, length: number): Promise<Buffer | null> {
  const at = index.lookup(hash);
  if (at === undefined || at.length !== length) return null;
  try {
    const buf = await readChunk(at.file, at.offset, at.length);
    return sha256Hex(buf) === hash ? buf : null;
  } catch {
    return null;
  }
}


/**
 * Bring a version the server kept (path relative to its versions folder) to `destRel` in this folder, as a new file
 * (never over an existing one): a conflict copy of what this device's write replaced on the server.
 */
export async function pullKeptVersion(conn: Connection, rootAbs: string, versionRel: string, destRel: string): Promise<void> {
  const staging = join(rootAbs, STAGING_REL);
  await mkdir(staging, { recursive: true });
  const tmp = join(staging, `${randomBytes(8).toString('hex')}.part`);
  const fh = await open(tmp, 'wx', 0o600);
  let installed = false;
  try {
    let offset = 0;
    let meta = { mode: 0o644, mtimeMs: Date.now() };
    for (let guard = 0; guard < 1_000_000; guard++) {
      const f = await conn.request({ type: 'get', path: versionRel, area: 'versions', offset, length: GET_BYTES });
      if (f.header.type !== 'data') throw new FerryError('BAD_FRAME', `Expected data for ${versionRel}, got ${f.header.type}`);
      meta = { mode: f.header.mode, mtimeMs: f.header.mtimeMs };
      if (f.payload.length > 0) await writeAll(fh, f.payload, offset, destRel);
      offset += f.payload.length;
      if (offset >= f.header.size || f.payload.length === 0) break;
    }
    await fh.sync();
    await fh.close();
    await chmod(tmp, meta.mode & 0o777);
    const t = utimesSeconds(meta.mtimeMs);
    await utimes(tmp, t, t);
    await ensureParents(rootAbs, destRel);
    await link(tmp, join(rootAbs, destRel));
    await unlink(tmp);
    installed = true;
  } catch (err) {
    throw toFerryError(err, destRel);
  } finally {
    await fh.close().catch(() => undefined);
    if (!installed) await rm(tmp, { force: true });
  }
}
