/** Kept versions of a share, listed and restored over a short-lived connection (the UI's Versions view, `ferry versions`). */
import type { ConnectionTarget } from '../../../src-shared/model/index';
import type { KeptVersionEntry } from '../../../src-shared/protocol/messages';
import { FerryError } from '../errors';
import type { Connection } from '../net/connection';
import { connectAndHello, type ClientIdentity } from './connect';

/** A share's kept versions, newest first, and how long the server keeps them. */
export interface VersionsListing {
  /** Days the server keeps versions (0: forever). */
  retentionDays: number;
  versions: KeptVersionEntry[];
}

/** Most versions one listing collects (the server pages them; a UI cannot show more than this usefully). */
export const MAX_LISTED_VERSIONS = 100_000;

/** `listVersions` over an open connection: every page of `path` and below (all when undefined). */
export async function listVersionsOver(conn: Connection, path?: string): Promise<VersionsListing> {
  const out: VersionsListing = { retentionDays: 0, versions: [] };
  const collect = (f: Awaited<ReturnType<Connection['request']>>): boolean => {
    if (f.header.type !== 'versionsPage') throw new FerryError('BAD_FRAME', `Expected versionsPage, got ${f.header.type}`);
    if (f.header.retentionDays !== undefined) out.retentionDays = f.header.retentionDays;
    for (const v of f.header.versions) if (out.versions.length < MAX_LISTED_VERSIONS) out.versions.push(v);
    return !f.header.done;
  };
  // Every page, the last one included, passes through `collect`.
  await conn.request({ type: 'listVersions', ...(path !== undefined ? { path } : {}) }, undefined, collect);
  return out;
}

/** `restoreVersion` over an open connection: `version` back to its place, or to `to`. */
export async function restoreVersionOver(conn: Connection, version: string, to?: string): Promise<void> {
  const f = await conn.request({ type: 'restoreVersion', version, ...(to !== undefined ? { to } : {}) });
  if (f.header.type !== 'ok') throw new FerryError('BAD_FRAME', `Expected ok, got ${f.header.type}`);
}

/** Connect, list, disconnect. */
export async function listVersions(target: ConnectionTarget, who: ClientIdentity, path?: string): Promise<VersionsListing> {
  const { conn } = await connectAndHello(target, who);
  try {
    return await listVersionsOver(conn, path);
  } finally {
    conn.close();
  }
}

/** Connect, restore, disconnect. */
export async function restoreVersion(target: ConnectionTarget, who: ClientIdentity, version: string, to?: string): Promise<void> {
  const { conn } = await connectAndHello(target, who);
  try {
    await restoreVersionOver(conn, version, to);
  } finally {
    conn.close();
  }
}
