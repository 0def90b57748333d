/**
 * The change feed of one share, in memory: the latest record of every path (tombstones for deleted ones), each
 * stamped with the share's sequence number at which it became so, plus the feed's epoch and floor. No I/O here:
 * feed-store.ts persists it, feed-refresh.ts fills it from the disk.
 */
import { randomBytes } from 'node:crypto';
import type { FeedEntry } from '../../../src-shared/protocol/messages';
import { comparePaths } from '../core/tree';

/** A feed record: the wire entry plus what only the server keeps. */
export interface FeedRecord extends FeedEntry {
  /** Inode when last seen (equality checks; 0 for tombstones). Updated in place: never on the wire. */
  ino: number;
  /** When the record got its seq (ms since epoch): tombstones expire by it. */
  at: number;
}

/** A record's content before it gets a seq. */
export type FeedChange = Omit<FeedRecord, 'seq' | 'at'>;

/** What persists of a feed (records in seq order). */
export interface FeedState {
  epoch: string;
  seq: number;
  floor: number;
  records: FeedRecord[];
}

/** How long and how many tombstones are kept. */
export interface FeedRetention {
  /** Tombstones older than this are dropped (ms). */
  tombstoneMaxAgeMs: number;
  /** At most this many tombstones are kept (oldest dropped first). */
  maxTombstones: number;
}

/** Default: tombstones kept 30 days, at most 100,000 of them. */
export const DEFAULT_FEED_RETENTION: FeedRetention = { tombstoneMaxAgeMs: 30 * 24 * 3600 * 1000, maxTombstones: 100_000 };

/** A fresh random epoch (16 hex digits). */
export function newEpoch(): string {
  return randomBytes(8).toString('hex');
}

/** The wire form of a record (the schema forbids extra fields). */
export function toFeedEntry(r: FeedRecord): FeedEntry {
  const e: FeedEntry = { seq: r.seq, path: r.path, kind: r.kind, size: r.size, mtimeMs: r.mtimeMs, mode: r.mode, device: r.device };
  if (r.target !== undefined) e.target = r.target;
  if (r.hash !== undefined) e.hash = r.hash;
  return e;
}

/** A tombstone for `path`. */
export function tombstone(path: string, device: string): FeedChange {
  return { path, kind: 'gone', size: 0, mtimeMs: 0, mode: 0, device, ino: 0 };
}

/** True when `p` is `dir` or below it. */
export function isAtOrBelow(p: string, dir: string): boolean {
  return p === dir || (p.length > dir.length && p.startsWith(dir) && p.charCodeAt(dir.length) === 47);
}

/** Latest record per path, in seq order, with live listeners. */
export class ShareFeed {
  private readonly byPath = new Map<string, FeedRecord>();
  /** Records in seq order; superseded ones stay until `log` is rebuilt (see `pack`). */
  private log: FeedRecord[] = [];
  private tombstones = 0;
  private readonly listeners = new Set<() => void>();
  /** Called after any change (persistence schedules a write). */
  onDirty: () => void = () => undefined;

  constructor(
    private _epoch: string,
    private _seq = 0,
    private _floor = 0,
    records: readonly FeedRecord[] = [],
  ) {
    for (const r of records) {
      this.byPath.set(r.path, r);
      this.log.push(r);
      if (r.kind === 'gone') this.tombstones++;
    }
    this.log.sort((a, b) => a.seq - b.seq);
  }

  /** Rebuild from persisted state. */
  static fromState(s: FeedState): ShareFeed {
    return new ShareFeed(s.epoch, s.seq, s.floor, s.records);
  }

  /** Changes from before this epoch cannot be continued: a client holding another epoch gets a snapshot. */
  get epoch(): string {
    return this._epoch;
  }

  /** The latest seq given out (0: none yet). */
  get seq(): number {
    return this._seq;
  }

  /** Records with seq ≤ floor may have been dropped: a `since` below it needs a snapshot. */
  get floor(): number {
    return this._floor;
  }

