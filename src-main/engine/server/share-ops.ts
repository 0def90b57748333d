/**
 * The file operations of the protocol on one share (everything except chunked transfers).
 * Invariants: paths are resolved through SafeRoot (no symlink on the way); whatever is overwritten or
 * deleted goes to versions first; nothing is written through a symlink (links are replaced, lutimes only).
 * Every operation runs holding the share's path locks on the paths it touches (`share.locks`, shared by all
 * sessions), so no other operation can swap a folder on its way for a link between its check and its rename;
 * the path is checked again synchronously right before each rename, chmod and utimes.
 * Client modes are masked with 0o777: setuid, setgid and sticky bits are never applied.
 */
import { randomBytes } from 'node:crypto';
import { constants, lstatSync, type Stats } from 'node:fs';
import { chmod, lutimes, mkdir, open, rename, rm, symlink, utimes, lstat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BatchResult, ConflictInfo, FileBase, MessageOf, ClientMessage } from '../../../src-shared/protocol/messages';
import { relPathProblem } from '../../../src-shared/protocol/paths';
import { INLINE_FILE_MAX_BYTES } from '../../../src-shared/protocol/limits';
import { recipeOfBuffer, sha256Hex, type FileRecipe } from '../chunking/recipe';
import { FerryError, toFerryError } from '../errors';
import { fsyncDirCoalesced, PERMISSION_BITS, StagedFile, utimesSeconds } from '../fs/atomic-writer';
import { isIndexedSize } from './share-index';
import type { ShareStore } from './share-store';
import { VERSIONS_REL } from './versions-store';

/** What changed on the share, for events. */
export type ChangeKind = 'write' | 'delete' | 'move' | 'mkdir';

/** Outcome of one operation (becomes the `ok` frame and server events). */
export interface OpResult {
  conflict?: ConflictInfo;
  bytesReused?: number;
  changed?: { path: string; kind: ChangeKind };
  /** Versions this operation kept (paths under the versions folder), so the session can note which device caused them. */
  kept?: string[];
}

/** Largest `get` answer, whatever length was asked. */
export const MAX_GET_BYTES = 16 * 1024 * 1024;

type Msg<T extends ClientMessage['type']> = MessageOf<ClientMessage, T>;

function lstatOrUndefined(abs: string, rel: string): Stats | undefined {
  try {
    // Sync on purpose, as in SafeRoot: one cheap syscall, no thread-pool hop in the small-file hot path.
    return lstatSync(abs, { throwIfNoEntry: false });
  } catch (err) {
    throw toFerryError(err, rel);
  }
}

/** Does what is on disk differ from what the client believed (`base`)? */
function differsFromBase(st: Stats | undefined, base: FileBase | undefined): boolean {
  if (base === undefined || st === undefined) return false; // nothing there: nothing can be lost
  if (base === null) return true;
  return !st.isFile() || st.size !== base.size || Math.floor(st.mtimeMs) !== base.mtimeMs;
}

/**
 * Keep what is at `abs` in versions before it is replaced or removed. `stayUntilReplaced`: a file is
 * hard-linked, so the path never goes missing before the new content is renamed over it.
 * Returns conflict info when `base` says the client did not know this version.
 */
export async function keepExisting(
  share: ShareStore, rel: string, abs: string, base: FileBase | undefined, stayUntilReplaced: boolean,
): Promise<{ kept: boolean; conflict?: ConflictInfo; keptPath?: string }> {
  const st = lstatOrUndefined(abs, rel);
  if (st === undefined) return { kept: false };
  // lstat (above, same synchronous turn) and link/rename (below) follow a link on the way: had a folder on the
  // way become one, an outside file would be kept, and readable from versions. Checked only when something is
  // there, so writing a new file (20,000 of them in a first sync) costs no extra walk.
  share.root.verify(rel);
  const how = stayUntilReplaced && st.isFile() ? 'link' : 'move';
  const kept = await share.versions.keep(rel, abs, how);
  share.index.moved(rel, abs, undefined, kept.abs, st.isDirectory());
  if (!differsFromBase(st, base)) return { kept: true, keptPath: kept.path };
  const conflict: ConflictInfo = {
    path: rel,
    keptAs: `${VERSIONS_REL}/${kept.path}`,
    serverSize: st.isDirectory() ? 0 : st.size,
    serverMtimeMs: Math.floor(st.mtimeMs),
  };
  share.log.info({ share: share.name, conflict }, 'conflict: server version kept');
  return { kept: true, conflict, keptPath: kept.path };
}

