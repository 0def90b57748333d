/**
 * One client connection on the server: `hello` first (version, token, share), then every operation of
 * the protocol. Requests run concurrently (many fsyncs in flight is what makes small files fast); the
 * steps of one chunked transfer run in order; an error in one operation is answered and the session goes on.
 */
import { randomBytes } from 'node:crypto';
import type { ConnectedClient } from '../../../src-shared/model';
import { isErrorCode, type ErrorCode, type FerryErrorInfo } from '../../../src-shared/protocol/error-codes';
import { LIST_PAGE_ENTRIES, LIST_PAGE_MAX_BYTES, MAX_PAYLOAD_BYTES, PROTOCOL_VERSION } from '../../../src-shared/protocol/limits';
import type { ClientMessage, ConflictInfo, Entry, MessageOf } from '../../../src-shared/protocol/messages';
import { FerryError, toFerryError } from '../errors';
import { toWireEntry, walkTree } from '../fs/tree-walk';
import type { Logger } from '../log';
import type { Connection } from '../net/connection';
import type { Frame } from '../net/frame-codec';
import { encodeRecipe } from '../chunking/recipe';
import { shareRecipe, uploadContentId } from './content-id';
import type { FeedSubscription } from './feed-subscription';
import { MAX_GET_BYTES, makeDir, makeSymlink, movePath, putBatch, putFile, readPart, removePath, setMeta, type BatchOutcome, type ChangeKind, type OpResult } from './share-ops';
import type { ShareStore } from './share-store';
import type { TokenStore } from './token-store';
import { Transfer } from './transfer';
import { restoreVersion } from './version-restore';
import { listKeptVersions } from './versions-listing';
import { versionOriginal } from './versions-store';
import { WriteBudget } from './write-budget';

/** What a session needs from its server. */
export interface SessionHost {
  serverName: string;
  shares: ReadonlyMap<string, ShareStore>;
  tokens: TokenStore;
  log: Logger;
  transferLog: Logger;
  authenticated(s: ServerSession): void;
  updated(s: ServerSession): void;
  changed(s: ServerSession, change: { path: string; kind: ChangeKind }): void;
  conflict(s: ServerSession, info: ConflictInfo): void;
  failed(s: ServerSession, error: FerryErrorInfo): void;
  /** A `hello` arrived (its deadline is met): ms to wait before checking its token, or -1 to refuse it unchecked. */
  helloArrived(s: ServerSession): number;
  /** The token of `s` was checked (failures slow later checks from its address). */
  tokenChecked(s: ServerSession, ok: boolean): void;
  /** `s` was refused before authenticating (the host logs it, rate-limited per address). */
  refused(s: ServerSession, code: ErrorCode): void;
  /** Most bytes one connection may have read for `get` answers and not yet written out. */
  maxQueuedWriteBytes: number;
  /** Days kept versions are kept (0: forever), told to clients in `versionsPage`. */
  versionRetentionDays: number;
}

/** Stop reading from a client while this much chunk data waits for the disk (resume at half). */
const MAX_BUFFERED_CHUNK_BYTES = 64 * 1024 * 1024;
/** Stop reading from a client with this many operations in progress (resume at half). */
const MAX_OPS_IN_FLIGHT = 512;
/** Transfers one session may have begun and not yet committed or aborted. */
const MAX_OPEN_TRANSFERS = 1024;
/** Codes that mean the server itself is in trouble (worth an event), not that the client asked for something wrong. */
const SERVER_SIDE_CODES: readonly ErrorCode[] = ['IO_ERROR', 'DISK_FULL', 'INTERNAL'];
const UPDATE_EVERY_MS = 250;

type Msg<T extends ClientMessage['type']> = MessageOf<ClientMessage, T>;

/** The server side of one connection. */
export class ServerSession {
  /** Random id, also sent in `helloOk`. */
  readonly id = randomBytes(8).toString('hex');
  /** Id of the token used to authenticate (for revocation). */
  tokenId: string | undefined;
  private share: ShareStore | null = null;
  private client: ConnectedClient | null = null;
  private refused = false;
  private readonly transfers = new Map<number, Transfer>();
  /** Content id each open chunked upload establishes once committed (for the change feed). */
  private readonly uploadIds = new WeakMap<Transfer, string | undefined>();
  private subscription: FeedSubscription | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();
  private bufferedChunkBytes = 0;
  private paused = false;
  private updateTimer: NodeJS.Timeout | null = null;
  private helloTimer: NodeJS.Timeout | null = null;
  /** What `get` answers hold of the server's memory (read, not yet sent); reading pauses while it is spent. */
  readonly writeBudget: WriteBudget;
  private readonly connectedAt = Date.now();
  /** Resolves when the connection is closed and every operation has settled. */
  readonly done: Promise<void>;

