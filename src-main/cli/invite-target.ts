/** `--invite`: a pasted invite turned into a connection target, trying its addresses in order. */
import { connect } from 'node:net';
import type { ConnectionTarget } from '../../src-shared/model';
import { decodeInvite } from '../../src-shared/invite';
import { FerryError } from '../engine/errors';

/** How long one address may take to accept a TCP connection before the next is tried. */
const PROBE_TIMEOUT_MS = 3000;

/**
 * Decode `text` (CONFIG_INVALID with the reason when it is not a valid invite) and pick the first reachable
 * address (`probe` false: the first address, e.g. when --server overrides it anyway).
 */
export async function targetFromInvite(text: string, probe = true): Promise<ConnectionTarget> {
  const decoded = decodeInvite(text);
  if (!decoded.ok) throw new FerryError('CONFIG_INVALID', `--invite: ${decoded.error}`);
  const { hosts, port, share, fingerprint, token } = decoded.invite;
  const host = hosts.length === 1 || !probe ? hosts[0]! : await firstReachable(hosts, port);
  return { host, port, share, fingerprint, token };
}

/** The first host that accepts a TCP connection on `port`; the first of all when none does (its error is then reported). */
export async function firstReachable(hosts: readonly string[], port: number, timeoutMs = PROBE_TIMEOUT_MS): Promise<string> {
  for (const host of hosts) {
    if (await accepts(host, port, timeoutMs)) return host;
  }
  return hosts[0]!;
}

function accepts(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