/**
 * Install a sealed staged file at `rel`, keeping the previous content; updates the chunk index.
 * `recipe` is the new file's recipe when known (large files), so it is indexed without re-reading.
 * The caller holds the path lock of `rel`.
 */
export async function installStaged(
  share: ShareStore, rel: string, abs: string, file: StagedFile, base: FileBase, recipe: FileRecipe | null, durability = share.durability,
): Promise<OpResult> {
  const { conflict, keptPath } = await keepExisting(share, rel, abs, base, true);
  await file.installAt(abs, durability, () => share.root.verify(rel));
  if (recipe === null) share.index.dropFile(rel, abs); // small files are not indexed: no stat needed
  else {
    const st = await lstat(abs).catch(() => undefined);
    if (st) share.index.fileWritten(rel, abs, { size: st.size, mtimeMs: Math.floor(st.mtimeMs), ino: st.ino }, recipe);
  }
  return { ...(conflict ? { conflict } : {}), ...(keptPath ? { kept: [keptPath] } : {}), changed: { path: rel, kind: 'write' } };
}

/** `put`: a whole small file in the payload. */
export async function putFile(share: ShareStore, m: Msg<'put'>, payload: Buffer): Promise<OpResult> {
  if (payload.length !== m.size) {
    throw new FerryError('BAD_FRAME', `put announced ${m.size} bytes but carried ${payload.length}`, { path: m.path });
  }
  checkAnnouncedHash(payload, m);
  return share.locks.run([m.path], async () => {
    const abs = await share.root.resolveForWrite(m.path);
    const file = await stageWhole(share, payload, m);
    try {
      // Files this small are normally not indexed, but a put is allowed up to the payload limit.
      return await installStaged(share, m.path, abs, file, m.base, isIndexedSize(m.size) ? recipeOfBuffer(payload) : null);
    } catch (err) {
      await file.discard();
      throw toFerryError(err, m.path);
    }
  });
}

/** A whole file's bytes must be what the client hashed (a file that changed while it was read fails here). */
function checkAnnouncedHash(data: Buffer, f: { path: string; hash: string }): void {
  if (sha256Hex(data) !== f.hash) throw new FerryError('HASH_MISMATCH', `Content of ${f.path} does not match its announced hash`, { path: f.path });
}

/** Outcome of a `putBatch`: one result per file, in order, plus what changed (for events). */
export interface BatchOutcome {
  results: BatchResult[];
  /** Index in `files` and result of each file that was written. */
  written: { index: number; result: OpResult }[];
}

/**
 * Batches this small flush file by file: a syncfs also waits for whatever else is dirty on the file system,
 * which is worth it for many files but would tie a single live edit's latency to other writers.
 */
const GROUP_COMMIT_MIN_FILES = 8;

/**
 * `putBatch`: every file is checked, staged and installed on its own (one bad file fails alone), but a durable
 * share flushes once for the whole batch's data before any rename and once for the renames, where single puts
 * pay a data flush per file and a folder flush per folder.
 */
export async function putBatch(share: ShareStore, m: Msg<'putBatch'>, payload: Buffer): Promise<BatchOutcome> {
  let total = 0;
  for (const f of m.files) total += f.size;
  if (total !== payload.length) throw new FerryError('BAD_FRAME', `putBatch announced ${total} bytes but carried ${payload.length}`);
  // All of the batch's paths at once (all or none, so two batches can never wait for each other).
  return share.locks.run(m.files.map((f) => f.path), () => putBatchLocked(share, m, payload));
}