  constructor(
    readonly conn: Connection,
    private readonly host: SessionHost,
  ) {
    this.writeBudget = new WriteBudget(host.maxQueuedWriteBytes, () => this.flow());
    conn.onMessage((f) => this.onFrame(f as Frame<ClientMessage>));
    this.done = conn.closed.then(async (err) => {
      this.subscription?.stop();
      this.writeBudget.cancel(err ?? new FerryError('CONNECTION_LOST', 'The connection was closed'));
      if (this.helloTimer) clearTimeout(this.helloTimer);
      if (err && err.code !== 'CONNECTION_LOST') this.host.failed(this, err.toInfo());
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
      // Uncommitted transfers keep their temp file and record on disk, for a resumed transfer.
      const open = [...this.transfers.values()];
      this.transfers.clear();
      await Promise.allSettled(open.map((t) => t.enqueue(() => t.suspend())));
      if (this.updateTimer) clearTimeout(this.updateTimer);
    });
  }

  /** The client as shown in the UI, once authenticated. */
  info(): ConnectedClient | null {
    if (!this.client) return null;
    return { ...this.client, bytesReceived: this.conn.stats.bytesIn };
  }

  /** Name of the share, once authenticated. */
  get shareName(): string | null {
    return this.share?.name ?? null;
  }

  /** End the session (pending answers are dropped); resolves like `done`. */
  close(err?: FerryError): Promise<void> {
    this.conn.close(err);
    return this.done;
  }

  private onFrame(frame: Frame<ClientMessage>): void {
    const h = frame.header;
    if (this.refused) return;
    if (this.share === null) {
      this.hello(h);
      return;
    }
    switch (h.type) {
      case 'hello':
        this.reply(h.id, Promise.reject(new FerryError('BAD_FRAME', 'Already authenticated')));
        return;
      case 'ping':
        void this.conn.send({ type: 'pong', id: h.id }).catch(() => undefined);
        return;
      case 'list':
        this.track(this.list(h));
        return;
      case 'mkdir':
        return this.reply(h.id, this.fed(h, makeDir(this.share, h)));
      case 'remove':
        return this.reply(h.id, this.fed(h, removePath(this.share, h)));
      case 'move':
        return this.reply(h.id, this.fed(h, movePath(this.share, h)));
      case 'symlink':
        return this.reply(h.id, this.fed(h, makeSymlink(this.share, h)));
      case 'setMeta':
        return this.reply(h.id, this.fed(h, setMeta(this.share, h)));
      case 'put':
        return this.reply(h.id, this.fed(h, putFile(this.share, h, frame.payload)), h.size);
      case 'putBatch':
        return this.replyBatch(h, this.fed(h, putBatch(this.share, h, frame.payload)));
      case 'begin':
        return this.begin(this.share, h, frame.payload);
      case 'chunk':
        return this.chunk(h, frame.payload);
      case 'commit':
        return this.commit(h);
      case 'abort': {
        const t = this.transfers.get(h.transfer);
        this.transfers.delete(h.transfer);
        // Answered after the chunks before it are written and recorded, so a new `begin` right after counts them.
        return this.reply(h.id, t ? t.enqueue(async () => (await t.suspend(), {})) : Promise.resolve({}));
      }
      case 'get':
        this.track(this.get(this.share, h));
        return;
      case 'subscribe':
        if (this.subscription) return this.sendError(h.id, new FerryError('BAD_FRAME', 'Already subscribed on this connection'));
        this.subscription = this.share.changes.subscribe(this.conn, h.id, h.since, h.epoch);
        return;
      case 'getRecipe':
        this.track(this.getRecipe(this.share, h));
        return;
      case 'listVersions':
        this.track(this.listVersions(this.share, h));
        return;
      case 'restoreVersion':
        return this.reply(h.id, this.fed(h, restoreVersion(this.share, h)));
      default: {
        const never: never = h;
        void never;
      }
    }
  }

  private refuse(id: number, code: ErrorCode, message: string): void {
    this.refused = true;
    this.host.refused(this, code);
    const err = new FerryError(code, message);
    void this.conn.send({ type: 'error', id, code, message }).catch(() => undefined);
    this.conn.close(err);
  }

