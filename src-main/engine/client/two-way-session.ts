/**
 * The session of a two-way or receive pair: connect, subscribe to the share's change feed from the persisted
 * position, then rounds of scan → three-way reconcile (core/three-way.ts) → actions in both directions, until a
 * round finds nothing to do. Local changes (watcher, periodic rescan) and pushed feed changes start a new round.
 * The ancestor is updated after each action that succeeded and persisted crash-safely (client/ancestor-store.ts).
 */
import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConflictRecord, PairState, PairStatus, TransferRecord } from '../../../src-shared/model/index';
import { CONTENT_ID_WHOLE_FILE_MAX, IGNORE_FILE_NAME } from '../../../src-shared/protocol/limits';
import type { ConflictInfo } from '../../../src-shared/protocol/messages';
import { ChunkIndex } from '../chunking/chunk-index';
import { computeRecipe, sha256File } from '../chunking/recipe';
import { RecipeCache } from '../chunking/recipe-cache';
import { DEFAULT_CHUNKING } from '../chunking/fastcdc';
import { conflictCopyName, isConflictCopy, parseConflictCopy } from '../core/conflict-name';
import { IgnoreRules } from '../core/ignore-rules';
import type { SyncOp } from '../core/operations';
import { changeOf, pathOf as pathOfAction, reconcile, twoWaySafety, type Action, type ConflictNote } from '../core/three-way';
import { deleteWithin, renameWithin, subTree, type Tree, type TreeEntry } from '../core/tree';
import { FerryError, toFerryError } from '../errors';
import { silentLogger, type Logger } from '../log';
import type { Connection } from '../net/connection';
import { EventAggregator, minimalCover } from '../watcher/event-aggregator';
import { startWatcher, type Watcher } from '../watcher/fs-watcher';
import { FileSystemFlusher } from '../fs/flush-filesystem';
import { AncestorStore } from './ancestor-store';
import { Backoff } from './backoff';
import { connectAndHello } from './connect';
import { FeedSubscription } from './feed-subscription';
import { entryAt, makeLocalDir, makeLocalLink, moveLocal, removeLocal, setLocalMeta, STAGING_REL } from './local-apply';
import { readIgnoreFile, rootIsFolder, scanRoots, toScanRoot } from './local-region';
import { runOp, type RunnerContext } from './op-runner';
import type { PairSessionOptions } from './pair-session';
import { pullFile, pullKeptVersion } from './pull-file';
import { RateLimiter } from './rate-limiter';
import { DownloadTracker, doneRecord } from './transfer-records';
import type { SessionEvents, SyncSummary } from './sync-session';

/** Rounds in a row that may still find work before the session waits for the next change (a file changing all the time). */
const MAX_ROUNDS = 20;
/** More changed places than this in one round: scan the whole folder instead. */
const MAX_REGION_ROOTS = 2000;
/** Failed actions are retried after this pause, doubling to RETRY_MAX_MS while they keep failing. */
const RETRY_FIRST_MS = 2000;
const RETRY_MAX_MS = 120_000;
/** File actions in flight at once: small uploads share putBatch frames, downloads overlap their round trips and flushes. */
const CONCURRENCY = 512;
const HALT_RECHECK_MS = 10_000;
const MAX_ERRORS_KEPT = 1000;

