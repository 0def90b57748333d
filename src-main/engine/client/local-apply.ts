/**
 * Changes the server brought, applied to the local folder. Every step first checks that what is on disk is still
 * what the reconcile saw (`expect`): a file changed meanwhile is never overwritten, removed or moved — the step
 * reports 'changed' and the next round sees a conflict instead. Nothing is written through a symlink: each folder
 * on the way is checked with lstat (a link or a file there refuses the step).
 */
import { lstatSync, type Stats } from 'node:fs';
import { chmod, lutimes, mkdir, rename, rmdir, symlink, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError, toFerryError } from '../errors';
import type { RemoteEntry } from '../core/three-way';
import type { TreeEntry } from '../core/tree';
import { utimesSeconds } from '../fs/atomic-writer';

/** The folder's own staging area for downloads (inside `.ferry`, which is never scanned, watched or synced). */
export const STAGING_REL = '.ferry/staging';

/** lstat that answers undefined for a missing path. */
export function lstatQuiet(abs: string): Stats | undefined {
  try {
    return lstatSync(abs, { throwIfNoEntry: false });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') return undefined;
    throw toFerryError(err);
  }
}

/** The local entry of what is at `abs` now (undefined when nothing). */
export function entryAt(abs: string, rel: string): TreeEntry | undefined {
  const st = lstatQuiet(abs);
  if (st === undefined) return undefined;
  const kind = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'file';
  return { path: rel, kind, size: kind === 'dir' ? 0 : st.size, mtimeMs: Math.floor(st.mtimeMs), mode: st.mode & 0o7777, ino: st.ino };
}

/** Is what is at `abs` still the entry the reconcile saw (undefined: nothing there)? */
export function stillAsSeen(abs: string, expect: TreeEntry | undefined): boolean {
  const st = lstatQuiet(abs);
  if (expect === undefined) return st === undefined;
  if (st === undefined) return false;
  if (expect.kind === 'dir') return st.isDirectory();
  if (expect.kind === 'symlink') return st.isSymbolicLink();
  return st.isFile() && st.size === expect.size && Math.floor(st.mtimeMs) === Math.floor(expect.mtimeMs) && (expect.ino === undefined || st.ino === expect.ino);
}

/** Make the folders above `rel` (each one checked: a link or a file on the way refuses). */
export async function ensureParents(rootAbs: string, rel: string): Promise<void> {
  const parts = rel.split('/');
  let abs = rootAbs;
  for (let i = 0; i < parts.length - 1; i++) {
    abs = join(abs, parts[i] as string);
    const st = lstatQuiet(abs);
    if (st === undefined) {
      await mkdir(abs, { mode: 0o755 }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw toFerryError(err, rel);
      });
      continue;
    }
    if (st.isSymbolicLink()) throw new FerryError('PATH_OUTSIDE_SHARE', `${parts.slice(0, i + 1).join('/')} is a symlink here; ${rel} is not written through it`, { path: rel });
    if (!st.isDirectory()) throw new FerryError('PATH_INVALID', `${parts.slice(0, i + 1).join('/')} is a file here, so ${rel} cannot be made`, { path: rel });
  }
}

/** Outcome of a local step: the entry now on disk, or 'changed' (left alone for the next round). */
export type LocalOutcome = TreeEntry | 'changed';

/** Make a folder (or set the mode of the one there). */
export async function makeLocalDir(rootAbs: string, rel: string, entry: RemoteEntry): Promise<LocalOutcome> {
  const abs = join(rootAbs, rel);
  await ensureParents(rootAbs, rel);
  const st = lstatQuiet(abs);
  if (st !== undefined && !st.isDirectory()) return 'changed';
  // Owner rwx while syncing: the folder's contents must be writable. A restricted mode is set after them (a
  // pullMeta of the folder, which the session runs last), and recorded as such meanwhile.
  if (st === undefined) await mkdir(abs, { mode: (entry.mode & 0o777) | 0o700 });
  await chmod(abs, (entry.mode & 0o777) | 0o700);
  return entryAt(abs, rel) ?? 'changed';
}

/** Make or replace a symlink (never followed). */
export async function makeLocalLink(rootAbs: string, rel: string, entry: RemoteEntry, expect: TreeEntry | undefined, stagingName: string): Promise<LocalOutcome> {
  const abs = join(rootAbs, rel);
  await ensureParents(rootAbs, rel);
  if (!stillAsSeen(abs, expect)) return 'changed';
  const tmp = join(rootAbs, STAGING_REL, stagingName);
  await mkdir(join(rootAbs, STAGING_REL), { recursive: true });
  await symlink(entry.target ?? '', tmp);
  try {
    const t = utimesSeconds(entry.mtimeMs);
    await lutimes(tmp, t, t).catch(() => undefined);
    if (expect?.kind === 'dir') return 'changed';
    await rename(tmp, abs);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw toFerryError(err, rel);
  }
  return entryAt(abs, rel) ?? 'changed';
}

/** Set mode (and a file's mtime) as the server has them. */
export async function setLocalMeta(rootAbs: string, rel: string, entry: RemoteEntry): Promise<LocalOutcome> {
  const abs = join(rootAbs, rel);
  const st = lstatQuiet(abs);
  if (st === undefined || st.isSymbolicLink()) return 'changed';
  await chmod(abs, entry.mode & 0o777);
  if (st.isFile()) {
    const t = utimesSeconds(entry.mtimeMs);
    await utimes(abs, t, t);
  }
  return entryAt(abs, rel) ?? 'changed';
}

/** Remove a file or link that is still as seen, or a folder that is empty. */
export async function removeLocal(rootAbs: string, rel: string, expect: TreeEntry): Promise<'removed' | 'changed'> {
  const abs = join(rootAbs, rel);
  const st = lstatQuiet(abs);
  if (st === undefined) return 'removed';
  if (st.isDirectory()) {
    try {
      await rmdir(abs);
      return 'removed';
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') return 'changed';
      throw toFerryError(err, rel);
    }
  }
  if (!stillAsSeen(abs, expect)) return 'changed';
  await unlink(abs);
  return 'removed';
}

/** Rename `from` to `to` when `from` is still as seen and `to` is free. */
export async function moveLocal(rootAbs: string, from: string, to: string, expect: TreeEntry | undefined): Promise<LocalOutcome> {
  const fromAbs = join(rootAbs, from);
  const toAbs = join(rootAbs, to);
  if (expect !== undefined && !stillAsSeen(fromAbs, expect)) return 'changed';
  if (lstatQuiet(fromAbs) === undefined || lstatQuiet(toAbs) !== undefined) return 'changed';
  await ensureParents(rootAbs, to);
  await rename(fromAbs, toAbs);
  return entryAt(toAbs, to) ?? 'changed';
}
