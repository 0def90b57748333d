/**
 * The conflicts of a two-way folder as the folder itself holds them: every conflict copy (`name.conflict-<device>-
 * <stamp>.ext`) beside the path it lost. Needs no session and no saved state, so the headless CLI and a running
 * desktop app see the same list; settling one moves or deletes the copy, which then syncs like any change.
 */
import { lstat, rename, unlink } from 'node:fs/promises';
import { FerryError } from '../errors';
import { parseConflictCopy } from '../core/conflict-name';
import { walkTree } from '../fs/tree-walk';
import { assertNoLinkBetween } from '../fs/safe-path';
import { resolveInside } from './local-path';

/** One conflict found in a folder. */
export interface FolderConflict {
  /** The path both devices changed (it holds the version that kept the path). */
  path: string;
  /** The conflict copy (the other version). */
  copy: string;
  /** The device that made the copy's version, and when the conflict was found (UTC `yyyymmdd-hhmmss`). */
  device: string;
  stamp: string;
  original: { size: number; mtimeMs: number } | null;
  copyInfo: { size: number; mtimeMs: number };
}

/** Every conflict copy in `rootAbs` (a folder of a two-way pair), sorted by path. */
export async function findConflictCopies(rootAbs: string): Promise<FolderConflict[]> {
  const files = new Map<string, { size: number; mtimeMs: number }>();
  const copies: string[] = [];
  for await (const e of walkTree(rootAbs)) {
    if (e.kind !== 'file') continue;
    files.set(e.path, { size: e.size, mtimeMs: e.mtimeMs });
    if (parseConflictCopy(e.path) !== undefined) copies.push(e.path);
  }
  return copies.sort().map((copy) => {
    const p = parseConflictCopy(copy) as NonNullable<ReturnType<typeof parseConflictCopy>>;
    return { path: p.original, copy, device: p.device, stamp: p.stamp, original: files.get(p.original) ?? null, copyInfo: files.get(copy) as { size: number; mtimeMs: number } };
  });
}

/** How to settle a folder conflict: keep the copy's version at the path, keep the path's version, or keep both. */
export type FolderConflictChoice = 'copy' | 'original' | 'both';

/** Settle the conflict of `copy` in `rootAbs`: the copy replaces the path, is deleted, or stays (both). */
export async function settleConflictCopy(rootAbs: string, copy: string, keep: FolderConflictChoice): Promise<FolderConflict> {
  const parsed = parseConflictCopy(copy);
  if (parsed === undefined) throw new FerryError('PATH_INVALID', `${copy} is not a conflict copy (name.conflict-<device>-<yyyymmdd-hhmmss>.ext)`, { path: copy });
  const found = (await findConflictCopies(rootAbs)).find((c) => c.copy === copy);
  if (found === undefined) throw new FerryError('NOT_FOUND', `No conflict copy ${copy} in ${rootAbs}`, { path: copy });
  const copyAbs = resolveInside(rootAbs, copy);
  const pathAbs = resolveInside(rootAbs, parsed.original);
  assertNoLinkBetween(rootAbs, copyAbs);
  assertNoLinkBetween(rootAbs, pathAbs);
  if ((await lstat(copyAbs)).isFile() === false) throw new FerryError('PATH_INVALID', `${copy} is not a file`, { path: copy });
  if (keep === 'copy') await rename(copyAbs, pathAbs);
  else if (keep === 'original') await unlink(copyAbs);
  return found;
}
