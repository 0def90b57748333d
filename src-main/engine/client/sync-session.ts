/**
 * The session of one folder pair: connect, list, scan, safety check, plan, pipelined transfers; then live
 * watching with coalesced events, periodic rescans, and reconnects with backoff that re-list and catch up.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { ConflictRecord, ConnectionTarget, PairState, PairStatus, TransferRecord } from '../../../src-shared/model/index';
import type { FerryErrorInfo } from '../../../src-shared/protocol/error-codes';
import { IGNORE_FILE_NAME, INLINE_FILE_MAX_BYTES } from '../../../src-shared/protocol/limits';
import type { ConflictInfo } from '../../../src-shared/protocol/messages';
import { RecipeCache } from '../chunking/recipe-cache';
import { revertPath } from '../core/apply-op';
import { IgnoreRules } from '../core/ignore-rules';
import { opPaths, type PlanItem, type SyncOp } from '../core/operations';
import { LocalModel, reconcileItems } from '../core/reconcile';
import { checkSafety } from '../core/safety';
import type { Tree } from '../core/tree';
import { FerryError, toFerryError } from '../errors';
import { silentLogger, type Logger } from '../log';
import type { Connection } from '../net/connection';
import { EventAggregator, type EventBatch } from '../watcher/event-aggregator';
import { startWatcher, type Watcher } from '../watcher/fs-watcher';
import { connectAndHello } from './connect';
import { FirstSyncStream } from './first-sync-stream';
import { readIgnoreFile, rootIsFolder, scanRoots } from './local-region';
import type { ScanResult } from './local-scan';
import { planLiveBatch } from './live-batch';
import { runOp, type RunnerContext, type RunOutcome } from './op-runner';
import { listRemote } from './remote-list';
import { TransferQueue } from './transfer-queue';
import { feedWindow, OpFeed } from './op-feed';
import { verifyInSync } from './verify';
import { Backoff } from './backoff';
import { RateLimiter } from './rate-limiter';
import { ForeignGuard, foreignChangesError } from './foreign-guard';

export { testConnection } from './test-connection';
export { downloadFile } from './download-file';

/** Configuration of one session. */
export interface SyncOptions {
  pairId: string;
  localPath: string;
  target: ConnectionTarget;
  ignore?: string[];
  rescanIntervalSec?: number;
  allowEmptyRoot?: boolean;
  clientId: string;
  clientName?: string;
  stateDir?: string | null;
  log?: Logger;
  transferLog?: Logger;
  /** Watcher backend; 'auto' (default): per-folder fs.watch on Linux, chokidar elsewhere. */
  watcher?: 'auto' | 'native' | 'chokidar';
  /** Upload bandwidth limit in bytes per second for file data (chunks and whole-file puts); unset = unlimited. */
  bandwidthLimit?: number;
  /** Overwrite a share that other devices changed since this pair last synced (off: halt with FOREIGN_CHANGES). */
  allowForeignChanges?: boolean;
}

/** What runOnce did. */
export interface SyncSummary {
  filesSent: number;
  bytesSent: number;
  bytesReceived: number;
  filesUploaded: number;
  /** Files brought from the server (two-way and receive pairs). */
  filesDownloaded: number;
  filesDeleted: number;
  moves: number;
  conflicts: number;
  errors: FerryErrorInfo[];
}

/** Events of a session. */
export type SessionEvents = {
  stateChanged: [PairState];
  transferUpdated: [TransferRecord];
  conflictDetected: [ConflictRecord];
  /** Two-way pairs: a conflict copy is gone from the folder (resolved here or on another device). */
  conflictCopyGone: [pairId: string, copyPath: string];
};

/**
 * Operations in flight at once. Small files travel in batches of 64 (client/put-batcher), so up to 16 batches are
 * on the way: a durable server answers a batch only after two flushes of its disk, and keeps the disk busy with
 * the next batches meanwhile.
 */
const CONCURRENCY = 1024;
/** Bytes of small files read and waiting for their batch's answer, at most. */
const MAX_SMALL_BYTES_IN_FLIGHT = 16 * 1024 * 1024;
/**
 * Chunked (large) uploads at once. Their recipes queue on the one hash worker, so with 4 the next files'
 * recipes are computed while this thread sends the first (4 × 256 MiB: ~6.1 → ~5.6 s); each upload buffers
 * at most two 8 MiB read spans.
 */
