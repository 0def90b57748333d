import { describe, expect, it } from 'vitest';
import { createLoginThrottle, FREE_FAILURES } from './login-throttle';

describe('login throttle', () => {
  it('lets a few failures through, then makes each further one wait twice as long, per address', () => {
    let t = 1_000_000;
    const th = createLoginThrottle(() => t);
    for (let i = 0; i < FREE_FAILURES - 1; i++) th.failed('a');
    expect(th.waitMs('a')).toBe(0);
    th.failed('a');
    expect(th.waitMs('a')).toBe(30_000);
    expect(th.waitMs('b')).toBe(0);
    t += 30_000;
    expect(th.waitMs('a')).toBe(0);
    th.failed('a');
    expect(th.waitMs('a')).toBe(60_000);
    for (let i = 0; i < 20; i++) th.failed('a');
    expect(th.waitMs('a')).toBe(15 * 60_000);
  });

  it('forgets an address after a success', () => {
    const th = createLoginThrottle(() => 0);
    for (let i = 0; i < 10; i++) th.failed('a');
    expect(th.waitMs('a')).toBeGreaterThan(0);
    th.succeeded('a');
    expect(th.waitMs('a')).toBe(0);
  });
});