  private hello(h: ClientMessage): void {
    if (h.type !== 'hello') return this.refuse(h.id, 'NOT_AUTHENTICATED', `"${h.type}" before a successful hello`);
    if (h.protocolVersion !== PROTOCOL_VERSION) {
      return this.refuse(h.id, 'PROTOCOL_VERSION', `This server speaks protocol ${PROTOCOL_VERSION}, the client ${h.protocolVersion}`);
    }
    const wait = this.host.helloArrived(this);
    if (wait < 0) return this.refuse(h.id, 'AUTH_FAILED', 'Too many failed tokens from this address; try again later');
    if (wait === 0) return this.checkToken(h);
    // Frames pipelined behind the hello wait in the connection until the token is checked.
    this.conn.pauseReading();
    this.helloTimer = setTimeout(() => {
      this.helloTimer = null;
      if (this.conn.isClosed) return;
      this.checkToken(h);
      if (!this.conn.isClosed) this.conn.resumeReading();
    }, wait);
  }

  private checkToken(h: Msg<'hello'>): void {
    // Token before share, so an unauthenticated peer cannot probe share names.
    const tokenId = this.host.tokens.identify(h.token);
    this.host.tokenChecked(this, tokenId !== undefined);
    if (tokenId === undefined) return this.refuse(h.id, 'AUTH_FAILED', 'Unknown or revoked token');
    const share = this.host.shares.get(h.share);
    if (!share) return this.refuse(h.id, 'UNKNOWN_SHARE', `No share named "${h.share}" on this server`);
    this.share = share;
    this.tokenId = tokenId;
    this.conn.authenticated(); // full frame limits from the next frame on
    this.client = {
      sessionId: this.id, clientId: h.clientId, clientName: h.clientName ?? h.clientId, share: share.name,
      remoteAddress: this.conn.remoteAddress, connectedAt: this.connectedAt, bytesReceived: 0, filesReceived: 0,
    };
    void this.conn
      .send({ type: 'helloOk', id: h.id, protocolVersion: PROTOCOL_VERSION, serverName: this.host.serverName, share: share.name, sessionId: this.id })
      .catch(() => undefined);
    this.host.authenticated(this);
  }

  /** Answer `id` with `ok` (plus conflict/reuse) or `error` once `op` settles. `fileBytes`: count a received file. */
  private reply(id: number, op: Promise<OpResult>, fileBytes?: number): void {
    const started = Date.now();
    this.track(
      op.then(
        (r) => {
          const ok: Record<string, unknown> = { type: 'ok', id };
          if (r.conflict) ok.conflict = r.conflict;
          if (r.bytesReused !== undefined) ok.bytesReused = r.bytesReused;
          void this.conn.send(ok).catch(() => undefined);
          this.applied(r, started, fileBytes);
        },
        (e: unknown) => this.sendError(id, toFerryError(e)),
      ),
    );
  }

  /** Answer a `putBatch` with one `batchOk` (a result per file), or `error` when the frame as a whole was refused. */
  private replyBatch(h: Msg<'putBatch'>, op: Promise<BatchOutcome>): void {
    const started = Date.now();
    this.track(
      op.then(
        ({ results, written }) => {
          void this.conn.send({ type: 'batchOk', id: h.id, results }).catch(() => undefined);
          for (const { index, result } of written) this.applied(result, started, h.files[index]!.size, h.id);
          results.forEach((r, i) => {
            if (!r.ok) this.failedOp({ code: isErrorCode(r.code) ? r.code : 'INTERNAL', message: r.message, path: h.files[i]!.path });
          });
        },
        (e: unknown) => this.sendError(h.id, toFerryError(e)),
      ),
    );
  }

  /** Events and the transfer log of one applied operation. `fileBytes`: it was a received file of that size. */
  private applied(r: OpResult, started: number, fileBytes?: number, batch?: number): void {
    if (r.kept && this.share && this.client) {
      this.share.versions.noteKeptBy(r.kept, { device: this.client.clientId, deviceName: this.client.clientName });
    }
    if (r.changed) {
      if (fileBytes !== undefined && this.client) this.client.filesReceived++;
      this.host.transferLog.info(
        { share: this.share?.name, session: this.id, op: r.changed.kind, path: r.changed.path, size: fileBytes, reused: r.bytesReused, batch, ms: Date.now() - started },
        'applied',
      );
      this.host.changed(this, r.changed);
      this.scheduleUpdate();
    }
    if (r.conflict) this.host.conflict(this, r.conflict);
  }

  private sendError(id: number, err: FerryError): void {
    const frame: Record<string, unknown> = { type: 'error', id, code: err.code, message: err.message.slice(0, 4000) };
    if (err.path !== undefined) frame.path = err.path.slice(0, 4096);
    void this.conn.send(frame).catch(() => undefined);
    this.failedOp(err.toInfo());
  }

