/** Download a share file or a kept version with `get` frames into a temp file, then rename into place. */
import { randomBytes } from 'node:crypto';
import { renameSync } from 'node:fs';
import { chmod, mkdir, open, rm, utimes } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ConnectionTarget } from '../../../src-shared/model/index';
import { FerryError, toFerryError } from '../errors';
import { PERMISSION_BITS } from '../fs/atomic-writer';
import { assertNoLinkBetween } from '../fs/safe-path';
import type { Connection } from '../net/connection';
import { connectAndHello } from './connect';

/** Bytes asked per `get` (the protocol allows up to 16 MiB). */
const GET_BYTES = 4 * 1024 * 1024;

/**
 * Download over a fresh connection. `within`: a folder that `localAbs` lies in and whose contents others can
 * shape (the synced folder): nothing is written through a symlink between it and `localAbs`.
 */
export async function downloadFile(
  target: ConnectionTarget, area: 'share' | 'versions', remotePath: string, localAbs: string, clientId = 'download', within: string | null = null,
): Promise<void> {
  if (within !== null) assertNoLinkBetween(within, localAbs); // before connecting: refuse early
  const { conn } = await connectAndHello(target, { clientId, clientName: 'Ferry download' });
  try {
    await downloadOver(conn, area, remotePath, localAbs, within);
  } finally {
    conn.close();
  }
}

/**
 * Download over an open connection: temp file beside the destination, mtime and mode applied (no setuid, setgid
 * or sticky bit), then renamed. `within`: see `downloadFile`; checked before the parents are made, before the
 * temp file is created and synchronously right before the rename.
 */
export async function downloadOver(conn: Connection, area: 'share' | 'versions', remotePath: string, localAbs: string, within: string | null = null): Promise<void> {
  const check = (): void => {
    if (within !== null) assertNoLinkBetween(within, localAbs);
  };
  check(); // mkdir -p would follow a link on the way
  await mkdir(dirname(localAbs), { recursive: true });
  check();
  const tmp = join(dirname(localAbs), `.${basename(localAbs)}.ferry-${randomBytes(4).toString('hex')}.part`);
  const fh = await open(tmp, 'wx', 0o600);
  let meta: { mtimeMs: number; mode: number } | null = null;
  try {
    let offset = 0;
    for (let guard = 0; guard < 1_000_000; guard++) {
      const f = await conn.request({ type: 'get', path: remotePath, area, offset, length: GET_BYTES });
      if (f.header.type !== 'data') throw new FerryError('BAD_FRAME', `Expected data for ${remotePath}, got ${f.header.type}`);
      meta = { mtimeMs: f.header.mtimeMs, mode: f.header.mode };
      if (f.payload.length > 0) await fh.write(f.payload, 0, f.payload.length, offset);
      offset += f.payload.length;
      if (offset >= f.header.size || f.payload.length === 0) break;
    }
    await fh.sync();
    await fh.close();
    if (meta) {
      await chmod(tmp, meta.mode & PERMISSION_BITS);
      await utimes(tmp, new Date(meta.mtimeMs), new Date(meta.mtimeMs));
    }
    check();
    renameSync(tmp, localAbs); // sync, right after the check: nothing of ours runs in between
  } catch (err) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw toFerryError(err, remotePath);
  }
}
