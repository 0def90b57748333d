/** What the `ferry versions` subcommands do; loaded on demand by versions-command. */
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { ConnectionTarget } from '../../src-shared/model';
import type { KeptVersionEntry } from '../../src-shared/protocol/messages';
import { restoredBesideName } from '../../src-shared/restore-name';
import type { ClientIdentity } from '../engine/client/connect';
import { listVersions, restoreVersion } from '../engine/client/versions-client';
import { defaultStateDir, loadOrCreateClientId } from '../engine/controller/paths';
import { FerryError } from '../engine/errors';
import { versionOriginal } from '../engine/server/versions-store';
import { loadConfigFile, SyncConfig } from './config-file';
import { resolveConnectionTarget } from './connection-target';
import { formatBytes, type Output } from './output';
import type { VersionsFlags, VersionsListFlags, VersionsRestoreFlags } from './versions-command';

async function connection(flags: VersionsFlags): Promise<{ target: ConnectionTarget; who: ClientIdentity }> {
  const file = flags.config ? loadConfigFile(flags.config, SyncConfig) : {};
  const target = await resolveConnectionTarget(flags, file);
  // The same device id `ferry sync` uses with this state folder: the server notes restores as made by that device.
  const stateDir = resolve(flags.state ?? file.state ?? join(defaultStateDir(), 'client'));
  return { target, who: { clientId: loadOrCreateClientId(stateDir), clientName: flags.deviceName ?? file.deviceName ?? `${hostname()} (ferry sync)` } };
}

/** `ferry versions list`. */
export async function listVersionsCommand(flags: VersionsListFlags, out: Output): Promise<void> {
  const { target, who } = await connection(flags);
  const path = flags.path?.replace(/^\/+|\/+$/g, '');
  const listing = await listVersions(target, who, path === '' ? undefined : path);
  const kept = listing.retentionDays > 0 ? `kept ${listing.retentionDays} days` : 'kept forever';
  const human =
    listing.versions.length === 0
      ? `No kept versions${path ? ` of ${path}` : ''} on share "${target.share}" (${kept}).`
      : [`${listing.versions.length} kept ${listing.versions.length === 1 ? 'version' : 'versions'} on share "${target.share}" (${kept}), newest first:`, ...table(listing.versions, who.clientId)].join('\n');
  out.event('versions', { share: target.share, retentionDays: listing.retentionDays, versions: listing.versions }, human);
}

/** `ferry versions restore ID`. */
export async function restoreVersionCommand(id: string, flags: VersionsRestoreFlags, out: Output): Promise<void> {
  if (flags.to !== undefined && flags.beside) throw new FerryError('CONFIG_INVALID', 'Give --to or --beside, not both');
  const original = versionOriginal(id); // refuses a malformed id before connecting
  const to = flags.beside ? restoredBesideName(original, new Date()) : flags.to;
  const { target, who } = await connection(flags);
  await restoreVersion(target, who, id, to);
  const dest = to ?? original;
  out.event('restored', { share: target.share, version: id, path: dest }, `Restored ${dest} from the version kept ${stampOf(id)}. Anything that was at ${dest} is kept as a version in turn.`);
}

function stampOf(id: string): string {
  const m = /~(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:-\d+)?$/.exec(id);
  return m ? `at ${localTime(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!))}` : '';
}

function localTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

function table(versions: KeptVersionEntry[], self: string): string[] {
  const rows = versions.map((v) => [
    localTime(v.keptAt),
    v.deleted ? 'deleted' : v.kind === 'dir' ? 'replaced folder' : 'replaced',
    v.kind === 'dir' ? '—' : formatBytes(v.size),
    v.device === undefined ? 'unknown' : v.device === self ? 'this device' : v.deviceName ?? v.device,
    v.id,
  ]);
  const head = ['KEPT', 'WHAT', 'SIZE', 'BY', 'ID (for restore)'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`;
  return [line(head), ...rows.map(line)];
}
