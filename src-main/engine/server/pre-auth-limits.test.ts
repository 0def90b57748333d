/**
 * Before a successful hello the server accepts only small headers and no payload; a connection must say hello
 * soon; unauthenticated connections are capped per address and overall; failed tokens slow the next check.
 */
import type { Socket } from 'node:net';
import { connect } from 'node:tls';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../../src-shared/protocol/limits';
import { cleanupTempDirs, tempDir } from '../../../test/helpers/trees';
import { FrameDecoder } from '../net/frame-codec';
import { until } from '../net/test-kit';
import { RawPeer, idleTcp, rawFrame } from './raw-peer';
import { sha256, startServerFixture, type ServerFixture } from './test-harness';

let fx: ServerFixture;
beforeAll(async () => {
  fx = await startServerFixture(await tempDir());
});
afterAll(async () => {
  await fx.close();
  await cleanupTempDirs();
});

/** Raw TLS: write `bytes`, collect the frames the server answers until it closes (bounded by a timer). */
function rawExchange(bytes: Buffer[]): Promise<{ frames: { type: string; code?: string }[]; closed: boolean }> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port: fx.port, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
    const dec = new FrameDecoder();
    const frames: { type: string; code?: string }[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ frames, closed: false });
    }, 5000);
    sock.on('secureConnect', () => {
      for (const b of bytes) sock.write(b);
    });
    sock.on('data', (d) => frames.push(...dec.push(d).map((f) => f.header as { type: string; code?: string })));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ frames, closed: true });
    });
  });
}

function rawHeader(h: object): Buffer {
  const json = Buffer.from(JSON.stringify(h));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  return Buffer.concat([len, json]);
}

describe('pre-authentication limits', () => {
  it('a frame announcing a payload before hello is refused at its header, before any payload is buffered', async () => {
    // Announces 32 MiB and sends none of it: the server must answer and close right away, not wait to buffer it.
    const r = await rawExchange([rawHeader({ type: 'put', id: 1, path: 'x', size: 1, mtimeMs: 1, mode: 0o644, hash: sha256(Buffer.from('x')), base: null, payloadLength: 32 * 1024 * 1024 })]);
    expect(r.closed).toBe(true);
    expect(r.frames).toEqual([expect.objectContaining({ type: 'error', code: 'NOT_AUTHENTICATED' })]);
  });

  it('a header over 16 KiB before hello closes the connection with FRAME_TOO_LARGE', async () => {
    const c = await fx.client({ hello: false });
    const hello = { type: 'hello', protocolVersion: PROTOCOL_VERSION, clientId: 'x'.repeat(20 * 1024), share: 'main', token: fx.token };
    await expect(c.request(hello)).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE' });
    expect(await c.conn.closed).not.toBeNull();
  });

  it('after a successful hello full-size frames are accepted, also when pipelined right behind the hello', async () => {
    const c = await fx.client({ hello: false });
    const big = Buffer.alloc(100 * 1024, 7);
    const hello = c.hello('main', fx.token);
    const put = c.put('after-hello.bin', big); // same TLS write burst as the hello
    await hello;
    expect((await put).header.type).toBe('ok');
    expect((await c.put('second.bin', Buffer.alloc(64 * 1024, 1))).header.type).toBe('ok');
  });
});


const hello = (token: string, id = 1): object => ({ type: 'hello', id, protocolVersion: PROTOCOL_VERSION, clientId: 'raw', share: 'main', token });

describe('hello deadline', () => {
  let f: ServerFixture;
  beforeAll(async () => {
    f = await startServerFixture(await tempDir(), { limits: { helloTimeoutMs: 300 } });
  });
  afterAll(() => f.close());

  it('drops a connection that only pings, and keeps an older one that said hello', async () => {
    const kept = await f.client(); // connected (and its deadline started) before the pinging one
    const pinger = await RawPeer.open(f.port);
    const before = f.server.preAuth.stats.timedOut;
    // Ping until the server drops it (each ping is answered: pings are no substitute for hello).
    for (let i = 0; i < 10_000 && !pinger.closed; i++) {
      pinger.write(rawFrame({ type: 'ping', id: i + 1 }));
      await Promise.race([pinger.until(() => pinger.frames.length > i, 'pong').catch(() => undefined), pinger.untilClosed()]);
    }
    expect(pinger.closed).toBe(true);
    expect(pinger.frames.some((h) => h.type === 'pong')).toBe(true);
    expect(f.server.preAuth.stats.timedOut).toBe(before + 1);
    // The kept client's deadline, had it still one, would have fired first: it is authenticated and untouched.
    expect((await kept.put('kept.txt', Buffer.from('still here'))).header.type).toBe('ok');
    expect(kept.conn.isClosed).toBe(false);
  });

  it('drops a TCP connection that never starts the TLS handshake', async () => {
    const before = f.server.preAuth.stats.timedOut;
    const sock = await idleTcp(f.port, '127.0.0.1');
    await new Promise<void>((r) => (sock.destroyed ? r() : sock.once('close', () => r())));
    expect(f.server.preAuth.stats.timedOut).toBe(before + 1);
  });
});

describe('frames pipelined behind hello', () => {
  it('are answered without waiting for more bytes', async () => {
    const peer = await RawPeer.open(fx.port);
    // hello, list and ping in one write: nothing else follows until all three are answered.
    peer.write(rawFrame(hello(fx.token, 1)), rawFrame({ type: 'list', id: 2 }), rawFrame({ type: 'ping', id: 3 }));
    await peer.until(() => peer.frames.some((h) => h.id === 2 && h.done === true) && peer.frames.some((h) => h.id === 3), 'list and pong');
    expect(peer.frames[0]).toMatchObject({ type: 'helloOk', id: 1 });
    peer.destroy();
  });
});

