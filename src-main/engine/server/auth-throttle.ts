/**
 * Slows token guessing per address: after a failed token, every later token check from that address waits,
 * the wait doubling with each failure up to a cap; checks from one address are spaced that far apart (parallel
 * connections do not help), and a queue longer than the cap is refused without a check. A success or a quiet
 * spell forgets the address. Failures are logged at most once per address per interval.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '../log';
import { addressKey } from './address-key';
import { LogLimiter } from './log-limiter';
import type { ServerLimits } from './server-limits';

/** Addresses remembered at once; past it the longest-remembered is forgotten (bounded memory under a spread attack). */
const MAX_ADDRESSES = 10_000;

interface AddressRecord {
  failures: number;
  lastFailAt: number;
  /** When the latest check reserved from this address runs (spacing is counted from it). */
  lastCheckAt: number;
}

/** Per-address delays before token checks. */
export class AuthThrottle {
  /** Token checks made to wait their turn (their address had failures), refused unchecked, and failed. */
  readonly stats = { throttled: 0, refusedUnchecked: 0, failed: 0 };
  private readonly byAddress = new Map<string, AddressRecord>();
  private readonly logs: LogLimiter;

  constructor(
    private readonly limits: Pick<ServerLimits, 'authDelayBaseMs' | 'authDelayMaxMs' | 'authFailureForgetMs' | 'authLogIntervalMs'>,
    private readonly log: Logger,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.logs = new LogLimiter(limits.authLogIntervalMs, now);
  }

  /** Delay before a check after `failures` failed tokens: 0, then base, 2×base, 4×base … up to the cap. */
  delayFor(failures: number): number {
    if (failures <= 0) return 0;
    return Math.min(this.limits.authDelayMaxMs, this.limits.authDelayBaseMs * 2 ** Math.min(failures - 1, 30));
  }

  /** Failed tokens remembered for the address of `remote`. */
  failures(remote: string): number {
    return this.record(addressKey(remote))?.failures ?? 0;
  }

  /** The delay the next token check from `remote` would start from (before queueing behind others). */
  currentDelayMs(remote: string): number {
    return this.delayFor(this.failures(remote));
  }

  /**
   * A `hello` from `remote` wants its token checked: reserve a slot and return how long to wait for it (0: check now),
   * or -1 when the address already has more than the cap queued (refuse without a check).
   */
  reserve(remote: string): number {
    const r = this.record(addressKey(remote));
    if (r === undefined) return 0;
    const now = this.now();
    const at = Math.max(now, r.lastCheckAt + this.delayFor(r.failures));
    if (at - now > this.limits.authDelayMaxMs) {
      this.stats.refusedUnchecked++;
      return -1;
    }
    this.stats.throttled++;
    r.lastCheckAt = at;
    return Math.ceil(at - now);
  }

  /** The token check of `remote` failed. */
  failed(remote: string): void {
    const key = addressKey(remote);
    const now = this.now();
    let r = this.record(key);
    if (r === undefined) {
      r = { failures: 0, lastFailAt: now, lastCheckAt: now };
      this.byAddress.set(key, r);
      if (this.byAddress.size > MAX_ADDRESSES) this.byAddress.delete(this.byAddress.keys().next().value!);
    }
    r.failures++;
    this.stats.failed++;
    r.lastFailAt = now;
    r.lastCheckAt = Math.max(r.lastCheckAt, now);
    const count = this.logs.hit(key);
    if (count > 0) this.log.warn({ remote: key, failedTokens: count, failuresInARow: r.failures, delayMs: this.delayFor(r.failures) }, 'failed tokens');
  }

  /** The token check of `remote` succeeded: its failures are forgotten. */
  succeeded(remote: string): void {
    this.byAddress.delete(addressKey(remote));
  }

  private record(key: string): AddressRecord | undefined {
    const r = this.byAddress.get(key);
    if (r !== undefined && this.now() - r.lastFailAt > this.limits.authFailureForgetMs) {
      this.byAddress.delete(key);
      return undefined;
    }
    return r;
  }
}
