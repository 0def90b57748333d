/**
 * Persistence of a share's change feed in `<share>/.ferry/feed/`: `feed.json`, a whole snapshot written atomically
 * (temp file, flush, rename), debounced while changes come in and once more on close; and an `open` marker that
 * exists while the feed is in use. A marker found at open means the last run did not close cleanly: seqs given
 * out after the last snapshot may be given out again, so the feed takes a new epoch (clients then get a snapshot).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { toFerryError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { newEpoch, ShareFeed, type FeedRecord, type FeedState } from './share-feed';

/** Folder of the feed inside the share's state folder. */
export const FEED_DIR = 'feed';
const FEED_FILE = 'feed.json';
const MARKER_FILE = 'open';
const FORMAT = 1;
const KINDS = ['file', 'dir', 'symlink', 'gone'] as const;

/** One record on disk: [seq, path, kind index, size, mtimeMs, mode, ino, at, device index, hash or 0, target?]. */
type Row = [number, string, number, number, number, number, number, number, number, string | 0, string?];

/** Records encoded per slice by `encodeFeedSliced` (~a few ms of this thread each). */
const ROWS_PER_SLICE = 5000;

/**
 * A feed state as JSON text (devices interned: thousands of records share a handful of ids), built a slice of
 * records at a time with a turn of the event loop between slices, so a feed of 100,000 paths never holds the thread
 * for the whole encoding. Records are replaced on change, never mutated, and `state()` returns a copy of the list.
 */
export async function encodeFeedSliced(s: FeedState): Promise<string> {
  const devices = new Map<string, number>();
  const parts: string[] = [];
  for (let from = 0; from < s.records.length; from += ROWS_PER_SLICE) {
    if (from > 0) await new Promise<void>((r) => setImmediate(r));
    const rows: Row[] = [];
    for (const r of s.records.slice(from, from + ROWS_PER_SLICE)) {
      let d = devices.get(r.device);
      if (d === undefined) devices.set(r.device, (d = devices.size));
      const row: Row = [r.seq, r.path, KINDS.indexOf(r.kind), r.size, r.mtimeMs, r.mode, r.ino, r.at, d, r.hash ?? 0];
      if (r.target !== undefined) row.push(r.target);
      rows.push(row);
    }
    parts.push(JSON.stringify(rows).slice(1, -1));
  }
  const head = JSON.stringify({ format: FORMAT, epoch: s.epoch, seq: s.seq, floor: s.floor, devices: [...devices.keys()] });
  return `${head.slice(0, -1)},"records":[${parts.join(',')}]}`;
}

/** Decode `encodeFeedSliced`'s text; null when it is not a feed this version can read. */
export function decodeFeed(text: string): FeedState | null {
  let raw: { format?: unknown; epoch?: unknown; seq?: unknown; floor?: unknown; devices?: unknown; records?: unknown };
  try {
    raw = JSON.parse(text) as typeof raw;
  } catch {
    return null;
  }
  if (raw.format !== FORMAT || typeof raw.epoch !== 'string' || typeof raw.seq !== 'number' || typeof raw.floor !== 'number') return null;
  if (!Array.isArray(raw.devices) || !Array.isArray(raw.records)) return null;
  const devices = raw.devices as string[];
  const records: FeedRecord[] = [];
  for (const row of raw.records as Row[]) {
    const kind = KINDS[row[2]];
    const device = devices[row[8]];
    if (!Array.isArray(row) || typeof row[1] !== 'string' || kind === undefined || typeof device !== 'string') return null;
    const r: FeedRecord = { seq: row[0], path: row[1], kind, size: row[3], mtimeMs: row[4], mode: row[5], ino: row[6], at: row[7], device };
    if (row[9] !== 0) r.hash = row[9];
    if (row[10] !== undefined) r.target = row[10];
    records.push(r);
  }
  return { epoch: raw.epoch, seq: raw.seq, floor: raw.floor, records };
}

