/** At most one log line per key per interval, so a flood from one peer cannot push older lines out of rotation. */
import { performance } from 'node:perf_hooks';

/** Keys remembered at once; the oldest is forgotten first (a forgotten key just logs its next line at once). */
const MAX_KEYS = 4096;

/** Decides which of many similar events get a log line. */
export class LogLimiter {
  private readonly keys = new Map<string, { lastAt: number; suppressed: number }>();

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** One more event for `key`: the number of events this line stands for (≥ 1), or 0 when no line is due yet. */
  hit(key: string): number {
    const t = this.now();
    const k = this.keys.get(key);
    if (k !== undefined && t - k.lastAt < this.intervalMs) {
      k.suppressed++;
      return 0;
    }
    const count = (k?.suppressed ?? 0) + 1;
    this.keys.delete(key); // re-inserted last: Map order is the age order used for eviction
    this.keys.set(key, { lastAt: t, suppressed: 0 });
    if (this.keys.size > MAX_KEYS) this.keys.delete(this.keys.keys().next().value!);
    return count;
  }
}