/** A two-way or receive pair's session. */
export class TwoWaySession extends EventEmitter<SessionEvents> {
  private st: PairState;
  private readonly log: Logger;
  private readonly tlog: Logger;
  private readonly rootAbs: string;
  private rules: IgnoreRules;
  private store: AncestorStore | null = null;
  private cache: RecipeCache | null = null;
  private readonly chunks = new ChunkIndex();
  private flusher: FileSystemFlusher | null | undefined = undefined;
  private conn: Connection | null = null;
  private feed: FeedSubscription | null = null;
  private local: Tree = new Map();
  private watcher: Watcher | null = null;
  private aggregator: EventAggregator | null = null;
  private rescanTimer: NodeJS.Timeout | null = null;
  private readonly backoff = new Backoff(500, 30_000);
  private readonly limiter: RateLimiter | null;
  private stopped = false;
  private paused = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay = RETRY_FIRST_MS;
  /** The local model holds a whole-folder scan (until then every round scans everything). */
  private scannedWhole = false;
  /** Regions waiting for a round ('' = the whole folder); null: nothing. */
  private dirty: Set<string> | null = null;
  private running: Promise<void> | null = null;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly errorPaths = new Set<string>();
  /** receive mode: local changes that are not sent (from the last round). */
  private localOnly = new Set<string>();
  private readonly summary: SyncSummary = { filesSent: 0, bytesSent: 0, bytesReceived: 0, filesUploaded: 0, filesDownloaded: 0, filesDeleted: 0, moves: 0, conflicts: 0, errors: [] };

  constructor(private readonly opts: PairSessionOptions) {
    super();
    this.log = opts.log ?? silentLogger;
    this.tlog = opts.transferLog ?? silentLogger;
    this.rootAbs = opts.localPath;
    this.rules = new IgnoreRules(opts.ignore ?? []);
    this.limiter = opts.bandwidthLimit === undefined ? null : new RateLimiter(opts.bandwidthLimit);
    this.st = { id: opts.pairId, status: 'connecting', connected: false, filesPending: 0, bytesPending: 0, lastSyncedAt: null, lastError: null };
  }

  /** The live view of this pair. */
  get state(): PairState {
    return { ...this.st };
  }

  /** Connect, sync both ways until nothing is left to do, check that both sides agree, disconnect. */
  async runOnce(): Promise<SyncSummary> {
    await this.open();
    try {
      await this.connect();
      await this.settle();
      const diff = this.differences();
      if (diff.length > 0) throw new FerryError('INTERNAL', `After the sync this folder and the server still differ at ${diff.length} path(s), e.g. ${diff.slice(0, 3).join('; ')}`);
      this.setState({ lastSyncedAt: Date.now() });
      const conn = this.conn as Connection;
      this.summary.bytesSent = conn.stats.bytesOut;
      this.summary.bytesReceived = conn.stats.bytesIn;
      return { ...this.summary, errors: [...this.summary.errors] };
    } catch (err) {
      const e = toFerryError(err);
      this.setState({ status: e.code === 'SAFETY_HALT' ? 'halted' : 'error', lastError: e.toInfo() });
      throw e;
    } finally {
      this.conn?.close();
      this.setState({ connected: false });
      await this.close();
    }
  }

  /** Sync, then keep in step live; reconnects with backoff. Resolves after the first cycle (done or failed). */
  async start(): Promise<void> {
    await this.open();
    this.aggregator = new EventAggregator({ onBatch: (b) => this.kick(b.roots) });
    const interval = this.opts.rescanIntervalSec ?? 300;
    if (interval > 0) {
      this.rescanTimer = setInterval(() => this.kick(), interval * 1000);
      this.rescanTimer.unref();
    }
    let first!: () => void;
    const firstDone = new Promise<void>((r) => (first = r));
    this.loop = this.runLoop(first);
    await firstDone;
  }

