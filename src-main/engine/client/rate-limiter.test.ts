import { describe, expect, it } from 'vitest';
import { parseBandwidth, RateLimiter } from './rate-limiter';

describe('parseBandwidth', () => {
  it('reads bytes per second with binary K/M/G suffixes', () => {
    expect(parseBandwidth('500K')).toBe(500 * 1024);
    expect(parseBandwidth('10M')).toBe(10 * 1024 * 1024);
    expect(parseBandwidth('1.5g')).toBe(1.5 * 1024 ** 3);
    expect(parseBandwidth('2MiB')).toBe(2 * 1024 * 1024);
    expect(parseBandwidth('800KB/s')).toBe(800 * 1024);
    expect(parseBandwidth('4096')).toBe(4096);
    expect(parseBandwidth(123456)).toBe(123456);
  });

  it('refuses what is not a positive rate', () => {
    for (const bad of ['', 'fast', '-1M', '0', '10X', '1e6', '0.1'] as const) expect(() => parseBandwidth(bad), bad).toThrow(/not a rate/);
    expect(() => parseBandwidth(0)).toThrow(/positive/);
  });
});

describe('RateLimiter', () => {
  it('lets a burst through at once, then makes callers wait for their share of the debt', async () => {
    let t = 0;
    const waits: number[] = [];
    const lim = new RateLimiter(1000, () => t);
    const orig = globalThis.setTimeout;
    // Record the requested sleeps instead of sleeping (no wall clock in the assertion).
    globalThis.setTimeout = ((fn: () => void, ms: number) => {
      waits.push(ms);
      return orig(fn, 0);
    }) as typeof setTimeout;
    try {
      await lim.take(125); // the burst (1/8 s)
      await lim.take(500);
      await lim.take(500);
      t += 2000; // two idle seconds refill only up to the burst
      await lim.take(125);
    } finally {
      globalThis.setTimeout = orig;
    }
    expect(waits).toEqual([500, 1000]);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new RateLimiter(0)).toThrow();
    expect(() => new RateLimiter(Number.NaN)).toThrow();
  });
});
