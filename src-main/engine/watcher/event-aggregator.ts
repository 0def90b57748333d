/**
 * Coalescing watcher events: paths are collected until the folder has been quiet for a short window (capped,
 * so a steady stream still flushes), then handed over as a batch of region roots. A small batch is a list of
 * targeted paths; a huge burst becomes one rescan of the folder all its paths share; an error, the whole root.
 */
import { isWithin } from '../../../src-shared/protocol/paths';

/** One batch: roots of the regions to rescan ('' = the whole folder). */
export interface EventBatch {
  roots: string[];
  /** True when the batch is a rescan of a burst or error rather than a list of events. */
  rescan: boolean;
}

/** Tunables of the aggregator. */
export interface AggregatorOptions {
  /** Flush after this long without a new event. */
  quietMs?: number;
  /** Flush at the latest this long after the first event of a batch. */
  maxDelayMs?: number;
  /** More paths than this in one batch: rescan their common folder instead. */
  maxPaths?: number;
  onBatch: (batch: EventBatch) => void;
  /** Timer functions (tests pass fakes). */
  timers?: { set: (fn: () => void, ms: number) => unknown; clear: (h: unknown) => void };
}

/** Collects paths and flushes them in coalesced batches. */
export class EventAggregator {
  private readonly paths = new Set<string>();
  private rescanAll = false;
  private quietTimer: unknown = null;
  private capTimer: unknown = null;
  private readonly later = new Set<unknown>();
  private closed = false;
  private readonly quietMs: number;
  private readonly maxDelayMs: number;
  private readonly maxPaths: number;
  private readonly timers: NonNullable<AggregatorOptions['timers']>;

  constructor(private readonly opts: AggregatorOptions) {
    this.quietMs = opts.quietMs ?? 25;
    this.maxDelayMs = opts.maxDelayMs ?? 150;
    this.maxPaths = opts.maxPaths ?? 2000;
    this.timers = opts.timers ?? { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as NodeJS.Timeout) };
  }

  /** A path changed (any event kind: the session re-reads the disk, so the kind does not matter). */
  push(path: string): void {
    if (this.closed) return;
    this.paths.add(path);
    this.arm();
  }

  /** Ask for a rescan of everything (watcher error, periodic rescan). */
  rescan(): void {
    if (this.closed) return;
    this.rescanAll = true;
    this.arm();
  }

  /** Push `path` again after `ms` (re-check after the watcher's own change throttling, held deletions). */
  pushLater(path: string, ms: number): void {
    if (this.closed) return;
    const h = this.timers.set(() => {
      this.later.delete(h);
      this.push(path);
    }, ms);
    this.later.add(h);
  }

  /** Flush now (if anything is pending). */
  flush(): void {
    this.clearTimers();
    if (this.paths.size === 0 && !this.rescanAll) return;
    const batch = this.rescanAll ? { roots: [''], rescan: true } : toBatch([...this.paths], this.maxPaths);
    this.paths.clear();
    this.rescanAll = false;
    this.opts.onBatch(batch);
  }

  /** Drop everything and stop. */
  close(): void {
    this.closed = true;
    this.clearTimers();
    for (const h of this.later) this.timers.clear(h);
    this.later.clear();
    this.paths.clear();
  }

  private arm(): void {
    if (this.quietTimer !== null) this.timers.clear(this.quietTimer);
    this.quietTimer = this.timers.set(() => this.flush(), this.quietMs);
    if (this.capTimer === null) this.capTimer = this.timers.set(() => this.flush(), this.maxDelayMs);
  }

  private clearTimers(): void {
    if (this.quietTimer !== null) this.timers.clear(this.quietTimer);
    if (this.capTimer !== null) this.timers.clear(this.capTimer);
    this.quietTimer = this.capTimer = null;
  }
}

/** Roots of a set of paths: the minimal cover (paths inside another path dropped), or their common folder when huge. */
export function toBatch(paths: string[], maxPaths: number): EventBatch {
  if (paths.length > maxPaths) return { roots: [commonFolder(paths)], rescan: true };
  return { roots: minimalCover(paths), rescan: false };
}

/** Paths that no other path of the list contains. */
export function minimalCover(paths: string[]): string[] {
  const sorted = [...new Set(paths)].sort();
  const out: string[] = [];
  // Sorted order puts 'a' before 'a/b', but 'a-b' may come between them: check all kept roots' prefixes via a set.
  const kept = new Set<string>();
  for (const p of sorted) {
    if (kept.has('') || ancestorKept(p, kept)) continue;
    kept.add(p);
    out.push(p);
  }
  return out;
}

function ancestorKept(p: string, kept: Set<string>): boolean {
  for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) if (kept.has(p.slice(0, i))) return true;
  return false;
}

/** The deepest path containing every path ('' when they share none); a region root, folder or not. */
export function commonFolder(paths: string[]): string {
  let prefix = paths[0] ?? '';
  for (const p of paths) {
    while (prefix !== '' && !isWithin(p, prefix)) {
      const i = prefix.lastIndexOf('/');
      prefix = i < 0 ? '' : prefix.slice(0, i);
    }
  }
  return prefix;
}
