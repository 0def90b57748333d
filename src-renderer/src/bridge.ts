/**
 * The only module that touches a transport. In Electron the preload exposes a FerryApi as
 * `window.ferry`; in a browser we talk to the daemon's web-GUI host over a WebSocket.
 */
import type { FerryApi } from '../../src-shared/ipc/contract';
import { ALWAYS_OPEN, type ConnectionSource } from './transport/connection';
import { takeSecret } from './transport/secret';
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
}

/** Picks the transport for this page; called once at startup. */
export function createBridge(): Bridge {
  if (window.ferry) return { api: window.ferry, connection: ALWAYS_OPEN };
  const secret = takeSecret(window.location, window.history, window.sessionStorage);
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${window.location.host}/ws?secret=${encodeURIComponent(secret ?? '')}`;
  const transport = createWebTransport(url, secret !== null);
  return { api: transport, connection: transport };
}