const MAX_LARGE_UPLOADS = 4;
/** Re-check a changed file after chokidar's 50 ms change throttle. */
const RECHECK_MS = 70;
const MAX_ERRORS_KEPT = 1000;
/** A halted pair checks again this often (and on any local change). */
const HALT_RECHECK_MS = 10_000;
/**
 * Failures that may go away by themselves (a full or read-only disk on either side): the path is tried again after
 * a delay that doubles from the first to the last value, instead of waiting for its next change or the next full
 * rescan (5 minutes by default). It stops once the path succeeds.
 */
const RETRY_CODES: ReadonlySet<string> = new Set(['DISK_FULL', 'IO_ERROR', 'TIMEOUT']);
const RETRY_FIRST_MS = 2_000;
const RETRY_MAX_MS = 120_000;

/** One folder pair's sync session. */
export class SyncSession extends EventEmitter<SessionEvents> {
  private st: PairState;
  private readonly log: Logger;
  private readonly tlog: Logger;
  private readonly rootAbs: string;
  private rules: IgnoreRules;
  private local = new LocalModel();
  private confirmed: Tree = new Map();
  private projected: Tree = new Map();
  private conn: Connection | null = null;
  private cache: RecipeCache | null = null;
  private runner: RunnerContext | null = null;
  private readonly queue: TransferQueue;
  private readonly feed: OpFeed;
  private watcher: Watcher | null = null;
  private aggregator: EventAggregator | null = null;
  private rescanTimer: NodeJS.Timeout | null = null;
  private work: Promise<void> = Promise.resolve();
  private readonly held = new Map<string, number>();
  private readonly backoff = new Backoff(500, 30_000);
  private wake: (() => void) | null = null;
  private stopped = false;
  private paused = false;
  private loop: Promise<void> | null = null;
  private stateTimer: NodeJS.Timeout | null = null;
  private readonly summary: SyncSummary = { filesSent: 0, bytesSent: 0, bytesReceived: 0, filesUploaded: 0, filesDownloaded: 0, filesDeleted: 0, moves: 0, conflicts: 0, errors: [] };
  private readonly errorPaths = new Set<string>();
  /** Paths waiting for a retry after a failure that may pass (RETRY_CODES) → failures so far. */
  private readonly retries = new Map<string, number>();
  private readonly limiter: RateLimiter | null;
  private guard: ForeignGuard | null = null;

  constructor(private readonly opts: SyncOptions) {
    super();
    this.log = opts.log ?? silentLogger;
    this.tlog = opts.transferLog ?? silentLogger;
    this.rootAbs = opts.localPath;
    this.rules = new IgnoreRules(opts.ignore ?? []);
    this.st = { id: opts.pairId, status: 'connecting', connected: false, filesPending: 0, bytesPending: 0, lastSyncedAt: null, lastError: null };
    this.limiter = opts.bandwidthLimit === undefined ? null : new RateLimiter(opts.bandwidthLimit);
    const isLarge = (op: SyncOp): boolean => op.kind === 'upload' && op.size > INLINE_FILE_MAX_BYTES;
    const smallBytes = (op: SyncOp): number => (op.kind === 'upload' && op.size <= INLINE_FILE_MAX_BYTES ? op.size : 0);
    this.queue = new TransferQueue((op) => this.execute(op), CONCURRENCY, isLarge, MAX_LARGE_UPLOADS, smallBytes, MAX_SMALL_BYTES_IN_FLIGHT);
    this.feed = new OpFeed(this.queue, feedWindow(CONCURRENCY));
  }

  /** The live view of this pair. */
  get state(): PairState {
    return { ...this.st };
  }

