/**
 * Received bytes of a temp file written with O_DIRECT, in aligned 4 MiB blocks, where the platform allows it.
 * Buffered writes of new data cost the server more CPU than anything else in a large upload: the kernel copies
 * every byte into freshly allocated page-cache pages (~0.2 CPU-s per GiB on bare metal, up to ~2 in a VM whose host
 * has to back each new page; the first measurement here), and the durable commit then flushes them all at once.
 * A direct write goes from our buffer to the disk: ~0.04 CPU-s per GiB, and nothing left to flush at commit.
 *
 * Direct I/O needs page-aligned memory, file offsets and lengths, while chunks start anywhere; so appends in file
 * order (how a fresh upload arrives) are copied into an aligned block, written once full. Everything else (the part
 * of a run before the first page boundary, out-of-order writes, the unaligned end of a block flushed early) goes
 * through the ordinary buffered writer. Both carry only verified bytes of the same file, so where they meet the bytes
 * agree; a direct write also drops any cached pages it covers, so later reads through the buffered handle see it.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** Bytes per direct write (4 MiB measured ~2.4 GB/s here; the disk, not the CPU, is then the limit). */
export const DIRECT_BLOCK = 4 * 1024 * 1024;
/** Alignment of memory, offsets and lengths of direct writes (the largest logical block size in common use). */
const PAGE = 4096;
/**
 * Aligned blocks in the whole process (a transfer holds one while it appends; without one it writes buffered).
 * 8 × 4 MiB = 32 MiB: bytes waiting in blocks for their block to fill stay below what makes a session pause
 * reading (server/session.ts, 64 MiB), so a full block never waits for bytes that a paused socket holds back.
 */
const MAX_BLOCKS = 8;
/**
 * A block that has not grown for this long is written as far as it got. Waiting for its writes must never depend on
 * more data arriving: a session waits for its chunks' writes before it ends, and a paused socket may hold the rest.
 */
const IDLE_FLUSH_MS = 100;

const RESOLVED: Promise<void> = Promise.resolve();

/** What the buffered path must offer: a positional write resolving once the bytes are in the file. */
export interface PositionalWriter {
  write(buf: Buffer, pos: number): Promise<void>;
}

// This project's TypeScript libs have no WebAssembly types: the one constructor used here, typed by hand.
const { WebAssembly: Wasm } = globalThis as unknown as { WebAssembly?: { Memory: new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer } } };

const freeBlocks: Buffer[] = [];
let arena: Buffer | null = null;
let madeBlocks = 0;

/**
 * A page-aligned 4 MiB buffer, or null when all are in use. Node cannot ask for aligned memory, but a WebAssembly
 * memory is its own page-aligned mapping (64 KiB pages). One memory holds all the blocks: with one memory per block,
 * V8 ran several times as many full garbage collections during an upload (measured: ~30 vs ~10 per GiB).
 */
function takeBlock(): Buffer | null {
  const b = freeBlocks.pop();
  if (b !== undefined) return b;
  if (madeBlocks >= MAX_BLOCKS || Wasm === undefined) return null;
  if (arena === null) {
    // Pages of it not yet used take no memory.
    const pages = (MAX_BLOCKS * DIRECT_BLOCK) / 65536;
    arena = Buffer.from(new Wasm.Memory({ initial: pages, maximum: pages }).buffer);
  }
  return arena.subarray(DIRECT_BLOCK * madeBlocks, DIRECT_BLOCK * ++madeBlocks);
}

function giveBlock(b: Buffer): void {
  freeBlocks.push(b);
}

/** The block being filled: file range [base, base + filled), all waiting for its direct write. */
interface Window {
  buf: Buffer;
  base: number;
  filled: number;
  /** `filled` when the idle timer last looked. */
  seen: number;
  timer: NodeJS.Timeout | null;
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}

/** Positional writes of one temp file: appends in file order go out in aligned direct writes, the rest buffered. */
export class DirectWriter implements PositionalWriter {
  private window: Window | null = null;
  /** Direct writes in flight (their completion also resolves their blocks' waiters). */
  private readonly inFlight = new Set<Promise<void>>();
  /** While a write is placed: its buffered writes of the caller's memory. */
  private held: Promise<void>[] | null = null;
  /** The direct handle after a direct write failed (closed with the writer). */
  private refused: FileHandle | null = null;

  private constructor(
    private readonly buffered: PositionalWriter,
    private direct: FileHandle | null,
  ) {}

  /**
   * A writer for the file at `path`, whose buffered writes go to `buffered`. Without O_DIRECT (other platforms,
   * file systems that refuse it) every write is buffered.
   */
  static async open(path: string, buffered: PositionalWriter): Promise<DirectWriter> {
    const flag = (constants as { O_DIRECT?: number }).O_DIRECT;
    let fh: FileHandle | null = null;
    if (flag !== undefined && Wasm !== undefined) {
      fh = await open(path, constants.O_WRONLY | constants.O_NOFOLLOW | flag).catch(() => null);
    }
    return new DirectWriter(buffered, fh);
  }

  /** Write `buf` at `pos`; resolves once its bytes are in the file. `buf` must not change until then. */
  write(buf: Buffer, pos: number): Promise<void> {
    return this.writeHeld(buf, pos).done;
  }

