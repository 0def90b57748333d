/**
 * Pipelined execution of sync operations: many in flight, but never two on overlapping paths (equal or
 * ancestor), and operations on overlapping paths run in the order they were queued. The server relies on it.
 */
import { PathLocks } from '../core/path-locks';
import { opPaths, type SyncOp } from '../core/operations';

interface Node {
  op: SyncOp;
  prev: Node | null;
  next: Node | null;
}

/** How far past blocked operations the scheduler looks for startable ones. */
export const SCAN_WINDOW = 4096;

/** A FIFO of operations run by `run`, at most `concurrency` at a time, overlap-ordered. */
export class TransferQueue {
  private head: Node | null = null;
  private tail: Node | null = null;
  private queued = 0;
  private readonly inflight = new PathLocks();
  private running = 0;
  private paused = false;
  private idleWaiters: (() => void)[] = [];

  private heavyRunning = 0;
  private bytesRunning = 0;
  private pumpScheduled = false;

  /**
   * `heavy` marks operations (large files) of which at most `maxHeavy` run at once: they finish one after
   * the other instead of all together at the end, and the server stages fewer at a time.
   * `bytesOf` is what an operation holds in memory while it runs (a small file's bytes wait for their batch's
   * answer): together at most `maxBytes`, except that one operation may always run.
   */
  constructor(
    private readonly run: (op: SyncOp) => Promise<void>,
    private readonly concurrency = 64,
    private readonly heavy: (op: SyncOp) => boolean = () => false,
    private readonly maxHeavy = 2,
    private readonly bytesOf: (op: SyncOp) => number = () => 0,
    private readonly maxBytes = Infinity,
  ) {}

  /** Append an operation. */
  push(op: SyncOp): void {
    this.pushAll([op]);
  }

  /** Append operations in order, then schedule once (scheduling per operation would be quadratic). */
  pushAll(ops: readonly SyncOp[]): void {
    for (const op of ops) {
      const n: Node = { op, prev: this.tail, next: null };
      if (this.tail) this.tail.next = n;
      else this.head = n;
      this.tail = n;
      this.queued++;
    }
    this.pump();
  }

  /** Drop every operation not yet started (they are re-planned after a reconnect). */
  clear(): void {
    this.head = this.tail = null;
    this.queued = 0;
    this.settleIdle();
  }

  /** Start nothing new until resume(); running operations finish. */
  pause(): void {
    this.paused = true;
  }

  /** Undo pause(). */
  resume(): void {
    this.paused = false;
    this.pump();
  }

  /** Operations queued or running. */
  get size(): number {
    return this.queued + this.running;
  }

  /** Operations not yet started. */
  *pending(): Iterable<SyncOp> {
    for (let n = this.head; n; n = n.next) yield n.op;
  }

  /** Resolves when nothing is queued or running (or the queue is paused with nothing running). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private isIdle(): boolean {
    return this.running === 0 && (this.queued === 0 || this.paused);
  }

  private pump(): void {
    if (this.paused) return;
    const skipped = new PathLocks();
    let looked = 0;
    for (let n = this.head; n && this.running < this.concurrency && looked < SCAN_WINDOW; looked++) {
      const next = n.next;
      const paths = opPaths(n.op);
      const bytes = this.bytesOf(n.op);
      const blocked = (this.heavy(n.op) && this.heavyRunning >= this.maxHeavy) || (this.running > 0 && this.bytesRunning + bytes > this.maxBytes);
      if (blocked || paths.some((p) => this.inflight.overlaps(p) || skipped.overlaps(p))) {
        for (const p of paths) skipped.add(p);
      } else {
        this.unlink(n);
        this.start(n.op, paths);
      }
      n = next;
    }
  }

  /**
   * One pump for everything that finished in this turn: a batch answer completes 64 operations at once, and a
   * pump that finds the head blocked (files waiting for their folder's mkdir) scans up to SCAN_WINDOW entries.
   */
  private pumpSoon(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
      this.settleIdle();
    });
  }

  private start(op: SyncOp, paths: string[]): void {
    for (const p of paths) this.inflight.add(p);
    this.running++;
    const heavy = this.heavy(op);
    if (heavy) this.heavyRunning++;
    const bytes = this.bytesOf(op);
    this.bytesRunning += bytes;
    const done = (): void => {
      for (const p of paths) this.inflight.delete(p);
      this.running--;
      this.bytesRunning -= bytes;
      if (heavy) this.heavyRunning--;
      this.pumpSoon();
      this.settleIdle();
    };
    this.run(op).then(done, done);
  }

  private unlink(n: Node): void {
    if (n.prev) n.prev.next = n.next;
    else this.head = n.next;
    if (n.next) n.next.prev = n.prev;
    else this.tail = n.prev;
    this.queued--;
  }

  private settleIdle(): void {
    if (!this.isIdle() || this.idleWaiters.length === 0) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const r of w) r();
  }
}