  /** Log a failed operation; the host hears of it when the server itself is in trouble (disk full, I/O error). */
  private failedOp(err: FerryErrorInfo): void {
    this.host.log.debug({ session: this.id, code: err.code, path: err.path, msg: err.message }, 'operation failed');
    if (SERVER_SIDE_CODES.includes(err.code)) this.host.failed(this, err);
  }

  private begin(share: ShareStore, h: Msg<'begin'>, recipe: Buffer): void {
    let t: Transfer;
    if (this.transfers.size >= MAX_OPEN_TRANSFERS) {
      return this.sendError(h.id, new FerryError('BAD_FRAME', `More than ${MAX_OPEN_TRANSFERS} transfers open at once`, { path: h.path }));
    }
    try {
      t = new Transfer(share, h, recipe);
    } catch (err) {
      return this.sendError(h.id, toFerryError(err, h.path));
    }
    this.transfers.set(h.id, t);
    this.uploadIds.set(t, uploadContentId(h, recipe));
    this.track(
      t.plan().then(
        (missing) => this.conn.send({ type: 'need', id: h.id, missing }).catch(() => undefined),
        (err: unknown) => {
          this.transfers.delete(h.id);
          this.sendError(h.id, toFerryError(err, h.path));
        },
      ),
    );
  }

  private chunk(h: Msg<'chunk'>, payload: Buffer): void {
    const t = this.transfers.get(h.transfer);
    // No answer to a chunk; the commit of an unknown transfer reports TRANSFER_UNKNOWN.
    if (!t) return void this.host.log.debug({ session: this.id, transfer: h.transfer }, 'chunk for unknown transfer dropped');
    this.bufferedChunkBytes += payload.length;
    this.track(
      t.chunk(h.index, payload).finally(() => {
        this.bufferedChunkBytes -= payload.length;
      }),
    );
  }

  private commit(h: Msg<'commit'>): void {
    const t = this.transfers.get(h.transfer);
    if (!t) return this.sendError(h.id, new FerryError('TRANSFER_UNKNOWN', `No open transfer ${h.transfer}`));
    const op = t.enqueue(() => t.commit()).finally(() => this.transfers.delete(h.transfer));
    const b = t.begin;
    this.reply(h.id, this.fed(h, op, { path: b.path, size: b.size, mtimeMs: b.mtimeMs, contentId: this.uploadIds.get(t) }), b.size);
  }

  private async list(h: Msg<'list'>): Promise<void> {
    const share = this.share!;
    try {
      let page: Entry[] = [];
      let bytes = 0;
      for await (const e of walkTree(share.root.root)) {
        const entry = toWireEntry(e);
        const hash = share.changes.hashOf(e);
        if (hash !== undefined) entry.hash = hash;
        page.push(entry);
        // An upper bound of the entry's JSON (a string char is at most 6 bytes escaped): long paths fill a page sooner.
        bytes += 200 + 6 * (e.path.length + (e.target?.length ?? 0));
        if (page.length >= LIST_PAGE_ENTRIES || bytes >= LIST_PAGE_MAX_BYTES) {
          await this.conn.send({ type: 'listPage', id: h.id, entries: page, done: false });
          page = [];
          bytes = 0;
        }
      }
      await this.conn.send({ type: 'listPage', id: h.id, entries: page, done: true });
    } catch (err) {
      if (!this.conn.isClosed) this.sendError(h.id, toFerryError(err));
    }
  }

  /** `listVersions`: kept versions in pages, newest first; the first page says how long the server keeps them. */
  private async listVersions(share: ShareStore, h: Msg<'listVersions'>): Promise<void> {
    try {
      const all = await listKeptVersions(share, h.path);
      let first = true;
      let start = 0;
      // At least one page, also when there is nothing (it carries the retention and done).
      do {
        let end = start;
        let bytes = 0;
        while (end < all.length && end - start < LIST_PAGE_ENTRIES && bytes < LIST_PAGE_MAX_BYTES) {
          const v = all[end++]!;
          bytes += 300 + 6 * (v.id.length + v.original.length + (v.device?.length ?? 0) + (v.deviceName?.length ?? 0));
        }
        const page: Record<string, unknown> = { type: 'versionsPage', id: h.id, versions: all.slice(start, end), done: end >= all.length };
        if (first) page.retentionDays = this.host.versionRetentionDays;
        await this.conn.send(page);
        first = false;
        start = end;
      } while (start < all.length);
    } catch (err) {
      if (!this.conn.isClosed) this.sendError(h.id, toFerryError(err, h.path));
    }
  }