describe('caps on unauthenticated connections', () => {
  let f: ServerFixture;
  const held: Socket[] = [];
  beforeAll(async () => {
    // Long hello deadline: the idle connections stay until the caps deal with them.
    f = await startServerFixture(await tempDir(), { limits: { helloTimeoutMs: 600_000, maxUnauthenticated: 256, maxUnauthenticatedPerAddress: 32 } });
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await f.close();
  });

  it('500 idle and garbage connections from 20 addresses do not keep a real client out', async () => {
    const gate = f.server.preAuth;
    const rssBefore = process.memoryUsage().rss;
    // 20 addresses × 25: under the per-address cap each, 500 in all: twice the overall cap.
    for (let i = 0; i < 500; i++) {
      const from = `127.0.0.${2 + (i % 20)}`;
      const garbage = i % 3 === 0 ? Buffer.from('GET / HTTP/1.1\r\n\r\n') : undefined; // not TLS at all
      if (i % 3 === 1) {
        const peer = await RawPeer.open(f.port, from).catch(() => null); // null: evicted before its handshake ended
        if (peer) held.push(peer.socket);
      } else held.push(await idleTcp(f.port, from, garbage));
    }
    await until(() => gate.stats.admitted + gate.stats.refused >= 500, 'every connection seen', 60_000);
    expect(gate.unauthenticated).toBeLessThanOrEqual(256);
    expect(gate.stats.evicted).toBeGreaterThan(0);
    // The real client arrives last, from its own address: it evicts one of theirs, never the other way round.
    const c = await f.client();
    expect((await c.put('real.txt', Buffer.from('real client'))).header.type).toBe('ok');
    expect((await c.list()).map((e) => e.path)).toContain('real.txt');
    // More junk while the real client works: its session is authenticated and no longer counted.
    for (let i = 0; i < 50; i++) held.push(await idleTcp(f.port, '127.0.0.2'));
    expect((await c.put('real2.txt', Buffer.from('still fine'))).header.type).toBe('ok');
    expect(gate.unauthenticated).toBeLessThanOrEqual(256);
    console.info(`500+50 hostile connections: server+test RSS ${mib(rssBefore)} → ${mib(process.memoryUsage().rss)} MiB; gate ${JSON.stringify(gate.stats)}`);
  });

  it('past the per-address cap new connections from that address are closed at once; others still get in', async () => {
    const gate = f.server.preAuth;
    for (const s of held.splice(0)) s.destroy();
    await until(() => gate.unauthenticated === 0, 'the earlier connections gone', 60_000);
    const from = '127.0.0.99';
    const socks: Socket[] = [];
    for (let i = 0; i < 40; i++) socks.push(await idleTcp(f.port, from));
    held.push(...socks);
    const closed = (): number => socks.filter((s) => s.destroyed || s.readableEnded).length;
    await until(() => closed() >= 8, 'the 8 over the cap closed', 60_000);
    expect(gate.heldFrom(from)).toBe(32);
    const c = await f.client();
    expect((await c.list()).length).toBeGreaterThan(0);
  });
});

describe('failed tokens', () => {
  let f: ServerFixture;
  const lines: { msg: string; remote?: string; failedTokens?: number }[] = [];
  beforeAll(async () => {
    const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as (typeof lines)[number]) });
    f = await startServerFixture(await tempDir(), { log, limits: { authDelayBaseMs: 10, authDelayMaxMs: 80 } });
  });
  afterAll(() => f.close());

  it('each wrong token from an address makes the next check from it wait longer; the log says so once', async () => {
    const t = f.server.authThrottle;
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const peer = await RawPeer.open(f.port, '127.0.0.5');
      peer.write(rawFrame(hello('wrong-token-' + i)));
      await peer.untilClosed();
      expect(peer.frames).toEqual([expect.objectContaining({ type: 'error', code: 'AUTH_FAILED' })]);
      expect(t.failures('127.0.0.5')).toBe(i + 1);
      delays.push(t.currentDelayMs('127.0.0.5'));
    }
    expect(delays).toEqual([10, 20, 40, 80, 80, 80]);
    expect(t.stats.throttled).toBe(5); // every check after the first failure waited its turn
    // One log line for the whole burst (the interval is a minute), naming the address.
    expect(lines.filter((l) => l.msg === 'failed tokens')).toEqual([expect.objectContaining({ remote: '127.0.0.5', failedTokens: 1 })]);
  });

  it('a correct token from another address is not slowed; one from the failing address resets it', async () => {
    const t = f.server.authThrottle;
    const throttled = t.stats.throttled;
    const c = await f.client(); // from 127.0.0.1
    expect(c.conn.isClosed).toBe(false);
    expect(t.stats.throttled).toBe(throttled);
    const peer = await RawPeer.open(f.port, '127.0.0.5');
    peer.write(rawFrame(hello(f.token)));
    await peer.until(() => peer.frames.length > 0, 'helloOk');
    expect(peer.frames[0]).toMatchObject({ type: 'helloOk' });
    expect(t.stats.throttled).toBe(throttled + 1); // it waited its turn…
    expect(t.failures('127.0.0.5')).toBe(0); // …and then the address was forgiven
    peer.destroy();
  });
});

function mib(n: number): number {
  return Math.round(n / 1024 / 1024);
}