  /**
   * Write `buf` at `pos`: `done` resolves once its bytes are in the file, `released` once `buf` is no longer needed
   * (at once when it was all copied into blocks, so a payload can go back to its pool without waiting for the block).
   */
  writeHeld(buf: Buffer, pos: number): { done: Promise<void>; released: Promise<void> } {
    this.held = [];
    const done = this.place(buf, pos);
    const held = this.held;
    this.held = null;
    return { done, released: held.length === 0 ? RESOLVED : Promise.allSettled(held).then(() => undefined) };
  }

  private place(buf: Buffer, pos: number): Promise<void> {
    const w = this.window;
    if (w !== null && pos === w.base + w.filled) return this.append(buf, pos);
    // Inside the open block but not where it continues: the block ends here (early), this write starts a new one.
    if (w !== null && pos < w.base + DIRECT_BLOCK && pos + buf.length > w.base) this.flush();
    // Elsewhere (e.g. a chunk sent again), the open block goes on and this write goes buffered.
    if (this.window !== null || this.direct === null || buf.length < PAGE) return this.hold(buf, pos);
    // Start a block at the next page boundary; the bytes before it go buffered.
    const head = (PAGE - (pos % PAGE)) % PAGE;
    if (head > 0 && head + PAGE > buf.length) return this.hold(buf, pos);
    const block = takeBlock();
    if (block === null) return this.hold(buf, pos);
    this.window = this.newWindow(block, pos + head);
    const parts = [this.append(buf.subarray(head), pos + head)];
    if (head > 0) parts.push(this.hold(buf.subarray(0, head), pos));
    return Promise.all(parts).then(() => undefined);
  }

  /** Write out the open block now (whole pages direct, the rest buffered); afterwards appends start a new one. */
  flush(): void {
    const w = this.window;
    if (w === null) return;
    this.window = null;
    if (w.timer !== null) clearTimeout(w.timer);
    const whole = w.filled - (w.filled % PAGE);
    const parts: Promise<void>[] = [];
    if (whole > 0) parts.push(this.directWrite(w.buf.subarray(0, whole), w.base));
    if (whole < w.filled) parts.push(this.buffered.write(w.buf.subarray(whole, w.filled), w.base + whole));
    this.settle(w, Promise.all(parts));
  }

  /** Flush, wait for every direct write, and close the direct handle; later writes are buffered. Never throws. */
  async close(): Promise<void> {
    this.flush();
    const handles = [this.direct, this.refused];
    // From here on no new block starts; a direct write in flight finishes before its handle is closed.
    this.direct = null;
    this.refused = null;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    for (const fh of handles) await fh?.close().catch(() => undefined);
  }

  /** Copy `buf` into the open block at its end (it may fill several blocks in turn). */
  private append(buf: Buffer, pos: number): Promise<void> {
    const waits: Promise<void>[] = [];
    let p = 0;
    while (p < buf.length) {
      const w = this.window;
      if (w === null) {
        // No block free to continue with: the rest goes buffered.
        waits.push(this.hold(buf.subarray(p), pos + p));
        break;
      }
      const n = buf.copy(w.buf, w.filled, p, Math.min(buf.length, p + DIRECT_BLOCK - w.filled));
      w.filled += n;
      p += n;
      waits.push(new Promise<void>((resolve, reject) => w.waiters.push({ resolve, reject })));
      if (w.filled === DIRECT_BLOCK) {
        this.window = null;
        if (w.timer !== null) clearTimeout(w.timer);
        this.settle(w, this.directWrite(w.buf, w.base));
        const next = takeBlock();
        if (next !== null) this.window = this.newWindow(next, w.base + DIRECT_BLOCK);
      }
    }
    return waits.length === 1 ? waits[0]! : Promise.all(waits).then(() => undefined);
  }

  private newWindow(buf: Buffer, base: number): Window {
    const w: Window = { buf, base, filled: 0, seen: 0, timer: null, waiters: [] };
    const check = (): void => {
      if (this.window !== w) return;
      if (w.filled === w.seen) return this.flush();
      w.seen = w.filled;
      w.timer = setTimeout(check, IDLE_FLUSH_MS).unref();
    };
    w.timer = setTimeout(check, IDLE_FLUSH_MS).unref();
    return w;
  }

  /** A buffered write of the caller's memory (which it must keep until this settles). */
  private hold(buf: Buffer, pos: number): Promise<void> {
    const p = this.buffered.write(buf, pos);
    this.held?.push(p);
    return p;
  }

  /** When `done` settles, so do the block's writes; the block then goes back to the pool. */
  private settle(w: Window, done: Promise<unknown>): void {
    const p = done.then(
      () => {
        for (const x of w.waiters) x.resolve();
      },
      (err: unknown) => {
        for (const x of w.waiters) x.reject(err);
      },
    ).finally(() => {
      giveBlock(w.buf);
      this.inFlight.delete(p);
    });
    this.inFlight.add(p);
  }

  /** Write a block (or its whole pages) directly; whatever a direct write does not take goes buffered. */
  private async directWrite(buf: Buffer, pos: number): Promise<void> {
    let off = 0;
    while (off < buf.length && this.direct !== null) {
      const fh = this.direct;
      try {
        const { bytesWritten } = await fh.write(buf, off, buf.length - off, pos + off);
        if (bytesWritten % PAGE !== 0 || bytesWritten === 0) throw new Error('short direct write');
        off += bytesWritten;
      } catch {
        // Refused (a file system that accepted O_DIRECT at open but not these writes) or cut short: from now on
        // this file is written buffered, which always works. The handle is closed by close().
        this.direct = null;
        this.refused = fh;
      }
    }
    if (off < buf.length) await this.buffered.write(buf.subarray(off), pos + off);
  }

}
