/**
 * A TCP relay in front of a server that forwards at most a set number of bytes, both directions together, and then
 * freezes every connection (nothing more passes either way). Fault tests use it to pick a kill moment by bytes
 * moved — a point inside an upload or a download — that does not depend on the machine's speed.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

/** A freezing relay; `reached` resolves once the cap was forwarded (never, if the traffic stays below it). */
export interface FreezeRelay {
  port: number;
  /** Bytes forwarded so far, both directions. */
  forwarded: () => number;
  reached: Promise<void>;
  close(): Promise<void>;
}

/** Start a relay to 127.0.0.1:`to` that freezes after `capBytes` (TLS passes through: the pinned fingerprint holds). */
export async function startFreezeRelay(to: number, capBytes: number): Promise<FreezeRelay> {
  const cap = Math.max(0, Math.floor(capBytes));
  const sockets = new Set<Socket>();
  let forwarded = 0;
  let frozen = false;
  let reach!: () => void;
  const reached = new Promise<void>((r) => (reach = r));
  const freeze = (): void => {
    frozen = true;
    for (const s of sockets) s.pause();
    reach();
  };
  // One direction: forward what fits under the cap, keep pace with the receiver, freeze at the cap.
  const pump = (from: Socket, into: Socket): void => {
    from.on('data', (d: Buffer) => {
      if (frozen) return;
      const room = cap - forwarded;
      const part = d.length <= room ? d : d.subarray(0, room);
      forwarded += part.length;
      if (part.length > 0 && !into.write(part)) {
        from.pause();
        into.once('drain', () => {
          if (!frozen) from.resume();
        });
      }
      if (forwarded >= cap) freeze();
    });
  };
  const server: Server = createServer((c) => {
    const s = connect(to, '127.0.0.1');
    sockets.add(c).add(s);
    if (frozen) {
      c.pause();
      s.pause();
    }
    pump(c, s);
    pump(s, c);
    const end = (): void => {
      c.destroy();
      s.destroy();
      sockets.delete(c);
      sockets.delete(s);
    };
    c.on('close', end).on('error', end);
    s.on('close', end).on('error', end);
  });
  if (cap === 0) freeze();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    forwarded: () => forwarded,
    reached,
    async close() {
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
