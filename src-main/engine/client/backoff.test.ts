import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff';

describe('Backoff', () => {
  it('doubles up to the cap and restarts after reset', () => {
    const b = new Backoff(500, 30_000, () => 0.5);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(() => b.next())).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    b.reset();
    expect(b.next()).toBe(500);
  });
  it('jitters within ±25 %', () => {
    expect(new Backoff(1000, 1000, () => 0).next()).toBe(750);
    expect(new Backoff(1000, 1000, () => 0.999999).next()).toBe(1250);
  });
});
