/** A small seeded PRNG (mulberry32) for tests whose random choices must replay exactly from a printed seed. */

/** Deterministic random choices from one 32-bit seed. */
export interface SeededRandom {
  /** A float in [0, 1). */
  next(): number;
  /** A 32-bit unsigned integer. */
  u32(): number;
  /** An integer in [lo, hi] (both included). */
  int(lo: number, hi: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy. */
  shuffle<T>(items: readonly T[]): T[];
  /** `n` pseudo-random bytes. */
  bytes(n: number): Buffer;
}

/** A PRNG seeded with `seed` (any integer; taken modulo 2^32). */
export function seededRandom(seed: number): SeededRandom {
  let a = seed >>> 0;
  const u32 = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = (): number => u32() / 4294967296;
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  return {
    next,
    u32,
    int,
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty array');
      return items[int(0, items.length - 1)] as (typeof items)[number];
    },
    shuffle: (items) => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i);
        [out[i], out[j]] = [out[j] as (typeof out)[number], out[i] as (typeof out)[number]];
      }
      return out;
    },
    bytes: (n) => {
      const buf = Buffer.allocUnsafe(n);
      let i = 0;
      for (; i + 4 <= n; i += 4) buf.writeUInt32LE(u32(), i);
      for (; i < n; i++) buf[i] = u32() & 0xff;
      return buf;
    },
  };
}

/** A fresh random 32-bit seed (for runs that did not ask for one). */
export function freshSeed(): number {
  return Math.floor(Math.random() * 4294967296) >>> 0;
}