/** Tunables of the persisted feed. */
export interface FeedStoreOptions {
  /** Least time between two snapshot writes while changes come in. Default 1 s. */
  debounceMs?: number;
  /** Flush the snapshot to disk before it replaces the old one. Default true. */
  fsync?: boolean;
  log?: Logger;
}

/** The persisted side of one feed: load at open, debounced snapshots, clean close. */
export class FeedStore {
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private dirty = false;
  private closed = false;
  /** Duration of the last snapshot write (ms), for figures. */
  lastWriteMs = 0;
  private readonly debounceMs: number;
  private readonly log: Logger;

  private constructor(
    private readonly dir: string,
    /** The feed kept on disk. */
    readonly feed: ShareFeed,
    /** The last run ended without a clean close (the epoch was renewed). */
    readonly recovered: boolean,
    private readonly opts: FeedStoreOptions,
  ) {
    this.debounceMs = opts.debounceMs ?? 1000;
    this.log = opts.log ?? silentLogger;
    feed.onDirty = () => this.schedule();
  }

  /** Load the feed of the share whose state folder is `stateDir`, and mark it open. */
  static async open(stateDir: string, opts: FeedStoreOptions = {}): Promise<FeedStore> {
    const dir = join(stateDir, FEED_DIR);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // Temp files of a snapshot write a crash interrupted.
      for (const n of await readdir(dir)) if (n.startsWith('tmp-')) await rm(join(dir, n), { force: true });
      const text = await readFile(join(dir, FEED_FILE), 'utf8').catch(() => null);
      const state = text === null ? null : decodeFeed(text);
      const marker = await readFile(join(dir, MARKER_FILE)).then(() => true, () => false);
      const clean = state !== null && !marker;
      // Unclean: keep the records (they are the last saved truth) but not the epoch, and let seqs go on upward.
      const feed = state === null ? new ShareFeed(newEpoch()) : ShareFeed.fromState(clean ? state : { ...state, epoch: newEpoch() });
      await writeFlushed(join(dir, MARKER_FILE), feed.epoch, opts.fsync ?? true);
      const store = new FeedStore(dir, feed, !clean && text !== null, opts);
      if (!clean) await store.save(); // the new epoch is on disk before any client can see it
      return store;
    } catch (err) {
      throw toFerryError(err, dir);
    }
  }

  /** Write the snapshot now (waits for a write in progress first). */
  async save(): Promise<void> {
    while (this.writing) await this.writing;
    this.dirty = false;
    this.writing = this.write().finally(() => {
      this.writing = null;
    });
    await this.writing;
  }

  /** Final snapshot and clean mark; the feed is not written again. `clean: false` (tests) leaves it as a crash would. */
  async close(clean = true): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.writing) await this.writing;
    if (!clean) return;
    await this.save();
    await rm(join(this.dir, MARKER_FILE), { force: true });
  }

  private schedule(): void {
    this.dirty = true;
    if (this.timer || this.closed) return;
    // A slow write (a huge feed on a busy disk) spaces the next one out: at most ~10 % of the time writing.
    const wait = Math.max(this.debounceMs, 10 * this.lastWriteMs);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.closed || !this.dirty) return;
      this.save().catch((err: unknown) => this.log.warn({ err, dir: this.dir }, 'change feed not saved'));
    }, wait);
    this.timer.unref();
  }

  private async write(): Promise<void> {
    const started = performance.now();
    const text = await encodeFeedSliced(this.feed.state());
    const tmp = join(this.dir, `tmp-${randomBytes(6).toString('hex')}`);
    try {
      await writeFlushed(tmp, text, this.opts.fsync ?? true);
      await rename(tmp, join(this.dir, FEED_FILE));
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw toFerryError(err, this.dir);
    }
    this.lastWriteMs = performance.now() - started;
  }
}

async function writeFlushed(path: string, text: string, flush: boolean): Promise<void> {
  const fh = await open(path, 'w', 0o600);
  try {
    await fh.writeFile(text, 'utf8');
    if (flush) await fh.datasync();
  } finally {
    await fh.close();
  }
}
