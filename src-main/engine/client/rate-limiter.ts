/**
 * Upload bandwidth limit: a token bucket that file-data payloads (whole-file puts and chunks) pass through before
 * they are written to the connection. Control messages (begin, commit, mkdir …) never wait on it: a limited
 * sync still answers and finishes promptly, only the file bytes are paced.
 */
import { FerryError } from '../errors';

/** Seconds of traffic the bucket may hold: a short burst, so that the rate holds over any second or two. */
const BURST_SECONDS = 0.125;

/** A token bucket of `bytesPerSecond`, shared by all uploads of one session. */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private readonly burst: number;

  constructor(
    readonly bytesPerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) throw new FerryError('CONFIG_INVALID', `A bandwidth limit must be a positive number of bytes per second, not ${bytesPerSecond}`);
    this.burst = Math.max(1, bytesPerSecond * BURST_SECONDS);
    this.tokens = this.burst;
    this.last = this.now();
  }

  /**
   * Wait until `bytes` may be sent. The bucket may go into debt by one payload (a chunk can be larger than the
   * burst); each caller then waits for its own share of the debt, so concurrent uploads together keep the rate.
   */
  async take(bytes: number): Promise<void> {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.bytesPerSecond);
    this.last = t;
    this.tokens -= bytes;
    if (this.tokens >= 0) return;
    const waitMs = (-this.tokens / this.bytesPerSecond) * 1000;
    await new Promise<void>((resolve) => setTimeout(resolve, Math.ceil(waitMs)));
  }
}

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * Parse a rate in bytes per second: `500K`, `10M`, `1.5G`, `2MiB`, `800KB` or a plain number of bytes
 * (K/M/G are powers of 1024, like rsync's --bwlimit suffixes). Throws CONFIG_INVALID.
 */
export function parseBandwidth(text: string | number): number {
  if (typeof text === 'number') {
    if (Number.isFinite(text) && text > 0) return Math.floor(text);
    throw new FerryError('CONFIG_INVALID', `bwlimit must be a positive number of bytes per second, not ${text}`);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?(?:\/s)?\s*$/i.exec(text);
  const unit = m ? UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  const value = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!(value >= 1)) throw new FerryError('CONFIG_INVALID', `Bandwidth limit "${text}" is not a rate like 500K, 10M or 1G (bytes per second)`);
  return value;
}
