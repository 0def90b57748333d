/**
 * Failed web GUI logins slow down per address: a few tries are free, then each failure doubles the wait
 * before the next attempt is even checked (30 s, 1 min, … up to 15 min). A success clears the address.
 */

/** Failures allowed before waiting starts (typos happen). */
export const FREE_FAILURES = 5;
const FIRST_WAIT_MS = 30_000;
const MAX_WAIT_MS = 15 * 60_000;
/** Addresses remembered at most; the oldest is forgotten first (bounds memory against address spraying). */
const MAX_ADDRESSES = 10_000;

interface Entry {
  failures: number;
  blockedUntil: number;
}

/** Per-address record of failed logins. */
export interface LoginThrottle {
  /** Milliseconds `address` must still wait before a login attempt is checked; 0 when it may try now. */
  waitMs(address: string): number;
  /** Count a failed attempt. */
  failed(address: string): void;
  /** A success: forget the address. */
  succeeded(address: string): void;
}

/** A throttle reading time from `now` (tests pass a fake clock). */
export function createLoginThrottle(now: () => number = Date.now): LoginThrottle {
  const entries = new Map<string, Entry>();
  return {
    waitMs(address) {
      const e = entries.get(address);
      return e ? Math.max(0, e.blockedUntil - now()) : 0;
    },
    failed(address) {
      const e = entries.get(address) ?? { failures: 0, blockedUntil: 0 };
      entries.delete(address); // re-insert: Map order is then least recently failed first
      e.failures += 1;
      const over = e.failures - FREE_FAILURES;
      if (over >= 0) e.blockedUntil = now() + Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** Math.min(over, 10));
      entries.set(address, e);
      while (entries.size > MAX_ADDRESSES) entries.delete(entries.keys().next().value as string);
    },
    succeeded(address) {
      entries.delete(address);
    },
  };
}
