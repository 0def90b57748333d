import { randomBytes, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Chunker, DEFAULT_CHUNKING, GEAR, chunkLengths, type ChunkerOptions } from './fastcdc';

/** Deterministic pseudo-random bytes (xorshift32) so failures reproduce. */
function seeded(n: number, seed = 1): Buffer {
  const words = new Uint32Array(Math.ceil(n / 4));
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return Buffer.from(words.buffer, 0, n);
}

function offsets(lengths: number[]): number[] {
  let o = 0;
  return lengths.map((l) => (o += l));
}

const SMALL: ChunkerOptions = { minSize: 1024, avgSize: 4096, maxSize: 16384 };

describe('Chunker', () => {
  it('has a fixed gear table (boundaries are part of the wire contract)', () => {
    expect(GEAR.length).toBe(256);
    expect(new Set(GEAR).size).toBe(256);
    // Pinned: changing the table silently breaks dedup between peers of different versions.
    expect(createHash('sha256').update(Buffer.from(GEAR.buffer)).digest('hex').slice(0, 16)).toBe('d00e15b5f3abf7c7');
  });

  it('gives the same boundaries however the input is split', () => {
    const data = seeded(3 * 1024 * 1024);
    const whole = chunkLengths(data);
    expect(whole.length).toBeGreaterThan(20);
    for (const seed of [1, 2, 3]) {
      const c = new Chunker();
      const got: number[] = [];
      let p = 0;
      let r = seed;
      while (p < data.length) {
        r = (r * 1103515245 + 12345) >>> 0;
        // piece sizes from 1 byte to ~200 KiB, including pieces smaller than minSize
        const n = r % 7 === 0 ? 1 + (r % 13) : 1 + (r % 200_000);
        got.push(...c.push(data.subarray(p, p + n)));
        p += n;
      }
      got.push(...c.finish());
      expect(got).toEqual(whole);
    }
    // byte-by-byte for a smaller input with small chunks
    const small = seeded(200_000, 7);
    const c = new Chunker(SMALL);
    const got: number[] = [];
    for (let i = 0; i < small.length; i++) got.push(...c.push(small.subarray(i, i + 1)));
    got.push(...c.finish());
    expect(got).toEqual(chunkLengths(small, SMALL));
  });

  it('cuts exactly where the plain one-byte-at-a-time FastCDC loop cuts (pinned boundaries)', () => {
    // The reference: the textbook loop the unrolled scan replaced (boundaries are part of the wire contract).
    const reference = (data: Uint8Array, o: ChunkerOptions): number[] => {
      const bits = Math.round(Math.log2(o.avgSize));
      const maskS = ~(-1 >>> (bits + 2));
      const maskL = ~(-1 >>> (bits - 2));
      const out: number[] = [];
      let start = 0;
      while (start < data.length) {
        let h = 0;
        let len = Math.min(o.minSize, data.length - start);
        while (start + len < data.length && len < o.maxSize) {
          h = ((h << 1) + GEAR[data[start + len]!]!) | 0;
          len++;
          if ((h & (len <= o.avgSize ? maskS : maskL)) === 0) break;
        }
        out.push(len);
        start += len;
      }
      return out;
    };
    for (const [o, seed] of [[DEFAULT_CHUNKING, 11], [SMALL, 12], [{ minSize: 64, avgSize: 256, maxSize: 1024 }, 13]] as const) {
      const data = seeded(2 * 1024 * 1024 + 3, seed);
      expect(chunkLengths(data, o)).toEqual(reference(data, o));
    }
    // Pinned for the default sizes, so the cut points cannot drift together with the reference above.
    expect(offsets(chunkLengths(seeded(1024 * 1024, 5))).slice(0, 6)).toEqual([46298, 64247, 97154, 132300, 144658, 153721]);
  });

  it('respects min and max, and lengths sum to the input size', () => {
    const data = seeded(4 * 1024 * 1024, 3);
    for (const opts of [DEFAULT_CHUNKING, SMALL]) {
      const lens = chunkLengths(data, opts);
      expect(lens.reduce((a, b) => a + b, 0)).toBe(data.length);
      for (const l of lens.slice(0, -1)) {
        expect(l).toBeGreaterThan(opts.minSize);
        expect(l).toBeLessThanOrEqual(opts.maxSize);
      }
      const mean = data.length / lens.length;
      expect(mean).toBeGreaterThan(opts.avgSize * 0.75);
      expect(mean).toBeLessThan(opts.avgSize * 1.5);
    }
  });

  it('cuts runs of identical bytes at maxSize', () => {
    const lens = chunkLengths(Buffer.alloc(1024 * 1024), SMALL);
    expect(lens.every((l) => l === SMALL.maxSize)).toBe(true);
  });

  it('returns nothing for empty input and a short last chunk', () => {
    const c = new Chunker();
    expect(c.push(Buffer.alloc(0))).toEqual([]);
    expect(c.finish()).toEqual([]);
    expect(chunkLengths(Buffer.from('hello'))).toEqual([5]);
  });

  it('after 100 bytes inserted at the start, all but at most 2 chunks are unchanged', () => {
    const data = seeded(8 * 1024 * 1024, 5);
    const edited = Buffer.concat([randomBytes(100), data]);
    const hashes = (buf: Buffer) => {
      let o = 0;
      return chunkLengths(buf).map((l) =>
        createHash('sha256')
          .update(buf.subarray(o, (o += l)))
          .digest('hex'),
      );
    };
    const before = hashes(data);
    const after = hashes(edited);
    const known = new Set(before);
    const changed = after.filter((h) => !known.has(h));
    expect(before.length).toBeGreaterThan(100);
    expect(changed.length).toBeLessThanOrEqual(2);
    // and every boundary but the first reappears exactly 100 bytes later
    const shifted = new Set(offsets(chunkLengths(edited)).map((o) => o - 100));
    expect(offsets(chunkLengths(data)).filter((o) => !shifted.has(o)).length).toBeLessThanOrEqual(1);
  });

  it('rejects nonsensical sizes', () => {
    expect(() => new Chunker({ minSize: 4096, avgSize: 4096, maxSize: 8192 })).toThrow(/Invalid chunker sizes/);
    expect(() => new Chunker({ minSize: 1024, avgSize: 3000, maxSize: 8192 })).toThrow(/Invalid chunker sizes/);
  });
});
