/** Persisted cache relPath → (size, mtimeMs, ino) → recipe, so unchanged files are not re-read and re-hashed. */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RECIPE_ENTRY_BYTES } from '../../../src-shared/protocol/limits';
import { toFerryError } from '../errors';
import type { FileRecipe } from './recipe';

/** The stat fields that must match for a cached recipe to be trusted. */
export interface StatKey {
  size: number;
  mtimeMs: number;
  ino: number;
}

/**
 * One entry kept compact for 100,000+ files: the stat key plus one Buffer holding the 32-byte file hash
 * followed by the 36-byte wire entries (offsets are recomputed from the lengths on `get`).
 */
interface Entry {
  size: number;
  mtimeMs: number;
  ino: number;
  packed: Buffer;
}

const MAGIC = 'FRC1';
const DEBOUNCE_MS = 2000;

function pack(recipe: FileRecipe): Buffer {
  const buf = Buffer.allocUnsafe(32 + recipe.chunks.length * RECIPE_ENTRY_BYTES);
  buf.write(recipe.hash, 0, 32, 'hex');
  let p = 32;
  for (const c of recipe.chunks) {
    buf.write(c.hash, p, 32, 'hex');
    buf.writeUInt32BE(c.length, p + 32);
    p += RECIPE_ENTRY_BYTES;
  }
  return buf;
}

function unpack(e: Entry): FileRecipe {
  const chunks: FileRecipe['chunks'] = [];
  let offset = 0;
  for (let p = 32; p < e.packed.length; p += RECIPE_ENTRY_BYTES) {
    const length = e.packed.readUInt32BE(p + 32);
    chunks.push({ hash: e.packed.toString('hex', p, p + 32), offset, length });
    offset += length;
  }
  return { size: e.size, hash: e.packed.toString('hex', 0, 32), chunks };
}

/**
 * File format (little-endian): "FRC1", then per entry: u32 path bytes, path UTF-8, f64 size, f64 mtimeMs,
 * f64 ino, u32 packed bytes, packed. Anything unreadable is treated as an empty cache: it is only a cache.
 */
function parse(buf: Buffer): Map<string, Entry> {
  const map = new Map<string, Entry>();
  if (buf.length < 4 || buf.toString('latin1', 0, 4) !== MAGIC) return map;
  let p = 4;
  try {
    while (p < buf.length) {
      const pathLen = buf.readUInt32LE(p);
      const rel = buf.toString('utf8', p + 4, p + 4 + pathLen);
      p += 4 + pathLen;
      const size = buf.readDoubleLE(p);
      const mtimeMs = buf.readDoubleLE(p + 8);
      const ino = buf.readDoubleLE(p + 16);
      const packedLen = buf.readUInt32LE(p + 24);
      p += 28;
      if (p + packedLen > buf.length || packedLen < 32 || (packedLen - 32) % RECIPE_ENTRY_BYTES !== 0) return new Map();
      // Copy out so entries do not pin the whole file buffer once some of them are replaced.
      map.set(rel, {
        size,
        mtimeMs,
        ino,
        packed: Buffer.from(buf.subarray(p, p + packedLen)),
      });
      p += packedLen;
    }
  } catch {
    return new Map();
  }
  return map;
}

function serialize(map: Map<string, Entry>): Buffer {
  const parts: Buffer[] = [Buffer.from(MAGIC, 'latin1')];
  for (const [rel, e] of map) {
    const path = Buffer.from(rel, 'utf8');
    const head = Buffer.allocUnsafe(4 + path.length + 28);
    head.writeUInt32LE(path.length, 0);
    path.copy(head, 4);
    const p = 4 + path.length;
    head.writeDoubleLE(e.size, p);
    head.writeDoubleLE(e.mtimeMs, p + 8);
    head.writeDoubleLE(e.ino, p + 16);
    head.writeUInt32LE(e.packed.length, p + 24);
    parts.push(head, e.packed);
  }
  return Buffer.concat(parts);
}

/** Recipes of files reused while their stat (size, mtimeMs, ino) is unchanged; persisted atomically and debounced. */
export class RecipeCache {
  private timer: NodeJS.Timeout | null = null;
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string | null,
    private readonly entries: Map<string, Entry>,
  ) {}

  /** Load the cache file (missing or corrupt = empty); `null` = in memory only. */
  static async open(file: string | null): Promise<RecipeCache> {
    if (file === null) return new RecipeCache(null, new Map());
    let buf: Buffer | null = null;
    try {
      buf = await readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw toFerryError(err, file);
    }
    return new RecipeCache(file, buf ? parse(buf) : new Map());
  }

  /** Number of cached files. */
  get size(): number {
    return this.entries.size;
  }

  /** The cached recipe, only if size, mtimeMs and ino all match the given stat. */
  get(rel: string, st: StatKey): FileRecipe | undefined {
    const e = this.entries.get(rel);
    if (!e || e.size !== st.size || e.mtimeMs !== st.mtimeMs || e.ino !== st.ino) return undefined;
    return unpack(e);
  }

  /** Remember the recipe of `rel` as read at stat `st`. */
  set(rel: string, st: StatKey, recipe: FileRecipe): void {
    this.entries.set(rel, {
      size: st.size,
      mtimeMs: st.mtimeMs,
      ino: st.ino,
      packed: pack(recipe),
    });
    this.touch();
  }

  /** Forget `rel` (a file; use renamePrefix/delete per file for folders). */
  delete(rel: string): void {
    if (this.entries.delete(rel)) this.touch();
  }

  /** Re-key the file `from`, or every file under the folder `from`, to live under `to`. */
  renamePrefix(from: string, to: string): void {
    if (from === to) return;
    const moved: [string, Entry][] = [];
    const prefix = `${from}/`;
    for (const [rel, e] of this.entries) {
      if (rel === from) moved.push([to, e]);
      else if (rel.startsWith(prefix)) moved.push([to + rel.slice(from.length), e]);
      else continue;
      this.entries.delete(rel);
    }
    for (const [rel, e] of moved) this.entries.set(rel, e);
    if (moved.length > 0) this.touch();
  }

  /** Write pending changes now (temp file + rename); call before exit. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // Chain writes so two flushes never race on the rename. A failed write is its own caller's error: the
    // next flush still writes (without the catch, one failure would fail every later flush unwritten).
    const run = this.writing.catch(() => undefined).then(() => this.write());
    this.writing = run;
    return run;
  }

  private touch(): void {
    if (this.file === null) return;
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush().catch(() => undefined); // a failed cache write only costs re-hashing later
    }, DEBOUNCE_MS);
    this.timer.unref();
  }

  private async write(): Promise<void> {
    if (this.file === null || !this.dirty) return;
    this.dirty = false;
    const tmp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(dirname(this.file), { recursive: true });
      await writeFile(tmp, serialize(this.entries));
      await rename(tmp, this.file);
    } catch (err) {
      this.dirty = true;
      await rm(tmp, { force: true }).catch(() => undefined);
      throw toFerryError(err, this.file);
    }
  }
}
