/** Recipes and whole-file SHA-256 of large files on a worker thread, so this thread is free to send. */
import { Worker } from 'node:worker_threads';
import { FerryError, toFerryError } from '../errors';
import { GEAR, checkChunkerOptions, type ChunkerOptions } from './fastcdc';
import { SCAN_DATA_BYTES, SCAN_DATA_OFFSET, gearScanModule } from './gear-scan';

/*
 * The worker is plain CommonJS evaluated from a string: no separate file to locate, so it works the same
 * from TS sources under vitest/tsx, from the esbuild bundle (dist/cli/ferry.js) and in Electron's main process.
 * It reads the file itself (synchronous reads are fine on its own thread): no bytes cross the thread boundary.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const gear = workerData.gear;
// The gear loop in wasm (gear-scan.ts) when it can run here. Files are read straight into its memory, 4 MiB at a
// time: per-read cost vanishes, and the one buffer is reused, so this is the worker's whole read memory.
let wasm = null;
try {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(workerData.wasm));
  new Int32Array(inst.exports.mem.buffer, 0, 256).set(gear);
  wasm = inst.exports;
} catch {}
const base = workerData.dataOffset;
const buf = wasm ? Buffer.from(wasm.mem.buffer, base, workerData.dataBytes) : Buffer.allocUnsafe(workerData.dataBytes);
function readFull(fd, pos, max = buf.length) {
  let got = 0;
  while (got < max) {
    const n = fs.readSync(fd, buf, got, max - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}
function topBits(bits) { return bits >= 32 ? -1 : ~(-1 >>> bits); }
// Must cut exactly where fastcdc.ts's Chunker cuts (recipe.test.ts compares the two on the same bytes). A small
// class with its own scan method, not one big loop: V8 optimises it as well as the Chunker (~25% faster).
class Cutter {
  constructor(o) {
    const bits = Math.round(Math.log2(o.avgSize));
    this.minSize = o.minSize; this.avgSize = o.avgSize; this.maxSize = o.maxSize;
    this.maskS = topBits(bits + 2); this.maskL = topBits(bits - 2);
    this.h = 0; this.len = 0;
  }
  // The gear loop of data[j, end) from hash this.h: the index just past the first byte where (h & mask) === 0,
  // or -1 (this.h then holds the hash at end). Unrolled by four: ~1.3-1.6x the plain loop, same cut points.
  scan(data, j, end, mask) {
    // data is buf or a view of it from offset 0, so its indices are the wasm memory's minus base.
    if (wasm) {
      wasm.h.value = this.h;
      const r = wasm.scan(base + j, base + end, mask);
      if (r >= 0) return r - base;
      this.h = wasm.h.value;
      return -1;
    }
    let h = this.h;
    for (const end4 = end - 3; j < end4; j += 4) {
      h = ((h << 1) + gear[data[j]]) | 0; if ((h & mask) === 0) return j + 1;
      h = ((h << 1) + gear[data[j + 1]]) | 0; if ((h & mask) === 0) return j + 2;
      h = ((h << 1) + gear[data[j + 2]]) | 0; if ((h & mask) === 0) return j + 3;
      h = ((h << 1) + gear[data[j + 3]]) | 0; if ((h & mask) === 0) return j + 4;
    }
    while (j < end) { h = ((h << 1) + gear[data[j++]]) | 0; if ((h & mask) === 0) return j; }
    this.h = h;
    return -1;
  }
  // The index just past the next cut in data[i, n), or -1 if the open chunk goes on past n.
  next(data, i, n) {
    const { minSize, avgSize, maxSize } = this;
    let len = this.len;
    while (i < n) {
      if (len < minSize) { const skip = Math.min(minSize - len, n - i); len += skip; i += skip; continue; }
      const small = len < avgSize;
      const end = i + Math.min((small ? avgSize : maxSize) - len, n - i);
      const cut = this.scan(data, i, end, small ? this.maskS : this.maskL);
      if (cut >= 0) { this.h = 0; this.len = 0; return cut; }
      len += end - i; i = end;
      if (len >= maxSize) { this.h = 0; this.len = 0; return i; }
    }
    this.len = len;
    return -1;
  }
}
// Chunks of the file from o.start (a fresh chunker there) to its end, or only those that end by o.stop: the chunk
// open at o.stop is left out (where it ends is not known yet).
function recipe(fd, o) {
  const cutter = new Cutter(o);
  const whole = o.whole ? createHash('sha256') : null;
  const first = o.start ?? 0;
  const stop = o.stop ?? Infinity;
  let cur = createHash('sha256');
  const digests = [];
  const lengths = [];
  let size = first, open = 0;
  for (;;) {
    const n = readFull(fd, size, Math.min(buf.length, stop - size));
    if (n === 0) break;
    size += n;
    const data = n === buf.length ? buf : buf.subarray(0, n);
    if (whole) whole.update(data);
    let start = 0;
    for (let e; (e = cutter.next(data, start, n)) >= 0; start = e) {
      digests.push(cur.update(data.subarray(start, e)).digest());
      lengths.push(open + e - start);
      open = 0;
      cur = createHash('sha256');
    }
    if (start < n) { cur.update(data.subarray(start, n)); open += n - start; }
    if (n < buf.length) break;
  }
  if (open > 0 && stop === Infinity) { digests.push(cur.digest()); lengths.push(open); }
  const r = { size, hash: whole ? whole.digest('hex') : null, digests: Buffer.concat(digests), lengths: Uint32Array.from(lengths) };
  return r;
}
parentPort.on('message', ({ id, path, kind, opts }) => {
  let fd = -1;
  try {
    fd = fs.openSync(path, 'r');
    if (kind === 'recipe') {
      const r = recipe(fd, opts);
      parentPort.postMessage({ id, recipe: r }, [r.lengths.buffer]);
      return;
    }
    const h = createHash('sha256');
    for (let pos = 0; ; ) {
      const n = readFull(fd, pos);
      if (n === 0) break;
      h.update(n === buf.length ? buf : buf.subarray(0, n));
      pos += n;
    }
    parentPort.postMessage({ id, hash: h.digest('hex') });
  } catch (err) {
    parentPort.postMessage({ id, error: { code: err && err.code, message: String(err && err.message) } });
  } finally {
    if (fd >= 0) try { fs.closeSync(fd); } catch {}
  }
});
`;

type Reply = {
  id: number;
  hash?: string;
  recipe?: WorkerRecipe;
  error?: { code?: string; message: string };
};

/** A recipe as the worker returns it: chunk digests packed 32 bytes each, lengths in file order. */
export interface WorkerRecipe {
  size: number;
  /** Whole-file SHA-256 hex; null when not asked for. */
  hash: string | null;
  digests: Uint8Array;
  lengths: Uint32Array;
}

