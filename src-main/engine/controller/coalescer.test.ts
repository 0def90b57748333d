import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Coalescer } from './coalescer';

describe('Coalescer', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  it('folds a burst of marks into one call, sent on the next tick after a quiet period', () => {
    let fired = 0;
    const c = new Coalescer(() => fired++, 100);
    for (let i = 0; i < 1000; i++) c.mark();
    expect(fired).toBe(0);
    vi.advanceTimersByTime(0);
    expect(fired).toBe(1);
  });

  it('waits out the interval after a call, then sends what was marked meanwhile once', () => {
    let fired = 0;
    const c = new Coalescer(() => fired++, 100);
    c.mark();
    vi.advanceTimersByTime(0);
    expect(fired).toBe(1);
    c.mark();
    c.mark();
    vi.advanceTimersByTime(99);
    expect(fired).toBe(1);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(2);
    vi.advanceTimersByTime(1000);
    expect(fired).toBe(2);
  });

  it('never exceeds one call per interval under constant marking', () => {
    let fired = 0;
    const c = new Coalescer(() => fired++, 100);
    for (let ms = 0; ms < 1000; ms++) {
      c.mark();
      vi.advanceTimersByTime(1);
    }
    expect(fired).toBeGreaterThanOrEqual(9);
    expect(fired).toBeLessThanOrEqual(11);
  });

  it('drops a pending call on cancel', () => {
    let fired = 0;
    const c = new Coalescer(() => fired++, 100);
    c.mark();
    c.cancel();
    vi.advanceTimersByTime(1000);
    expect(fired).toBe(0);
  });
});
