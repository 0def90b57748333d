/**
 * One chunked upload (`begin` → `chunk`s → `commit`): work out which chunks the share lacks, stage the
 * received ones (verified, kept for resumption), then assemble the file from staged chunks and chunks
 * already in the share, verify it and install it atomically. Steps of one transfer run strictly in order.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, rm, type FileHandle } from 'node:fs/promises';
import type { ClientMessage, MessageOf } from '../../../src-shared/protocol/messages';
import { MAX_PAYLOAD_BYTES } from '../../../src-shared/protocol/limits';
import { decodeRecipe, type ChunkRef, type FileRecipe } from '../chunking/recipe';
import { FerryError, toFerryError } from '../errors';
import { StagedFile } from '../fs/atomic-writer';
import { installStaged, type OpResult } from './share-ops';
import type { ShareStore } from './share-store';

/** Other copies of a chunk tried when the first indexed location turned out stale. */
const MAX_LOCATIONS_TRIED = 8;
/** Chunk reads kept in flight while assembling a file. */
const READ_AHEAD = 16;
/** …and at most this many bytes of them (a recipe may have chunks up to the payload limit). */
const READ_AHEAD_BYTES = 8 * 1024 * 1024;

/** Reads byte ranges of share files, keeping each file open for the whole assembly (thousands of chunks, one open). */
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
    const fh = await h;
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
      if (bytesRead === 0) throw new FerryError('IO_ERROR', `${file} is shorter than indexed`);
      got += bytesRead;
    }
    return buf;
  }

  async close(): Promise<void> {
    const all = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(all.map((h) => h.then((fh) => fh.close()).catch(() => undefined)));
  }
}

/** State of one chunked upload within a session. */
export class Transfer {
  private readonly entries: ChunkRef[];
  /** 1 where the chunk was asked for in `need`; 2 once received. */
  private readonly asked: Uint8Array;
  /** Hashes staged (found at begin or received): deleted from staging after a successful commit. */
  private readonly stagedHashes = new Set<string>();
  private failure: FerryError | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private planned: Promise<unknown> | null = null;
  /** Chunks being verified and staged; they run concurrently, a commit or abort waits for all of them. */
  private readonly staging = new Set<Promise<void>>();
  /** Payload bytes of chunks received so far. */
  bytesReceived = 0;

  constructor(
    private readonly share: ShareStore,
    readonly begin: MessageOf<ClientMessage, 'begin'>,
    recipe: Buffer,
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
    this.asked = new Uint8Array(this.entries.length);
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
    while (this.staging.size > 0) await Promise.all([...this.staging]);
  }

  private async computePlan(): Promise<[number, number][]> {
    this.share.root.resolve(this.begin.path); // refuse a bad path before any chunk is sent
    const firstAsk = new Set<string>();
    const unknown: number[] = [];
    for (let i = 0; i < this.entries.length; i++) {
      const h = this.entries[i]!.hash;
      if (this.share.index.chunks.lookup(h) === undefined && !firstAsk.has(h)) {
        firstAsk.add(h); // a chunk repeated in the file is asked for once
        unknown.push(i);
      }
    }
    // Staged chunks of an interrupted transfer count as present; stat them a batch at a time.
    for (let b = 0; b < unknown.length; b += 64) {
      const batch = unknown.slice(b, b + 64);
      const staged = await Promise.all(batch.map((i) => this.share.stagedChunks.has(this.entries[i]!.hash)));
      batch.forEach((i, k) => {
        if (staged[k]) this.stagedHashes.add(this.entries[i]!.hash);
        else this.asked[i] = 1;
      });
    }
    const ranges: [number, number][] = [];
    for (let i = 0; i < this.asked.length; i++) {
      if (this.asked[i] !== 1) continue;
      const last = ranges[ranges.length - 1];
      if (last && last[1] === i) last[1] = i + 1;
      else ranges.push([i, i + 1]);
    }
    return ranges;
  }

  /** Bytes the client was asked to send. */
  get bytesAsked(): number {
    let n = 0;
    for (let i = 0; i < this.entries.length; i++) if (this.asked[i] !== 0) n += this.entries[i]!.length;
    return n;
  }

  /**
   * A chunk arrived: verify and stage it, concurrently with other chunks (after the plan).
   * Problems are remembered and reported by `commit` (chunks get no answer).
   */
  chunk(index: number, payload: Buffer): Promise<void> {
    const p = Promise.resolve(this.planned).then(() => this.stage(index, payload));
    this.staging.add(p);
    void p.finally(() => this.staging.delete(p));
    return p;
  }

