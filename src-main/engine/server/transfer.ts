/**
 * One chunked upload (`begin` → `chunk`s → `commit`). The temp file is created at its final size and every
 * byte is written once, at its offset: received chunks and chunks the share already holds (copied from the
 * indexed file, verified against the recipe as they are read). How received bytes are verified depends on
 * what `begin.hash` names (docs/protocol.md, Recipe): the recipe's digest → each received chunk is hashed
 * against its recipe entry as it arrives (every byte of the file is then verified once, no whole-file pass);
 * the whole-file SHA-256 → that hash is computed as chunks arrive in order and finished at commit by
 * re-reading only what came out of order. The temp file and a record of its written chunks stay for
 * resumption when the transfer does not commit (see part-file.ts). Steps of one transfer run strictly in order.
 */
import { createHash, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { ClientMessage, MessageOf } from '../../../src-shared/protocol/messages';
import { MAX_PAYLOAD_BYTES } from '../../../src-shared/protocol/limits';
import { decodeRecipe, recipeDigest, sha256Hex, type ChunkRef, type FileRecipe } from '../chunking/recipe';
import { FerryError, toFerryError } from '../errors';
import { StagedFile } from '../fs/atomic-writer';
import { releasePayload } from '../net/payload-pool';
import { DirectWriter } from './direct-writer';
import { PartFile } from './part-file';
import { installStaged, type OpResult } from './share-ops';
import type { ShareStore } from './share-store';

/** Other copies of a chunk tried when the first indexed location turned out stale. */
const MAX_LOCATIONS_TRIED = 8;
/** Chunk copies kept in flight while filling reused chunks. */
const READ_AHEAD = 16;
/** …and at most this many bytes of them (a recipe may have chunks up to the payload limit). */
const READ_AHEAD_BYTES = 8 * 1024 * 1024;
/** Block size for re-reading the temp file to finish the whole-file hash. */
const REHASH_BLOCK = 1024 * 1024;

/** Per recipe index: what the server does about it. */
const enum State {
  /** Asked from the client in `need`, not yet received. */
  Asked = 1,
  /** Written and verified in the temp file. */
  Present = 2,
  /** To be copied from the share or from another index of this file (background fill). */
  Fill = 3,
  /** Same hash as an asked chunk: written together with it when it arrives. */
  Dup = 4,
  /** Received, but its bytes did not match the recipe (verified per chunk): not written, asked again by a retry. */
  Bad = 5,
}

/** Reads byte ranges of share files, keeping each file open for the whole fill (thousands of chunks, one open). */
class ChunkReader {
  private readonly handles = new Map<string, Promise<FileHandle>>();

  async read(file: string, offset: number, length: number): Promise<Buffer> {
    let h = this.handles.get(file);
    if (!h) {
      // O_NOFOLLOW: an indexed path that became a link is not read through.
      h = open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
      this.handles.set(file, h);
      h.catch(() => this.handles.delete(file));
    }
    return readExactly(await h, offset, length, file);
  }

  async close(): Promise<void> {
    const all = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(all.map((h) => h.then((fh) => fh.close()).catch(() => undefined)));
  }
}

async function readExactly(fh: FileHandle, offset: number, length: number, what: string): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
    if (bytesRead === 0) throw new FerryError('IO_ERROR', `${what} is shorter than expected`);
    got += bytesRead;
  }
  return buf;
}

async function writeAll(fh: FileHandle, buf: Buffer, position: number): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off, position + off);
    off += bytesWritten;
  }
}

/** Write all of `bufs` at `position` (writev, then plain writes for whatever a short write left). */
async function writevAll(fh: FileHandle, bufs: Buffer[], position: number): Promise<void> {
  const { bytesWritten } = await fh.writev(bufs, position);
  let skip = bytesWritten;
  let pos = position;
  for (const b of bufs) {
    if (skip >= b.length) {
      skip -= b.length;
      pos += b.length;
      continue;
    }
    await writeAll(fh, b.subarray(skip), pos + skip);
    pos += b.length;
    skip = 0;
  }
}

/** Most buffers in one writev (Linux IOV_MAX is 1024). */
const MAX_IOV = 1024;

interface Segment {
  buf: Buffer;
  pos: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Positional writes coalesced into few writev calls: while one batch is on its way to the disk, the chunks
 * arriving meanwhile queue up and leave as runs of contiguous buffers. A 32 KiB write per chunk would cost
 * one thread-pool round trip each (tens of thousands per GiB); this costs a handful per MiB.
 */
class BatchWriter {
  private queue: Segment[] = [];
  private busy = false;

  constructor(private readonly fh: FileHandle) {}