  /** Connect, mirror once, verify that server and client now agree, disconnect. Throws FerryError. */
  async runOnce(): Promise<SyncSummary> {
    await this.openCache();
    try {
      await this.cycle();
      await this.queue.idle();
      const conn = this.requireConn();
      const problems = await verifyInSync(conn, this.rootAbs, this.rules, this.errorPaths, this.local.tree);
      if (problems.length > 0) {
        throw new FerryError('INTERNAL', `After the sync the server and this folder still differ at ${problems.length} path(s), e.g. ${problems.slice(0, 3).join('; ')}`);
      }
      this.setState({ lastSyncedAt: Date.now() });
      await this.guard?.save();
      this.summary.bytesSent = conn.stats.bytesOut;
      this.summary.bytesReceived = conn.stats.bytesIn;
      return { ...this.summary, errors: [...this.summary.errors] };
    } catch (err) {
      const e = toFerryError(err);
      this.setState({ status: isHalt(e) ? 'halted' : 'error', lastError: e.toInfo() });
      throw e;
    } finally {
      this.conn?.close();
      this.setState({ connected: false });
      await this.cache?.flush();
    }
  }

  /** Initial mirror, then live watching; reconnects with backoff. Resolves after the first cycle (done or failed). */
  async start(): Promise<void> {
    await this.openCache();
    this.aggregator = new EventAggregator({ onBatch: (b) => this.onBatch(b) });
    const interval = this.opts.rescanIntervalSec ?? 300;
    if (interval > 0) {
      this.rescanTimer = setInterval(() => this.aggregator?.rescan(), interval * 1000);
      this.rescanTimer.unref();
    }
    let first!: () => void;
    const firstDone = new Promise<void>((r) => (first = r));
    this.loop = this.runLoop(first);
    await firstDone;
  }