  /** Paths known (tombstones included). */
  get size(): number {
    return this.byPath.size;
  }

  /** The latest record of `path`. */
  get(path: string): FeedRecord | undefined {
    return this.byPath.get(path);
  }

  /** Every record at or below `dir` (any order). Only a folder's record costs a pass over the feed. */
  below(dir: string): FeedRecord[] {
    const at = this.byPath.get(dir);
    if (at !== undefined && at.kind !== 'dir') return [at];
    const out: FeedRecord[] = [];
    for (const r of this.byPath.values()) if (isAtOrBelow(r.path, dir)) out.push(r);
    return out;
  }

  /** Record `c` under the next seq (returns it). Listeners hear of it. */
  set(c: FeedChange, now = Date.now()): FeedRecord {
    const old = this.byPath.get(c.path);
    if (old?.kind === 'gone') this.tombstones--;
    const r: FeedRecord = { ...c, seq: ++this._seq, at: now };
    if (r.kind === 'gone') this.tombstones++;
    this.byPath.set(r.path, r);
    this.log.push(r);
    if (this.log.length > 2 * this.byPath.size + 1024) this.pack();
    this.onDirty();
    for (const l of this.listeners) l();
    return r;
  }

  /** Live records with seq > `since`, in seq order, at most `max`. */
  since(since: number, max = Infinity): FeedRecord[] {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.log[mid]!.seq <= since) lo = mid + 1;
      else hi = mid;
    }
    const out: FeedRecord[] = [];
    for (let i = lo; i < this.log.length && out.length < max; i++) {
      const r = this.log[i]!;
      if (this.byPath.get(r.path) === r) out.push(r);
    }
    return out;
  }

  /** Every existing path (no tombstones), parents before children (comparePaths order). */
  snapshot(): FeedRecord[] {
    const out: FeedRecord[] = [];
    for (const r of this.byPath.values()) if (r.kind !== 'gone') out.push(r);
    return out.sort((a, b) => comparePaths(a.path, b.path));
  }

  /** Call `fn` after every new seq; returns the unsubscribe function. */
  listen(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Drop tombstones older than the retention or beyond the count cap (oldest first); the floor rises to the
   * newest dropped seq, so a client that had not seen a dropped deletion gets a snapshot. Returns how many.
   */
  compact(ret: FeedRetention, now = Date.now()): number {
    const over = this.tombstones - ret.maxTombstones;
    const cutoff = now - ret.tombstoneMaxAgeMs;
    let dropped = 0;
    for (const r of this.log) {
      if (r.kind !== 'gone' || this.byPath.get(r.path) !== r) continue;
      if (r.at > cutoff && dropped >= over) break; // seq order is age order: the rest are newer
      this.byPath.delete(r.path);
      this.tombstones--;
      dropped++;
      if (r.seq > this._floor) this._floor = r.seq;
    }
    if (dropped > 0) {
      this.pack();
      this.onDirty();
    }
    return dropped;
  }

  /** What persists: live records in seq order. */
  state(): FeedState {
    this.pack();
    return { epoch: this._epoch, seq: this._seq, floor: this._floor, records: this.log.slice() };
  }

  /** Drop superseded records from the log. */
  private pack(): void {
    this.log = this.log.filter((r) => this.byPath.get(r.path) === r);
  }
}

/**
 * The order in which changes can be applied one by one: deletions first, deepest first (a folder is empty when its
 * own tombstone comes; a file replacing a folder finds it gone), then existing paths, parents before children.
 */
export function orderForFeed<T extends { path: string; kind: string }>(changes: readonly T[]): T[] {
  const gone = changes.filter((c) => c.kind === 'gone').sort((a, b) => comparePaths(b.path, a.path));
  const live = changes.filter((c) => c.kind !== 'gone').sort((a, b) => comparePaths(a.path, b.path));
  return [...gone, ...live];
}
