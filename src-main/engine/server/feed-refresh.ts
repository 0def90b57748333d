/**
 * Keeps a share's feed equal to its disk: after each operation a client applied (device = that client's id), and for
 * whatever the server's own watcher and rescans report (device 'server'). A path is re-read with lstat and gets a
 * new seq only when it differs from its record, so the server's own writes, seen again by a watcher or rescan, are
 * never announced twice. File content ids come from the operation (the hash its client announced) or the record
 * (same size, mtime and inode), else they are computed before the record is made.
 */
import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { STATE_DIR_NAME } from '../../../src-shared/protocol/limits';
import { relPathProblem } from '../../../src-shared/protocol/paths';
import { walkTree } from '../fs/tree-walk';
import type { SafeRoot } from '../fs/safe-path';
import { silentLogger, type Logger } from '../log';
import { contentIdOfFile } from './content-id';
import { orderForFeed, tombstone, type FeedChange, type FeedRecord, type ShareFeed } from './share-feed';
import type { ShareIndex } from './share-index';

/** Device of changes found on the server's own disk. */
export const SERVER_DEVICE = 'server';

/** What an operation tells about the path it wrote. */
export interface RefreshHint {
  /** The content id the client announced, valid while the file has this size and mtime. */
  contentId?: { hash: string; size: number; mtimeMs: number };
  /** Only metadata changed (setMeta): a file of the same size and inode keeps its content id. */
  metaOnly?: boolean;
  /** A found change (not one an operation reported): folder mtimes do not count, files wait to settle. */
  disk?: boolean;
  /** Announce found files at once (the rescan at start: what changed while the server was down is complete). */
  noSettle?: boolean;
}

/** A path as found on disk, before it has a device and content id. */
type DiskState = Omit<FeedChange, 'device' | 'hash'>;

/** Hash passes retried when the file changed while hashed (later changes are found by the watcher or rescan). */
const MAX_HASH_RETRIES = 3;

/**
 * A folder this client's operation made (a parent of what it wrote) may have been seen by the server's watcher a
 * moment earlier and recorded as the server's: the operation claims it, so it is not announced as another device's.
 */
const CLAIM_WINDOW_MS = 60_000;
function claimsFound(r: FeedRecord | undefined, device: string, ino: number | undefined): boolean {
  return r !== undefined && r.kind === 'dir' && r.device === SERVER_DEVICE && device !== SERVER_DEVICE && r.ino === ino && Date.now() - r.at < CLAIM_WINDOW_MS;
}

