/**
 * The change feed of one share, assembled: the in-memory feed (share-feed.ts), its persistence (feed-store.ts),
 * the refresher that keeps it equal to the disk (feed-refresh.ts) and the watcher + rescans that find the server's
 * own edits (disk-watch.ts). Sessions report each applied operation here and subscribe to the feed.
 */
import { CONTENT_ID_WHOLE_FILE_MAX } from '../../../src-shared/protocol/limits';
import type { ClientMessage } from '../../../src-shared/protocol/messages';
import type { SafeRoot } from '../fs/safe-path';
import type { WalkEntry } from '../fs/tree-walk';
import { silentLogger, type Logger } from '../log';
import type { Connection } from '../net/connection';
import { DiskWatch, type DiskWatchOptions } from './disk-watch';
import { BusyPaths } from './busy-paths';
import { FeedRefresher } from './feed-refresh';
import { FeedStore } from './feed-store';
import { FeedSubscription } from './feed-subscription';
import { DEFAULT_FEED_RETENTION, type FeedRetention, type ShareFeed } from './share-feed';
import type { ShareIndex } from './share-index';

/** Tunables of a share's change feed (ServerOptions.changeFeed). */
export interface ChangeFeedOptions extends DiskWatchOptions {
  /** A file changed on the server's disk is announced once its size and mtime held still this long (ms). Default 1000. */
  settleMs?: number;
  /** Tombstone retention (default 30 days, at most 100,000). */
  retention?: Partial<FeedRetention>;
  /** Least ms between two snapshot writes of the feed. Default 1000. */
  saveDebounceMs?: number;
  /** Flush feed snapshots to disk before they replace the last one. Default true. */
  fsync?: boolean;
}

/** What an applied operation returned, as far as the feed cares. */
type Outcome = { changed?: unknown } | { written: { index: number }[] };

/** The change feed of one share and everything that keeps it current. */
export class ShareChanges {
  private watch: DiskWatch | null = null;
  private starting: Promise<void> | null = null;
  private readonly retention: FeedRetention;

  private constructor(
    private readonly root: SafeRoot,
    private readonly store: FeedStore,
    /** Re-reads paths into the feed (tests drive it directly). */
    readonly refresher: FeedRefresher,
    private readonly index: ShareIndex,
    private readonly opts: ChangeFeedOptions,
    private readonly log: Logger,
  ) {
    this.retention = { ...DEFAULT_FEED_RETENTION, ...opts.retention };
  }

  /** Load the feed persisted in `stateDir` (the share's `.ferry`). Nothing is watched before `start()`. */
  static async open(root: SafeRoot, stateDir: string, index: ShareIndex, opts: ChangeFeedOptions = {}, log: Logger = silentLogger): Promise<ShareChanges> {
    const store = await FeedStore.open(stateDir, { debounceMs: opts.saveDebounceMs, fsync: opts.fsync, log });
    if (store.recovered) log.info({ root: root.root, epoch: store.feed.epoch }, 'change feed was not closed cleanly: new epoch');
    const refresher = new FeedRefresher(root, store.feed, index, opts.settleMs ?? 1000, log);
    return new ShareChanges(root, store, refresher, index, opts, log);
  }

  /** The feed. */
  get feed(): ShareFeed {
    return this.store.feed;
  }

  /** The persistence side (figures: `lastWriteMs`; tests: `save`). */
  get persisted(): FeedStore {
    return this.store;
  }

  /** Compare disk and feed once (edits made while the server was down), then watch and rescan periodically; resolves when the watcher is in place and the first rescan done (same promise on every call). */
  start(): Promise<void> {
    if (this.starting) return this.starting;
    this.compact();
    const watch = (this.watch = new DiskWatch(this.root.root, this.refresher, this.opts, this.log, this.busy));
    // After the index is built, so that large files' content ids come from its recipes instead of a second read.
    this.starting = this.index.build().then(() => watch.start());
    return this.starting;
  }

