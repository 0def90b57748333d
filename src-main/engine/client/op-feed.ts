/**
 * Between the plan and the transfer queue: plan items wait here and become operations a window at a time, so a
 * first upload of 100,000 files holds 100,000 scanned entries (which the models keep anyway) and a few thousand
 * operations, instead of an operation, a queue node and a pending-bytes entry per file made at planning time.
 * The window is larger than the queue's look-ahead, so the queue picks exactly what it would pick with everything queued.
 */
import { opOfItem, uploadSizeOf, type PlanItem, type SyncOp } from '../core/operations';
import { SCAN_WINDOW } from './transfer-queue';

/** What the feed needs from the transfer queue. */
export interface FeedQueue {
  pushAll(ops: readonly SyncOp[]): void;
  clear(): void;
  /** Operations queued or running. */
  readonly size: number;
}

/** Items made into operations per top-up. */
const FEED_CHUNK = 512;

/**
 * Operations kept in the queue while items wait: more than the queue looks past blocked ones, even with all of
 * `concurrency` started since the last top-up.
 */
export function feedWindow(concurrency: number): number {
  return SCAN_WINDOW + concurrency + FEED_CHUNK;
}

/** Items in plan order, fed to a queue; counts the uploads (files and bytes) not yet finished. */
export class OpFeed {
  private items: PlanItem[] = [];
  private next = 0;
  /** Fed to the queue and not yet started. */
  private waiting = 0;
  /** Uploads fed and counted, until they finish or the counters are reset. */
  private readonly counted = new Set<SyncOp>();
  private files = 0;
  private bytes = 0;
  /** Items before this index were pushed before the last resetCounts: no longer counted. */
  private countFrom = 0;

  /** `window`: see feedWindow (tests use small ones). */
  constructor(
    private readonly queue: FeedQueue,
    private readonly window: number,
  ) {}

  /** Append items in order (the array is kept, not copied, when nothing else waits). */
  push(items: PlanItem[]): void {
    for (const item of items) {
      const size = uploadSizeOf(item);
      if (size === undefined) continue;
      this.files++;
      this.bytes += size;
    }
    if (this.next === this.items.length) {
      this.items = items;
      this.next = 0;
      this.countFrom = 0;
    } else {
      for (const item of items) this.items.push(item);
    }
    this.fill();
  }

  /** The queue started `op` (call first thing in its run function). */
  started(_op: SyncOp): void {
    this.waiting--;
  }

  /** `op` finished, one way or another: uncount it and top the queue up. */
  finished(op: SyncOp): void {
    if (this.counted.delete(op) && op.kind === 'upload') {
      this.files--;
      this.bytes -= op.size;
    }
    this.fill();
  }

  /** Drop everything not yet started (the counters keep them until resetCounts, as the queue's own clear does). */
  clear(): void {
    this.items = [];
    this.next = 0;
    this.countFrom = 0;
    this.waiting = 0;
    this.queue.clear();
  }

  /** Forget what was counted (after a clear: operations still running then are not counted down again). */
  resetCounts(): void {
    this.counted.clear();
    this.files = 0;
    this.bytes = 0;
    this.countFrom = this.items.length;
  }

  /** Items and operations not finished: waiting here, queued or running. */
  get size(): number {
    return this.items.length - this.next + this.queue.size;
  }

  /** Uploads not finished since the last resetCounts. */
  get pendingFiles(): number {
    return this.files;
  }

  /** Their bytes. */
  get pendingBytes(): number {
    return this.bytes;
  }

  private fill(): void {
    while (this.waiting < this.window && this.next < this.items.length) {
      const end = Math.min(this.items.length, this.next + Math.min(FEED_CHUNK, this.window));
      const ops: SyncOp[] = [];
      for (let i = this.next; i < end; i++) {
        const item = this.items[i] as PlanItem;
        const op = opOfItem(item);
        if (i >= this.countFrom && uploadSizeOf(item) !== undefined) this.counted.add(op);
        ops.push(op);
      }
      this.next = end;
      this.waiting += ops.length;
      if (this.next === this.items.length) {
        this.items = [];
        this.next = 0;
        this.countFrom = 0;
      }
      this.queue.pushAll(ops);
    }
  }
}
