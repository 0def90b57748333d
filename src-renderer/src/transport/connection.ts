/** Connection state of the transport, observable by the UI (the desktop transport is always 'open'). */

/** 'connecting' before the first open, 'open', 'reconnecting' after a drop, 'unauthorized' when a login is needed. */
export type ConnectionPhase = 'connecting' | 'open' | 'reconnecting' | 'unauthorized';

/** Current phase plus when the next retry happens (for the banner). */
export interface ConnectionInfo {
  phase: ConnectionPhase;
  retryAt: number | null;
  /** Increments on every successful (re)open, so hooks can refetch state. */
  generation: number;
  /** Failed attempts since the last open: after a few, the banner suggests the link may be stale. */
  failures: number;
  /** Whether the web GUI has a password yet (the login page says how to get in when not). */
  passwordSet: boolean;
}

/** A tiny observable of ConnectionInfo. */
export interface ConnectionSource {
  get(): ConnectionInfo;
  subscribe(listener: () => void): () => void;
}

/** A ConnectionSource that never changes: used for the Electron preload transport. */
export const ALWAYS_OPEN: ConnectionSource = {
  get: (() => {
    const info: ConnectionInfo = { phase: 'open', retryAt: null, generation: 1, failures: 0, passwordSet: true };
    return () => info;
  })(),
  subscribe: () => () => undefined,
};
