/**
 * The Versions view's commands for one folder pair, each over a short-lived connection. A restore lands where the
 * pair's mode makes it sync back to this folder: on the server (two-way, receive: the feed brings it here) or, for a
 * mirror pair (whose folder is the truth, so a server-side restore would be undone), into this folder, to be sent.
 */
import { join } from 'node:path';
import type { RestoredVersion, VersionsListing } from '../../../src-shared/ipc';
import type { FolderPair } from '../../../src-shared/model';
import { restoredBesideName } from '../../../src-shared/restore-name';
import { connectAndHello, downloadOver, listVersionsOver, restoreVersionOver, versionOriginal, type ClientIdentity } from './engine-deps';
import { FerryError } from '../errors';
import { pathExists } from '../fs/path-exists';
import { resolveInside } from './local-path';

/** Kept versions of the pair's share (of `path` and below when given). */
export async function listPairVersions(pair: FolderPair, who: ClientIdentity, path: string | null): Promise<VersionsListing> {
  const { conn } = await connectAndHello(pair, who);
  try {
    const listing = await listVersionsOver(conn, path ?? undefined);
    return { ...listing, thisDevice: who.clientId };
  } finally {
    conn.close();
  }
}

/**
 * Restore `version` to its place or beside it; returns the pair-relative path it landed at. `settled`: the pair is
 * up to date (nothing of its folder waits to be sent), so a mirror restore over a local file loses nothing the
 * server has not kept.
 */
export async function restorePairVersion(
  pair: FolderPair, who: ClientIdentity, version: string, where: 'place' | 'beside', settled: boolean, now = new Date(),
): Promise<RestoredVersion> {
  const original = versionOriginal(version); // PATH_INVALID for a malformed id, before connecting
  const { conn } = await connectAndHello(pair, who);
  try {
    if (pair.mode !== 'mirror') {
      const to = where === 'beside' ? restoredBesideName(original, now) : undefined;
      await restoreVersionOver(conn, version, to);
      return { path: to ?? original };
    }
    const entry = (await listVersionsOver(conn, original)).versions.find((v) => v.id === version);
    if (!entry) throw new FerryError('NOT_FOUND', `No kept version ${version}`, { path: version });
    if (entry.kind !== 'file') {
      throw new FerryError('PATH_INVALID', 'A mirror folder pair restores files only: restore the files of this folder one by one', { path: version });
    }
    const path = where === 'beside' ? await freeBesideName(pair.localPath, original, now) : original;
    if (where === 'place' && !settled && (await pathExists(resolveInside(pair.localPath, path)))) {
      // The local file may hold changes the server never saw (and so never kept): writing over it could lose them.
      throw new FerryError('SAFETY_HALT', `${original} may have changes not yet sent: restore it beside, or let the folder finish syncing first`, { path: original });
    }
    // downloadOver checks, before each step and right before its rename, that no link lies on the way in the folder.
    await downloadOver(conn, 'versions', version, resolveInside(pair.localPath, path), pair.localPath);
    return { path };
  } finally {
    conn.close();
  }
}

/** A beside name not taken in the local folder (a counter when two restores land in the same minute). */
async function freeBesideName(root: string, original: string, now: Date): Promise<string> {
  for (let n = 1; n <= 1000; n++) {
    const name = restoredBesideName(original, now, n);
    if (!(await pathExists(join(root, ...name.split('/'))))) return name;
  }
  throw new FerryError('IO_ERROR', `No free name beside ${original}`, { path: original });
}
