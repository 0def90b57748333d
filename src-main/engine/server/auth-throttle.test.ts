/** Token-check delays per address, on a virtual clock; with them the address key and the log limiter they use. */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { addressKey } from './address-key';
import { AuthThrottle } from './auth-throttle';
import { LogLimiter } from './log-limiter';
import { DEFAULT_SERVER_LIMITS, resolveServerLimits } from './server-limits';
import { WriteBudget } from './write-budget';

function throttle(): { t: AuthThrottle; clock: { now: number }; lines: string[] } {
  const clock = { now: 1_000 };
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
  return { t: new AuthThrottle(DEFAULT_SERVER_LIMITS, log, () => clock.now), clock, lines };
}

describe('AuthThrottle', () => {
  it('doubles the delay from 100 ms to the 5 s cap, per address', () => {
    const { t } = throttle();
    const seen: number[] = [];
    for (let i = 0; i < 9; i++) {
      t.failed('10.0.0.1');
      seen.push(t.currentDelayMs('10.0.0.1'));
    }
    expect(seen).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
    expect(t.currentDelayMs('10.0.0.2')).toBe(0);
    expect(t.reserve('10.0.0.2')).toBe(0);
  });

  it('spaces checks from one address (parallel connections do not help) and refuses a queue longer than the cap', () => {
    const { t } = throttle();
    t.failed('10.0.0.1'); // next checks 100 ms apart
    expect([t.reserve('10.0.0.1'), t.reserve('10.0.0.1'), t.reserve('10.0.0.1')]).toEqual([100, 200, 300]);
    for (let i = 0; i < 47; i++) t.reserve('10.0.0.1'); // up to 5 s ahead
    expect(t.reserve('10.0.0.1')).toBe(-1);
    expect(t.stats).toMatchObject({ throttled: 50, refusedUnchecked: 1, failed: 1 });
  });

  it('forgets an address on success, or 10 minutes after its last failure', () => {
    const { t, clock } = throttle();
    t.failed('10.0.0.1');
    t.succeeded('10.0.0.1');
    expect(t.failures('10.0.0.1')).toBe(0);
    t.failed('10.0.0.3');
    clock.now += DEFAULT_SERVER_LIMITS.authFailureForgetMs + 1;
    expect(t.failures('10.0.0.3')).toBe(0);
    expect(t.reserve('10.0.0.3')).toBe(0);
  });

  it('writes one log line per address per minute, however many tokens fail', () => {
    const { t, clock, lines } = throttle();
    for (let i = 0; i < 1000; i++) t.failed('10.0.0.1');
    expect(lines).toHaveLength(1);
    clock.now += 60_001;
    t.failed('10.0.0.1');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!)).toMatchObject({ remote: '10.0.0.1', failedTokens: 1000, failuresInARow: 1001 });
  });
});

describe('addressKey', () => {
  it('counts IPv4-mapped addresses as IPv4 and IPv6 by /64', () => {
    expect(addressKey('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::9')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('::1');
    expect(addressKey(undefined)).toBe('?');
  });
});

describe('LogLimiter', () => {
  it('answers with the number of events a due line stands for', () => {
    const clock = { now: 0 };
    const l = new LogLimiter(1000, () => clock.now);
    expect([l.hit('a'), l.hit('a'), l.hit('a'), l.hit('b')]).toEqual([1, 0, 0, 1]);
    clock.now = 1000;
    expect(l.hit('a')).toBe(3);
  });
});

describe('WriteBudget', () => {
  it('lets requests through in order within the limit, one oversized request alone', async () => {
    const b = new WriteBudget(10);
    const order: number[] = [];
    await b.acquire(6);
    const second = b.acquire(6).then(() => order.push(2));
    const third = b.acquire(2).then(() => order.push(3)); // fits, but waits its turn behind the second
    expect(b.exhausted).toBe(true);
    b.release(6);
    await Promise.all([second, third]);
    expect(order).toEqual([2, 3]);
    expect(b.queued).toBe(8);
    b.release(8);
    await b.acquire(50); // nothing held: an oversized one goes alone
    expect(b.peak).toBe(50);
    const waiting = b.acquire(1);
    b.cancel(new Error('gone') as never);
    await expect(waiting).rejects.toThrow('gone');
  });
});

describe('resolveServerLimits', () => {
  it('fills in the defaults and refuses values that are not whole numbers ≥ 1', () => {
    expect(resolveServerLimits({ helloTimeoutMs: 1000 })).toEqual({ ...DEFAULT_SERVER_LIMITS, helloTimeoutMs: 1000 });
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => resolveServerLimits({ maxUnauthenticated: bad })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => resolveServerLimits({ authDelayBaseMs: 10, authDelayMaxMs: 5 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => resolveServerLimits({ nonsense: 1 } as never)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