  /** Stop watching and syncing, close the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    if (this.rescanTimer) clearInterval(this.rescanTimer);
    if (this.stateTimer) clearTimeout(this.stateTimer);
    this.aggregator?.close();
    await this.watcher?.close();
    this.feed.clear();
    this.conn?.close();
    await this.loop?.catch(() => {});
    await this.work.catch(() => {});
    await this.cache?.flush();
    this.setState({ connected: false });
  }

  /** Stop sending and processing changes (running requests finish). */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.queue.pause();
    this.setState({ status: 'paused' });
  }

  /** Resume: catch up on what changed meanwhile with a full rescan. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.queue.resume();
    const connected = this.conn !== null && !this.conn.isClosed;
    this.setState({ status: !connected ? 'connecting' : this.feed.size > 0 ? 'syncing' : 'watching' });
    if (connected) this.watchingWhenIdle();
    this.aggregator?.rescan();
    this.wake?.();
  }

  // ---- lifecycle ----

  private async runLoop(firstDone: () => void): Promise<void> {
    for (let round = 0; !this.stopped; round++) {
      try {
        await this.whenUnpaused();
        if (this.stopped) break;
        await this.cycle();
        this.backoff.reset();
        if (round === 0) firstDone();
        await this.queue.idle();
        // Watching starts after the first mirror (the initial reads would otherwise flood it with attribute
        // events); one rescan then catches whatever changed during the mirror.
        if (this.watcher === null && !this.stopped) {
          await this.startWatching();
          this.aggregator?.rescan();
        }
        if (!this.stopped && !this.paused && this.st.status === 'syncing') this.setState({ status: 'watching', lastSyncedAt: Date.now() });
        await this.guard?.save().catch((err: unknown) => this.log.warn({ err }, 'could not save the feed position'));
        const why = await this.requireConn().closed;
        if (this.stopped) break;
        // A halt closes the connection itself: keep showing why.
        if (this.st.status === 'halted') this.setState({ connected: false });
        else this.setState({ status: 'error', connected: false, lastError: (why ?? new FerryError('CONNECTION_LOST', 'The connection closed')).toInfo() });
      } catch (err) {
        const e = toFerryError(err);
        this.conn?.close();
        this.setState({ status: isHalt(e) ? 'halted' : 'error', connected: false, lastError: e.toInfo() });
        this.log.warn({ err: e, pair: this.opts.pairId }, 'sync cycle failed');
        // Local changes should wake a halted or disconnected pair, so watch even before the first success.
        if (this.watcher === null && !this.stopped && (await rootIsFolder(this.rootAbs))) await this.startWatching();
      }
      firstDone();
      this.feed.clear();
      this.resetPending();
      if (this.stopped) break;
      await this.sleep(this.st.status === 'halted' ? HALT_RECHECK_MS : this.backoff.next());
    }
  }

  /** Connect, list, scan everything, check safety, queue the plan. Leaves the connection open. */
  private async cycle(): Promise<void> {
    this.setState({ status: 'connecting', connected: false });
    const hello = await connectAndHello(this.opts.target, { clientId: this.opts.clientId, ...(this.opts.clientName ? { clientName: this.opts.clientName } : {}) });
    this.conn = hello.conn;
    this.tlog.info({ pair: this.opts.pairId, server: hello.serverName, session: hello.sessionId }, 'connected');
    await this.checkForeign(hello.conn);
    this.setState({ status: 'scanning', connected: true, lastError: null });
    await this.exclusive(async () => {
      // The server walks its tree while this process walks the folder.
      const listing = listRemote(hello.conn);
      this.rules = await readIgnoreFile(this.rootAbs, this.opts.ignore ?? []);
      // Nothing scanned yet in this process: if the share turns out empty, upload while scanning.
      const stream = this.local.tree.size === 0 ? this.firstSyncStream() : null;
      // A failed listing is thrown by the await below.
      listing.then((r) => stream?.listed(r), () => undefined).catch((err: unknown) => this.log.warn({ err }, 'streaming the first sync failed'));
      let scan: ScanResult;
      try {
        scan = await scanRoots(this.rootAbs, [{ path: '', disk: '' }], this.rules, this.local.tree, stream ? (entries) => stream.folder(entries) : undefined);
      } finally {
        stream?.end();
      }
      const remote = await listing;
      if (stream?.streamed !== true) {
        this.confirmed = remote;
        this.projected = new Map(remote);
      }
      for (const p of scan.problems) this.recordError(new FerryError(p.code, p.message, p.path === undefined ? {} : { path: p.path }));
      const halt = checkSafety(scan.tree, remote, { allowEmptyRoot: this.opts.allowEmptyRoot ?? false, rootExists: await rootIsFolder(this.rootAbs) });
      if (halt) throw halt;
      const items = reconcileItems({ local: this.local, projected: this.projected, roots: [''], scanned: scan.tree, isIgnored: this.rules.predicate() });
      this.setState({ status: this.paused ? 'paused' : 'syncing' });
      this.enqueue(items);
    });
  }

  /** Halt before touching anything when another device changed the share since this pair last synced. */
  private async checkForeign(conn: Connection): Promise<void> {
    if (this.guard === null) {
      const t = this.opts.target;
      this.guard = await ForeignGuard.open(this.opts.stateDir ? join(this.opts.stateDir, 'mirror-position.json') : null, `${t.host}:${t.port}/${t.share}`);
    }
    this.rules = await readIgnoreFile(this.rootAbs, this.opts.ignore ?? []);
    const report = await this.guard.check(conn, this.opts.clientId, (p, d) => this.rules.ignores(p, d), (paths) => {
      if (this.opts.allowForeignChanges) return;
      const e = foreignChangesError(paths);
      this.setState({ status: 'halted', lastError: e.toInfo() });
      conn.close(e);
    });
    if (report.foreign.length > 0 && !this.opts.allowForeignChanges) throw foreignChangesError(report.foreign);
  }

  private firstSyncStream(): FirstSyncStream {
    return new FirstSyncStream(
      {
        begin: (remote) => {
          this.confirmed = remote;
          this.projected = new Map(remote);
          this.setState({ status: this.paused ? 'paused' : 'syncing' });
          return this.projected;
        },
        enqueue: (items) => this.enqueue(items),
      },
      { isIgnored: this.rules.predicate() },
    );
  }

  private async startWatching(): Promise<void> {
    try {
      this.watcher = await startWatcher(this.rootAbs, {
        onPath: (rel) => this.aggregator?.push(rel),
        onError: (err) => {
          this.log.warn({ err }, 'watcher error: rescanning');
          this.aggregator?.rescan();
        },
        ignored: (rel, isDir) => this.rules.ignores(rel.normalize('NFC'), isDir ?? false),
      }, this.opts.watcher ?? 'auto');
      if (this.stopped) await this.watcher.close();
    } catch (err) {
      // No watcher (e.g. the folder is missing): periodic rescans and reconnects still catch up.
      this.log.warn({ err }, 'could not start the watcher');
    }
  }

  // ---- live changes ----

  private onBatch(batch: EventBatch): void {
    if (this.stopped) return;
    // While halted, any local change is a reason to check again (the folder may be back).
    if (this.st.status === 'halted') {
      this.wake?.();
      return;
    }
    void this.exclusive(() => this.processBatch(batch)).catch((err) => {
      const e = toFerryError(err);
      if (e.code === 'SAFETY_HALT') {
        this.setState({ status: 'halted', lastError: e.toInfo() });
        this.conn?.close(e);
        return;
      }
      this.log.warn({ err: e }, 'processing changes failed');
      this.recordError(e);
    });
  }

  private async processBatch(batch: EventBatch): Promise<void> {
    const conn = this.conn;
    if (this.paused || conn === null || conn.isClosed || this.st.status === 'halted') return;
    let roots = batch.roots;
    if (roots.some((r) => r === '' || r === IGNORE_FILE_NAME)) {
      this.rules = await readIgnoreFile(this.rootAbs, this.opts.ignore ?? []);
      roots = [''];
    }
    const items = await planLiveBatch(
      {
        rootAbs: this.rootAbs,
        local: this.local,
        projected: this.projected,
        rules: this.rules,
        allowEmptyRoot: this.opts.allowEmptyRoot ?? false,
        held: this.held,
        pushLater: (p, ms) => this.aggregator?.pushLater(p, ms),
        now: Date.now,
      },
      roots,
    );
    if (items.length === 0) return;
    if (this.st.status === 'watching') this.setState({ status: 'syncing' });
    this.enqueue(items);
    if (!batch.rescan) for (const x of items) if (x.kind === 'file' || x.kind === 'upload') this.aggregator?.pushLater(x.diskPath ?? x.path, RECHECK_MS);
    this.watchingWhenIdle();
  }

  /** Back to `watching` once the queue has drained (unless something else happened meanwhile). */
  private watchingWhenIdle(): void {
    void this.queue.idle().then(() => {
      if (this.st.status === 'syncing' && this.feed.size === 0) {
        this.setState({ status: 'watching', lastSyncedAt: Date.now() });
        void this.guard?.save().catch((err: unknown) => this.log.warn({ err }, 'could not save the feed position'));
      }
    });
  }

  // ---- transfers ----

  private enqueue(items: PlanItem[]): void {
    this.feed.push(items);
    this.scheduleState();
  }

  private execute(op: SyncOp): Promise<void> {
    this.feed.started(op);
    const conn = this.conn;
    if (conn === null || conn.isClosed || this.cache === null) {
      try {
        for (const p of opPaths(op)) revertPath(this.projected, this.confirmed, p);
      } catch (err) {
        this.settled(op);
        return Promise.reject(err as Error);
      }
      this.settled(op);
      return Promise.resolve();
    }
    // A plain promise chain and one context per connection: up to CONCURRENCY operations wait for their batch's
    // answer, and whatever each one holds meanwhile outlives the young generation.
    return runOp(this.runnerFor(conn, this.cache), op).then(
      (out) => {
        try {
          this.afterRun(op, out);
        } finally {
          this.settled(op);
        }
      },
      (err: unknown) => {
        this.settled(op);
        throw err;
      },
    );
  }

  private afterRun(op: SyncOp, out: RunOutcome): void {
    if (!out.ok) {
      for (const p of opPaths(op)) revertPath(this.projected, this.confirmed, p);
      if (out.error.code !== 'CONNECTION_LOST') this.recordError(out.error);
      if (RETRY_CODES.has(out.error.code)) this.retryLater(op);
      return;
    }
    for (const p of opPaths(op)) this.retries.delete(p);
    if (out.skipped) revertPath(this.projected, this.confirmed, opPaths(op)[0] as string);
    this.count(op, out.bytesSent, out.skipped);
  }

  private settled(op: SyncOp): void {
    this.feed.finished(op);
    this.scheduleState();
  }

  /** The runner's context, made again only when the connection, the cache or the trees change. */
  private runnerFor(conn: Connection, cache: RecipeCache): RunnerContext {
    const r = this.runner;
    if (r !== null && r.conn === conn && r.cache === cache && r.confirmed === this.confirmed && r.projected === this.projected) return r;
    this.runner = {
      pairId: this.opts.pairId,
      rootAbs: this.rootAbs,
      conn,
      cache,
      confirmed: this.confirmed,
      projected: this.projected,
      limiter: this.limiter,
      emitTransfer: (rec) => this.emitTransfer(rec),
      onConflict: (c, local) => this.onConflict(c, local),
    };
    return this.runner;
  }

  private count(op: SyncOp, bytesSent: number, skipped: boolean): void {
    switch (op.kind) {
      case 'upload':
        if (skipped) return;
        this.summary.filesUploaded++;
        if (bytesSent > 0) this.summary.filesSent++;
        return;
      case 'remove':
        this.summary.filesDeleted++;
        return;
      case 'move':
        this.summary.moves++;
        return;
      case 'mkdir':
      case 'symlink':
      case 'setMeta':
        return;
    }
  }

  private emitTransfer(r: TransferRecord): void {
    if (r.status === 'completed' || r.status === 'failed') {
      this.tlog.info({ pair: r.pairId, kind: r.kind, path: r.path, to: r.toPath, status: r.status, size: r.size, sent: r.bytesSent, error: r.error?.code }, 'transfer');
    }
    this.emit('transferUpdated', r);
  }

  private onConflict(c: ConflictInfo, local: { size: number; mtimeMs: number } | null): void {
    this.summary.conflicts++;
    const rec: ConflictRecord = {
      id: `${this.opts.pairId}:${c.keptAs}`,
      pairId: this.opts.pairId,
      path: c.path,
      detectedAt: Date.now(),
      local,
      server: { size: c.serverSize, mtimeMs: c.serverMtimeMs, keptAs: c.keptAs },
      resolved: false,
    };
    this.emit('conflictDetected', rec);
  }

  /** Look at a failed operation's paths again later (live sessions only: the watcher's aggregator re-plans them). */
  private retryLater(op: SyncOp): void {
    if (this.aggregator === null) return;
    const path = op.kind === 'upload' ? (op.diskPath ?? op.path) : opPaths(op)[0]!;
    const n = this.retries.get(path) ?? 0;
    this.retries.set(path, n + 1);
    this.aggregator.pushLater(path, Math.min(RETRY_FIRST_MS * 2 ** n, RETRY_MAX_MS));
  }

  private recordError(e: FerryError): void {
    if (e.path !== undefined) this.errorPaths.add(e.path);
    if (this.summary.errors.length < MAX_ERRORS_KEPT) this.summary.errors.push(e.toInfo());
    this.log.warn({ code: e.code, path: e.path }, e.message);
  }

  // ---- helpers ----

  private async openCache(): Promise<void> {
    if (this.cache) return;
    const dir = this.opts.stateDir;
    this.cache = await RecipeCache.open(dir ? join(dir, 'recipes', `${this.opts.pairId.replace(/[^A-Za-z0-9_-]/g, '_')}.bin`) : null);
  }

  private requireConn(): Connection {
    if (this.conn === null) throw new FerryError('CONNECTION_LOST', 'Not connected');
    return this.conn;
  }

  /** Run model-changing work one piece at a time. */
  private exclusive(fn: () => Promise<void>): Promise<void> {
    const next = this.work.then(fn, fn);
    this.work = next.catch(() => {});
    return next;
  }

  private whenUnpaused(): Promise<void> {
    return this.paused ? this.sleep(3_600_000) : Promise.resolve();
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

  private resetPending(): void {
    this.feed.resetCounts();
    this.scheduleState();
  }

  private setState(patch: Partial<PairState>): void {
    const status: PairStatus | undefined = patch.status;
    // Paused wins over everything but an explicit resume (which sets the status itself).
    if (this.paused && status !== undefined && status !== 'paused' && status !== 'halted') patch = { ...patch, status: 'paused' };
    this.st = { ...this.st, ...patch, filesPending: this.feed.pendingFiles, bytesPending: this.feed.pendingBytes };
    this.emit('stateChanged', { ...this.st });
  }

  /** Pending counters change per file: report them at most every 100 ms. */
  private scheduleState(): void {
    if (this.stateTimer !== null) return;
    this.stateTimer = setTimeout(() => {
      this.stateTimer = null;
      this.setState({});
    }, 100);
    this.stateTimer.unref();
  }
}

/** Errors that halt a pair (it waits for the user or for the cause to go) rather than retry. */
function isHalt(e: FerryError): boolean {
  return e.code === 'SAFETY_HALT' || e.code === 'FOREIGN_CHANGES';
}
