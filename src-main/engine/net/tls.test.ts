import { mkdtemp } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { FerryError } from '../errors';
import { encodeFrame } from './frame-codec';
import { loadOrCreateIdentity } from './identity';
import { connectTls } from './tls';
import { startTestServer, until, type TestServer } from './test-kit';

let srv: TestServer | null = null;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  cleanups.splice(0).forEach((f) => f());
  await srv?.close();
  srv = null;
});

/** An ok-for-everything server. */
function answering(): Promise<TestServer> {
  return startTestServer((c) => c.onMessage(({ header: h }) => void c.send({ type: 'ok', id: h.id })));
}

/** A plain TCP server that runs `onSocket` for each connection; its port. */
async function rawTcpServer(onSocket: (s: net.Socket) => void): Promise<number> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    sockets.push(s);
    s.on('error', () => {});
    onSocket(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => {
    sockets.forEach((s) => s.destroy());
    server.close();
  });
  return (server.address() as net.AddressInfo).port;
}

async function failure(p: Promise<unknown>): Promise<FerryError> {
  const err = await p.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FerryError);
  return err as FerryError;
}

describe('connectTls / createTlsServer', () => {
  it('connects over TLS 1.3 with a pin given in any accepted form', async () => {
    srv = await answering();
    const client = await srv.connect({ fingerprint: srv.fingerprint.replace(/:/g, '').toLowerCase() });
    expect((await client.request({ type: 'list' })).header.type).toBe('ok');
    expect(client.remoteAddress).toBe('127.0.0.1');
  });

  it('refuses a server whose certificate does not match the pin, before sending anything', async () => {
    srv = await answering();
    const other = await loadOrCreateIdentity(await mkdtemp(join(tmpdir(), 'ferry-net-other-')));
    const err = await failure(connectTls({ host: '127.0.0.1', port: srv.port, fingerprint: other.fingerprint }));
    expect(err.code).toBe('FINGERPRINT_MISMATCH');
    expect(err.message).toContain(srv.fingerprint);
    expect(err.message).toContain(other.fingerprint);
    // The server may or may not see the handshake finish before the client hangs up; either way it got no data.
    await until(() => srv!.connections.length + srv!.errors.length > 0, 'server side of the handshake');
    for (const c of srv.connections) {
      await c.closed;
      expect(c.stats.bytesIn).toBe(0);
    }
  });

  it('rejects a malformed pin with CONFIG_INVALID without dialling', async () => {
    expect((await failure(connectTls({ host: '127.0.0.1', port: 1, fingerprint: 'AB:CD' }))).code).toBe('CONFIG_INVALID');
    expect((await failure(connectTls({ host: '127.0.0.1', port: 70000, fingerprint: 'ab'.repeat(32) }))).code).toBe('CONFIG_INVALID');
  });

  it('reports a refused connection as CONNECT_FAILED', async () => {
    // A port that was just listened on and closed again: nothing listens there once close() has called back.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const err = await failure(connectTls({ host: '127.0.0.1', port, fingerprint: 'ab'.repeat(32) }));
    expect(err.code).toBe('CONNECT_FAILED');
    expect(err.message).toContain(`127.0.0.1:${port}`);
  });

  it('gives up with TIMEOUT on a server that accepts but never speaks TLS', async () => {
    const port = await rawTcpServer(() => {});
    const err = await failure(connectTls({ host: '127.0.0.1', port, fingerprint: 'ab'.repeat(32), timeoutMs: 150 }));
    expect(err.code).toBe('TIMEOUT');
  });

  it('reports a non-TLS server as TLS_ERROR', async () => {
    const port = await rawTcpServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const err = await failure(connectTls({ host: '127.0.0.1', port, fingerprint: 'ab'.repeat(32), timeoutMs: 5000 }));
    expect(err.code).toBe('TLS_ERROR');
  });

  it('gives a plaintext client nothing and keeps serving a good client', async () => {
    srv = await answering();
    const good = await srv.connect();
    const plain = net.connect(srv.port, '127.0.0.1');
    const got: Buffer[] = [];
    plain.on('data', (d: Buffer) => got.push(d));
    plain.on('error', () => {});
    plain.write(Buffer.concat(encodeFrame({ type: 'hello', id: 1, protocolVersion: 1, clientId: 'x', share: 's', token: 't' })));
    await new Promise((r) => plain.once('close', r));
    const answer = Buffer.concat(got);
    expect(answer.includes('"type"')).toBe(false); // at most a TLS alert, never a Ferry frame
    expect(srv.connections).toHaveLength(1); // only the good client became a connection
    await until(() => srv!.errors.length === 1, 'handshake error reported');
    expect((await good.request({ type: 'list' })).header.type).toBe('ok');
  });

  it('refuses a TLS 1.2 client', async () => {
    srv = await answering();
    const old = tls.connect({ host: '127.0.0.1', port: srv.port, rejectUnauthorized: false, maxVersion: 'TLSv1.2' });
    const outcome = await new Promise<string>((resolve) => {
      old.once('secureConnect', () => resolve('connected'));
      old.once('error', (e) => resolve(`error ${e.message}`));
    });
    old.destroy();
    expect(outcome).toMatch(/^error/);
    await until(() => srv!.errors.length === 1, 'handshake error reported');
    expect(srv.connections).toHaveLength(0);
  });

  it('drops a client that never completes the handshake', async () => {
    srv = await startTestServer(undefined, { handshakeTimeoutMs: 100 });
    const idle = net.connect(srv.port, '127.0.0.1');
    idle.on('error', () => {});
    await new Promise((r) => idle.once('close', r));
    await until(() => srv!.errors.length === 1, 'handshake timeout reported');
  });

  it('works over IPv6 loopback', async (ctx) => {
    try {
      srv = await startTestServer((c) => c.onMessage(({ header: h }) => void c.send({ type: 'ok', id: h.id })), { host: '::1' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRNOTAVAIL' || (err as NodeJS.ErrnoException).code === 'EAFNOSUPPORT') ctx.skip();
      throw err;
    }
    const client = await srv.connect();
    expect((await client.request({ type: 'list' })).header.type).toBe('ok');
    expect(client.remoteAddress).toBe('::1');
  });
});
