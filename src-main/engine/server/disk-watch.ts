/**
 * Finds changes made on the server's own disk (a user editing the share folder on the server): a watcher on the
 * share root (state folder skipped), its events coalesced by the event aggregator, plus a periodic full rescan for
 * whatever a watcher misses. Everything found goes through the feed refresher with device 'server'.
 */
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_DIR_NAME } from '../../../src-shared/protocol/limits';
import { silentLogger, type Logger } from '../log';
import { EventAggregator, type EventBatch } from '../watcher/event-aggregator';
import { startWatcher, type Watcher } from '../watcher/fs-watcher';
import { BusyPaths } from './busy-paths';
import { SERVER_DEVICE, type FeedRefresher } from './feed-refresh';

/** What to watch and how often to rescan. */
export interface DiskWatchOptions {
  /** Watch the share root for changes. Default true. */
  watch?: boolean;
  /** Full rescan every this many ms (0: never, besides the one at start). Default 60 s. */
  rescanIntervalMs?: number;
}

/** The state folder, in any letter case (a case-insensitive share would report `.Ferry/…`). */
function isStatePath(rel: string): boolean {
  const top = rel.split('/')[0]!.toLowerCase();
  return top === STATE_DIR_NAME;
}

/** Watcher + periodic rescans of one share root. */
export class DiskWatch {
  private watcher: Watcher | null = null;
  private readonly agg: EventAggregator;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;

  constructor(
    private readonly root: string,
    private readonly refresher: FeedRefresher,
    private readonly opts: DiskWatchOptions = {},
    private readonly log: Logger = silentLogger,
    private readonly busy: BusyPaths = new BusyPaths(),
  ) {
    this.agg = new EventAggregator({ onBatch: (b) => this.onBatch(b) });
  }

  /** Rescan once (edits made while the server was down get their seqs), then watch and rescan periodically. */
  async start(): Promise<void> {
    // Not settled: the catch-up of subscribers waits for this one, and what changed while the server was down is done.
    const first = this.rescan(false);
    if (this.opts.watch ?? true) {
      try {
        this.watcher = await startWatcher(this.root, {
          onPath: (rel) => this.agg.push(rel),
          onError: (err) => {
            this.log.warn({ err: err.message, root: this.root }, 'share watcher error: rescanning');
            this.agg.rescan();
          },
          ignored: (rel) => isStatePath(rel),
        });
        if (this.closed) await this.watcher.close();
      } catch (err) {
        this.log.warn({ err, root: this.root }, 'share watcher not started: periodic rescans only');
      }
    }
    const every = this.opts.rescanIntervalMs ?? 60_000;
    if (every > 0 && !this.closed) {
      this.timer = setInterval(() => void this.rescan(), every);
      this.timer.unref();
    }
    await first;
  }

  /** Compare the whole share with the feed now (one at a time; a call during one runs once more after it). */
  rescan(settle = true): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      for (let guard = 0; guard < 100 && !this.closed; guard++) {
        this.again = false;
        await this.refresher.refreshTree('', SERVER_DEVICE, { disk: true, noSettle: !settle });
        await this.refresher.idle();
        if (!this.again) break;
      }
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Stop watching and rescanning (a rescan in progress ends at its next step). */
  async close(): Promise<void> {
    this.closed = true;
    this.agg.close();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.watcher?.close();
    await this.running;
  }

  private onBatch(b: EventBatch): void {
    if (this.closed) return;
    for (const rel of b.roots) {
      if (rel === '') {
        void this.rescan();
        continue;
      }
      if (isStatePath(rel)) continue;
      this.busy.whenFree(rel, () => this.found(rel));
    }
  }

  /** What the watcher reported at `rel`, read once no client operation is working there. */
  private found(rel: string): void {
    if (this.closed) return;
    let st;
    try {
      st = lstatSync(join(this.root, rel), { throwIfNoEntry: false });
    } catch {
      st = undefined; // e.g. an ancestor became a file: refresh() finds it gone
    }
    // A folder event may stand for anything inside it (a burst, a folder moved in): compare the whole region.
    if (st?.isDirectory()) void this.refresher.refreshTree(rel, SERVER_DEVICE, { disk: true });
    else this.refresher.refresh(rel, SERVER_DEVICE, { disk: true });
  }
}
