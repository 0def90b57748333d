/** The web GUI's folder browser: the subfolders of one folder (the browser cannot open a native picker). */
import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { DirListing } from '../../../src-shared/ipc';
import { FerryError, toFerryError } from '../errors';

/** Most names returned for one folder, so a huge folder cannot produce a huge message. */
export const MAX_LISTED_DIRS = 5000;

/** Visible subfolders of `path` (home when null), sorted; links to folders count as folders. */
export async function listDirs(path: string | null): Promise<DirListing> {
  const dir = resolve(path ?? homedir());
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const e = toFerryError(err, dir);
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') throw new FerryError('PATH_INVALID', `${dir} is not a folder`, { path: dir });
    throw e;
  }
  const dirs: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    if (e.isDirectory()) dirs.push(e.name);
    else if (e.isSymbolicLink()) {
      // A dangling or unreadable link is simply not a folder to offer.
      const st = await stat(join(dir, e.name)).catch(() => null);
      if (st?.isDirectory()) dirs.push(e.name);
    }
  }
  dirs.sort((a, b) => a.localeCompare(b));
  const parent = dirname(dir);
  return { path: dir, parent: parent === dir ? null : parent, dirs: dirs.slice(0, MAX_LISTED_DIRS) };
}
