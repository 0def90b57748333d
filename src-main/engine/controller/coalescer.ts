/** Rate limiting for a "something changed" signal: at most one call per interval, never a lost change. */

/** Calls `fire` soon after `mark()`, at most once per `intervalMs`; marks during the wait are folded in. */
export class Coalescer {
  private timer: NodeJS.Timeout | null = null;
  private lastFired = -Infinity;

  constructor(
    private readonly fire: () => void,
    private readonly intervalMs = 100,
  ) {}

  /** Note a change. */
  mark(): void {
    if (this.timer) return;
    // Leading edge: the first change after a quiet period goes out at once (next tick), later ones wait.
    const wait = Math.max(0, this.lastFired + this.intervalMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.lastFired = performance.now();
      this.fire();
    }, wait);
  }

  /** Drop a pending call. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