async function putBatchLocked(share: ShareStore, m: Msg<'putBatch'>, payload: Buffer): Promise<BatchOutcome> {
  const flusher = m.files.length >= GROUP_COMMIT_MIN_FILES ? await share.groupFlusher() : null;
  // With a group commit the files flush together below, not one by one.
  const perFileDurability = flusher !== null ? 'none' : share.durability;
  const checkedParents = new Set<string>();
  const results: BatchResult[] = new Array<BatchResult>(m.files.length);
  const staged: { index: number; abs: string; file: StagedFile }[] = [];
  const failed = (i: number, err: unknown): void => {
    const e = toFerryError(err, m.files[i]!.path);
    results[i] = { ok: false, code: e.code, message: e.message.slice(0, 4000) };
  };
  let offset = 0;
  const staging = m.files.map(async (f, i) => {
    const data = payload.subarray(offset, (offset += f.size));
    try {
      if (f.size > INLINE_FILE_MAX_BYTES) throw new FerryError('BAD_FRAME', `${f.path}: files over ${INLINE_FILE_MAX_BYTES} bytes are sent as chunks`, { path: f.path });
      checkAnnouncedHash(data, f);
      const abs = await share.root.resolveForWrite(f.path, checkedParents);
      staged.push({ index: i, abs, file: await StagedFile.writeSmall(share.stagingDir, data, f, perFileDurability) });
    } catch (err) {
      failed(i, err);
    }
  });
  await Promise.all(staging);
  staged.sort((a, b) => a.index - b.index);
  const written: BatchOutcome['written'] = [];
  try {
    if (flusher !== null && staged.length > 0) await flusher.flush();
  } catch (err) {
    for (const s of staged) {
      failed(s.index, err);
      await s.file.discard();
    }
    return { results, written };
  }
  for (const s of staged) {
    const f = m.files[s.index]!;
    try {
      const r = await installStaged(share, f.path, s.abs, s.file, f.base, null, perFileDurability);
      results[s.index] = r.conflict ? { ok: true, conflict: r.conflict } : { ok: true };
      written.push({ index: s.index, result: r });
    } catch (err) {
      await s.file.discard();
      failed(s.index, err);
    }
  }
  if (flusher !== null && written.length > 0) {
    try {
      await flusher.flush();
    } catch (err) {
      // Renamed but maybe not durable: report it, as a single put reports a failed folder flush.
      for (const w of written) failed(w.index, err);
      return { results, written: [] };
    }
  }
  return { results, written };
}

/** The payload as a sealed temp file: synchronous calls for inline-sized files, the thread pool for bigger ones. */
async function stageWhole(share: ShareStore, payload: Buffer, m: Msg<'put'>): Promise<StagedFile> {
  if (payload.length <= INLINE_FILE_MAX_BYTES) return StagedFile.writeSmall(share.stagingDir, payload, m, share.durability);
  const file = await StagedFile.create(share.stagingDir);
  try {
    await file.write(payload);
    await file.seal(m, share.durability);
    return file;
  } catch (err) {
    await file.discard();
    throw err;
  }
}

/** `mkdir`: create the folder (and parents) or just set its mode/mtime; a file or link in the way goes to versions. */
export function makeDir(share: ShareStore, m: Msg<'mkdir'>): Promise<OpResult> {
  return share.locks.run([m.path], () => makeDirLocked(share, m));
}