  /** A full rescan now (also periodic); resolves when its changes are in the feed. */
  async rescan(): Promise<void> {
    this.compact();
    if (this.watch) await this.watch.rescan();
    else {
      await this.refresher.refreshTree('', 'server', { disk: true });
      await this.refresher.idle();
    }
  }

  /** Drop expired tombstones (the floor rises); returns how many. */
  compact(): number {
    return this.feed.compact(this.retention);
  }

  /** Paths client operations are working on (the watcher's findings there wait for the operation's record). */
  readonly busy = new BusyPaths();

  /**
   * Client `device` had `req` applied with this outcome: re-read what it touched. `uploadId`: the content id a
   * chunked upload established (content-id.ts uploadContentId), for a `commit` (whose header names only the transfer).
   */
  applied(device: string, req: ClientMessage, outcome: Outcome, upload?: { path: string; size: number; mtimeMs: number; contentId: string | undefined }): void {
    const r = this.refresher;
    switch (req.type) {
      case 'mkdir':
      case 'symlink':
      case 'remove':
        return r.refresh(req.path, device);
      case 'setMeta':
        return r.refresh(req.path, device, { metaOnly: true });
      case 'move':
        return r.moved(req.from, req.to, device);
      case 'put': {
        const small = req.size <= CONTENT_ID_WHOLE_FILE_MAX;
        return r.refresh(req.path, device, small ? { contentId: { hash: req.hash, size: req.size, mtimeMs: req.mtimeMs } } : {});
      }
      case 'putBatch':
        if (!('written' in outcome)) return;
        for (const { index } of outcome.written) {
          const f = req.files[index]!;
          r.refresh(f.path, device, { contentId: { hash: f.hash, size: f.size, mtimeMs: f.mtimeMs } });
        }
        return;
      case 'commit':
        if (!upload) return;
        return r.refresh(upload.path, device, upload.contentId === undefined ? {} : { contentId: { hash: upload.contentId, size: upload.size, mtimeMs: upload.mtimeMs } });
      case 'restoreVersion': {
        // Where the server put it (the version's original path unless `to`), as the operation reported it.
        const changed = (outcome as { changed?: { path?: unknown } }).changed;
        if (typeof changed?.path === 'string') r.refresh(changed.path, device);
        return;
      }
      default: {
        // Any other writing operation (e.g. restoreVersion): the path its result names.
        const changed = 'changed' in outcome ? (outcome.changed as { path?: unknown } | undefined) : undefined;
        if (typeof changed?.path === 'string') r.refresh(changed.path, device);
        return;
      }
    }
  }

  /** Subscribe `conn` (request `id`) from `since` of `epoch`; stop it when the connection ends. */
  subscribe(conn: Connection, id: number, since: number | undefined, epoch: string | undefined): FeedSubscription {
    const sub = new FeedSubscription(conn, this.feed, id);
    // The catch-up waits for the first comparison of disk and feed: a snapshot from before it could lack files that
    // are there (a share served for the first time, edits made while the server was down), which reads as deletions.
    const ready = (this.starting ?? Promise.resolve()).catch(() => undefined);
    void ready.then(() => sub.start(since, epoch));
    return sub;
  }

  /** Content id of a listed file, when the feed knows it for exactly this file (same size, mtime and inode). */
  hashOf(e: WalkEntry): string | undefined {
    if (e.kind !== 'file') return undefined;
    const r = this.feed.get(e.path);
    return r?.kind === 'file' && r.size === e.size && r.mtimeMs === e.mtimeMs && r.ino === e.ino ? r.hash : undefined;
  }

  /** Stop watching, save the feed. `clean: false` (tests) leaves it as a crash would: the next open takes a new epoch. */
  async close(clean = true): Promise<void> {
    await this.watch?.close();
    this.refresher.close();
    await this.refresher.idle();
    await this.store.close(clean);
  }
}