/**
 * Workers in the pool. Jobs of one worker run one after the other; a second worker is started only when a job
 * arrives while the first is busy, or to split one file (recipeRangeOnWorker): the next files' recipes are then
 * computed while this thread sends, and the first file's recipe takes half as long.
 */
const POOL_SIZE = 2;
interface Slot {
  w: Worker;
  jobs: number;
}
const slots: Slot[] = [];
let broken = false;
let nextId = 1;
const pending = new Map<number, { slot: Slot; path: string; resolve: (r: Reply) => void; reject: (e: unknown) => void }>();

function failAll(slot: Slot, err: unknown): void {
  for (const [id, p] of pending) {
    if (p.slot !== slot) continue;
    pending.delete(id);
    p.reject(err);
  }
}

function drop(slot: Slot): void {
  const i = slots.indexOf(slot);
  if (i >= 0) slots.splice(i, 1);
}

function startWorker(): Slot | null {
  try {
    const workerData = { gear: GEAR, wasm: gearScanModule(), dataOffset: SCAN_DATA_OFFSET, dataBytes: SCAN_DATA_BYTES };
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData });
    const slot: Slot = { w, jobs: 0 };
    w.on('message', (m: Reply) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      // Idle workers must not keep the process alive (the CLI exits when its work is done).
      if (--slot.jobs === 0) w.unref();
      if (m.error === undefined) p.resolve(m);
      else p.reject(toFerryError(Object.assign(new Error(m.error.message), { code: m.error.code }), p.path));
    });
    w.on('error', (err) => {
      broken = true;
      drop(slot);
      failAll(slot, new FerryError('INTERNAL', `Hash worker failed: ${err.message}`, { cause: err }));
    });
    w.on('exit', () => {
      drop(slot);
      failAll(slot, new FerryError('INTERNAL', 'Hash worker exited'));
    });
    w.unref();
    slots.push(slot);
    return slot;
  } catch {
    broken = true; // no worker_threads here: callers fall back to hashing on this thread
    return null;
  }
}