async function makeDirLocked(share: ShareStore, m: Msg<'mkdir'>): Promise<OpResult> {
  const abs = await share.root.resolveForWrite(m.path);
  let keptPath: string | undefined;
  try {
    const st = lstatOrUndefined(abs, m.path);
    if (st !== undefined && !st.isDirectory()) keptPath = (await keepExisting(share, m.path, abs, undefined, false)).keptPath;
    share.root.verify(m.path);
    if (st === undefined || !st.isDirectory()) await mkdir(abs, { mode: 0o700 });
    share.root.verify(m.path);
    await chmod(abs, m.mode & PERMISSION_BITS);
    const t = utimesSeconds(m.mtimeMs);
    share.root.verify(m.path);
    await utimes(abs, t, t);
    if (share.durability === 'fsync' && (st === undefined || !st.isDirectory())) await fsyncDirCoalesced(dirname(abs));
  } catch (err) {
    throw toFerryError(err, m.path);
  }
  return { ...(keptPath ? { kept: [keptPath] } : {}), changed: { path: m.path, kind: 'mkdir' } };
}

/** `remove`: move the file, link or folder to versions; missing is fine. */
export function removePath(share: ShareStore, m: Msg<'remove'>): Promise<OpResult> {
  return share.locks.run([m.path], () => removePathLocked(share, m));
}

async function removePathLocked(share: ShareStore, m: Msg<'remove'>): Promise<OpResult> {
  let abs: string;
  try {
    abs = share.root.resolve(m.path);
  } catch (err) {
    // A well-formed path whose ancestor is a file cannot exist: removing it is already done.
    if (err instanceof FerryError && err.code === 'PATH_INVALID' && relPathProblem(m.path) === null) return {};
    throw err;
  }
  const { kept, conflict, keptPath } = await keepExisting(share, m.path, abs, m.base, false);
  if (!kept) return {};
  if (share.durability === 'fsync') await fsyncDirCoalesced(dirname(abs));
  return { ...(conflict ? { conflict } : {}), ...(keptPath ? { kept: [keptPath] } : {}), changed: { path: m.path, kind: 'delete' } };
}

/** `move`: rename inside the share; an occupied destination goes to versions first. */
export async function movePath(share: ShareStore, m: Msg<'move'>): Promise<OpResult> {
  if (m.to.startsWith(`${m.from}/`)) throw new FerryError('PATH_INVALID', `Cannot move ${m.from} into itself`, { path: m.to });
  // Onto its own ancestor: the destination (holding the source) would go to versions first, then the rename fail.
  if (m.from.startsWith(`${m.to}/`)) throw new FerryError('PATH_INVALID', `Cannot move ${m.from} onto ${m.to}, which contains it`, { path: m.to });
  return share.locks.run([m.from, m.to], () => movePathLocked(share, m));
}

async function movePathLocked(share: ShareStore, m: Msg<'move'>): Promise<OpResult> {
  const from = share.root.resolve(m.from);
  if (m.from === m.to) return {};
  const fromSt = lstatOrUndefined(from, m.from);
  if (fromSt === undefined) throw new FerryError('NOT_FOUND', `${m.from} does not exist`, { path: m.from });
  const to = await share.root.resolveForWrite(m.to);
  const { keptPath } = await keepExisting(share, m.to, to, undefined, false);
  try {
    share.root.verify(m.from);
    share.root.verify(m.to);
    await rename(from, to);
  } catch (err) {
    throw toFerryError(err, m.from);
  }
  share.index.moved(m.from, from, m.to, to, fromSt.isDirectory());
  if (share.durability === 'fsync') {
    await Promise.all([...new Set([dirname(from), dirname(to)])].map((d) => fsyncDirCoalesced(d)));
  }
  return { ...(keptPath ? { kept: [keptPath] } : {}), changed: { path: m.to, kind: 'move' } };
}

/** `symlink`: create or replace a link; the target is stored as text and never followed. */
export async function makeSymlink(share: ShareStore, m: Msg<'symlink'>): Promise<OpResult> {
  if (m.target.includes('\0')) throw new FerryError('PATH_INVALID', 'NUL byte in link target', { path: m.path });
  return share.locks.run([m.path], () => makeSymlinkLocked(share, m));
}

