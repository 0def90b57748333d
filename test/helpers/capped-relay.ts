/** A TCP relay in front of a server that forwards at most a set number of client bytes, then holds the rest. */
import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A relay to 127.0.0.1:`to` that lets through only `cap` bytes from clients (all connections together).
 * A test uses it to make "mid-transfer" a state it sets up, not a moment it races: a transfer larger than
 * `cap` can never finish through it, whatever the machine's speed.
 */
export interface CappedRelay {
  port: number;
  /** Client → server bytes forwarded so far (never more than `cap`). */
  forwarded: () => number;
  /** Resolves once `cap` bytes were forwarded and fully handed to the kernel towards the server. */
  capped: Promise<void>;
  close(): Promise<void>;
}

/** Start a capped relay on an ephemeral port (TLS passes through untouched: the pinned fingerprint still holds). */
export async function startCappedRelay(to: number, capBytes: number): Promise<CappedRelay> {
  const cap = Math.floor(capBytes);
  const sockets = new Set<Socket>();
  let forwarded = 0;
  let reached!: () => void;
  const capped = new Promise<void>((r) => (reached = r));
  const server: Server = createServer((c) => {
    const s = connect(to, '127.0.0.1');
    sockets.add(c).add(s);
    c.on('data', (d: Buffer) => {
      const room = cap - forwarded;
      const part = d.length <= room ? d : d.subarray(0, room);
      forwarded += part.length;
      const flowing = s.write(part);
      if (forwarded >= cap) {
        // Held like a stalled network: the client's bytes stay in its socket. Reached once the last
        // forwarded byte has left our buffer (the server has it, or its socket does).
        c.pause();
        if (s.writableLength === 0) reached();
        else s.once('drain', reached);
      } else if (!flowing) {
        // Keep the client's pace to the server's.
        c.pause();
        s.once('drain', () => c.resume());
      }
    });
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
  return {
    port: (server.address() as { port: number }).port,
    forwarded: () => forwarded,
    capped,
    async close() {
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