/** An idle worker (started if the pool has room), else the least busy one; null when no worker can run here. */
function pickWorker(): Slot | null {
  const idle = slots.find((x) => x.jobs === 0);
  if (idle) return idle;
  if (!broken && slots.length < POOL_SIZE) return startWorker();
  return slots.reduce<Slot | null>((best, x) => (best === null || x.jobs < best.jobs ? x : best), null);
}

function ask(absPath: string, msg: object, slot = pickWorker()): Promise<Reply> | null {
  if (!slot) return null;
  const id = nextId++;
  return new Promise<Reply>((resolve, reject) => {
    pending.set(id, { slot, path: absPath, resolve, reject });
    if (slot.jobs++ === 0) slot.w.ref();
    slot.w.postMessage({ ...msg, id, path: absPath });
  });
}

/** Whole-file SHA-256 hex computed on the shared hash worker; `null` when no worker can run here. */
export function sha256FileOnWorker(absPath: string): Promise<string> | null {
  return ask(absPath, { kind: 'hash' })?.then((r) => r.hash ?? '') ?? null;
}

/**
 * A file's whole recipe (chunk boundaries, chunk hashes and, with `wholeFile`, the whole-file hash) computed in
 * one pass on a worker, so a large file costs this thread nothing but the reply; `null` when no worker can run here.
 */
export function recipeOnWorker(absPath: string, opts: ChunkerOptions, wholeFile = true): Promise<WorkerRecipe> | null {
  return recipeJob(absPath, opts, { whole: wholeFile }, pickWorker());
}

/** True when no worker has work: a file's recipe may then be split between two (recipe.ts). */
export function hashWorkersIdle(): boolean {
  return !broken && slots.every((x) => x.jobs === 0);
}

/**
 * Chunks (and their hashes) of the part of a file from `start` to its end, cut by a chunker started fresh at
 * `start`; with `stop`, only the chunks that end by `stop`. `size` is then where the reading ended (absolute).
 * The two halves of one split file run on two different workers (`lane` 0 and 1).
 */
export function recipeRangeOnWorker(absPath: string, opts: ChunkerOptions, start: number, stop: number | undefined, lane: 0 | 1): Promise<WorkerRecipe> | null {
  while (!broken && slots.length <= lane) if (startWorker() === null) break;
  return recipeJob(absPath, opts, { whole: false, start, ...(stop === undefined ? {} : { stop }) }, slots[lane] ?? null);
}

function recipeJob(absPath: string, opts: ChunkerOptions, extra: object, slot: Slot | null): Promise<WorkerRecipe> | null {
  checkChunkerOptions(opts);
  const { minSize, avgSize, maxSize } = opts;
  return (
    ask(absPath, { kind: 'recipe', opts: { minSize, avgSize, maxSize, ...extra } }, slot)?.then((r) => {
      if (r.recipe === undefined) throw new FerryError('INTERNAL', 'Hash worker sent no recipe');
      return r.recipe;
    }) ?? null
  );
}

/** Stop the hash workers (tests, orderly shutdown); the next call starts new ones. */
export async function stopHashWorker(): Promise<void> {
  const all = slots.splice(0);
  await Promise.all(all.map((x) => x.w.terminate()));
}
