/** For delta tests: a TCP relay in front of the server that counts every byte of every connection, both ways. */
import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { TransferRecord } from '../../src-shared/model/index';

/** A counting relay to 127.0.0.1:`to`. */
export interface Relay {
  port: number;
  /** Bytes relayed client → server and server → client since the last reset. */
  up: number;
  down: number;
  reset(): void;
  close(): Promise<void>;
}

/** Start a relay on an ephemeral port (TLS passes through untouched: the pinned fingerprint still holds). */
export async function startRelay(to: number): Promise<Relay> {
  const sockets = new Set<Socket>();
  const relay: Relay = {
    port: 0, up: 0, down: 0,
    reset() {
      relay.up = relay.down = 0;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server: Server = createServer((c) => {
    const s = connect(to, '127.0.0.1');
    sockets.add(c).add(s);
    c.on('data', (d: Buffer) => (relay.up += d.length));
    s.on('data', (d: Buffer) => (relay.down += d.length));
    c.pipe(s).on('error', () => c.destroy());
    s.pipe(c).on('error', () => s.destroy());
    const end = (): void => {
      c.destroy();
      s.destroy();
      sockets.delete(c);
      sockets.delete(s);
    };
    c.on('close', end).on('error', end);
    s.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  relay.port = (server.address() as { port: number }).port;
  return relay;
}

/** File data an uploaded path cost (sum of completed upload records' bytesSent). */
export function payloadSent(transfers: TransferRecord[], path?: string): number {
  let n = 0;
  for (const t of transfers) if (t.kind === 'upload' && t.status === 'completed' && (path === undefined || t.path === path)) n += t.bytesSent;
  return n;
}

/** SHA-256 of a file, streamed (for files too large to read whole in a test). */
export async function fileHash(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const b of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) h.update(b as Buffer);
  return h.digest('hex');
}

/** Write `size` pseudo-random (incompressible) bytes, 16 MiB at a time (bounded memory). */
export async function writeRandomFile(path: string, size: number, seed = 1): Promise<void> {
  const fh = await open(path, 'w');
  try {
    const block = 16 * 1024 * 1024;
    for (let off = 0, i = 0; off < size; off += block, i++) {
      const n = Math.min(block, size - off);
      await fh.write(keystream(seed, i, n), 0, n, off);
    }
  } finally {
    await fh.close();
  }
}

function keystream(seed: number, block: number, n: number): Buffer {
  // AES-CTR over zeros: fast and deterministic, unlike randomBytes, so a failing run can be reproduced.
  const key = createHash('sha256').update(`ferry-delta-${seed}`).digest().subarray(0, 16);
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(block, 0);
  const c = createCipheriv('aes-128-ctr', key, iv);
  return c.update(Buffer.alloc(n));
}

