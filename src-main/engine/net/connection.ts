/**
 * One framed, validated, pipelined connection over a TLS socket: decodes and validates every incoming
 * header, matches responses to outstanding requests by id, applies write backpressure, keeps the link
 * alive and drops a silent peer.
 */
import type { TLSSocket } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { isErrorCode } from '../../../src-shared/protocol/error-codes';
import type { ClientMessage, ServerMessage } from '../../../src-shared/protocol/messages';
import { FerryError, toFerryError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { EMPTY_PAYLOAD, FrameDecoder, FrameError, clip, encodeFrame, headerId, type Frame } from './frame-codec';
import { validateClientMessage, validateServerMessage } from './validate';

/** Tunables of a connection; the defaults are the protocol's, tests shrink the timings. */
export interface ConnectionOptions {
  /** Client side only: send a `ping` after this long without traffic in either direction (0: never). Default 20 s. */
  keepAliveMs?: number;
  /** Close with TIMEOUT after this long without hearing from the peer (0: never). Default 60 s. */
  idleTimeoutMs?: number;
  /** After close(), destroy the socket if the peer has not closed its side within this long. Default 5 s. */
  closeGraceMs?: number;
  /** Frame size limits (defaults: the protocol limits). */
  limits?: { maxHeader?: number; maxPayload?: number };
  /**
   * Server side: stricter limits until `authenticated()` is called (e.g. 16 KiB headers, no payload), so a peer
   * that has not authenticated cannot make the server buffer large frames. Unset: `limits` from the start.
   */
  preAuthLimits?: { maxHeader: number; maxPayload: number };
  log?: Logger;
}

/** What a server accepts before a successful hello: a hello fits in a few hundred bytes and has no payload. */
export const PRE_AUTH_LIMITS = { maxHeader: 16 * 1024, maxPayload: 0 } as const;

/** Defaults of ConnectionOptions. */
export const DEFAULT_KEEPALIVE_MS = 20_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const DEFAULT_CLOSE_GRACE_MS = 5_000;

type AnyMessage = ClientMessage | ServerMessage;
interface QueuedSend {
  header: object;
  payload: Buffer | undefined;
  resolve: () => void;
  reject: (e: FerryError) => void;
  onWritten?: ((err?: Error | null) => void) | undefined;
}
interface Pending {
  resolve: (f: Frame<ServerMessage>) => void;
  reject: (e: FerryError) => void;
  onPartial: ((f: Frame<ServerMessage>) => boolean) | undefined;
}

const RESOLVED: Promise<void> = Promise.resolve();
// Payloads at least this big are written on their own instead of being corked with other frames.
const BIG_PAYLOAD = 16 * 1024;
const noop = (): void => {};
const isChunkFrame = (h: unknown): boolean => (h as { type?: unknown }).type === 'chunk';

/** The FerryError an `error` frame stands for (unknown codes become INTERNAL). */
export function errorFromFrame(h: { code: string; message: string; path?: string | undefined }): FerryError {
  return new FerryError(isErrorCode(h.code) ? h.code : 'INTERNAL', h.message, h.path === undefined ? {} : { path: h.path });
}

/** One framed, validated, pipelined connection over a TLS socket. */
export class Connection {
  /** The peer's address, kept after the socket is gone. */
  readonly remoteAddress: string;
  /** The peer's port (with remoteAddress, the id of this TCP connection while it is open). */
  readonly remotePort: number;
  /** Bytes on the wire (frames incl. framing, TLS plaintext) and payload bytes, each direction. */
  readonly stats = { bytesIn: 0, bytesOut: 0, payloadBytesOut: 0, payloadBytesIn: 0 };
  /** Resolves once the socket is closed: null after a plain local close(), else why it closed. */
  readonly closed: Promise<FerryError | null>;

  private readonly decoder: FrameDecoder;
  private readonly limits: { maxHeader?: number; maxPayload?: number };
  private readonly validate: (h: unknown) => AnyMessage;
  private readonly log: Logger;
  private readonly keepAliveMs: number;
  private readonly idleTimeoutMs: number;
  private readonly closeGraceMs: number;
  private readonly pending = new Map<number, Pending>();
  private handler: ((frame: Frame<AnyMessage>) => void) | null = null;
  private backlog: Frame<AnyMessage>[] = [];
  private lastId = 0;
  private closing = false;
  private reason: FerryError | null = null; // why close() was called (null: normal local close)
  private peerError: FerryError | null = null; // an id-0 `error` frame: the peer's reason for closing
  private socketError: Error | null = null;
  private corked = false;
  private readPaused = false;
  private drainWait: { promise: Promise<void>; resolve: () => void; reject: (e: FerryError) => void } | null = null;
  /** Frames held back behind a big payload sent while the socket was over its high-water mark (see send()). */
  private queue: QueuedSend[] = [];
  private queuedBytes = 0;
  private lastInAt = performance.now();
  private lastOutAt = this.lastInAt;
  private pingInFlight = false;
  private ticker: NodeJS.Timeout | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  private resolveClosed!: (e: FerryError | null) => void;

  constructor(
    private readonly socket: TLSSocket,
    private readonly side: 'client' | 'server',
    opts: ConnectionOptions = {},
  ) {
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    // Chunk payloads are given back by the server's transfers once written (net/payload-pool.ts).
    this.decoder = new FrameDecoder(opts.limits, side === 'server' ? isChunkFrame : null);
    this.limits = opts.limits ?? {};
    // One frame at a time while unauthenticated: the frame that authenticates lifts the limits for the next.
    if (opts.preAuthLimits) {
      this.decoder.setLimits({
        ...opts.preAuthLimits, oneFrame: true,
        // A payload is never part of a hello: it is "not authenticated", as for any other message before hello.
        payloadError: { code: 'NOT_AUTHENTICATED', why: ' before a successful hello' },
      });
    }
    this.validate = side === 'server' ? validateClientMessage : validateServerMessage;
    this.log = opts.log ?? silentLogger;
    // `ping` is a client message: a server pinging would be a protocol error at the client.
    this.keepAliveMs = side === 'client' ? (opts.keepAliveMs ?? DEFAULT_KEEPALIVE_MS) : 0;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.closeGraceMs = opts.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));

    socket.on('data', this.onData);
    socket.on('drain', this.onDrain);
    socket.on('error', (err) => {
      this.socketError ??= err;
    });
    socket.on('close', this.onClose);
    if (socket.destroyed) queueMicrotask(this.onClose);
    this.startTicker();
  }

  /** Receive incoming frames not matched to a pending request, in arrival order (frames that came earlier are replayed). */
  onMessage(handler: (frame: Frame<ClientMessage | ServerMessage>) => void): void {
    this.handler = handler;
    const queued = this.backlog;
    this.backlog = [];
    for (const f of queued) this.deliver(f);
  }

  /**
   * Write one frame; resolves at once while the socket buffer has room, else on 'drain'. Rejects once closed.
   * `onWritten` is called exactly once when the socket no longer holds `payload` (written out, or never will be):
   * from then on its memory may be reused.
   */
  send(header: object, payload?: Buffer, onWritten?: (err?: Error | null) => void): Promise<void> {
    if (this.closing) {
      onWritten?.(this.closedError());
      return Promise.reject(this.closedError());
    }
    if (this.mustQueue(payload)) return new Promise((resolve, reject) => this.enqueue({ header, payload, resolve, reject, onWritten }));
    let ok: boolean;
    try {
      ok = this.write(header, payload, onWritten);
    } catch (err) {
      onWritten?.(err as Error);
      return Promise.reject(toFerryError(err));
    }
    return ok ? RESOLVED : this.waitDrain();
  }

  /**
   * Send a request (assigns header.id) and resolve with its response; an `error` response rejects with its code.
   * With onPartial, every response frame for the id is offered first; returning true means more will follow.
   * Does not wait for 'drain': bound the number in flight, or await send() for bulk data.
   */
  request(header: object, payload?: Buffer, onPartial?: (f: Frame<ServerMessage>) => boolean): Promise<Frame<ServerMessage>> {
    if (this.closing) return Promise.reject(this.closedError());
    const id = this.nextId();
    (header as { id: number }).id = id;
    return new Promise((resolve, reject) => {
      if (this.mustQueue(payload)) {
        this.pending.set(id, { resolve, reject, onPartial });
        const fail = (e: FerryError): void => {
          if (this.pending.delete(id)) reject(e);
        };
        this.enqueue({ header, payload, resolve: noop, reject: fail });
        return;
      }
      try {
        this.write(header, payload);
      } catch (err) {
        reject(toFerryError(err));
        return;
      }
      this.pending.set(id, { resolve, reject, onPartial });
    });
  }

  /** A fresh request id: 1 upward, wrapping at 2^32 and skipping ids still outstanding. */
  nextId(): number {
    for (let i = 0; i <= this.pending.size; i++) {
      this.lastId = this.lastId >= 0xffffffff ? 1 : this.lastId + 1;
      if (!this.pending.has(this.lastId)) break;
    }
    return this.lastId;
  }

  /** Requests sent and not yet answered. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Bytes written but not yet handed to the kernel (what backpressure bounds), including payloads still queued here. */
  get writeBuffered(): number {
    return this.socket.writableLength + this.queuedBytes;
  }

  /** True once close() was called or the socket closed. */
  get isClosed(): boolean {
    return this.closing;
  }

  /** The peer has authenticated: from the next frame on, the full frame limits apply. */
  authenticated(): void {
    this.decoder.setLimits(this.limits);
  }

  /**
   * Stop reading from the socket (e.g. while the disk catches up). Frames of a chunk already decoded are still
   * delivered; while one frame at a time is handed out (before authentication), the next waits for resumeReading().
   */
  pauseReading(): void {
    this.readPaused = true;
    this.socket.pause();
  }

  /** Undo pauseReading(); frames left buffered by a pause are delivered now. */
  resumeReading(): void {
    if (!this.readPaused) return;
    this.readPaused = false;
    this.socket.resume();
    if (!this.closing && this.decoder.buffered > 0) this.decode(EMPTY_PAYLOAD);
  }

  /** End the connection after flushing what was written; pending requests reject with `err` or CONNECTION_LOST. */
  close(err?: FerryError): void {
    if (this.closing) return;
    this.closing = true;
    this.reason = err ?? null;
    this.stopTicker();
    this.failAll(err ?? new FerryError('CONNECTION_LOST', 'The connection was closed'));
    this.dropQueued();
    // Read on (and discard) so the peer's close is noticed even if reading was paused.
    this.socket.resume();
    this.socket.end();
    // A silent peer will not close its side: once our last bytes are out, don't wait for it.
    if (err?.code === 'TIMEOUT') this.socket.once('finish', () => this.socket.destroy());
    this.graceTimer = setTimeout(() => this.socket.destroy(), this.closeGraceMs);
    this.graceTimer.unref();
  }

  // ---- writing ----

  /** Encode and write one frame; returns socket.write's verdict (false: over the high-water mark). */
  private write(header: object, payload: Buffer | undefined, onWritten?: (err?: Error | null) => void): boolean {
    const bufs = encodeFrame(header, payload);
    const head = bufs[0]!;
    const body = bufs[1];
    const big = body !== undefined && body.length >= BIG_PAYLOAD;
    // Cork until the end of this tick so a burst of small frames leaves as few TLS records and syscalls.
    if (!big && !this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    let ok = this.socket.write(head, body === undefined ? onWritten : undefined);
    this.stats.bytesOut += head.length;
    if (body !== undefined) {
      // A corked (writev) flush makes Node's TLS layer copy everything into one buffer: let a big payload go alone.
      if (big && this.corked) this.uncork();
      ok = this.socket.write(body, onWritten);
      this.stats.bytesOut += body.length;
      this.stats.payloadBytesOut += body.length;
    }
    this.lastOutAt = performance.now();
    return ok;
  }

  private readonly uncork = (): void => {
    if (!this.corked) return; // already flushed early for a big payload
    this.corked = false;
    this.socket.uncork();
  };

  private waitDrain(): Promise<void> {
    if (this.drainWait === null) {
      let resolve!: () => void;
      let reject!: (e: FerryError) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.drainWait = { promise, resolve, reject };
    }
    return this.drainWait.promise;
  }

  private readonly onDrain = (): void => {
    const w = this.drainWait;
    this.drainWait = null;
    this.writeQueued();
    w?.resolve();
  };

  /**
   * Writes made while the socket is busy are flushed together later, and Node's TLS layer copies such a batch into
   * one fresh buffer (MiBs per flush with several uploads sending at once). So a big payload sent while the socket is
   * over its high-water mark waits, and so does every frame after it (order is kept): one big payload per 'drain'.
   */
  private mustQueue(payload: Buffer | undefined): boolean {
    return this.queue.length > 0 || (payload !== undefined && payload.length >= BIG_PAYLOAD && this.socket.writableNeedDrain);
  }

  /** Write queued frames until the socket is over its high-water mark again (the next 'drain' goes on). */
  private writeQueued(): void {
    while (this.queue.length > 0 && !this.closing && !this.socket.writableNeedDrain) {
      const q = this.queue.shift()!;
      this.queuedBytes -= q.payload?.length ?? 0;
      let ok: boolean;
      try {
        ok = this.write(q.header, q.payload, q.onWritten);
      } catch (err) {
        q.onWritten?.(err as Error);
        q.reject(toFerryError(err));
        continue;
      }
      if (ok) q.resolve();
      else this.waitDrain().then(q.resolve, q.reject);
    }
  }

  private enqueue(q: QueuedSend): void {
    this.queue.push(q);
    this.queuedBytes += q.payload?.length ?? 0;
  }

  private dropQueued(): void {
    const err = this.closedError();
    this.queuedBytes = 0;
    for (const q of this.queue.splice(0)) {
      q.onWritten?.(err);
      q.reject(err);
    }
  }

  // ---- reading ----

  private readonly onData = (chunk: Buffer): void => {
    if (this.closing) return;
    this.stats.bytesIn += chunk.length;
    this.lastInAt = performance.now();
    this.decode(chunk);
  };

  /** Decode and deliver what `chunk` completes; frames handed out one at a time are all taken, unless reading is paused. */
  private decode(chunk: Buffer): void {
    for (let input = chunk; !this.closing; input = EMPTY_PAYLOAD) {
      // Asked before the push: a frame handed out alone (e.g. the hello) may lift the one-at-a-time mode, and the
      // frames pipelined behind it in the same read must still be decoded now, not when more bytes arrive.
      const oneAtATime = this.decoder.oneAtATime;
      let frames: Frame<unknown>[];
      try {
        frames = this.decoder.push(input);
      } catch (err) {
        this.protocolError(err instanceof FrameError ? err : new FrameError('BAD_FRAME', String(err)));
        return;
      }
      if (frames.length === 0) return;
      this.handleFrames(frames);
      if (!oneAtATime || this.readPaused) return;
    }
  }

  private handleFrames(frames: Frame<unknown>[]): void {
    for (const f of frames) {
      if (this.closing) return;
      let header: AnyMessage;
      try {
        header = this.validate(f.header);
      } catch (err) {
        this.protocolError(new FrameError('BAD_FRAME', (err as Error).message, headerId(f.header)));
        return;
      }
      this.stats.payloadBytesIn += f.payload.length;
      this.dispatch({ header, payload: f.payload });
    }
  }

  private dispatch(frame: Frame<AnyMessage>): void {
    const h = frame.header;
    if (this.side === 'server') {
      // Keep-alive is answered here so sessions never see it (not even before hello).
      if (h.type === 'ping') this.send({ type: 'pong', id: h.id }).catch(noop);
      else this.deliver(frame);
      return;
    }
    const p = this.pending.get(h.id);
    if (p === undefined) {
      if (h.type === 'error' && h.id === 0) this.peerError = errorFromFrame(h);
      this.deliver(frame);
      return;
    }
    if (h.type === 'error') {
      this.pending.delete(h.id);
      p.reject(errorFromFrame(h));
      return;
    }
    const f = frame as Frame<ServerMessage>;
    if (p.onPartial !== undefined) {
      let more: boolean;
      try {
        more = p.onPartial(f);
      } catch (err) {
        this.pending.delete(h.id);
        p.reject(toFerryError(err));
        return;
      }
      if (more) return;
    }
    this.pending.delete(h.id);
    p.resolve(f);
  }

  private deliver(frame: Frame<AnyMessage>): void {
    if (this.handler === null) {
      this.backlog.push(frame);
      return;
    }
    try {
      this.handler(frame);
    } catch (err) {
      this.log.error({ err, remote: this.remoteAddress }, 'message handler threw');
      this.close(new FerryError('INTERNAL', `Message handler failed: ${(err as Error).message}`, { cause: err }));
    }
  }

  /** A bad frame from the peer: tell it why (server side), then close this connection only. */
  private protocolError(err: FrameError): void {
    this.log.warn({ remote: this.remoteAddress, code: err.code, id: err.frameId }, err.message);
    // A client has no message to report errors with; it just closes.
    if (this.side === 'server') this.send({ type: 'error', id: err.frameId, code: err.code, message: clip(err.message, 1000) }).catch(noop);
    this.close(new FerryError(err.code, err.message));
  }

  // ---- liveness and teardown ----

  private startTicker(): void {
    const periods = [this.keepAliveMs, this.idleTimeoutMs].filter((ms) => ms > 0);
    if (periods.length === 0) return;
    // Checking a few times per period is cheaper than re-arming a timer on every chunk.
    this.ticker = setInterval(this.onTick, Math.max(1, Math.min(...periods) / 4));
    this.ticker.unref();
  }

  private stopTicker(): void {
    if (this.ticker !== null) clearInterval(this.ticker);
    this.ticker = null;
  }

  private readonly onTick = (): void => {
    if (this.closing) return;
    const now = performance.now();
    if (this.idleTimeoutMs > 0 && now - this.lastInAt >= this.idleTimeoutMs) {
      const err = new FerryError('TIMEOUT', `Nothing heard from ${this.remoteAddress} for ${this.idleTimeoutMs / 1000} s`);
      if (this.side === 'server') this.send({ type: 'error', id: 0, code: err.code, message: err.message }).catch(noop);
      this.close(err);
      return;
    }
    if (this.keepAliveMs > 0 && !this.pingInFlight && (now - this.lastInAt >= this.keepAliveMs || now - this.lastOutAt >= this.keepAliveMs)) {
      this.pingInFlight = true;
      this.request({ type: 'ping' }).then(
        () => (this.pingInFlight = false),
        () => (this.pingInFlight = false),
      );
    }
  };

  private readonly onClose = (): void => {
    if (this.graceTimer !== null) clearTimeout(this.graceTimer);
    this.stopTicker();
    let result: FerryError | null;
    if (this.closing) {
      result = this.reason;
    } else {
      this.closing = true;
      result =
        this.peerError ??
        new FerryError(
          'CONNECTION_LOST',
          this.socketError ? `Connection to ${this.remoteAddress} lost: ${this.socketError.message}` : `${this.remoteAddress} closed the connection`,
          this.socketError ? { cause: this.socketError } : {},
        );
      this.reason = result;
      this.failAll(result);
    }
    const w = this.drainWait;
    this.drainWait = null;
    w?.reject(this.closedError());
    this.dropQueued();
    this.backlog = [];
    this.resolveClosed(result);
  };

  private failAll(err: FerryError): void {
    if (this.pending.size === 0) return;
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(err);
  }

  private closedError(): FerryError {
    return this.reason ?? new FerryError('CONNECTION_LOST', 'The connection is closed');
  }
}