  write(buf: Buffer, pos: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ buf, pos, resolve, reject });
      if (!this.busy) void this.pump();
    });
  }

  private async pump(): Promise<void> {
    this.busy = true;
    while (this.queue.length > 0) {
      const segs = this.queue;
      this.queue = [];
      const runs: Segment[][] = [];
      for (const seg of segs) {
        const run = runs[runs.length - 1];
        const last = run?.[run.length - 1];
        if (run !== undefined && last !== undefined && last.pos + last.buf.length === seg.pos && run.length < MAX_IOV) run.push(seg);
        else runs.push([seg]);
      }
      await Promise.all(
        runs.map(async (run) => {
          try {
            if (run.length === 1) await writeAll(this.fh, run[0]!.buf, run[0]!.pos);
            else await writevAll(this.fh, run.map((x) => x.buf), run[0]!.pos);
            for (const x of run) x.resolve();
          } catch (err) {
            for (const x of run) x.reject(err);
          }
        }),
      );
    }
    this.busy = false;
  }
}

/** State of one chunked upload within a session. */
export class Transfer {
  private readonly entries: ChunkRef[];
  private readonly state: Uint8Array;
  /** Asked hash → the other recipe indices with the same bytes. */
  private readonly dups = new Map<string, number[]>();
  /** Hash → an index holding it in the temp file (source for copies inside the file). */
  private readonly presentAt = new Map<string, number>();
  private part: PartFile | null = null;
  /** Writes of copies (duplicates, chunks filled from the share) and whatever `stream` does not write directly. */
  private writer: BatchWriter | null = null;
  /** Writes of received chunk runs: mostly appends in file order, which go to disk directly (direct-writer.ts). */
  private stream: DirectWriter | null = null;
  private failure: FerryError | null = null;
  /** Reused chunks that could be found nowhere valid (the share changed behind the index). */
  private stale = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private planned: Promise<unknown> | null = null;
  private filling: Promise<void> = Promise.resolve();
  /** Chunks being verified and written; a commit or abort waits for all of them. */
  private readonly staging = new Set<Promise<void>>();
  /** `begin.hash` is the recipe's digest: received chunks are verified one by one, there is no whole-file pass. */
  private readonly byChunk: boolean;
  /** Otherwise: the whole-file hash over indices [0, hashed), fed in order as the bytes pass by. */
  private readonly whole: Hash | null;
  private hashed = 0;
  private ended = false;
  /** The `need` ranges sent. */
  private asked: [number, number][] = [];
  /** Payload bytes of chunks received so far. */
  bytesReceived = 0;

  constructor(
    private readonly share: ShareStore,
    readonly begin: MessageOf<ClientMessage, 'begin'>,
    private readonly recipe: Buffer,
  ) {
    const decoded = decodeRecipe(recipe, begin.chunkCount);
    let offset = 0;
    this.entries = decoded.map((c) => {
      if (c.length === 0 || c.length > MAX_PAYLOAD_BYTES) {
        throw new FerryError('BAD_FRAME', `Recipe of ${begin.path} has a chunk of ${c.length} bytes`, { path: begin.path });
      }
      const ref = { hash: c.hash, offset, length: c.length };
      offset += c.length;
      return ref;
    });
    if (offset !== begin.size) {
      throw new FerryError('BAD_FRAME', `Recipe of ${begin.path} adds up to ${offset} bytes, not ${begin.size}`, { path: begin.path });
    }
    this.state = new Uint8Array(this.entries.length);
    this.byChunk = begin.hash === recipeDigest(recipe);
    this.whole = this.byChunk ? null : createHash('sha256');
  }

