/** The activity log: latest version of each transfer by id, in arrival order, capped. */
import type { PairId, TransferKind, TransferRecord } from '../../../src-shared/model';

/** Default number of transfers kept; older ones are dropped first. */
export const ACTIVITY_CAP = 100_000;

/** What the Activity page filters on; empty/'all' means no filter. */
export interface ActivityFilter {
  pairId: PairId | 'all';
  kind: TransferKind | 'all';
  text: string;
}

/** Summary counts of what the store holds. */
export interface ActivityCounts {
  total: number;
  active: number;
  failed: number;
}

/** Mutable store with a version number, read through useSyncExternalStore. */
export class ActivityStore {
  private readonly byId = new Map<string, TransferRecord>();
  /** Ids in first-seen order; may hold ids already evicted (skipped lazily, compacted on eviction). */
  private order: string[] = [];
  private listeners = new Set<() => void>();
  private version = 0;

  constructor(private readonly cap = ACTIVITY_CAP) {}

  /** Merges a batch (each element the latest version of its record) and notifies once. */
  upsert(records: readonly TransferRecord[]): void {
    if (records.length === 0) return;
    for (const r of records) {
      if (!this.byId.has(r.id)) this.order.push(r.id);
      this.byId.set(r.id, r);
    }
    if (this.byId.size > this.cap) this.evict();
    this.version++;
    for (const l of this.listeners) l();
  }

  /** Replaces everything (after a reconnect, with `transfers:recent`). */
  reset(records: readonly TransferRecord[]): void {
    this.byId.clear();
    this.order = [];
    this.upsert(records);
    if (records.length === 0) {
      this.version++;
      for (const l of this.listeners) l();
    }
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Changes on every mutation; the snapshot for useSyncExternalStore. */
  getVersion = (): number => this.version;

  /** Number of records held. */
  get size(): number {
    return this.byId.size;
  }

  /** One record by id. */
  get(id: string): TransferRecord | undefined {
    return this.byId.get(id);
  }

  /** Records matching `filter`, newest first. */
  query(filter: ActivityFilter): TransferRecord[] {
    const text = filter.text.trim().toLowerCase();
    const out: TransferRecord[] = [];
    for (let i = this.order.length - 1; i >= 0; i--) {
      const r = this.byId.get(this.order[i] as string);
      if (r && matches(r, filter.pairId, filter.kind, text)) out.push(r);
    }
    return out;
  }

  /** Totals over everything held (not only the filtered view). */
  counts(): ActivityCounts {
    let active = 0;
    let failed = 0;
    for (const r of this.byId.values()) {
      if (r.status === 'active') active++;
      else if (r.status === 'failed') failed++;
    }
    return { total: this.byId.size, active, failed };
  }

  private evict(): void {
    // Drop oldest first, then compact the order array once rather than shifting per record.
    let excess = this.byId.size - this.cap;
    let cut = 0;
    while (excess > 0 && cut < this.order.length) {
      if (this.byId.delete(this.order[cut] as string)) excess--;
      cut++;
    }
    this.order = this.order.slice(cut);
  }
}

function matches(r: TransferRecord, pairId: PairId | 'all', kind: TransferKind | 'all', text: string): boolean {
  if (pairId !== 'all' && r.pairId !== pairId) return false;
  if (kind !== 'all' && r.kind !== kind) return false;
  if (text && !r.path.toLowerCase().includes(text) && !(r.toPath?.toLowerCase().includes(text) ?? false)) return false;
  return true;
}
