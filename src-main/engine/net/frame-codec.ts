/**
 * Frames on the wire: u32 BE header length, UTF-8 JSON header, then `payloadLength` raw bytes.
 * The decoder keeps received chunks in a list and copies only when a header or payload spans chunks,
 * so many small frames cost no concatenation and a large payload is copied once.
 */
import { MAX_HEADER_BYTES, MAX_PAYLOAD_BYTES } from '../../../src-shared/protocol/limits';
import type { ErrorCode } from '../../../src-shared/protocol/error-codes';
import { FerryError } from '../errors';
import { POOLED_PAYLOAD_BYTES, pooledPayload } from './payload-pool';

/** One decoded frame. */
export interface Frame<H = unknown> {
  header: H;
  payload: Buffer;
}

/** A frame-level error; `frameId` is the header's id when it could be read, else 0 (what the error reply echoes). */
export class FrameError extends FerryError {
  readonly frameId: number;
  constructor(code: ErrorCode, message: string, frameId = 0) {
    super(code, message);
    this.frameId = frameId;
  }
}

/** Shared empty payload: zero-length buffers carry no memory that could be mutated. */
export const EMPTY_PAYLOAD: Buffer = Buffer.alloc(0);
const NO_FRAMES: Frame[] = [];
// Payloads at least this big are copied into place chunk by chunk as they arrive.
const FILL_MIN = 32 * 1024;

/**
 * Encode a frame as buffers to write in order: [length prefix + header, payload?].
 * The payload is returned as is (never copied). When a payload is given (even empty),
 * `header.payloadLength` is set to its length.
 */
export function encodeFrame(header: object, payload?: Buffer): Buffer[] {
  const h = header as { payloadLength?: unknown };
  if (payload !== undefined) h.payloadLength = payload.length;
  else if (h.payloadLength !== undefined && h.payloadLength !== 0) {
    throw new FerryError('INTERNAL', `Frame header announces ${String(h.payloadLength)} payload bytes but no payload was given`);
  }
  const json = JSON.stringify(header);
  const len = Buffer.byteLength(json);
  const head = Buffer.allocUnsafe(4 + len);
  head.writeUInt32BE(len, 0);
  head.write(json, 4, len, 'utf8');
  return payload !== undefined && payload.length > 0 ? [head, payload] : [head];
}

/** `s` cut to at most `n` characters (peer-controlled text echoed in error messages stays small). */
export function clip(s: string, n = 64): string {
  return s.length <= n ? s : `${s.slice(0, n)}…`;
}

/** The id of a parsed header when it is a valid u32, else 0. */
export function headerId(h: unknown): number {
  const id = typeof h === 'object' && h !== null ? (h as { id?: unknown }).id : undefined;
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= 0xffffffff ? id : 0;
}

/** Incremental decoder: push received chunks, get complete frames. Throws FrameError; unusable afterwards. */
export class FrameDecoder {
  private maxHeader: number;
  private maxPayload: number;
  private oneFrame = false;
  private payloadCode: ErrorCode = 'FRAME_TOO_LARGE';
  private payloadWhy = '';
  private bufs: Buffer[] = [];
  private head = 0; // index of the first unread chunk (no Array.shift: a large payload spans thousands of chunks)
  private off = 0; // read offset into bufs[head]
  private avail = 0; // unread bytes over all bufs
  private headerLen = -1; // -1: waiting for the length prefix
  private header: unknown = undefined;
  private payloadLen = -1; // -1: waiting for the header
  private failed: FrameError | null = null;
  private fill: Buffer | null = null; // destination of a large payload being received
  private filled = 0; // bytes of `fill` written so far

  /**
   * `pooled(header)`: true for frames whose large payload should come from the payload pool (net/payload-pool.ts),
   * i.e. whose consumer gives it back.
   */
  constructor(
    limits: { maxHeader?: number; maxPayload?: number } = {},
    private readonly pooled: ((header: unknown) => boolean) | null = null,
  ) {
    this.maxHeader = limits.maxHeader ?? MAX_HEADER_BYTES;
    this.maxPayload = limits.maxPayload ?? MAX_PAYLOAD_BYTES;
  }

  /**
   * Change the limits for the frames not yet started (e.g. lifted once the peer has authenticated).
   * `oneFrame`: `push` returns at most one frame and keeps the rest buffered (call `push(EMPTY_PAYLOAD)` for the
   * next), so the caller can change the limits between one frame and the next.
   */
  setLimits(limits: { maxHeader?: number; maxPayload?: number; oneFrame?: boolean; payloadError?: { code: ErrorCode; why: string } }): void {
    this.maxHeader = limits.maxHeader ?? MAX_HEADER_BYTES;
    this.maxPayload = limits.maxPayload ?? MAX_PAYLOAD_BYTES;
    this.oneFrame = limits.oneFrame ?? false;
    this.payloadCode = limits.payloadError?.code ?? 'FRAME_TOO_LARGE';
    this.payloadWhy = limits.payloadError?.why ?? '';
  }

  /** True while `push` hands out one frame per call. */
  get oneAtATime(): boolean {
    return this.oneFrame;
  }

  /** Bytes received but not yet part of a returned frame. */
  get buffered(): number {
    return this.avail + this.filled;
  }

