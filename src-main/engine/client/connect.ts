/** Dial a server and say hello: the start of every client session and of a connection test. */
import { performance } from 'node:perf_hooks';
import type { ConnectionTarget } from '../../../src-shared/model/index';
import { PROTOCOL_VERSION } from '../../../src-shared/protocol/limits';
import { FerryError, toFerryError } from '../errors';
import type { Connection, ConnectionOptions } from '../net/connection';
import { connectTls } from '../net/tls';

/** An authenticated connection to one share. */
export interface HelloResult {
  conn: Connection;
  serverName: string;
  share: string;
  sessionId: string;
  latencyMs: number;
}

/** Who is connecting. */
export interface ClientIdentity {
  clientId: string;
  clientName?: string;
}

/** Connect (TLS, pinned), send hello, wait for helloOk; the connection is closed again on any failure. */
export async function connectAndHello(target: ConnectionTarget, who: ClientIdentity, opts: { timeoutMs?: number; connection?: ConnectionOptions } = {}): Promise<HelloResult> {
  const t0 = performance.now();
  const conn = await connectTls({ host: target.host, port: target.port, fingerprint: target.fingerprint, timeoutMs: opts.timeoutMs ?? 10_000, ...(opts.connection ? { connection: opts.connection } : {}) });
  try {
    const hello: Record<string, unknown> = { type: 'hello', protocolVersion: PROTOCOL_VERSION, clientId: who.clientId, share: target.share, token: target.token };
    if (who.clientName !== undefined) hello.clientName = who.clientName.slice(0, 256);
    const f = await conn.request(hello);
    if (f.header.type !== 'helloOk') throw new FerryError('BAD_FRAME', `The server answered hello with ${f.header.type}`);
    return { conn, serverName: f.header.serverName, share: f.header.share, sessionId: f.header.sessionId, latencyMs: Math.round(performance.now() - t0) };
  } catch (err) {
    conn.close();
    throw toFerryError(err);
  }
}
