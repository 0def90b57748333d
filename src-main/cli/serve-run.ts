/** What `ferry serve` does once its flags are parsed; loaded on demand by serve-command. */
import { hostname } from 'node:os';
import { resolve, join } from 'node:path';
import { FerryServer } from '../engine/server/ferry-server';
import type { ServerLimits } from '../engine/server/server-limits';
import { FerryError } from '../engine/errors';
import { createLoggers, type LogLevel } from '../engine/log';
import { installUnhandledGuard } from '../engine/unhandled-guard';
import { loadConfigFile, ServeConfig } from './config-file';
import type { Output } from './output';
import type { ServeFlags } from './serve-command';
import { encodeInvite } from '../../src-shared/invite';
import { reachableAddresses } from '../engine/server/reachable-addresses';
import { inviteLines } from './invite-print';
import { removeEndpoint, writeEndpoint } from './server-endpoint';
import { defaultStateDir } from '../engine/controller/paths';

function intFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new FerryError('CONFIG_INVALID', `${name} must be a whole number, not "${value}"`);
  return n;
}

/** The config file's `limits`, overridden by the flags that set one. */
function limitsFrom(flags: ServeFlags, file: Partial<ServerLimits>): Partial<ServerLimits> {
  const out: Partial<ServerLimits> = { ...file };
  const secs = intFlag(flags.helloTimeout, '--hello-timeout');
  if (secs !== undefined) out.helloTimeoutMs = secs * 1000;
  const max = intFlag(flags.maxUnauthenticated, '--max-unauthenticated');
  if (max !== undefined) out.maxUnauthenticated = max;
  const perAddress = intFlag(flags.maxUnauthenticatedPerAddress, '--max-unauthenticated-per-address');
  if (perAddress !== undefined) out.maxUnauthenticatedPerAddress = perAddress;
  const mib = intFlag(flags.maxQueuedWriteMib, '--max-queued-write-mib');
  if (mib !== undefined) out.maxQueuedWriteBytes = mib * 1024 * 1024;
  return out;
}

/** Start the server, print `listening`, and serve until SIGINT/SIGTERM. */
export async function runServe(flags: ServeFlags, out: Output): Promise<void> {
  const file = flags.config ? loadConfigFile(flags.config, ServeConfig) : {};
  const root = flags.root ?? file.root;
  const shares: Record<string, string> = {};
  for (const [name, dir] of Object.entries(file.shares ?? {})) shares[name] = resolve(dir);
  if (root) shares.default = resolve(root);
  if (Object.keys(shares).length === 0) throw new FerryError('CONFIG_INVALID', 'Nothing to serve: give --root DIR (or "root"/"shares" in --config)');
  const port = intFlag(flags.port, '--port') ?? file.port ?? 7443;
  if (port > 65535) throw new FerryError('CONFIG_INVALID', `--port must be at most 65535, not ${port}`);
  const stateDir = resolve(flags.state ?? file.state ?? join(defaultStateDir(), 'server'));
  const loggers = createLoggers(join(stateDir, 'logs'), (flags.logLevel ?? file.logLevel ?? 'info') as LogLevel);
  // A rejection that escaped every handler is a bug: logged and counted, it must not end a server of many clients.
  installUnhandledGuard(loggers.debug, (count, message) =>
    out.event('unhandledRejection', { count, message }, `internal error (unhandled rejection #${count}, server keeps running): ${message}`));
  const server = await FerryServer.create({
    host: flags.host ?? file.host ?? '0.0.0.0',
    port,
    stateDir,
    shares,
    serverName: hostname(),
    versionRetentionDays: intFlag(flags.keepVersionsDays, '--keep-versions-days') ?? file.keepVersionsDays ?? 30,
    durability: flags.fsync === false ? 'none' : (file.durability ?? 'fsync'),
    log: loggers.debug,
    transferLog: loggers.transfer,
    limits: limitsFrom(flags, file.limits ?? {}),
  });
  const addr = await server.listen();
  await writeEndpoint(stateDir, { host: addr.host, port: addr.port, shares: Object.keys(shares), fingerprint: server.fingerprint, pid: process.pid });
  const token = server.initialToken;
  // Never the wildcard address: each address a client on another machine can use, loopback last.
  const addresses = reachableAddresses(addr.host);
  const share = shares.default ? 'default' : Object.keys(shares)[0]!;
  const invite = token ? encodeInvite({ hosts: addresses, port: addr.port, share, fingerprint: server.fingerprint, token }) : null;
  out.event('listening', { host: addr.host, port: addr.port, addresses, fingerprint: server.fingerprint, token: token ?? null, invite, shares, stateDir },
    [
      `Ferry server listening on ${addresses.map((a) => (a.includes(':') ? `[${a}]` : a)).join(', ')} port ${addr.port}`,
      `  shares:      ${Object.entries(shares).map(([n, d]) => `${n} → ${d}`).join(', ')}`,
      `  fingerprint: ${server.fingerprint}`,
      token ? `  token:       ${token}   (first start: shown once; stored hashed in ${stateDir})` : `  tokens:      ${server.tokens.list().length} stored in ${stateDir}`,
      ...(invite
        ? await inviteLines(invite, addresses, flags.qr !== false)
        : [`Invite another device: ferry tokens add --label NAME --state ${stateDir}`]),
    ].join('\n'));
  server.on('clientConnected', (c) => out.event('clientConnected', { ...c }, `client connected: ${c.clientName} (${c.remoteAddress}) share ${c.share}`));
  server.on('clientDisconnected', (c) => out.event('clientDisconnected', { ...c }, `client disconnected: ${c.clientName}`));
  server.on('conflictDetected', (c) => out.event('conflict', { ...c }, `conflict in ${c.share}: ${c.info.path} — server version kept as ${c.info.keptAs}`));
  server.on('sessionError', (e) => out.event('sessionError', { ...e }, `session ${e.sessionId}: ${e.error.code}: ${e.error.message}`));
  await new Promise<void>((r) => {
    process.once('SIGINT', r);
    process.once('SIGTERM', r);
  });
  await server.close();
  await removeEndpoint(stateDir);
  await loggers.close();
}
