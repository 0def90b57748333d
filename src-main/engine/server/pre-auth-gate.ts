/**
 * Admission of connections that have not authenticated yet: a deadline for `hello` counted from the TCP connect
 * (so neither a slow TLS handshake nor `ping`s keep a connection), a cap per address and a cap overall. Past the
 * overall cap a newcomer evicts the oldest connection of the address holding the most, so a client holding many
 * idle connections cannot keep a real client out: it can only push out its own.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../log';
import { addressKey } from './address-key';
import { LogLimiter } from './log-limiter';
import type { ServerLimits } from './server-limits';

interface Held {
  socket: Socket;
  address: string;
  timer: NodeJS.Timeout | null;
}

/** Counters of the gate (for tests, logs and the docs' figures). */
export interface PreAuthStats {
  admitted: number;
  /** Closed at once: their address already held its share. */
  refused: number;
  /** Closed to make room for a newer connection from a less busy address. */
  evicted: number;
  /** Closed because no `hello` came in time. */
  timedOut: number;
  /** Reached a successful hello. */
  authenticated: number;
}

/** The id of a TCP connection while it is open: remote address and port. */
export function socketId(address: string | undefined, port: number | undefined): string {
  return `${address ?? '?'}|${port ?? 0}`;
}

/** Tracks the server's unauthenticated connections and enforces the pre-authentication limits. */
export class PreAuthGate {
  readonly stats: PreAuthStats = { admitted: 0, refused: 0, evicted: 0, timedOut: 0, authenticated: 0 };
  /** Insertion order is age order (oldest first). */
  private readonly held = new Map<string, Held>();
  private readonly perAddress = new Map<string, number>();
  private readonly logs: LogLimiter;

  constructor(
    private readonly limits: Pick<ServerLimits, 'helloTimeoutMs' | 'maxUnauthenticated' | 'maxUnauthenticatedPerAddress' | 'authLogIntervalMs'>,
    private readonly log: Logger,
  ) {
    this.logs = new LogLimiter(limits.authLogIntervalMs);
  }

  /** Unauthenticated connections held now. */
  get unauthenticated(): number {
    return this.held.size;
  }

  /** Unauthenticated connections held now from the address (or IPv6 /64) of `remote`. */
  heldFrom(remote: string): number {
    return this.perAddress.get(addressKey(remote)) ?? 0;
  }

  /** A TCP connection was accepted: hold it under the limits, or close it (or an older one) now. */
  admit(socket: Socket): void {
    const address = addressKey(socket.remoteAddress);
    if ((this.perAddress.get(address) ?? 0) >= this.limits.maxUnauthenticatedPerAddress) {
      this.stats.refused++;
      this.note(address, 'refused', 'connection refused: too many unauthenticated connections from this address');
      socket.destroy();
      return;
    }
    if (this.held.size >= this.limits.maxUnauthenticated) this.evictOne();
    const id = socketId(socket.remoteAddress, socket.remotePort);
    const held: Held = { socket, address, timer: null };
    held.timer = setTimeout(() => {
      this.stats.timedOut++;
      this.note(address, 'timedOut', 'connection dropped: no hello in time');
      socket.destroy();
    }, this.limits.helloTimeoutMs);
    held.timer.unref();
    this.held.set(id, held);
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    this.stats.admitted++;
    socket.once('close', () => this.release(id));
  }

  /** The connection sent its `hello`: its deadline is met (the token check may still be delayed by the throttle). */
  helloReceived(id: string): void {
    const h = this.held.get(id);
    if (h?.timer) clearTimeout(h.timer);
    if (h) h.timer = null;
  }

  /** The connection authenticated: it no longer counts against the limits. */
  authenticated(id: string): void {
    if (this.release(id)) this.stats.authenticated++;
  }

  /** The server is closing: close every unauthenticated connection now (a stalled handshake would delay the close). */
  close(): void {
    for (const [id, h] of [...this.held]) {
      this.release(id);
      h.socket.destroy();
    }
  }

  private release(id: string): boolean {
    const h = this.held.get(id);
    if (!h) return false;
    if (h.timer) clearTimeout(h.timer);
    this.held.delete(id);
    const n = (this.perAddress.get(h.address) ?? 1) - 1;
    if (n > 0) this.perAddress.set(h.address, n);
    else this.perAddress.delete(h.address);
    return true;
  }

  /** Close the oldest unauthenticated connection of the address holding the most (a tie: the address counted first). */
  private evictOne(): void {
    let busiest = '';
    let most = 0;
    for (const [address, n] of this.perAddress) if (n > most) [busiest, most] = [address, n];
    for (const [id, h] of this.held) {
      if (h.address !== busiest) continue;
      this.release(id);
      this.stats.evicted++;
      this.note(busiest, 'evicted', 'connection evicted: too many unauthenticated connections');
      h.socket.destroy();
      return;
    }
  }

  private note(address: string, what: string, msg: string): void {
    const count = this.logs.hit(`${what} ${address}`);
    if (count > 0) this.log.info({ remote: address, count }, msg);
  }
}
