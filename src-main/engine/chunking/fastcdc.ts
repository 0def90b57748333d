/** FastCDC content-defined chunker: gear rolling hash, normalized chunking, streaming with split-independent boundaries. */
import { createHash } from 'node:crypto';
import { FerryError } from '../errors';

/** Minimum, target average and maximum chunk length in bytes. */
export interface ChunkerOptions {
  minSize: number;
  avgSize: number;
  maxSize: number;
}

/** Chosen by measurement (docs/chunking.md): 32 KiB average keeps an edit of a 64 MiB file near 105 KB on the wire. */
export const DEFAULT_CHUNKING: ChunkerOptions = {
  minSize: 8 * 1024,
  avgSize: 32 * 1024,
  maxSize: 128 * 1024,
};

/**
 * 256 gear values, derived from SHA-256 so every build and platform agrees (boundaries are part of the
 * wire contract: two peers must cut the same content the same way for dedup to work).
 */
export const GEAR: Int32Array = (() => {
  const table = new Int32Array(256);
  for (let i = 0; i < 256; i++) table[i] = createHash('sha256').update(`ferry-fastcdc-gear-${i}`).digest().readInt32BE(0);
  return table;
})();

/** A mask of the `bits` most significant bits: in a 32-bit gear hash the top bits depend on the last ~32 bytes. */
function topBits(bits: number): number {
  return bits >= 32 ? -1 : ~(-1 >>> bits);
}

/** Throws CONFIG_INVALID unless min < avg < max, avg a power of two, all within sensible bounds. */
export function checkChunkerOptions(o: ChunkerOptions): void {
  const ok =
    Number.isInteger(o.minSize) &&
    Number.isInteger(o.avgSize) &&
    Number.isInteger(o.maxSize) &&
    o.minSize >= 64 &&
    o.minSize < o.avgSize &&
    o.avgSize < o.maxSize &&
    o.maxSize <= 64 * 1024 * 1024 &&
    (o.avgSize & (o.avgSize - 1)) === 0 &&
    o.avgSize >= 256;
  if (!ok) throw new FerryError('CONFIG_INVALID', `Invalid chunker sizes min=${o.minSize} avg=${o.avgSize} max=${o.maxSize}`);
}

/**
 * Streaming FastCDC. The only state carried between pushes is the rolling hash and the length of the
 * open chunk, so boundaries are identical however the input is split.
 * A chunk ends after the byte at which (hash & mask) === 0, with the stricter mask (2 more bits) before
 * avgSize and the looser one (2 fewer bits) after it ("normalization level 2"); the first minSize bytes
 * of a chunk are skipped unhashed; a chunk is forced to end at maxSize.
 */
export class Chunker {
  private readonly minSize: number;
  private readonly avgSize: number;
  private readonly maxSize: number;
  private readonly maskS: number;
  private readonly maskL: number;
  private h = 0;
  private len = 0;

  constructor(opts: ChunkerOptions = DEFAULT_CHUNKING) {
    checkChunkerOptions(opts);
    this.minSize = opts.minSize;
    this.avgSize = opts.avgSize;
    this.maxSize = opts.maxSize;
    const bits = Math.round(Math.log2(opts.avgSize));
    this.maskS = topBits(bits + 2);
    this.maskL = topBits(bits - 2);
  }

  /** Feed the next bytes; returns the lengths of the chunks completed by them (in order). */
  push(data: Uint8Array): number[] {
    const out: number[] = [];
    const n = data.length;
    const { minSize, avgSize, maxSize, maskS, maskL } = this;
    let len = this.len;
    let i = 0;
    while (i < n) {
      if (len < minSize) {
        const skip = Math.min(minSize - len, n - i);
        len += skip;
        i += skip;
        continue;
      }
      const small = len < avgSize;
      const end = i + Math.min((small ? avgSize : maxSize) - len, n - i);
      const cut = this.scan(data, i, end, small ? maskS : maskL);
      if (cut >= 0) {
        out.push(len + cut - i);
        i = cut;
        len = 0;
        this.h = 0;
        continue;
      }
      len += end - i;
      i = end;
      if (len >= maxSize) {
        out.push(len);
        len = 0;
        this.h = 0;
      }
    }
    this.len = len;
    return out;
  }

  /**
   * The gear loop over data[j, end) from hash `this.h`: the index just past the first byte where (h & mask) === 0,
   * or -1 (`this.h` then holds the hash at `end`). Unrolled by four: ~1.3–1.6× the plain loop, the same cut points.
   */
  private scan(data: Uint8Array, j: number, end: number, mask: number): number {
    const gear = GEAR;
    let h = this.h;
    for (const end4 = end - 3; j < end4; j += 4) {
      h = ((h << 1) + gear[data[j]!]!) | 0;
      if ((h & mask) === 0) return j + 1;
      h = ((h << 1) + gear[data[j + 1]!]!) | 0;
      if ((h & mask) === 0) return j + 2;
      h = ((h << 1) + gear[data[j + 2]!]!) | 0;
      if ((h & mask) === 0) return j + 3;
      h = ((h << 1) + gear[data[j + 3]!]!) | 0;
      if ((h & mask) === 0) return j + 4;
    }
    while (j < end) {
      h = ((h << 1) + gear[data[j++]!]!) | 0;
      if ((h & mask) === 0) return j;
    }
    this.h = h;
    return -1;
  }

  /** End of input: the length of the last, possibly short, chunk (none for empty input). Resets the chunker. */
  finish(): number[] {
    const last = this.len;
    this.len = 0;
    this.h = 0;
    return last > 0 ? [last] : [];
  }
}

/** Chunk lengths of a whole buffer (convenience for tests and small inputs). */
export function chunkLengths(data: Uint8Array, opts: ChunkerOptions = DEFAULT_CHUNKING): number[] {
  const c = new Chunker(opts);
  return [...c.push(data), ...c.finish()];
}