  /** Run `step` after the plan, every chunk received so far and every step queued before it. */
  enqueue<T>(step: () => Promise<T>): Promise<T> {
    const run = this.tail.then(() => this.settled()).then(step);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Decide which chunks to ask for: half-open ranges of recipe indices (for `need`). Call once, first. */
  plan(): Promise<[number, number][]> {
    const p = this.computePlan();
    this.planned = p.catch(() => undefined);
    return p;
  }

  private async settled(): Promise<void> {
    await this.planned;
    while (this.staging.size > 0) {
      // Received chunks whose block is still filling are written now: no more are coming before this step.
      this.stream?.flush();
      await Promise.all([...this.staging]);
    }
  }

  private async computePlan(): Promise<[number, number][]> {
    this.share.root.resolve(this.begin.path); // refuse a bad path before any chunk is sent
    const part = await PartFile.open(this.share.partsDir, this.begin, this.recipe);
    this.part = part;
    // A newer `begin` of the same file may take the temp file over once this transfer has gone quiet.
    part.yieldTo = () => this.enqueue(() => this.suspend());
    this.writer = new BatchWriter(part.handle);
    const { entries, state } = this;
    // The record says which chunks were written; trust only those whose bytes still hash right.
    if (part.resumed > 0) {
      try {
        await this.verifyWritten(part);
      } catch (err) {
        await part.suspend(); // the plan failed: release the temp file (kept for a later begin)
        throw err;
      }
    }
    this.stream = await DirectWriter.open(part.path, this.writer);
    const asked = new Set<string>();
    let fill = false;
    for (let i = 0; i < entries.length; i++) {
      if (state[i] === State.Present) continue;
      const h = entries[i]!.hash;
      if (this.presentAt.has(h) || this.share.index.chunks.lookup(h) !== undefined) {
        state[i] = State.Fill;
        fill = true;
      } else if (asked.has(h)) {
        state[i] = State.Dup; // a chunk repeated in the file is asked for once
        let d = this.dups.get(h);
        if (d === undefined) this.dups.set(h, (d = []));
        d.push(i);
      } else {
        asked.add(h);
        state[i] = State.Asked;
      }
    }
    if (fill) {
      // Copy what the share already holds while the asked chunks travel; the commit waits for it.
      this.filling = this.fill().catch((err: unknown) => this.fail(err));
    }
    const ranges: [number, number][] = [];
    for (let i = 0; i < state.length; i++) {
      if (state[i] !== State.Asked) continue;
      const last = ranges[ranges.length - 1];
      if (last && last[1] === i) last[1] = i + 1;
      else ranges.push([i, i + 1]);
    }
    this.asked = ranges;
    return ranges;
  }

  /** Bytes the client was asked to send. */
  get bytesAsked(): number {
    let n = 0;
    for (const [s, e] of this.asked) for (let i = s; i < e; i++) n += this.entries[i]!.length;
    return n;
  }

  /**
   * A `chunk` frame arrived: one chunk, or several consecutive ones starting at `index` (the recipe lengths say
   * how many). Verify and write them at their offsets, concurrently with other frames (after the plan).
   * Problems are remembered and reported by `commit` (chunks get no answer).
   */
  chunk(index: number, payload: Buffer): Promise<void> {
    const p = Promise.resolve(this.planned).then(() => this.stage(index, payload));
    this.track(p);
    return p;
  }

  /** How many recipe entries from `index` on the payload holds exactly; BAD_FRAME unless it ends on a chunk boundary. */
  private chunksIn(index: number, bytes: number): number {
    const { entries } = this;
    let n = 0;
    for (let sum = 0; sum < bytes && index + n < entries.length; n++) sum += entries[index + n]!.length;
    const end = index + n;
    const covered = n === 0 ? 0 : entries[end - 1]!.offset + entries[end - 1]!.length - entries[index]!.offset;
    if (n === 0 || covered !== bytes) {
      const what = index >= entries.length ? `Chunk index ${index} is beyond the recipe` : `Chunk frame at ${index} of ${this.begin.path} has ${bytes} bytes, not a whole number of recipe chunks`;
      throw new FerryError('BAD_FRAME', what, { path: this.begin.path });
    }
    return n;
  }

  private async stage(index: number, payload: Buffer): Promise<void> {
    if (this.failure || this.part === null || this.ended) return releasePayload(payload);
    try {
      const n = this.chunksIn(index, payload.length);
      const base = this.entries[index]!.offset;
      const writer = this.writer!;
      const stream = this.stream!;
      const writes: Promise<void>[] = [];
      const written: number[] = [];
      /** What still reads the payload's memory (a run copied into a direct block does not). */
      const holds: Promise<void>[] = [];
      // Contiguous good chunks leave as one write (the writers merge neighbouring frames further).
      let run = -1;
      const flush = (end: number): void => {
        if (run < 0) return;
        const from = this.entries[run]!.offset - base;
        const w = stream.writeHeld(payload.subarray(from, this.entries[end - 1]!.offset + this.entries[end - 1]!.length - base), this.entries[run]!.offset);
        writes.push(w.done);
        holds.push(w.released);
        run = -1;
      };
      for (let i = index; i < index + n; i++) {
        if (this.state[i] === State.Present) {
          flush(i); // sent twice: already there
          continue;
        }
        const e = this.entries[i]!;
        const bytes = payload.subarray(e.offset - base, e.offset - base + e.length);
        if (this.byChunk) {
          if (sha256Hex(bytes) !== e.hash) {
            flush(i);
            this.state[i] = State.Bad;
            continue;
          }
        } else {
          // Not hashed on its own: the whole-file hash (fed in order) checks every byte at commit.
          this.feedHash(i, bytes);
        }
        if (run < 0) run = i;
        written.push(i);
        for (const d of this.dups.get(e.hash) ?? []) {
          // A copy inside this same frame is verified and written from its own bytes above.
          if ((d >= index && d < index + n) || this.state[d] === State.Present) continue;
          const w = writer.write(bytes, this.entries[d]!.offset);
          writes.push(w);
          holds.push(w);
          written.push(d);
        }
      }
      flush(index + n);
      // Hashed, and copied or on disk: nothing refers to the payload's memory any more (not on failure: a write
      // may still run). Its pooled buffer goes round again while the rest waits for its direct block.
      await Promise.all(holds);
      releasePayload(payload);
      this.bytesReceived += payload.length;
      // The frame is done with (the session may take more); its chunks count as written once they are in the file.
      this.track(
        Promise.all(writes).then(
          () => {
            for (const i of written) this.markPresent(i);
          },
          (err: unknown) => this.fail(err),
        ),
      );
    } catch (err) {
      this.fail(err);
    }
  }

  /** Keep `p` among the work a commit or abort waits for. */
  private track(p: Promise<void>): void {
    this.staging.add(p);
    const untrack = (): void => void this.staging.delete(p);
    // Both branches handled: a rejection here is reported by whoever awaits `p`, never left unhandled.
    p.then(untrack, untrack);
  }

  private fail(err: unknown): void {
    if (this.failure) return;
    const f = toFerryError(err, this.begin.path);
    this.failure = f.path === undefined ? new FerryError(f.code, f.message, { path: this.begin.path }) : f;
  }

  private markPresent(i: number): void {
    this.state[i] = State.Present;
    const h = this.entries[i]!.hash;
    if (!this.presentAt.has(h)) this.presentAt.set(h, i);
    this.part?.mark(i);
  }

  /** Feed the whole-file hash when these bytes are the next in file order (the usual case: chunks come in order). */
  private feedHash(index: number, bytes: Buffer): void {
    if (this.whole === null || index !== this.hashed) return;
    this.whole.update(bytes);
    this.hashed++;
  }

  /** Copy every Fill chunk into place: from another index of this file, else from any indexed location. */
  private async fill(): Promise<void> {
    const reader = new ChunkReader();
    try {
      const window = new Set<Promise<void>>();
      let bytes = 0;
      for (let i = 0; i < this.entries.length; i++) {
        if (this.state[i] !== State.Fill) continue;
        if (this.ended || this.failure) break;
        const e = this.entries[i]!;
        while (window.size > 0 && (window.size >= READ_AHEAD || bytes + e.length > READ_AHEAD_BYTES)) await Promise.race(window);
        bytes += e.length;
        const p = this.fillOne(i, reader).finally(() => {
          bytes -= e.length;
          window.delete(p);
        });
        window.add(p);
      }
      await Promise.all(window);
    } finally {
      await reader.close();
    }
  }

  private async fillOne(i: number, reader: ChunkReader): Promise<void> {
    const e = this.entries[i]!;
    const part = this.part!;
    const ok = (b: Buffer | null): b is Buffer => b !== null && b.length === e.length && sha256Hex(b) === e.hash;
    let buf: Buffer | null = null;
    const local = this.presentAt.get(e.hash);
    if (local !== undefined) {
      buf = await readExactly(part.handle, this.entries[local]!.offset, e.length, part.path).catch(() => null);
      if (!ok(buf)) buf = null;
    }
    const index = this.share.index;
    for (let tries = 0; buf === null && tries < MAX_LOCATIONS_TRIED; tries++) {
      const loc = index.chunks.lookup(e.hash);
      if (!loc) break;
      const b = await reader.read(loc.file, loc.offset, loc.length).catch(() => null);
      if (ok(b)) buf = b;
      // The file changed or vanished behind the index: forget it so the retry asks the client instead.
      else index.dropFile(this.share.root.relativeOf(loc.file), loc.file);
    }
    if (buf === null) {
      this.stale++;
      return;
    }
    if (this.ended) return;
    await this.writer!.write(buf, e.offset);
    this.feedHash(i, buf);
    this.markPresent(i);
  }

  /** Assemble, verify and install the file; when it cannot be, what is verified stays for a retry. */
  async commit(): Promise<OpResult> {
    try {
      return await this.install();
    } catch (err) {
      await this.suspend(); // no-op when install() already removed the temp file
      throw err;
    }
  }

  private async install(): Promise<OpResult> {
    const { path, hash, base } = this.begin;
    const part = this.part;
    if (part === null) throw new FerryError('INTERNAL', `Transfer of ${path} has no temp file`, { path });
    if (part.isReleased) throw new FerryError('TRANSFER_UNKNOWN', `Transfer of ${path} was taken over by a newer upload of the same file`, { path });
    await this.filling;
    if (this.failure) throw this.failure;
    const unsent = this.state.indexOf(State.Asked);
    if (unsent >= 0) throw new FerryError('BAD_FRAME', `Commit of ${path} before chunk ${unsent} was sent`, { path });
    if (this.stale > 0) {
      // Their indices are not marked in the record: the retry's plan asks the client for them.
      throw new FerryError('HASH_MISMATCH', `Chunk(s) of ${path} changed on the server meanwhile; send the file again`, { path });
    }
    const bad = this.state.reduce((n, s) => (s === State.Bad ? n + 1 : n), 0);
    // Good chunks stay recorded in the temp file (commit() suspends it): the retry asks only for the bad ones.
    if (bad > 0) throw new FerryError('HASH_MISMATCH', `${bad} chunk(s) of ${path} did not match the recipe`, { path });
    const missing = this.state.findIndex((s) => s !== State.Present);
    if (missing >= 0) throw new FerryError('HASH_MISMATCH', `Chunk ${missing} of ${path} could not be assembled`, { path });
    this.ended = true;
    await this.stream?.close(); // every write is done (settled before this step): the file is complete
    // By chunk, every byte was verified against the recipe on its way in; else the whole-file hash decides.
    if (!this.byChunk && (await this.finishHash(part)) !== hash) {
      // Find the bad chunks so the retry asks only for them; if every chunk is right, the announced hash is wrong.
      const bad = await this.verifyWritten(part);
      if (bad === 0) await part.remove();
      else await part.suspend();
      throw new FerryError('HASH_MISMATCH', `Assembled ${path} does not match its announced hash (${bad} chunk(s) did not match the recipe)`, { path });
    }
    try {
      // Checked and installed holding the share's path lock: no session can swap a folder on the way meanwhile.
      const result = await this.share.locks.run([path], async () => {
        const abs = await this.share.root.resolveForWrite(path);
        const file = StagedFile.adopt(part.path, part.handle, this.begin.size);
        await file.seal(this.begin, this.share.durability);
        const recipe: FileRecipe = { size: this.begin.size, hash, chunks: this.entries };
        return installStaged(this.share, path, abs, file, base, recipe);
      });
      await part.installed();
      return { ...result, bytesReused: this.begin.size - this.bytesAsked };
    } catch (err) {
      await part.remove();
      throw toFerryError(err, path);
    }
  }

  /**
   * Re-read every chunk marked written and check it against the recipe: good ones become Present, bad ones are
   * unmarked (asked again by a later plan). Returns how many were bad.
   */
  private async verifyWritten(part: PartFile): Promise<number> {
    let bad = 0;
    for (let i = 0; i < this.entries.length; i++) {
      if (!part.has(i)) continue;
      const e = this.entries[i]!;
      const b = await readExactly(part.handle, e.offset, e.length, part.path).catch(() => null);
      if (b !== null && sha256Hex(b) === e.hash) {
        this.state[i] = State.Present;
        if (!this.presentAt.has(e.hash)) this.presentAt.set(e.hash, i);
      } else {
        bad++;
        part.unmark(i);
        this.state[i] = 0;
        if (this.presentAt.get(e.hash) === i) this.presentAt.delete(e.hash);
      }
    }
    return bad;
  }

  /** The whole-file hash: what was fed in order, plus the rest re-read from the temp file. */
  private async finishHash(part: PartFile): Promise<string> {
    const whole = this.whole!;
    if (this.hashed < this.entries.length) {
      const from = this.entries[this.hashed]!.offset;
      const buf = Buffer.allocUnsafe(Math.min(REHASH_BLOCK, this.begin.size - from));
      for (let pos = from; pos < this.begin.size; ) {
        const n = Math.min(buf.length, this.begin.size - pos);
        const { bytesRead } = await part.handle.read(buf, 0, n, pos);
        if (bytesRead === 0) throw new FerryError('IO_ERROR', `${part.path} is shorter than expected`);
        whole.update(buf.subarray(0, bytesRead));
        pos += bytesRead;
      }
      this.hashed = this.entries.length;
    }
    return whole.digest('hex');
  }

  /** Stop without installing (abort, or the connection ended): keep the temp file and its record for a later `begin`. */
  async suspend(): Promise<void> {
    this.ended = true;
    await this.filling;
    await this.stream?.close();
    await this.part?.suspend();
  }
}
