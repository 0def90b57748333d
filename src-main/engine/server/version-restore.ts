/**
 * `restoreVersion`: copy a kept version back into the share, at its original path or at `to`. It is a share
 * change like any other: it holds the destination's path lock, keeps what is there as a version first, and
 * lands atomically (built in staging, renamed into place). The version itself stays, so it can be restored again.
 */
import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { chmod, copyFile, cp, lstat, lutimes, open, readlink, rename, rm, symlink, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ClientMessage, MessageOf } from '../../../src-shared/protocol/messages';
import { FerryError, toFerryError } from '../errors';
import { fsyncDirCoalesced, PERMISSION_BITS, utimesSeconds } from '../fs/atomic-writer';
import { keepExisting, type OpResult } from './share-ops';
import type { ShareStore } from './share-store';
import { versionOriginal } from './versions-store';

/** Restore kept version `m.version` to `m.to` or its original path. */
export async function restoreVersion(share: ShareStore, m: MessageOf<ClientMessage, 'restoreVersion'>): Promise<OpResult> {
  // Async, so a refused id rejects (an error answer) rather than throwing inside the session's frame handler.
  const original = versionOriginal(m.version);
  const dest = m.to ?? original;
  return share.locks.run([dest], () => restoreLocked(share, m.version, dest));
}

async function restoreLocked(share: ShareStore, id: string, dest: string): Promise<OpResult> {
  const src = share.versions.root.resolve(id); // no link on the way inside the versions folder
  let st: Stats;
  try {
    st = await lstat(src);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new FerryError('NOT_FOUND', `No kept version ${id}`, { path: id });
    throw toFerryError(err, id);
  }
  const abs = await share.root.resolveForWrite(dest);
  const tmp = join(share.stagingDir, `tmp-${randomBytes(9).toString('base64url')}`);
  try {
    await copyOut(src, st, tmp, share.durability === 'fsync');
    // A file or link replaces the destination by rename (the old one stays in place until then); a folder cannot.
    const { keptPath } = await keepExisting(share, dest, abs, undefined, !st.isDirectory());
    share.root.verify(dest);
    await rename(tmp, abs);
    if (share.durability === 'fsync') await fsyncDirCoalesced(dirname(abs));
    if (st.isFile()) share.index.dropFile(dest, abs);
    return { ...(keptPath ? { kept: [keptPath] } : {}), changed: { path: dest, kind: 'write' } };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw toFerryError(err, dest);
  }
}

/** A copy of the kept item at `tmp` with its mtime and (masked) mode; links are copied as links, never followed. */
async function copyOut(src: string, st: Stats, tmp: string, durable: boolean): Promise<void> {
  const t = utimesSeconds(Math.floor(st.mtimeMs));
  if (st.isSymbolicLink()) {
    await symlink(await readlink(src), tmp);
    await lutimes(tmp, t, t);
  } else if (st.isDirectory()) {
    await cp(src, tmp, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true, errorOnExist: true, force: false });
  } else if (st.isFile()) {
    // A reflink where the file system has them, a plain copy elsewhere: the version must stay as it was.
    await copyFile(src, tmp, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    await chmod(tmp, st.mode & PERMISSION_BITS);
    if (durable) {
      const fh = await open(tmp, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    await utimes(tmp, t, t);
  } else {
    throw new FerryError('PATH_INVALID', 'A kept version must be a file, folder or link');
  }
}
