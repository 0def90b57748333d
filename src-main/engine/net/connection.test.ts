import * as tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import type { Entry } from '../../../src-shared/protocol/messages';
import { FerryError } from '../errors';
import type { Connection } from './connection';
import { FrameDecoder, encodeFrame, type Frame } from './frame-codec';
import { startTestServer, until, type TestServer } from './test-kit';
import { validateServerMessage } from './validate';

let srv: TestServer | null = null;
afterEach(async () => {
  await srv?.close();
  srv = null;
});

/** Raw TLS client: write bytes, collect everything the server sends until it closes. */
async function rawExchange(port: number, bytes: Buffer): Promise<{ frames: Frame[]; raw: Buffer }> {
  const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
  const got: Buffer[] = [];
  socket.on('data', (d: Buffer) => got.push(d));
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => {
      socket.write(bytes);
      resolve();
    });
    socket.once('error', reject);
  });
  await new Promise<void>((resolve) => {
    socket.on('error', () => {}); // a reset after the server's error frame is fine
    socket.once('close', () => resolve());
  });
  const raw = Buffer.concat(got);
  return { frames: new FrameDecoder().push(raw), raw };
}

function lengthPrefix(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function rawHeader(h: object): Buffer {
  const json = Buffer.from(JSON.stringify(h));
  return Buffer.concat([lengthPrefix(json.length), json]);
}

describe('Connection over real TLS', () => {
  it('pipelines 1000 requests answered in reverse order, each resolving with its own response', async () => {
    const held: Frame<{ type: string; id: number; path?: string }>[] = [];
    srv = await startTestServer((c) =>
      c.onMessage((f) => {
        held.push(f as never);
        if (held.length === 1000) {
          for (const r of held.reverse()) void c.send({ type: 'ok', id: r.header.id, bytesReused: Number(r.header.path!.slice(1)) });
        }
      }),
    );
    const client = await srv.connect();
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => client.request({ type: 'mkdir', path: `d${i}`, mode: 0o755, mtimeMs: 0 })),
    );
    results.forEach((r, i) => expect(r.header).toMatchObject({ type: 'ok', bytesReused: i }));
    expect(new Set(results.map((r) => r.header.id)).size).toBe(1000);
    expect(client.pendingCount).toBe(0);
    // The server saw all 1000 before answering any: they really were in flight together.
    expect(held).toHaveLength(1000);
  });

  it('collects a multi-frame listPage response while other responses interleave', async () => {
    srv = await startTestServer((c) =>
      c.onMessage(({ header: h }) => {
        if (h.type === 'list') {
          const listId = h.id;
          for (let page = 0; page < 5; page++) {
            const entries: Entry[] = [0, 1, 2].map((k) => ({ path: `p${page}/f${k}`, kind: 'file', size: k, mtimeMs: 1, mode: 0o644 }));
            void c.send({ type: 'listPage', id: listId, entries, done: page === 4 });
            if (page === 2) void c.send({ type: 'ok', id: listId + 1 }); // the mkdir sent right after the list
          }
        }
      }),
    );
    const client = await srv.connect();
    const entries: Entry[] = [];
    let partials = 0;
    const list = client.request({ type: 'list' }, undefined, (f) => {
      partials++;
      if (f.header.type !== 'listPage') throw new Error(`unexpected ${f.header.type}`);
      entries.push(...f.header.entries);
      return !f.header.done;
    });
    const mkdir = client.request({ type: 'mkdir', path: 'x', mode: 0o755, mtimeMs: 0 });
    const last = await list;
    expect((await mkdir).header.type).toBe('ok');
    expect(last.header).toMatchObject({ type: 'listPage', done: true });
    expect(partials).toBe(5);
    expect(entries.map((e) => e.path)).toEqual([0, 1, 2, 3, 4].flatMap((p) => [0, 1, 2].map((k) => `p${p}/f${k}`)));
  });

  it('rejects a request answered by an error frame with its code and path; unknown codes become INTERNAL', async () => {
    srv = await startTestServer((c) =>
      c.onMessage(({ header: h }) => {
        if (h.type === 'remove') void c.send({ type: 'error', id: h.id, code: 'NOT_FOUND', message: 'no such file', path: h.path });
        if (h.type === 'move') void c.send({ type: 'error', id: h.id, code: 'FROM_THE_FUTURE', message: 'what' });
      }),
    );
    const client = await srv.connect();
    const e1 = await client.request({ type: 'remove', path: 'a/b' }).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(FerryError);
    expect(e1).toMatchObject({ code: 'NOT_FOUND', message: 'no such file', path: 'a/b' });
    await expect(client.request({ type: 'move', from: 'a', to: 'b' })).rejects.toMatchObject({ code: 'INTERNAL', message: 'what' });
    expect(client.isClosed).toBe(false); // an error for one path does not end the session
  });

  it('answers ping on the server side without bothering the session, and counts bytes both ways', async () => {
    const seen: string[] = [];
    srv = await startTestServer((c) =>
      c.onMessage(({ header: h, payload }) => {
        seen.push(h.type);
        if (h.type === 'put') void c.send({ type: 'ok', id: h.id, bytesReused: payload.length });
      }),
    );
    const client = await srv.connect();
    expect((await client.request({ type: 'ping' })).header.type).toBe('pong');
    const payload = Buffer.from('0123456789');
    const res = await client.request({ type: 'put', path: 'f', size: 10, mtimeMs: 0, mode: 0o644, hash: 'a'.repeat(64), base: null }, payload);
    expect(res.header).toMatchObject({ type: 'ok', bytesReused: 10 });
    expect(seen).toEqual(['put']);
    const server = srv.connections[0]!;
    expect(client.stats.payloadBytesOut).toBe(10);
    expect(server.stats.payloadBytesIn).toBe(10);
    expect(server.stats.bytesIn).toBe(client.stats.bytesOut);
    expect(client.stats.bytesIn).toBe(server.stats.bytesOut);
    expect(client.stats.bytesOut).toBeGreaterThan(10 + 8);
  });

  it('replays frames that arrived before onMessage was called, in order', async () => {
    srv = await startTestServer(); // no handler registered yet
    const client = await srv.connect();
    for (const path of ['a', 'b', 'c']) void client.send({ type: 'mkdir', id: 0, path, mode: 0o755, mtimeMs: 0 });
    await until(() => (srv!.connections[0]?.stats.bytesIn ?? 0) > 0 && srv!.connections[0]!.stats.bytesIn === client.stats.bytesOut, 'bytes at server');
    const got: string[] = [];
    srv.connections[0]!.onMessage(({ header: h }) => got.push(h.type === 'mkdir' ? h.path : h.type));
    expect(got).toEqual(['a', 'b', 'c']);
  });

  it('wraps request ids at 2^32 and never reuses one still outstanding', async () => {
    srv = await startTestServer();
    const client = await srv.connect();
    (client as unknown as { lastId: number }).lastId = 0xfffffffe;
    void client.request({ type: 'list' }).catch(() => {});
    void client.request({ type: 'list' }).catch(() => {});
    await until(() => srv!.connections.length === 1, 'server connection');
    const ids: number[] = [];
    srv.connections[0]!.onMessage(({ header: h }) => ids.push(h.id));
    await until(() => ids.length === 2, 'two requests');
    expect(ids).toEqual([0xffffffff, 1]);
    (client as unknown as { lastId: number }).lastId = 0;
    expect(client.nextId()).toBe(2); // 1 is still pending
  });

  it('rejects pending requests with CONNECTION_LOST when either side closes', async () => {
    srv = await startTestServer();
    const a = await srv.connect();
    const p1 = a.request({ type: 'list' });
    a.close();
    await expect(p1).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
    expect(await a.closed).toBeNull();
    await expect(a.send({ type: 'ping', id: 9 })).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
    await until(() => srv!.connections.length === 1, 'server side of a');
    expect(await srv.connections[0]!.closed).toMatchObject({ code: 'CONNECTION_LOST' });

    const b = await srv.connect();
    const p2 = b.request({ type: 'list' });
    await until(() => srv!.connections.length === 2 && srv!.connections[1]!.stats.bytesIn > 0, 'request at server');
    srv.connections[1]!.close();
    await expect(p2).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
    expect(await b.closed).toMatchObject({ code: 'CONNECTION_LOST' });
  });

  it('closes only the offending connection on an oversize header, replying FRAME_TOO_LARGE with id 0', async () => {
    srv = await startTestServer((c) => c.onMessage(({ header: h }) => void c.send({ type: 'ok', id: h.id })));
    const good = await srv.connect();
    const { frames } = await rawExchange(srv.port, Buffer.concat([lengthPrefix(2 * 1024 * 1024), Buffer.alloc(1000, 0x20)]));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.header).toMatchObject({ type: 'error', id: 0, code: 'FRAME_TOO_LARGE' });
    const bad = srv.connections.find((c) => c !== srv!.connections[0])!;
    expect(await bad.closed).toMatchObject({ code: 'FRAME_TOO_LARGE' });
    expect((await good.request({ type: 'list' })).header.type).toBe('ok');
  });

  it('replies FRAME_TOO_LARGE with the frame id for an oversize payloadLength, before any payload arrives', async () => {
    srv = await startTestServer((c) => c.onMessage(() => {}));
    const header = Buffer.from(JSON.stringify({ type: 'chunk', id: 7, transfer: 1, index: 0, payloadLength: 64 * 1024 * 1024 }));
    const { frames } = await rawExchange(srv.port, Buffer.concat([lengthPrefix(header.length), header]));
    expect(frames.map((f) => f.header)).toMatchObject([{ type: 'error', id: 7, code: 'FRAME_TOO_LARGE' }]);
  });

  it.each([
    ['a header that is not JSON', Buffer.concat([lengthPrefix(5), Buffer.from('{oops')]), 0, /JSON/],
    ['a header that fails its schema', Buffer.concat(encodeFrame({ type: 'mkdir', id: 5, path: 'a', mode: 'rwx', mtimeMs: 0 })), 5, /"mkdir".*"mode"/],
    ['a server message sent by a client', Buffer.concat(encodeFrame({ type: 'ok', id: 6 })), 6, /not a client message/],
    ['a huge unknown type', Buffer.concat(encodeFrame({ type: 'x'.repeat(100_000), id: 7 })), 7, /not a client message/],
    ['a huge unknown field', Buffer.concat(encodeFrame({ type: 'list', id: 8, ['k'.repeat(100_000)]: 1 })), 8, /"list".*Unexpected/],
    ['a huge type with a bad payloadLength', rawHeader({ type: 'y'.repeat(100_000), id: 9, payloadLength: -1 }), 9, /payloadLength/],
  ])('replies BAD_FRAME to %s and closes that connection', async (_what, bytes, id, message) => {
    const delivered: unknown[] = [];
    srv = await startTestServer((c) => c.onMessage((f) => delivered.push(f)));
    const { frames } = await rawExchange(srv.port, bytes);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.header).toMatchObject({ type: 'error', id, code: 'BAD_FRAME' });
    expect((frames[0]!.header as { message: string }).message).toMatch(message);
    expect(() => validateServerMessage(frames[0]!.header)).not.toThrow(); // the client can read the reply
    expect(delivered).toEqual([]);
  });

  it('closes the client side with BAD_FRAME when the server sends an invalid frame', async () => {
    srv = await startTestServer((c) => c.onMessage(({ header: h }) => void c.send({ type: 'bogus', id: h.id })));
    const client = await srv.connect();
    await expect(client.request({ type: 'list' })).rejects.toMatchObject({ code: 'BAD_FRAME' });
    expect(await client.closed).toMatchObject({ code: 'BAD_FRAME' });
  });

  it('sends 64 MiB in 1 MiB frames with the socket buffer bounded by backpressure', async () => {
    let received = 0;
    let frames = 0;
    srv = await startTestServer((c) =>
      c.onMessage(({ header: h, payload }) => {
        if (h.type !== 'chunk' || h.index !== frames) throw new Error('frames out of order');
        frames++;
        received += payload.length;
      }),
    );
    const client = await srv.connect();
    const MiB = 1024 * 1024;
    const chunk = Buffer.alloc(MiB, 7);
    let maxBuffered = 0;
    let waited = 0;
    for (let i = 0; i < 64; i++) {
      const sent = client.send({ type: 'chunk', id: 0, transfer: 1, index: i }, chunk);
      maxBuffered = Math.max(maxBuffered, client.writeBuffered);
      let settled = false;
      void sent.then(() => (settled = true));
      await Promise.resolve();
      if (!settled) waited++;
      await sent;
    }
    // Without waiting for 'drain' the buffer would grow towards 64 MiB.
    expect(maxBuffered).toBeLessThanOrEqual(MiB + 64 * 1024);
    expect(waited).toBeGreaterThan(0);
    await until(() => frames === 64, 'all chunks at the server', 20_000);
    expect(received).toBe(64 * MiB);
    expect(client.stats.payloadBytesOut).toBe(64 * MiB);
  });

  it('keeps order and content when small and big frames are mixed in one tick', async () => {
    const got: { index: number; payload: Buffer }[] = [];
    srv = await startTestServer((c) =>
      c.onMessage(({ header: h, payload }) => {
        if (h.type === 'chunk') got.push({ index: h.index, payload });
      }),
    );
    const client = await srv.connect();
    const payloads = Array.from({ length: 40 }, (_, i) => Buffer.alloc(i % 3 === 0 ? 200_000 + i : 10 + i, i));
    // All sent synchronously: small ones are corked together, big ones bypass the cork.
    const sent = payloads.map((p, i) => client.send({ type: 'chunk', id: 0, transfer: 1, index: i }, p));
    await Promise.all(sent);
    await until(() => got.length === 40, 'all frames');
    expect(got.map((g) => g.index)).toEqual(payloads.map((_, i) => i));
    got.forEach((g, i) => expect(g.payload.equals(payloads[i]!), `frame ${i}`).toBe(true));
  });

  it('keeps order when big frames queue behind a busy socket, with a request among them', async () => {
    const got: string[] = [];
    srv = await startTestServer((c) =>
      c.onMessage(({ header: h, payload }) => {
        if (h.type === 'chunk') got.push(`${h.index}:${payload.length}:${payload[payload.length - 1]}`);
        if (h.type === 'commit') {
          got.push('commit');
          void c.send({ type: 'ok', id: h.id });
        }
      }),
    );
    const client = await srv.connect();
    const big = (i: number): Buffer => Buffer.alloc(1024 * 1024 + i, i);
    // The first big write puts the socket over its high-water mark: the rest wait for 'drain', one at a time.
    const sends = [0, 1, 2].map((i) => client.send({ type: 'chunk', id: 0, transfer: 1, index: i }, big(i)));
    const ok = client.request({ type: 'commit', transfer: 1 });
    sends.push(client.send({ type: 'chunk', id: 0, transfer: 1, index: 3 }, big(3)));
    await Promise.all(sends);
    expect((await ok).header.type).toBe('ok');
    await until(() => got.length === 5, 'all frames');
    expect(got).toEqual(['0:1048576:0', '1:1048577:1', '2:1048578:2', 'commit', '3:1048579:3']);
    expect(client.writeBuffered).toBe(0);
  });

  it('rejects a request whose onPartial throws, leaving the connection usable', async () => {
    srv = await startTestServer((c) =>
      c.onMessage(({ header: h }) => {
        if (h.type === 'list') void c.send({ type: 'listPage', id: h.id, entries: [], done: true });
        else void c.send({ type: 'ok', id: h.id });
      }),
    );
    const client = await srv.connect();
    const failing = client.request({ type: 'list' }, undefined, () => {
      throw new Error('consumer broke');
    });
    await expect(failing).rejects.toMatchObject({ code: 'INTERNAL', message: 'consumer broke' });
    expect((await client.request({ type: 'ping' })).header.type).toBe('pong');
    expect(client.pendingCount).toBe(0);
  });

  it('keeps an idle link alive with pings from the client', async () => {
    srv = await startTestServer(undefined, { connection: { idleTimeoutMs: 400 } });
    const client = await srv.connect({ connection: { keepAliveMs: 20, idleTimeoutMs: 400 } });
    const pingBytes = encodeFrame({ type: 'ping', id: 1 })[0]!.length;
    // 30 pings, one per 20 ms or more, take longer than the idle timeout: only keep-alive can hold both sides open.
    await until(() => client.stats.bytesOut >= 30 * pingBytes, '30 pings');
    expect(client.isClosed).toBe(false);
    expect(srv.connections[0]!.isClosed).toBe(false);
    expect(client.stats.bytesIn).toBeGreaterThan(0); // pongs
  });

  it('drops a silent client with TIMEOUT, telling it why', async () => {
    srv = await startTestServer((c) => c.onMessage(() => {}), { connection: { idleTimeoutMs: 100 } });
    const client = await srv.connect({ connection: { keepAliveMs: 0, idleTimeoutMs: 0 } });
    const never = client.request({ type: 'list' }); // the server never answers
    await expect(never).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(await client.closed).toMatchObject({ code: 'TIMEOUT' });
    expect(await srv.connections[0]!.closed).toMatchObject({ code: 'TIMEOUT' });
  });

  it('client gives up on a server that stops answering, with TIMEOUT', async () => {
    srv = await startTestServer((c) => c.pauseReading()); // never reads, so never answers pings
    const client = await srv.connect({ connection: { keepAliveMs: 20, idleTimeoutMs: 120 } });
    expect(await client.closed).toMatchObject({ code: 'TIMEOUT' });
  });
});

// Type-level check: Connection exposes what internal-apis.md promises.
const _api: (c: Connection) => unknown[] = (c) => [c.remoteAddress, c.stats.bytesIn, c.closed, c.nextId()];
void _api;