  /** Feed received bytes; returns the frames completed by them, in order. */
  push(chunk: Buffer): Frame<unknown>[] {
    if (this.failed) throw this.failed;
    if (chunk.length === 0 && this.avail === 0) return NO_FRAMES;
    let out: Frame<unknown>[] | null = null;
    if (this.fill !== null && chunk.length > 0) {
      const n = Math.min(chunk.length, this.fill.length - this.filled);
      chunk.copy(this.fill, this.filled, 0, n);
      this.filled += n;
      if (this.filled < this.fill.length) return NO_FRAMES;
      out = [{ header: this.header, payload: this.fill }];
      this.fill = null;
      this.filled = 0;
      this.nextFrame();
      if (n === chunk.length) return out;
      chunk = chunk.subarray(n);
    }
    if (chunk.length > 0) {
      this.bufs.push(chunk);
      this.avail += chunk.length;
    }
    for (;;) {
      if (this.oneFrame && out !== null) break;
      if (this.headerLen < 0) {
        if (this.avail < 4) break;
        const len = this.readU32();
        if (len > this.maxHeader) {
          this.fail('FRAME_TOO_LARGE', `Frame header of ${len} bytes exceeds the limit of ${this.maxHeader} bytes`, 0);
        }
        this.headerLen = len;
      }
      if (this.payloadLen < 0) {
        if (this.avail < this.headerLen) break;
        this.parseHeader(this.take(this.headerLen));
      }
      if (this.avail < this.payloadLen) {
        // Not before half has arrived: a peer must not make us allocate 32 MiB with a 50-byte header.
        if (this.payloadLen >= FILL_MIN && this.avail * 2 >= this.payloadLen) this.startFill();
        break;
      }
      const payload = this.payloadLen === 0 ? EMPTY_PAYLOAD : this.take(this.payloadLen);
      (out ??= []).push({ header: this.header, payload });
      this.nextFrame();
    }
    // Drop consumed chunks so a steady stream that always ends mid-frame does not grow the list.
    if (this.head > 0) {
      this.bufs.splice(0, this.head);
      this.head = 0;
    }
    return out ?? NO_FRAMES;
  }

  /**
   * A large payload is half there: from now on copy each chunk straight into its final buffer while the
   * just-decrypted bytes are still in cache, instead of keeping the chunks and copying them all at the end.
   */
  private startFill(): void {
    const n = this.payloadLen;
    // Only payloads that fill most of a pooled buffer: memory held stays within 2× the payload bytes in flight.
    const fill = n > POOLED_PAYLOAD_BYTES / 2 && n <= POOLED_PAYLOAD_BYTES && this.pooled?.(this.header) === true ? pooledPayload(n) : Buffer.allocUnsafe(n);
    while (this.avail > 0) {
      const b = this.bufs[this.head]!;
      const k = b.length - this.off;
      b.copy(fill, this.filled, this.off);
      this.filled += k;
      this.advance(k);
    }
    this.fill = fill;
  }

  private nextFrame(): void {
    this.headerLen = -1;
    this.payloadLen = -1;
    this.header = undefined;
  }

  private parseHeader(raw: Buffer): void {
    let h: unknown;
    try {
      h = JSON.parse(raw.toString('utf8'));
    } catch {
      this.fail('BAD_FRAME', 'Frame header is not valid JSON', 0);
    }
    if (typeof h !== 'object' || h === null || Array.isArray(h)) this.fail('BAD_FRAME', 'Frame header is not a JSON object', 0);
    const id = headerId(h);
    const { type, payloadLength } = h as { type?: unknown; payloadLength?: unknown };
    if (typeof type !== 'string') this.fail('BAD_FRAME', 'Frame header has no "type" string', id);
    let plen = 0;
    if (payloadLength !== undefined) {
      if (typeof payloadLength !== 'number' || !Number.isSafeInteger(payloadLength) || payloadLength < 0) {
        this.fail('BAD_FRAME', `"${clip(type)}" frame has an invalid payloadLength`, id);
      }
      if (payloadLength > this.maxPayload) {
        this.fail(this.payloadCode, `"${clip(type)}" frame payload of ${payloadLength} bytes exceeds the limit of ${this.maxPayload} bytes${this.payloadWhy}`, id);
      }
      plen = payloadLength;
    }
    this.header = h;
    this.payloadLen = plen;
  }

  private fail(code: ErrorCode, message: string, id: number): never {
    this.failed = new FrameError(code, message, id);
    this.fill = null;
    this.bufs = [];
    this.head = 0;
    this.avail = 0;
    throw this.failed;
  }

  private readU32(): number {
    const first = this.bufs[this.head]!;
    if (first.length - this.off >= 4) {
      const v = first.readUInt32BE(this.off);
      this.advance(4);
      return v;
    }
    return this.take(4).readUInt32BE(0);
  }

  /** Remove `n` (≤ avail) bytes from the front: a view when they lie in one chunk, else one copy. */
  private take(n: number): Buffer {
    if (n === 0) return EMPTY_PAYLOAD;
    const first = this.bufs[this.head]!;
    if (first.length - this.off >= n) {
      const view = first.subarray(this.off, this.off + n);
      this.advance(n);
      return view;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const b = this.bufs[this.head]!;
      const k = Math.min(b.length - this.off, n - filled);
      b.copy(out, filled, this.off, this.off + k);
      filled += k;
      this.advance(k);
    }
    return out;
  }

  private advance(n: number): void {
    this.off += n;
    this.avail -= n;
    if (this.off === this.bufs[this.head]!.length) {
      this.off = 0;
      if (++this.head === this.bufs.length) {
        this.bufs = [];
        this.head = 0;
      }
    }
  }
}
