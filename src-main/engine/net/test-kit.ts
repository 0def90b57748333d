/** Test fixtures for the net layer: a throwaway identity and a TLS server on loopback. Not used by production code. */
import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:tls';
import type { Connection } from './connection';
import { loadOrCreateIdentity, type TlsIdentity } from './identity';
import { connectTls, createTlsServer, type ConnectTlsOptions, type TlsServerOptions } from './tls';

let shared: Promise<TlsIdentity> | null = null;

/** One identity per test process (made in a temp folder the OS cleans up). */
export function testIdentity(): Promise<TlsIdentity> {
  shared ??= mkdtemp(join(tmpdir(), 'ferry-net-')).then((d) => loadOrCreateIdentity(d));
  return shared;
}

/** A running test server and what it has seen. */
export interface TestServer {
  server: Server;
  host: string;
  port: number;
  fingerprint: string;
  connections: Connection[];
  errors: Error[];
  /** Connect a client to this server (options override the defaults). */
  connect(opts?: Partial<ConnectTlsOptions>): Promise<Connection>;
  close(): Promise<void>;
}

/** Start a TLS server on loopback whose connections go to `onConnection`. */
export async function startTestServer(
  onConnection: (c: Connection) => void = () => {},
  opts: Partial<Omit<TlsServerOptions, 'onConnection'>> & { host?: string } = {},
): Promise<TestServer> {
  const identity = opts.identity ?? (await testIdentity());
  const host = opts.host ?? '127.0.0.1';
  const connections: Connection[] = [];
  const errors: Error[] = [];
  const clients: Connection[] = [];
  const server = createTlsServer({
    ...opts,
    identity,
    onConnection: (c) => {
      connections.push(c);
      onConnection(c);
    },
    onError: (e, remote) => {
      errors.push(e);
      opts.onError?.(e, remote);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    host,
    port,
    fingerprint: identity.fingerprint,
    connections,
    errors,
    async connect(o = {}) {
      const c = await connectTls({ host, port, fingerprint: identity.fingerprint, ...o });
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of [...clients, ...connections]) c.close();
      await Promise.all([...clients, ...connections].map((c) => c.closed));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Poll `cond` every few ms until true; throws after `timeoutMs` (bounded, for tests). */
export async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const step = 5;
  for (let waited = 0; !cond(); waited += step) {
    if (waited >= timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, step));
  }
}