async function makeSymlinkLocked(share: ShareStore, m: Msg<'symlink'>): Promise<OpResult> {
  const abs = await share.root.resolveForWrite(m.path);
  // Built under a temp name and renamed into place, so the path is never missing or half-made.
  const tmp = join(share.stagingDir, `tmp-${randomBytes(9).toString('base64url')}`);
  let keptPath: string | undefined;
  try {
    await symlink(m.target, tmp);
    const t = utimesSeconds(m.mtimeMs);
    await lutimes(tmp, t, t);
    const st = lstatOrUndefined(abs, m.path);
    // rename() can replace a file or link, not a folder: a folder in the way is moved out first.
    keptPath = (await keepExisting(share, m.path, abs, undefined, st?.isDirectory() !== true)).keptPath;
    share.root.verify(m.path);
    await rename(tmp, abs);
    if (share.durability === 'fsync') await fsyncDirCoalesced(dirname(abs));
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw toFerryError(err, m.path);
  }
  return { ...(keptPath ? { kept: [keptPath] } : {}), changed: { path: m.path, kind: 'write' } };
}

/** `setMeta`: mode and mtime only; on a link only the mtime (chmod would follow it). */
export function setMeta(share: ShareStore, m: Msg<'setMeta'>): Promise<OpResult> {
  return share.locks.run([m.path], () => setMetaLocked(share, m));
}

async function setMetaLocked(share: ShareStore, m: Msg<'setMeta'>): Promise<OpResult> {
  const abs = share.root.resolve(m.path);
  const st = lstatOrUndefined(abs, m.path);
  if (st === undefined) throw new FerryError('NOT_FOUND', `${m.path} does not exist`, { path: m.path });
  const t = utimesSeconds(m.mtimeMs);
  try {
    if (st.isSymbolicLink()) await lutimes(abs, t, t);
    else {
      await chmod(abs, m.mode & PERMISSION_BITS);
      share.root.verify(m.path);
      await utimes(abs, t, t);
    }
  } catch (err) {
    throw toFerryError(err, m.path);
  }
  // The index is keyed by mtime too: keep the cached recipe valid for a file whose content did not change.
  if (st.isFile() && isIndexedSize(st.size)) share.index.touched(m.path, { size: st.size, mtimeMs: Math.floor(st.mtimeMs), ino: st.ino }, m.mtimeMs);
  return { changed: { path: m.path, kind: 'write' } };
}

/** `get`: read part of a share file or a kept version; never follows a link. */
export function readPart(share: ShareStore, m: Msg<'get'>): Promise<{ size: number; mtimeMs: number; mode: number; data: Buffer }> {
  // Share reads hold a (shared) path lock too: a folder on the way swapped for a link mid-open would read outside.
  return m.area === 'share' ? share.locks.run([m.path], () => readPartLocked(share, m), 'shared') : readPartLocked(share, m);
}

async function readPartLocked(share: ShareStore, m: Msg<'get'>): Promise<{ size: number; mtimeMs: number; mode: number; data: Buffer }> {
  const abs = m.area === 'share' ? share.root.resolve(m.path) : share.versions.root.resolve(m.path);
  let fh;
  try {
    fh = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new FerryError('PATH_INVALID', `${m.path} is a symlink`, { path: m.path });
    throw toFerryError(err, m.path);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new FerryError('PATH_INVALID', `${m.path} is not a file`, { path: m.path });
    const len = Math.max(0, Math.min(m.length, MAX_GET_BYTES, st.size - m.offset));
    const data = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const { bytesRead } = await fh.read(data, got, len - got, m.offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return { size: st.size, mtimeMs: Math.floor(st.mtimeMs), mode: st.mode & 0o7777, data: data.subarray(0, got) };
  } catch (err) {
    throw toFerryError(err, m.path);
  } finally {
    await fh.close().catch(() => undefined);
  }
}
