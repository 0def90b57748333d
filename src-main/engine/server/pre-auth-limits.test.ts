/** Before a successful hello the server accepts only small headers and no payload. */
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../../src-shared/protocol/limits';
import { cleanupTempDirs, tempDir } from '../../../test/helpers/trees';
import { FrameDecoder } from '../net/frame-codec';
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
