/** Test support: a raw TLS peer for the server's limit tests (bytes in, frames out, from a chosen local address). Not used by production code. */
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { FrameDecoder } from '../net/frame-codec';

/** A frame header as the tests look at it. */
export type RawHeader = { type: string; id?: number; code?: string; done?: boolean; entries?: unknown[] } & Record<string, unknown>;

/** Length-prefixed JSON header (and payloadLength when a payload follows). */
export function rawFrame(h: object): Buffer {
  const json = Buffer.from(JSON.stringify(h));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  return Buffer.concat([len, json]);
}

/** A TLS connection that records every frame the server sends and whether the server closed it. */
export class RawPeer {
  readonly frames: RawHeader[] = [];
  closed = false;
  private readonly decoder = new FrameDecoder();
  private readonly waiters: (() => void)[] = [];

  private constructor(readonly socket: TLSSocket) {
    socket.on('data', (d: Buffer) => {
      for (const f of this.decoder.push(d)) this.frames.push(f.header as RawHeader);
      this.wake();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  /** Connect and finish the TLS handshake (`localAddress`: e.g. 127.0.0.2, to count as another address). */
  static open(port: number, localAddress?: string): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1.3', ...(localAddress ? { localAddress } : {}) });
      s.once('secureConnect', () => resolve(new RawPeer(s)));
      s.once('error', reject);
      s.once('close', () => reject(new Error('closed during the TLS handshake')));
    });
  }

  /** Write several frames (or any bytes) in one write. */
  write(...bufs: Buffer[]): void {
    this.socket.write(Buffer.concat(bufs));
  }

  /** Wait until `cond` holds (re-checked on every frame and on close); rejects if the server closes first and `cond` never held. */
  async until(cond: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 100_000 && !cond(); i++) {
      if (this.closed) throw new Error(`closed before ${what}; frames: ${JSON.stringify(this.frames).slice(0, 300)}`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** Resolves once the server has closed the connection. */
  async untilClosed(): Promise<void> {
    for (let i = 0; i < 100_000 && !this.closed; i++) await new Promise<void>((r) => this.waiters.push(r));
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

/** A plain TCP connection that sends nothing (or `bytes`), from `localAddress`; resolves once connected. */
export function idleTcp(port: number, localAddress: string, bytes?: Buffer): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect({ host: '127.0.0.1', port, localAddress });
    s.resume(); // discard what arrives, so the server's close is seen (and the socket destroyed) at once
    s.once('connect', () => {
      if (bytes) s.write(bytes);
      resolve(s);
    });
    s.on('error', () => undefined);
    s.once('error', reject);
  });
}
