/** Server-side index: chunk hash → a place in the share where those bytes can be read (dedup, renames, copies). */
import type { FileRecipe } from './recipe';

/** Where a chunk's bytes are: absolute file path, byte offset, length. */
export interface ChunkLocation {
  file: string;
  offset: number;
  length: number;
}

const HEX64 = /^[0-9a-f]{64}$/i;

/**
 * Map key: the first 16 bytes of the SHA-256 as a 16-character latin1 string (~⅓ the memory of 64 hex chars).
 * 128 bits make an accidental collision negligible; readers still verify what they read (the
 * whole-file hash check at commit catches a stale or colliding location).
 */
function keyOf(hashHex: string): string {
  return Buffer.from(hashHex.slice(0, 32), 'hex').toString('latin1');
}

/** Chunk hash → location, maintained per file. Holds every location of a chunk so removing one copy keeps the others. */
export class ChunkIndex {
  // A chunk is usually in one file: store a single location, an array only for duplicates.
  private readonly byChunk = new Map<string, ChunkLocation | ChunkLocation[]>();
  // Per file: its locations (shared objects with byChunk, so a rename is one pass over them) and their keys.
  private readonly byFile = new Map<string, { locs: ChunkLocation[]; keys: string[] }>();

  /** Number of distinct chunks indexed. */
  get size(): number {
    return this.byChunk.size;
  }

  /** Index (or re-index) the chunks of `abs`. */
  addFile(abs: string, recipe: FileRecipe): void {
    this.removeFile(abs);
    const locs: ChunkLocation[] = [];
    const keys: string[] = [];
    const seen = new Set<string>();
    for (const c of recipe.chunks) {
      const key = keyOf(c.hash);
      // A chunk repeated inside one file (runs of zeros) needs only its first location.
      if (seen.has(key)) continue;
      seen.add(key);
      const loc: ChunkLocation = {
        file: abs,
        offset: c.offset,
        length: c.length,
      };
      const cur = this.byChunk.get(key);
      if (cur === undefined) this.byChunk.set(key, loc);
      else if (Array.isArray(cur)) cur.push(loc);
      else this.byChunk.set(key, [cur, loc]);
      locs.push(loc);
      keys.push(key);
    }
    this.byFile.set(abs, { locs, keys });
  }

  /** Drop every location inside `abs`. */
  removeFile(abs: string): void {
    const f = this.byFile.get(abs);
    if (!f) return;
    this.byFile.delete(abs);
    for (let i = 0; i < f.keys.length; i++) {
      const key = f.keys[i]!;
      const loc = f.locs[i]!;
      const cur = this.byChunk.get(key);
      if (cur === loc) this.byChunk.delete(key);
      else if (Array.isArray(cur)) {
        const rest = cur.filter((l) => l !== loc);
        if (rest.length === 0) this.byChunk.delete(key);
        else this.byChunk.set(key, rest.length === 1 ? rest[0]! : rest);
      }
    }
  }

  /** A file or a whole folder moved: its chunks are now read from the new path. */
  renamePrefix(fromAbs: string, toAbs: string): void {
    if (fromAbs === toAbs) return;
    const moved: [string, string, { locs: ChunkLocation[]; keys: string[] }][] = [];
    for (const [abs, f] of this.byFile) {
      // Inside the folder = the prefix followed by a separator (either kind: a server may run on Windows).
      const next = abs.charCodeAt(fromAbs.length);
      const inside = (next === 47 || next === 92) && abs.startsWith(fromAbs);
      let to: string;
      if (abs === fromAbs) to = toAbs;
      else if (inside) to = toAbs + abs.slice(fromAbs.length);
      else continue;
      moved.push([abs, to, f]);
    }
    for (const [abs, to, f] of moved) {
      this.byFile.delete(abs);
      for (const l of f.locs) l.file = to;
    }
    // Re-key after removing all sources, so renaming a→b while b/… is also moving cannot clobber.
    for (const [, to, f] of moved) {
      this.removeFile(to);
      this.byFile.set(to, f);
    }
  }

  /** Some location of the chunk with this SHA-256 hex, if any file in the index holds it. */
  lookup(hash: string): ChunkLocation | undefined {
    if (!HEX64.test(hash)) return undefined;
    const cur = this.byChunk.get(keyOf(hash.toLowerCase()));
    return Array.isArray(cur) ? cur[0] : cur;
  }
}
