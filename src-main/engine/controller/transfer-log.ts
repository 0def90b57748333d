/** The activity log: the latest version of the most recent transfers, and batched change notifications. */
import type { TransferRecord } from '../../../src-shared/model';

/** How many transfers are remembered. */
export const TRANSFER_LOG_CAPACITY = 100_000;

/** How long updates are gathered before one `transfersUpdated` batch is sent. */
export const TRANSFER_BATCH_MS = 100;

/** Ring buffer of transfer records keyed by id; updates to a known id replace it in place. */
export class TransferLog {
  // A Map keeps insertion order, so its first key is always the oldest record.
  private readonly records = new Map<string, TransferRecord>();
  private pending = new Map<string, TransferRecord>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly onBatch: (batch: TransferRecord[]) => void,
    private readonly capacity = TRANSFER_LOG_CAPACITY,
    private readonly batchMs = TRANSFER_BATCH_MS,
  ) {}

  /** Record a new or changed transfer; it is announced with the next batch. */
  update(record: TransferRecord): void {
    this.records.set(record.id, record);
    while (this.records.size > this.capacity) {
      const oldest = this.records.keys().next().value as string;
      this.records.delete(oldest);
    }
    // Re-inserting moves the id to the end: a batch lists records in the order of their last change.
    this.pending.delete(record.id);
    this.pending.set(record.id, record);
    this.timer ??= setTimeout(() => this.flush(), this.batchMs);
  }

  /** The most recent `limit` records, oldest first (the order of the log). */
  recent(limit: number): TransferRecord[] {
    const all = [...this.records.values()];
    return all.slice(Math.max(0, all.length - limit));
  }

  /** Forget the transfers of a removed pair. */
  dropPair(pairId: string): void {
    for (const [id, r] of this.records) if (r.pairId === pairId) this.records.delete(id);
    for (const [id, r] of this.pending) if (r.pairId === pairId) this.pending.delete(id);
  }

  /** Send what is pending now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.onBatch(batch);
  }

  /** Send the last batch and stop the timer. */
  close(): void {
    this.flush();
  }
}
