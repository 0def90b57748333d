/** Exponential reconnect delays with jitter: 0.5 s, 1 s, 2 s … capped, each ±25 %. */
export class Backoff {
  private attempt = 0;
  constructor(
    private readonly firstMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}
  /** The next delay. */
  next(): number {
    const base = Math.min(this.maxMs, this.firstMs * 2 ** Math.min(this.attempt++, 30));
    return Math.round(base * (0.75 + this.random() * 0.5));
  }
  /** After a success: start from the first delay again. */
  reset(): void {
    this.attempt = 0;
  }
}