  /** Stop syncing and watching; the ancestor is written before this resolves. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    if (this.rescanTimer) clearInterval(this.rescanTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.aggregator?.close();
    await this.watcher?.close();
    this.conn?.close();
    await this.loop?.catch(() => undefined);
    await this.running?.catch(() => undefined);
    await this.close();
    this.setState({ connected: false });
  }

  /** Stop acting on changes (a running round finishes). */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.setState({ status: 'paused' });
  }

  /** Resume: one round catches up on everything that changed meanwhile. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    const connected = this.conn !== null && !this.conn.isClosed;
    this.setState({ status: connected ? 'syncing' : 'connecting' });
    this.wake?.();
    this.kick();
  }

  // ---- lifecycle ----

  private async open(): Promise<void> {
    const dir = this.opts.stateDir;
    const t = this.opts.target;
    if (this.store === null) {
      this.store = await AncestorStore.open(dir ? join(dir, 'ancestor.json') : null, `${t.host}:${t.port}/${t.share}`, this.rootAbs);
      // What a crashed run left staged is no use now (its intents were just checked against the folder).
      await rm(join(this.rootAbs, STAGING_REL), { recursive: true, force: true }).catch(() => undefined);
    }
    if (this.flusher === undefined) this.flusher = (await rootIsFolder(this.rootAbs)) ? await FileSystemFlusher.probe(this.rootAbs) : null;
    if (this.cache === null) this.cache = await RecipeCache.open(dir ? join(dir, 'recipes', `${this.opts.pairId.replace(/[^A-Za-z0-9_-]/g, '_')}.bin`) : null);
  }

  private async close(): Promise<void> {
    this.flusher?.close();
    this.flusher = undefined;
    await this.store?.close().catch((err: unknown) => this.log.warn({ err }, 'could not write the ancestor'));
    await this.cache?.flush();
  }

  private async runLoop(firstDone: () => void): Promise<void> {
    for (let round = 0; !this.stopped; round++) {
      try {
        if (this.paused) await this.sleep(3_600_000);
        if (this.stopped) break;
        await this.connect();
        await this.settle();
        this.backoff.reset();
        firstDone();
        if (this.watcher === null) {
          await this.startWatching();
          // What changed between the first scan and the watcher's start has no event: one rescan finds it.
          this.kick(['']);
        }
        const why = await (this.conn as Connection).closed;
        if (this.stopped) break;
        if (this.st.status !== 'halted') this.setState({ status: 'error', connected: false, lastError: (why ?? new FerryError('CONNECTION_LOST', 'The connection closed')).toInfo() });
      } catch (err) {
        const e = toFerryError(err);
        this.conn?.close();
        this.setState({ status: e.code === 'SAFETY_HALT' ? 'halted' : 'error', connected: false, lastError: e.toInfo() });
        this.log.warn({ err: e, pair: this.opts.pairId }, 'sync cycle failed');
        if (this.watcher === null && !this.stopped && (await rootIsFolder(this.rootAbs))) await this.startWatching();
      }
      firstDone();
      if (this.stopped) break;
      await this.sleep(this.st.status === 'halted' ? HALT_RECHECK_MS : this.backoff.next());
    }
  }

  /** Connect, say hello, subscribe from the persisted feed position and wait for the catch-up. */
  private async connect(): Promise<void> {
    this.setState({ status: 'connecting', connected: false });
    const hello = await connectAndHello(this.opts.target, { clientId: this.opts.clientId, ...(this.opts.clientName ? { clientName: this.opts.clientName } : {}) });
    this.conn = hello.conn;
    this.tlog.info({ pair: this.opts.pairId, server: hello.serverName, session: hello.sessionId, mode: this.opts.mode }, 'connected');
    this.setState({ status: 'scanning', connected: true, lastError: null });
    this.feed = new FeedSubscription(hello.conn, (this.store as AncestorStore).state, (paths) => {
      (this.store as AncestorStore).changed();
      this.kick(paths.length === 0 ? [''] : paths);
    });
    await this.feed.catchUp();
  }

  /** Rounds over the whole folder until one finds nothing to do (or MAX_ROUNDS: the rest waits for the next change). */
  private async settle(): Promise<void> {
    this.mark(['']);
    await this.drain();
  }

  /** Something changed at `roots` ('' = anywhere): run rounds (one at a time) until quiet. */
  private kick(roots: readonly string[] = ['']): void {
    if (this.stopped) return;
    if (this.st.status === 'halted') {
      this.wake?.();
      return;
    }
    this.mark(roots);
    if (this.running === null && this.conn !== null && !this.conn.isClosed && this.feed?.caughtUp === true) void this.drain().catch(() => undefined);
  }

  private mark(roots: readonly string[]): void {
    this.dirty ??= new Set();
    for (const r of roots) this.dirty.add(r);
  }

  private drain(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        for (let n = 0; this.dirty !== null && !this.stopped && !this.paused; n++) {
          const roots = this.dirty.has('') || this.dirty.size > MAX_REGION_ROOTS ? [''] : minimalCover([...this.dirty]);
          this.dirty = null;
          const conn = this.conn;
          if (conn === null || conn.isClosed) return;
          const acted = await this.round(conn, roots);
          if (acted.length === 0) {
            if (this.dirty === null) this.quiet();
          } else if (n >= MAX_ROUNDS) {
            this.log.warn({ pair: this.opts.pairId }, 'still changing after many rounds; waiting for the next change');
          } else {
            // The next round checks the same places (and where the actions went) until nothing is left to do.
            this.mark(roots);
            this.mark(acted);
          }
        }
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Nothing left to do: the pair is up to date, and the feed position is final for this state. */
  private quiet(): void {
    (this.store as AncestorStore).changed();
    if (this.st.status !== 'halted' && !this.paused) this.setState({ status: 'watching', lastSyncedAt: Date.now(), filesPending: 0, bytesPending: 0 });
  }

  // ---- one round ----

  /** One round over `roots` ('' = everything): scan, reconcile, act. Returns the paths acted on. */
  private async round(conn: Connection, roots: string[]): Promise<string[]> {
    const store = this.store as AncestorStore;
    const { ancestor, remote } = store.state;
    if (!this.paused && this.st.status !== 'syncing') this.setState({ status: 'syncing' });
    if (roots.includes('') || roots.includes(IGNORE_FILE_NAME) || !this.scannedWhole) {
      this.rules = await readIgnoreFile(this.rootAbs, this.opts.ignore ?? []);
      roots = [''];
    }
    const rootExists = await rootIsFolder(this.rootAbs);
    const whole = roots.includes('');
    const scanned = !rootExists ? [] : whole ? [{ path: '', disk: '' }] : roots.map((r) => toScanRoot(r, this.local));
    const scan = rootExists ? await scanRoots(this.rootAbs, scanned, this.rules, this.local) : { tree: new Map() as Tree, problems: [] };
    const region = scanned.map((r) => r.path);
    if (whole || !rootExists) {
      this.errorPaths.clear();
      this.local = scan.tree;
      this.scannedWhole = rootExists;
    } else {
      for (const p of subTree(this.local, region).keys()) this.local.delete(p);
      for (const [p, e] of scan.tree) this.local.set(p, e);
    }
    for (const p of scan.problems) this.recordError(new FerryError(p.code, p.message, p.path === undefined ? {} : { path: p.path }));
    const halt = this.opts.mode === 'mirror' ? null : twoWaySafety(ancestor, this.local, remote, { rootExists, allowEmptyRoot: this.opts.allowEmptyRoot ?? false });
    if (halt) {
      this.setState({ status: 'halted', lastError: halt.toInfo() });
      throw halt;
    }
    const [anc, loc, rem] = whole ? [ancestor, this.local, remote] : [subTree(ancestor, region), subTree(this.local, region), subTree(remote, region)];
    await this.identifyLocal(loc, anc, rem);
    const res = reconcile(anc, loc, rem, {
      mode: this.opts.mode,
      device: this.opts.clientName ?? this.opts.clientId,
      now: Date.now(),
      rootExists,
      allowEmptyRoot: this.opts.allowEmptyRoot ?? false,
      isIgnored: (p, d) => this.rules.ignores(p, d) || p === IGNORE_FILE_NAME,
      caseInsensitive: process.platform === 'darwin' || process.platform === 'win32',
      ...(whole ? {} : { region: { taken: (p: string) => this.local.has(p) || remote.has(p) || ancestor.has(p) } }),
    });
    for (const c of res.clashes) this.recordError(new FerryError('NAME_CLASH', `${c} differs from another name only in case or Unicode form; this device cannot hold both, so it is not synced`, { path: c }));
    if (whole) this.localOnly = new Set(res.localOnly);
    else for (const p of res.localOnly) this.localOnly.add(p);
    // A path that failed is tried again in later rounds (MAX_ROUNDS bounds a path that keeps failing).
    const actions = res.actions;
    this.setState({ filesPending: actions.length, bytesPending: actions.reduce((n, x) => n + sizeOf(x), 0) });
    for (const c of res.conflicts) this.conflictFound(c);
    const done = await this.execute(conn, actions);
    const succeeded = new Set(done);
    this.retryFailed(actions.filter((x) => !succeeded.has(x)).map(pathOf));
    return done.map(pathOf).concat(done.flatMap((x) => (x.kind === 'setAside' ? [x.copy] : x.kind === 'pullMove' ? [x.to] : x.kind === 'push' && x.op.kind === 'move' ? [x.op.to] : [])));
  }

  /**
   * Paths whose actions failed (a full disk, an I/O error) are tried again after a pause that doubles while they keep
   * failing (2 s to 2 min), not only at the next change or full rescan.
   */
  private retryFailed(paths: string[]): void {
    if (paths.length === 0) {
      this.retryDelay = RETRY_FIRST_MS;
      return;
    }
    if (this.retryTimer !== null || this.stopped) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(delay * 2, RETRY_MAX_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.kick(paths);
    }, delay);
    this.retryTimer.unref();
  }

  /**
   * Local content identities where a decision needs them: files both sides changed, or that appeared on both
   * sides, with the same size (equal content is then adopted instead of making a conflict copy).
   */
  private async identifyLocal(local: Tree, ancestor: Tree, remote: Tree): Promise<void> {
    for (const [p, l] of local) {
      if (l.kind !== 'file') continue;
      const r = remote.get(p);
      const a = ancestor.get(p);
      if (r?.kind !== 'file' || r.size !== l.size || r.hash === undefined) continue;
      if (changeOf(a, l, 'local') === 'none' || changeOf(a, r, 'remote') === 'none') continue;
      try {
        l.hash = await contentIdOf(join(this.rootAbs, l.diskPath ?? p), l.size);
      } catch {
        // Unreadable now: left without identity, so it counts as different (a conflict copy keeps both).
      }
    }
  }

  /** Carry out `actions`; returns those that succeeded (a failure waits for the next change or rescan). */
  private async execute(conn: Connection, actions: Action[]): Promise<Action[]> {
    const done: Action[] = [];
    const run = async (x: Action) => {
      if (await this.act(conn, x)) done.push(x);
    };
    // 1. Moves, removals, set-asides and folders, in order (each may depend on the one before; they are cheap).
    // 2. Files and links, all at once (their folders exist; small uploads share frames, downloads share flushes).
    // 3. Folder modes last, so a read-only folder gets its contents first.
    const files: Action[] = [];
    const folderModes: Action[] = [];
    for (const x of actions) {
      if (isFolderMode(x, this.local)) folderModes.push(x);
      else if (x.kind === 'pullFile' || x.kind === 'pullLink' || x.kind === 'pullMeta' || (x.kind === 'push' && (x.op.kind === 'upload' || x.op.kind === 'symlink' || x.op.kind === 'setMeta'))) files.push(x);
      else await run(x);
    }
    await pool(files, CONCURRENCY, run);
    for (const x of folderModes) await run(x);
    return done;
  }

  /** Carry out one action and record its outcome in the ancestor; failures are reported, never thrown. */
  private async act(conn: Connection, x: Action): Promise<boolean> {
    if (conn.isClosed || this.stopped) return false;
    const store = this.store as AncestorStore;
    const anc = store.state.ancestor;
    try {
      switch (x.kind) {
        case 'push':
          return await this.push(conn, x.op);
        case 'pullFile': {
          const t = new DownloadTracker(this.opts.pairId, x.path, x.entry.size, (r) => this.emitTransfer(r));
          const out = await pullFile(
            {
              conn,
              rootAbs: this.rootAbs,
              chunks: this.chunks,
              flusher: this.flusher ?? null,
              onProgress: (d, s) => t.progress(d, s),
              beforeInstall: (tmp, e) => store.intend({ k: 'put', path: x.path, tmp, e }),
            },
            x.path,
            x.entry,
            x.expect,
          );
          if (out === 'changed') {
            t.completed(0);
            return true;
          }
          if (out.recipe) this.chunks.addFile(join(this.rootAbs, x.path), out.recipe);
          anc.set(x.path, out.entry);
          this.local.set(x.path, out.entry);
          this.summary.filesDownloaded++;
          t.completed(out.bytesReceived);
          this.copyArrived(x.path, out.entry);
          break;
        }
        case 'pullDir':
        case 'pullLink':
        case 'pullMeta': {
          const out =
            x.kind === 'pullDir'
              ? await makeLocalDir(this.rootAbs, x.path, x.entry)
              : x.kind === 'pullLink'
                ? await makeLocalLink(this.rootAbs, x.path, x.entry, x.expect, `link-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`)
                : await setLocalMeta(this.rootAbs, x.path, x.entry);
          if (out === 'changed') return true;
          if (x.entry.target !== undefined) out.target = x.entry.target;
          if (x.entry.hash !== undefined && out.kind === 'file') out.hash = x.entry.hash;
          anc.set(x.path, out);
          break;
        }
        case 'pullRemove': {
          await store.intend({ k: 'rm', path: x.path });
          if ((await removeLocal(this.rootAbs, x.path, x.expect)) === 'changed') return true;
          anc.delete(x.path);
          this.local.delete(x.path);
          this.summary.filesDeleted++;
          this.copyGone(x.path);
          this.emitTransfer(doneRecord(this.opts.pairId, 'delete', x.path, 'down'));
          break;
        }
        case 'pullMove': {
          await store.intend({ k: 'mv', from: x.from, to: x.to, e: { ...x.expect, path: x.to, ...(x.entry.hash === undefined ? {} : { hash: x.entry.hash }) } });
          const out = await moveLocal(this.rootAbs, x.from, x.to, x.expect);
          if (out === 'changed') return true;
          out.hash = x.entry.hash ?? (anc.get(x.from)?.hash as string);
          anc.delete(x.from);
          anc.set(x.to, out);
          this.copyGone(x.from);
          this.chunks.renamePrefix(join(this.rootAbs, x.from), join(this.rootAbs, x.to));
          this.summary.moves++;
          this.emitTransfer({ ...doneRecord(this.opts.pairId, 'move', x.from, 'down'), toPath: x.to });
          break;
        }
        case 'setAside': {
          await store.intend({ k: 'aside', path: x.path, copy: x.copy });
          if ((await moveLocal(this.rootAbs, x.path, x.copy, x.expect)) === 'changed') return true;
          deleteWithin(anc, x.path);
          break;
        }
        case 'adopt':
          if (x.entry === null) anc.delete(x.path);
          else anc.set(x.path, { ...(this.local.get(x.path) ?? x.entry), ...(x.entry.hash === undefined ? {} : { hash: x.entry.hash }) });
          break;
      }
      store.changed();
      return true;
    } catch (err) {
      const e = toFerryError(err, pathOf(x));
      if (e.code !== 'CONNECTION_LOST') this.recordError(e);
      return false;
    }
  }

  private async push(conn: Connection, op: SyncOp): Promise<boolean> {
    const store = this.store as AncestorStore;
    const { ancestor: anc, remote } = store.state;
    let uploaded: { hash: string; size: number; mtimeMs: number; mode: number } | null = null;
    const ctx: RunnerContext = {
      pairId: this.opts.pairId,
      rootAbs: this.rootAbs,
      conn,
      cache: this.cache as RecipeCache,
      confirmed: remote,
      limiter: this.limiter,
      emitTransfer: (r) => this.emitTransfer(r),
      onConflict: (c, l) => this.serverConflict(conn, c, l),
      onUploaded: (r) => {
        uploaded = r;
        if (r.recipe) this.chunks.addFile(join(this.rootAbs, op.kind === 'upload' ? op.path : ''), r.recipe);
      },
    };
    const out = await runOp(ctx, op);
    if (!out.ok) {
      if (out.error.code !== 'CONNECTION_LOST') this.recordError(out.error);
      return false;
    }
    switch (op.kind) {
      case 'upload': {
        if (out.skipped || uploaded === null) return true;
        const u = uploaded as { hash: string; size: number; mtimeMs: number; mode: number };
        const here = entryAt(join(this.rootAbs, op.diskPath ?? op.path), op.path);
        const e: TreeEntry = { path: op.path, kind: 'file', size: u.size, mtimeMs: u.mtimeMs, mode: u.mode, hash: u.hash };
        if (here?.ino !== undefined) e.ino = here.ino;
        anc.set(op.path, e);
        const r = remote.get(op.path);
        if (r) r.hash = u.hash;
        this.summary.filesUploaded++;
        if (out.bytesSent > 0) this.summary.filesSent++;
        break;
      }
      case 'remove':
        deleteWithin(anc, op.path);
        this.summary.filesDeleted++;
        this.copyGone(op.path);
        break;
      case 'move':
        renameWithin(anc, op.from, op.to);
        this.summary.moves++;
        this.copyGone(op.from);
        break;
      case 'mkdir':
      case 'symlink':
      case 'setMeta': {
        const l = this.local.get(op.path);
        if (l) anc.set(op.path, { ...l });
        break;
      }
    }
    store.changed();
    return true;
  }

  /**
   * The server's file changed after this device last heard of it, and this device's write replaced it: the server
   * kept it in its versions. A two-way pair brings it back as a conflict copy, so every device sees both.
   */
  private serverConflict(conn: Connection, c: ConflictInfo, local: { size: number; mtimeMs: number } | null): void {
    const remote = (this.store as AncestorStore).state.remote;
    const copy = conflictCopyName(c.path, 'server', Date.now(), (p) => remote.has(p) || this.local.has(p));
    const note: ConflictNote = { path: c.path, copy, local: null, remote: null, why: 'both-changed' };
    this.conflictFound(note, local, { size: c.serverSize, mtimeMs: c.serverMtimeMs });
    void pullKeptVersion(conn, this.rootAbs, c.keptAs.replace(/^\.ferry\/versions\//, ''), copy)
      .then(() => this.kick())
      .catch((err: unknown) => this.recordError(toFerryError(err, c.path)));
  }

  private conflictFound(c: ConflictNote, local?: { size: number; mtimeMs: number } | null, server?: { size: number; mtimeMs: number }): void {
    this.summary.conflicts++;
    // A file the server made of a folder here moves aside on the server: the copy then holds the other version.
    const mine = !(c.why === 'file-vs-folder' && c.local?.kind === 'dir') && server === undefined;
    const rec: ConflictRecord = {
      id: `${this.opts.pairId}:${c.copy}`,
      pairId: this.opts.pairId,
      path: c.path,
      detectedAt: Date.now(),
      local: local ?? (c.local ? { size: c.local.size, mtimeMs: Math.floor(c.local.mtimeMs) } : null),
      server: { ...(server ?? (c.remote ? { size: c.remote.size, mtimeMs: Math.floor(c.remote.mtimeMs) } : { size: 0, mtimeMs: 0 })), keptAs: c.copy },
      resolved: false,
      copy: { path: c.copy, device: mine ? (this.opts.clientName ?? this.opts.clientId) : (c.remote?.device ?? 'server'), mine },
    };
    this.tlog.info({ pair: this.opts.pairId, path: c.path, copy: c.copy, why: c.why }, 'conflict');
    this.emit('conflictDetected', rec);
  }

  /** A conflict copy made on another device arrived: this device shows the conflict too. */
  private copyArrived(path: string, entry: TreeEntry): void {
    const parsed = parseConflictCopy(path);
    if (parsed === undefined) return;
    const here = this.local.get(parsed.original);
    this.emit('conflictDetected', {
      id: `${this.opts.pairId}:${path}`,
      pairId: this.opts.pairId,
      path: parsed.original,
      detectedAt: Date.now(),
      local: here && here.kind === 'file' ? { size: here.size, mtimeMs: Math.floor(here.mtimeMs) } : null,
      server: { size: entry.size, mtimeMs: Math.floor(entry.mtimeMs), keptAs: path },
      resolved: false,
      copy: { path, device: parsed.device, mine: false },
    });
  }

  private copyGone(path: string): void {
    if (isConflictCopy(path)) this.emit('conflictCopyGone', this.opts.pairId, path);
  }

  /** Paths where this folder and the share (as last heard) still differ. */
  private differences(): string[] {
    const { remote } = (this.store as AncestorStore).state;
    const out: string[] = [];
    const ignored = (p: string, d: boolean) => this.rules.ignores(p, d) || p === IGNORE_FILE_NAME || this.errorPaths.has(p) || this.localOnly.has(p);
    for (const [p, l] of this.local) {
      if (ignored(p, l.kind === 'dir')) continue;
      const r = remote.get(p);
      if (r === undefined || r.kind !== l.kind || (l.kind === 'file' && r.size !== l.size) || (l.kind === 'symlink' && r.target !== l.target)) out.push(p);
    }
    for (const [p, r] of remote) if (!this.local.has(p) && !ignored(p, r.kind === 'dir')) out.push(p);
    return out;
  }

  private async startWatching(): Promise<void> {
    try {
      this.watcher = await startWatcher(
        this.rootAbs,
        {
          onPath: (rel) => this.aggregator?.push(rel),
          onError: () => this.kick(),
          ignored: (rel, isDir) => this.rules.ignores(rel.normalize('NFC'), isDir ?? false),
        },
        this.opts.watcher ?? 'auto',
      );
      if (this.stopped) await this.watcher.close();
    } catch (err) {
      this.log.warn({ err }, 'could not start the watcher');
    }
  }

  private emitTransfer(r: TransferRecord): void {
    if (r.status === 'completed' || r.status === 'failed') {
      this.tlog.info({ pair: r.pairId, kind: r.kind, path: r.path, to: r.toPath, status: r.status, size: r.size, sent: r.bytesSent, error: r.error?.code }, 'transfer');
    }
    this.emit('transferUpdated', r);
  }

  private recordError(e: FerryError): void {
    if (e.path !== undefined && e.code !== 'HASH_MISMATCH') this.errorPaths.add(e.path);
    if (this.summary.errors.length < MAX_ERRORS_KEPT) this.summary.errors.push(e.toInfo());
    this.log.warn({ code: e.code, path: e.path }, e.message);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  private setState(patch: Partial<PairState>): void {
    const status: PairStatus | undefined = patch.status;
    if (this.paused && status !== undefined && status !== 'paused' && status !== 'halted') patch = { ...patch, status: 'paused' };
    this.st = { ...this.st, ...patch };
    this.emit('stateChanged', { ...this.st });
  }
}

/** Content identity of a local file, as the protocol defines it (docs/protocol.md). */
async function contentIdOf(abs: string, size: number): Promise<string> {
  if (size <= CONTENT_ID_WHOLE_FILE_MAX) return sha256File(abs);
  return (await computeRecipe(abs, DEFAULT_CHUNKING, 'recipe')).hash;
}

/** The path an action starts from (a move: its source), where errors are reported. */
function pathOf(x: Action): string {
  return pathOfAction(x, 'from');
}

function sizeOf(x: Action): number {
  if (x.kind === 'pullFile') return x.entry.size;
  if (x.kind === 'push' && x.op.kind === 'upload') return x.op.size;
  return 0;
}

/** A folder's own mode (set after its contents are written). */
function isFolderMode(x: Action, local: Tree): boolean {
  if (x.kind === 'pullMeta') return x.entry.kind === 'dir';
  return x.kind === 'push' && x.op.kind === 'setMeta' && local.get(x.op.path)?.kind === 'dir';
}

/** Run `fn` over `items`, at most `limit` at once. */
async function pool<T>(items: T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const x = items[next++] as T;
      await fn(x);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
