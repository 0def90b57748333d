/** What the `ferry tokens` subcommands do; loaded on demand by tokens-command. */
import { join, resolve } from 'node:path';
import { encodeInvite } from '../../src-shared/invite';
import type { TokenInfo } from '../../src-shared/model';
import { defaultStateDir } from '../engine/controller/paths';
import { FerryError } from '../engine/errors';
import { pathExists } from '../engine/fs/path-exists';
import { loadOrCreateIdentity } from '../engine/net/identity';
import { reachableAddresses } from '../engine/server/reachable-addresses';
import { TOKENS_FILE, TokenStore } from '../engine/server/token-store';
import { inviteLines } from './invite-print';
import type { Output } from './output';
import { readEndpoint } from './server-endpoint';
import type { TokensAddFlags, TokensFlags } from './tokens-command';

function stateDirOf(flags: TokensFlags): string {
  return resolve(flags.state ?? join(defaultStateDir(), 'server'));
}

/** `ferry tokens add`: a new token, and an invite for the server running on (or later started with) the state folder. */
export async function addToken(flags: TokensAddFlags, out: Output): Promise<void> {
  const label = flags.label.trim();
  if (label.length < 1 || label.length > 100) throw new FerryError('CONFIG_INVALID', '--label must have 1 to 100 characters');
  const stateDir = stateDirOf(flags);
  const endpoint = readEndpoint(stateDir);
  const port = flags.port !== undefined ? Number(flags.port) : endpoint?.port ?? 7443;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new FerryError('CONFIG_INVALID', `--port must be a number from 1 to 65535, not "${flags.port}"`);
  const shares = endpoint?.shares ?? [];
  const share = flags.share ?? (shares.length === 0 || shares.includes('default') ? 'default' : shares[0]!);
  if (shares.length > 0 && !shares.includes(share)) {
    throw new FerryError('CONFIG_INVALID', `The server on ${stateDir} has no share "${share}" (it has ${shares.join(', ')})`);
  }
  const hosts = flags.host ? [flags.host] : reachableAddresses(endpoint?.host ?? '0.0.0.0');
  // The same identity `ferry serve` loads (or would create) on this state folder.
  const fingerprint = endpoint?.fingerprint ?? (await loadOrCreateIdentity(stateDir)).fingerprint;
  const store = await TokenStore.open(stateDir, { createInitial: false });
  const { token, info } = await store.add(label);
  await store.close();
  const invite = encodeInvite({ hosts, port, share, fingerprint, token });
  const human = [
    `Token "${info.label}" created (id ${info.id}).`,
    `  token: ${token}   (shown once; stored hashed in ${stateDir})`,
    ...(endpoint ? [] : [`  No server is running on ${stateDir}: the invite assumes port ${port} and share "${share}".`]),
    ...(await inviteLines(invite, hosts, !out.json && flags.qr !== false)),
  ].join('\n');
  out.event('tokenAdded', { id: info.id, label: info.label, token, invite, hosts, port, share, fingerprint, stateDir }, human);
}

/** `ferry tokens list`. */
export async function listTokens(flags: TokensFlags, out: Output): Promise<void> {
  const stateDir = stateDirOf(flags);
  const tokens = (await pathExists(join(stateDir, TOKENS_FILE))) ? (await TokenStore.open(stateDir, { createInitial: false })).list() : [];
  const human = tokens.length === 0 ? `No tokens in ${stateDir}. Make one with: ferry tokens add --label NAME --state ${stateDir}` : table(tokens);
  out.event('tokens', { stateDir, tokens }, human);
}

/** `ferry tokens revoke ID|LABEL`. */
export async function revokeToken(which: string, flags: TokensFlags, out: Output): Promise<void> {
  const stateDir = stateDirOf(flags);
  if (!(await pathExists(join(stateDir, TOKENS_FILE)))) throw new FerryError('NOT_FOUND', `No tokens in ${stateDir}`);
  const store = await TokenStore.open(stateDir, { createInitial: false });
  const list = store.list();
  const byLabel = list.filter((t) => t.label === which);
  const target = list.find((t) => t.id === which) ?? (byLabel.length === 1 ? byLabel[0] : undefined);
  if (!target) {
    throw new FerryError('NOT_FOUND', byLabel.length > 1 ? `${byLabel.length} tokens are labelled "${which}": revoke by id (ferry tokens list)` : `No token with id or label "${which}" in ${stateDir}`);
  }
  await store.revoke(target.id);
  await store.close();
  out.event('tokenRevoked', { id: target.id, label: target.label, stateDir }, `Revoked token "${target.label}" (id ${target.id}). A running server refuses it from now on and ends its sessions.`);
}

function table(tokens: TokenInfo[]): string {
  const rows = [['ID', 'LABEL', 'CREATED', 'LAST USED'], ...tokens.map((t) => [t.id, t.label, when(t.createdAt), t.lastUsedAt === null ? 'never' : when(t.lastUsedAt)])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

/** Local date and time to the minute, e.g. 2026-12-04 15:20. */
function when(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
