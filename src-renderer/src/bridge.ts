/**
 * The only module that touches a transport. In Electron the preload exposes a FerryApi as
 * `window.ferry`; in a browser we talk to the daemon's web-GUI host over a WebSocket.
 */
import type { FerryApi } from '../../src-shared/ipc/contract';
import { ALWAYS_OPEN, type ConnectionSource } from './transport/connection';
import { createWebAuth, type WebAuth } from './transport/web-auth';
import { createWebTransport } from './transport/web-transport';

declare global {
  interface Window {
    /** Set by the Electron preload via contextBridge. */
    ferry?: FerryApi;
  }
}

/** The API plus an observable connection state. */
export interface Bridge {
  api: FerryApi;
  connection: ConnectionSource;
  /** Web shell only: login, logout, password. */
  web: { auth: WebAuth; reconnect(): void } | null;
}

/** Picks the transport for this page; called once at startup. */
export function createBridge(): Bridge {
  if (window.ferry) return { api: window.ferry, connection: ALWAYS_OPEN, web: null };
  // The session cookie goes with the upgrade by itself (same origin): nothing secret lives in the page.
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const auth = createWebAuth();
  const transport = createWebTransport(`${scheme}://${window.location.host}/ws`, auth);
  return { api: transport, connection: transport, web: { auth, reconnect: () => transport.reconnect() } };
}