  /** Record what a successful operation changed in the share's change feed (device: this client's id). */
  private fed<T extends object>(h: ClientMessage, op: Promise<T>, upload?: Parameters<ShareStore['changes']['applied']>[3]): Promise<T> {
    // Marked busy in the same turn the operation starts: it cannot have touched the disk yet.
    const done = this.share?.changes.busy.begin(busyPathsOf(h, upload?.path)) ?? (() => undefined);
    return op.then(
      (r) => {
        if (this.share && this.client) this.share.changes.applied(this.client.clientId, h, r, upload);
        done();
        return r;
      },
      (err: unknown) => {
        done();
        throw err;
      },
    );
  }

  /** `getRecipe`: the file's recipe as payload (its `hash` is the content id). */
  private async getRecipe(share: ShareStore, h: Msg<'getRecipe'>): Promise<void> {
    try {
      const r = await shareRecipe(share, h.path);
      const wire = encodeRecipe(r.recipe.chunks);
      if (wire.length > MAX_PAYLOAD_BYTES) throw new FerryError('IO_ERROR', `The recipe of ${h.path} is larger than a frame`, { path: h.path });
      await this.conn.send(
        { type: 'recipe', id: h.id, size: r.size, mtimeMs: r.mtimeMs, mode: r.mode, hash: r.recipe.hash, chunkCount: r.recipe.chunks.length },
        wire,
      );
    } catch (err) {
      if (!this.conn.isClosed) this.sendError(h.id, toFerryError(err, h.path));
    }
  }

  private async get(share: ShareStore, h: Msg<'get'>): Promise<void> {
    let held = Math.min(h.length, MAX_GET_BYTES);
    try {
      await this.writeBudget.acquire(held);
    } catch {
      return; // the connection closed while this read waited its turn
    }
    try {
      const r = await readPart(share, h);
      this.writeBudget.release(held - r.data.length);
      const sent = r.data.length;
      held = 0;
      await this.conn.send({ type: 'data', id: h.id, size: r.size, mtimeMs: r.mtimeMs, mode: r.mode }, r.data, () => this.writeBudget.release(sent));
    } catch (err) {
      this.writeBudget.release(held);
      if (!this.conn.isClosed) this.sendError(h.id, toFerryError(err, h.path));
    }
  }

  /** Keep `p` in the in-flight set and apply read backpressure while too much is pending. */
  private track(p: Promise<unknown>): void {
    const tracked = p.catch((err: unknown) => this.host.log.error({ err, session: this.id }, 'unexpected failure')).finally(() => {
      this.inFlight.delete(tracked);
      this.flow();
    });
    this.inFlight.add(tracked);
    this.flow();
  }

  private flow(): void {
    if (this.conn.isClosed) return;
    const over = this.inFlight.size >= MAX_OPS_IN_FLIGHT || this.bufferedChunkBytes >= MAX_BUFFERED_CHUNK_BYTES || this.writeBudget.exhausted;
    const under =
      this.inFlight.size <= MAX_OPS_IN_FLIGHT / 2 && this.bufferedChunkBytes <= MAX_BUFFERED_CHUNK_BYTES / 2 && this.writeBudget.queued <= this.writeBudget.limit / 2;
    if (!this.paused && over) {
      this.paused = true;
      this.conn.pauseReading();
    } else if (this.paused && under) {
      this.paused = false;
      this.conn.resumeReading();
    }
  }

  private scheduleUpdate(): void {
    if (this.updateTimer) return;
    this.updateTimer = setTimeout(() => {
      this.updateTimer = null;
      if (!this.conn.isClosed) this.host.updated(this);
    }, UPDATE_EVERY_MS);
    this.updateTimer.unref();
  }
}

/** The share paths a request works on, for BusyPaths. */
function busyPathsOf(h: ClientMessage, uploadPath?: string): string[] {
  switch (h.type) {
    case 'mkdir':
    case 'remove':
    case 'symlink':
    case 'setMeta':
    case 'put':
      return [h.path];
    case 'move':
      return [h.from, h.to];
    case 'putBatch':
      return h.files.map((f) => f.path);
    case 'restoreVersion':
      // Its destination: `to`, else the version's original path (an id that is no version claims nothing: it fails).
      if (h.to !== undefined) return [h.to];
      try {
        return [versionOriginal(h.version)];
      } catch {
        return [];
      }
    default:
      return uploadPath === undefined ? [] : [uploadPath];
  }
}