  private async stage(index: number, payload: Buffer): Promise<void> {
    if (this.failure) return;
    const e = this.entries[index];
    try {
      if (e === undefined) throw new FerryError('BAD_FRAME', `Chunk index ${index} is beyond the recipe`, { path: this.begin.path });
      if (payload.length !== e.length) {
        throw new FerryError('BAD_FRAME', `Chunk ${index} of ${this.begin.path} has ${payload.length} bytes, recipe says ${e.length}`, { path: this.begin.path });
      }
      await this.share.stagedChunks.put(e.hash, payload);
      this.asked[index] = 2;
      this.stagedHashes.add(e.hash);
      this.bytesReceived += payload.length;
    } catch (err) {
      this.failure = toFerryError(err, this.begin.path);
      if (this.failure.path === undefined) this.failure = new FerryError(this.failure.code, this.failure.message, { path: this.begin.path });
    }
  }

  /** Assemble, verify and install the file. */
  async commit(): Promise<OpResult> {
    const { path, hash, base } = this.begin;
    if (this.failure) throw this.failure;
    const unsent = this.asked.indexOf(1);
    if (unsent >= 0) throw new FerryError('BAD_FRAME', `Commit of ${path} before chunk ${unsent} was sent`, { path });
    const abs = await this.share.root.resolveForWrite(path);
    const file = await StagedFile.create(this.share.stagingDir);
    const reader = new ChunkReader();
    try {
      const whole = createHash('sha256');
      let stale = 0;
      // Keep a window of reads in flight ahead of the writer: latency of one read no longer stalls the copy.
      const ahead: { read: Promise<Buffer | null>; length: number }[] = [];
      let aheadBytes = 0;
      let nextRead = 0;
      const fill = () => {
        while (nextRead < this.entries.length && ahead.length < READ_AHEAD && (aheadBytes < READ_AHEAD_BYTES || ahead.length === 0)) {
          const e = this.entries[nextRead++]!;
          ahead.push({ read: this.read(e, reader), length: e.length });
          aheadBytes += e.length;
        }
      };
      fill();
      while (ahead.length > 0) {
        const next = ahead.shift()!;
        aheadBytes -= next.length;
        const buf = await next.read;
        fill();
        if (buf === null) {
          stale++;
          continue;
        }
        whole.update(buf);
        if (stale === 0) await file.write(buf);
      }
      if (stale > 0) {
        throw new FerryError('HASH_MISMATCH', `${stale} chunk(s) of ${path} changed on the server meanwhile; send the file again`, { path });
      }
      if (whole.digest('hex') !== hash) throw new FerryError('HASH_MISMATCH', `Assembled ${path} does not match its announced hash`, { path });
      await file.seal(this.begin, this.share.durability);
      const recipe: FileRecipe = { size: this.begin.size, hash, chunks: this.entries };
      const result = await installStaged(this.share, path, abs, file, base, recipe);
      // The installed file now holds these chunks (and is indexed): the staged copies are no longer needed.
      await Promise.all([...this.stagedHashes].map((h) => rm(this.share.stagedChunks.path(h), { force: true }).catch(() => undefined)));
      return { ...result, bytesReused: this.begin.size - this.bytesAsked };
    } catch (err) {
      await file.discard();
      throw toFerryError(err, path);
    } finally {
      await reader.close();
    }
  }

  /** Bytes of one chunk, verified: from staging, else from any indexed location; null when nowhere valid. */
  private async read(e: ChunkRef, reader: ChunkReader): Promise<Buffer | null> {
    const ok = (b: Buffer) => b.length === e.length && createHash('sha256').update(b).digest('hex') === e.hash;
    const tryStaged = async () => {
      const b = await readFile(this.share.stagedChunks.path(e.hash)).catch(() => null);
      return b !== null && ok(b) ? b : null;
    };
    if (this.stagedHashes.has(e.hash)) {
      const b = await tryStaged();
      if (b) return b;
    }
    const index = this.share.index;
    for (let tries = 0; tries < MAX_LOCATIONS_TRIED; tries++) {
      const loc = index.chunks.lookup(e.hash);
      if (!loc) break;
      const b = await reader.read(loc.file, loc.offset, loc.length).catch(() => null);
      if (b !== null && ok(b)) return b;
      // The file changed or vanished behind the index: forget it so the retry asks the client instead.
      index.dropFile(this.share.root.relativeOf(loc.file), loc.file);
    }
    // Another transfer may have committed (and unstaged) it, or staged it after our plan.
    return this.stagedHashes.has(e.hash) ? null : tryStaged();
  }
}
