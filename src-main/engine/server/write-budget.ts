/**
 * Bytes one connection may have read for answers and not yet written out. A `get` reserves its length before
 * reading and gives it back once the socket has sent the data, so a peer that asks and never reads holds at most
 * this much of the server's memory (finding 5 of issue 11: 96 such 16 MiB reads took a server to 1.6 GiB).
 */
import type { FerryError } from '../errors';

/** A byte budget with FIFO waiters. */
export class WriteBudget {
  /** Most bytes ever held at once (for tests and figures). */
  peak = 0;
  private held = 0;
  private waiters: { n: number; resolve: () => void; reject: (e: FerryError) => void }[] = [];
  private cancelled: FerryError | null = null;

  /** `onChange`: called after bytes come back (so the owner can resume reading). */
  constructor(
    readonly limit: number,
    private readonly onChange: () => void = () => {},
  ) {}

  /** Bytes held now. */
  get queued(): number {
    return this.held;
  }

  /** True while the budget is spent or someone waits for it. */
  get exhausted(): boolean {
    return this.held >= this.limit || this.waiters.length > 0;
  }

  /** Take `n` bytes: at once when they fit (or nothing is held, so one oversized request still goes), else in turn. */
  acquire(n: number): Promise<void> {
    if (this.cancelled) return Promise.reject(this.cancelled);
    if (this.waiters.length === 0 && (this.held === 0 || this.held + n <= this.limit)) {
      this.take(n);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.waiters.push({ n, resolve, reject }));
  }

  /** Give back `n` bytes taken with acquire(). */
  release(n: number): void {
    if (n <= 0) return;
    this.held = Math.max(0, this.held - n);
    while (this.waiters.length > 0) {
      const w = this.waiters[0]!;
      if (this.held !== 0 && this.held + w.n > this.limit) break;
      this.waiters.shift();
      this.take(w.n);
      w.resolve();
    }
    this.onChange();
  }

  /** The connection is gone: every waiter and every later acquire() fails with `err`. */
  cancel(err: FerryError): void {
    this.cancelled = err;
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  private take(n: number): void {
    this.held += n;
    if (this.held > this.peak) this.peak = this.held;
  }
}