/** Refreshes one share's feed from its disk. */
export class FeedRefresher {
  private readonly hashing = new Map<string, Promise<void>>();
  /** Paths to re-read once their running hash ends. */
  private readonly recheck = new Map<string, { device: string; hint: RefreshHint; retries: number }>();
  private readonly settling = new Map<string, NodeJS.Timeout>();
  private readonly walks = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly root: SafeRoot,
    private readonly feed: ShareFeed,
    private readonly index: ShareIndex,
    /** How long a file found changed on disk must keep its size and mtime before it is announced (ms). */
    public settleMs = 1000,
    private readonly log: Logger = silentLogger,
  ) {}

  /** Hashes and settle checks still pending (tests wait for them). */
  async idle(): Promise<void> {
    for (let guard = 0; guard < 1000 && this.hashing.size + this.walks.size > 0; guard++) {
      await Promise.allSettled([...this.hashing.values(), ...this.walks]);
    }
  }

  /** Stop: pending settle checks are dropped. */
  close(): void {
    this.closed = true;
    for (const t of this.settling.values()) clearTimeout(t);
    this.settling.clear();
  }

  /** Re-read `rel` (and, when it is gone or stopped being a folder, forget what was below it). */
  refresh(rel: string, device: string, hint: RefreshHint = {}, retries = 0, walkNewDirs = true): void {
    if (this.closed || relPathProblem(rel) !== null) return;
    const d = this.describe(rel);
    const old = this.feed.get(rel);
    if (d === undefined) return this.goneAt(rel, device);
    this.recordParents(rel, device);
    if (old !== undefined && old.kind === 'dir' && d.kind !== 'dir') this.goneBelow(rel, device, false);
    if (d.kind !== 'file') {
      if (!sameAsRecord(old, d, hint.disk === true) || claimsFound(old, device, d.ino)) this.feed.set({ ...d, device });
      // A folder new to the feed (made on the server's disk, or moved in from outside the feed): what is inside.
      if (walkNewDirs && d.kind === 'dir' && old?.kind !== 'dir') this.track(this.refreshTree(rel, device, hint, false));
      return;
    }
    let hash: string | undefined;
    const id = hint.contentId;
    if (id !== undefined && id.size === d.size && id.mtimeMs === d.mtimeMs) hash = id.hash;
    else if (old?.kind === 'file' && old.size === d.size && old.ino === d.ino && (old.mtimeMs === d.mtimeMs || hint.metaOnly === true)) hash = old.hash;
    if (hash !== undefined) {
      if (!sameAsRecord(old, d, false) || old?.hash !== hash) this.feed.set({ ...d, hash, device });
      return;
    }
    if (hint.disk === true && hint.noSettle !== true && this.settleMs > 0) return this.settle(rel, d, device, hint);
    this.hashThenSet(rel, d, device, hint, retries);
  }

  /** A client moved `from` to `to`: records below `from` move along (content ids kept), then the disk is checked. */
  moved(from: string, to: string, device: string): void {
    if (this.closed) return;
    const moving = this.feed.below(from).filter((r) => r.kind !== 'gone');
    const changes: FeedChange[] = [];
    const arriving = new Set<string>();
    for (const r of moving) {
      const path = to + r.path.slice(from.length);
      arriving.add(path);
      changes.push({ ...withoutSeq(r), path, device });
    }
    for (const r of this.feed.below(to)) if (r.kind !== 'gone' && !arriving.has(r.path)) changes.push(tombstone(r.path, device));
    for (const r of moving) changes.push(tombstone(r.path, device));
    for (const c of orderForFeed(changes)) this.feed.set(c);
    this.refresh(from, device);
    this.refresh(to, device, { metaOnly: true });
    // Carried over from the records; a walk confirms them against the disk (anything off gets a new seq).
    if (moving.length > 1) this.track(this.refreshTree(to, device, { metaOnly: true }));
  }

  /** Compare the disk at and below `rel` ('' = the whole share) with the feed; differences get new seqs. */
  async refreshTree(rel: string, device: string, hint: RefreshHint = {}, checkRoot = true): Promise<void> {
    if (rel !== '' && checkRoot) this.refresh(rel, device, hint, 0, false);
    const base = rel === '' ? this.root.root : join(this.root.root, rel);
    const seen = new Set<string>();
    try {
      for await (const e of walkTree(base, rel === '' ? [STATE_DIR_NAME] : [])) {
        if (this.closed) return;
        const path = rel === '' ? e.path : `${rel}/${e.path}`;
        seen.add(path);
        const r = this.feed.get(path);
        const d: DiskState = { path, kind: e.kind, size: e.size, mtimeMs: e.mtimeMs, mode: e.mode, ino: e.ino, ...(e.target !== undefined ? { target: e.target } : {}) };
        if (!sameAsRecord(r, d, hint.disk === true) || (d.kind === 'file' && r?.hash === undefined)) this.refresh(path, device, hint, 0, false);
      }
    } catch (err) {
      this.log.warn({ err, path: rel }, 'change feed: rescan stopped early');
      return;
    }
    // Records the walk did not meet: re-read each (it may have appeared after the walk passed its folder).
    for (const r of rel === '' ? this.feed.snapshot() : this.feed.below(rel)) {
      if (r.kind !== 'gone' && !seen.has(r.path) && r.path !== rel) this.refresh(r.path, device, hint, 0, false);
    }
  }

  private track(p: Promise<void>): void {
    this.walks.add(p);
    void p.finally(() => this.walks.delete(p));
  }

  /** lstat `rel` without following links on the way (a link in an ancestor: treated as gone from the share). */
  private describe(rel: string): DiskState | undefined {
    let abs: string;
    let st: Stats | undefined;
    try {
      abs = this.root.resolve(rel);
      if (rel.split('/')[0] === STATE_DIR_NAME) return undefined;
      st = lstatSync(abs, { throwIfNoEntry: false });
    } catch {
      return undefined;
    }
    if (st === undefined) return undefined;
    const base = { path: rel, mtimeMs: Math.floor(st.mtimeMs), mode: st.mode & 0o7777, ino: st.ino };
    if (st.isDirectory()) return { ...base, kind: 'dir', size: 0 };
    if (st.isFile()) return { ...base, kind: 'file', size: st.size };
    if (st.isSymbolicLink()) {
      try {
        return { ...base, kind: 'symlink', size: st.size, target: readlinkSync(abs) };
      } catch {
        return undefined;
      }
    }
    return undefined; // sockets, FIFOs, devices are not synced
  }

  /**
   * Folders a write created on its way (mkdir -p) get their records first, by the same device: the feed then never
   * holds a path without its parents, and a parent's seq is below its first child's.
   */
  private recordParents(rel: string, device: string): void {
    for (let i = rel.indexOf('/'); i > 0; i = rel.indexOf('/', i + 1)) {
      const dir = rel.slice(0, i);
      const r = this.feed.get(dir);
      const d = r !== undefined && r.kind === 'dir' && r.device !== SERVER_DEVICE ? undefined : this.describe(dir);
      if (r !== undefined && r.kind === 'dir' && !claimsFound(r, device, d?.ino)) continue;
      if (d?.kind === 'dir') this.feed.set({ ...d, device });
      else return; // changed meanwhile: the refresh of that change sorts it out
    }
  }

  private goneAt(rel: string, device: string): void {
    this.goneBelow(rel, device, true);
  }

  /** Tombstones for every live record below `rel` (and at it when `self`), deepest first. */
  private goneBelow(rel: string, device: string, self: boolean): void {
    const live = this.feed.below(rel).filter((r) => r.kind !== 'gone' && (self || r.path !== rel));
    for (const c of orderForFeed(live.map((r) => tombstone(r.path, device)))) this.feed.set(c);
  }

  /** Announce a file found changed on disk only once its size and mtime held still for `settleMs`. */
  private settle(rel: string, d: DiskState, device: string, hint: RefreshHint): void {
    const prev = this.settling.get(rel);
    if (prev) clearTimeout(prev);
    const t = setTimeout(() => {
      this.settling.delete(rel);
      const now = this.describe(rel);
      if (now?.kind === 'file' && now.size === d.size && now.mtimeMs === d.mtimeMs && now.ino === d.ino) {
        this.hashThenSet(rel, now, device, hint, 0);
      } else this.refresh(rel, device, hint); // still changing (or gone): look again
    }, this.settleMs);
    t.unref();
    this.settling.set(rel, t);
  }

  /** Compute the content id of file `d`, then record it if the file is still the one hashed. */
  private hashThenSet(rel: string, d: DiskState, device: string, hint: RefreshHint, retries: number): void {
    const running = this.hashing.get(rel);
    if (running !== undefined) {
      // One re-read after the running hash covers every change reported meanwhile (the latest request wins). A
      // re-read chained per request looped forever: each one found the chain still running and chained again.
      const queued = this.recheck.has(rel);
      this.recheck.set(rel, { device, hint, retries });
      if (queued) return;
      void running.finally(() => {
        const r = this.recheck.get(rel);
        this.recheck.delete(rel);
        if (this.hashing.get(rel) === running) this.hashing.delete(rel);
        if (r !== undefined && !this.closed) this.refresh(rel, r.device, r.hint, r.retries);
      });
      return;
    }
    const abs = join(this.root.root, rel);
    const run = contentIdOfFile(this.index, rel, abs, { size: d.size, mtimeMs: d.mtimeMs, ino: d.ino }).then(
      (hash) => {
        if (this.closed) return;
        const now = this.describe(rel);
        if (now?.kind !== 'file' || now.size !== d.size || now.mtimeMs !== d.mtimeMs || now.ino !== d.ino) {
          if (retries < MAX_HASH_RETRIES) queueMicrotask(() => this.refresh(rel, device, hint, retries + 1));
          return;
        }
        const old = this.feed.get(rel);
        if (!sameAsRecord(old, now, false) || old?.hash !== hash) this.feed.set({ ...now, hash, device });
      },
      (err: unknown) => this.log.debug({ err, path: rel }, 'change feed: content id not computed'),
    );
    this.hashing.set(rel, run);
    void run.finally(() => this.hashing.get(rel) === run && this.hashing.delete(rel));
  }
}

/** Does the record still describe the disk? Found folders compare without mtime (it moves with every child). */
function sameAsRecord(r: FeedRecord | undefined, d: DiskState, disk: boolean): boolean {
  if (r === undefined || r.kind !== d.kind) return false;
  if (d.kind === 'dir') return r.mode === d.mode && (disk || r.mtimeMs === d.mtimeMs);
  return r.size === d.size && r.mtimeMs === d.mtimeMs && r.mode === d.mode && r.target === d.target && r.ino === d.ino;
}

function withoutSeq(r: FeedRecord): FeedChange {
  const { seq: _seq, at: _at, ...rest } = r;
  return rest;
}
