/** The server's limits against hostile or careless peers: one place for their names, defaults and checks. */
import { FerryError } from '../errors';

/** Limits of a server; every field has a default (DEFAULT_SERVER_LIMITS), documented in docs/security.md "Limits". */
export interface ServerLimits {
  /** A connection that has not sent `hello` this long after its TCP connect is dropped (TLS handshake included). */
  helloTimeoutMs: number;
  /** Unauthenticated connections held at once; a new one beyond it evicts the oldest of the busiest address. */
  maxUnauthenticated: number;
  /** Unauthenticated connections held at once from one address (IPv4 address, or IPv6 /64); beyond it new ones are closed at once. */
  maxUnauthenticatedPerAddress: number;
  /** Delay before the token check after the first failed token from an address; doubles with each further failure. */
  authDelayBaseMs: number;
  /** Most delay before one token check. */
  authDelayMaxMs: number;
  /** An address's failures are forgotten this long after its last one (a success forgets them at once). */
  authFailureForgetMs: number;
  /** At most one log line about failed tokens per address per this interval (the line says how many). */
  authLogIntervalMs: number;
  /** Bytes one connection may have read for `get` answers and not yet written out; beyond it reading pauses. */
  maxQueuedWriteBytes: number;
}

/** Defaults of ServerLimits. */
export const DEFAULT_SERVER_LIMITS: Readonly<ServerLimits> = Object.freeze({
  helloTimeoutMs: 5_000,
  maxUnauthenticated: 256,
  maxUnauthenticatedPerAddress: 32,
  authDelayBaseMs: 100,
  authDelayMaxMs: 5_000,
  authFailureForgetMs: 10 * 60_000,
  authLogIntervalMs: 60_000,
  maxQueuedWriteBytes: 32 * 1024 * 1024,
});

/** The defaults overridden by `given`; CONFIG_INVALID for a value that is not a positive whole number. */
export function resolveServerLimits(given: Partial<ServerLimits> = {}): ServerLimits {
  const out = { ...DEFAULT_SERVER_LIMITS };
  for (const [key, value] of Object.entries(given) as [keyof ServerLimits, number | undefined][]) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_SERVER_LIMITS)) throw new FerryError('CONFIG_INVALID', `Unknown server limit "${key}"`);
    // Zero would lock everyone out (or, for delays, turn the protection off): not a value anyone means.
    if (!Number.isSafeInteger(value) || value < 1) throw new FerryError('CONFIG_INVALID', `Server limit ${key} must be a whole number ≥ 1, not ${value}`);
    out[key] = value;
  }
  if (out.authDelayMaxMs < out.authDelayBaseMs) throw new FerryError('CONFIG_INVALID', 'authDelayMaxMs must be at least authDelayBaseMs');
  return out;
}
