/**
 * FerryApi over a WebSocket to the daemon's web-GUI host, with request ids and auto-reconnect. Before each
 * attempt the host is asked whether this browser is logged in: a browser cannot see why an upgrade was
 * refused, and only that answer tells "Ferry is restarting" (keep retrying) from "log in again" (stop).
 */
import type {
  CommandArgs, CommandName, CommandResult, EventName, Events, FerryApi, WireMessage,
} from '../../../src-shared/ipc/contract';
import { EVENT_NAMES } from '../../../src-shared/ipc/contract';
import { FerryCallError } from '../lib/errors';
import type { ConnectionInfo, ConnectionSource } from './connection';
import type { WebAuth } from './web-auth';

/** Backoff schedule in ms; the last value repeats. */
const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000];
/** An invoke that gets no result in this time is failed, so no button spins forever. */
const INVOKE_TIMEOUT_MS = 60_000;
/** WebSocket close code the host uses for an ended session (application range). */
const CLOSE_UNAUTHORIZED = 4401;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** A FerryApi that is also a ConnectionSource. */
export type WebTransport = FerryApi & ConnectionSource & {
  /** Try again at once (after a login, or from a "Retry now" button). */
  reconnect(): void;
  close(): void;
};

/** Opens (and keeps re-opening) `url`; invokes made while disconnected wait for the next open. */
export function createWebTransport(url: string, auth: Pick<WebAuth, 'session'>): WebTransport {
  let socket: WebSocket | null = null;
  let nextId = 1;
  let attempt = 0;
  let closed = false;
  let busy = false;
  let askAgain = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let info: ConnectionInfo = { phase: 'connecting', retryAt: null, generation: 0, failures: 0, passwordSet: true };
  const pending = new Map<number, Pending>();
  const queued: WireMessage[] = [];
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  const connListeners = new Set<() => void>();

  const setInfo = (next: ConnectionInfo): void => {
    info = next;
    for (const l of connListeners) l();
  };

  const failPending = (): void => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      p.reject(new FerryCallError({ code: 'CONNECTION_LOST', message: 'Lost the connection to Ferry before it answered.' }));
      pending.delete(id);
    }
  };

  const onMessage = (raw: unknown): void => {
    if (typeof raw !== 'string') return;
    let msg: WireMessage;
    try {
      msg = JSON.parse(raw) as WireMessage;
    } catch {
      return; // a malformed frame from our own host is a bug there; never crash the UI over it
    }
    if (msg.kind === 'result') {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(new FerryCallError(msg.error));
    } else if (msg.kind === 'event' && (EVENT_NAMES as readonly string[]).includes(msg.event)) {
      for (const l of listeners.get(msg.event) ?? []) l(msg.payload as never);
    }
  };

  const retryLater = (): void => {
    const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)] as number;
    attempt++;
    setInfo({ ...info, phase: info.generation > 0 ? 'reconnecting' : 'connecting', retryAt: Date.now() + delay, failures: info.failures + 1 });
    timer = setTimeout(() => void connect(), delay);
  };

  // One attempt at a time: ask about the session, then open the socket only if it can succeed.
  const connect = async (): Promise<void> => {
    if (busy) {
      // Asked again mid-question (a login just finished): that answer may predate the new cookie.
      askAgain = true;
      return;
    }
    if (closed || socket) return;
    if (timer) clearTimeout(timer);
    timer = null;
    busy = true;
    const session = await auth.session();
    busy = false;
    if (askAgain) {
      askAgain = false;
      return connect();
    }
    if (closed || socket) return;
    if (session === null) return retryLater();
    if (!session.authenticated) {
      attempt = 0;
      return setInfo({ ...info, phase: 'unauthorized', retryAt: null, passwordSet: session.passwordSet });
    }
    if (info.passwordSet !== session.passwordSet) setInfo({ ...info, passwordSet: session.passwordSet });
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      setInfo({ ...info, phase: 'open', retryAt: null, generation: info.generation + 1, failures: 0 });
      for (const m of queued.splice(0)) ws.send(JSON.stringify(m));
    };
    ws.onmessage = (e) => onMessage(e.data);
    ws.onclose = (e) => {
      if (socket !== ws) return;
      socket = null;
      failPending();
      if (closed) return;
      // Logged out (or the password changed): ask again at once, the answer is most likely "log in".
      if (e.code === CLOSE_UNAUTHORIZED) return void connect();
      retryLater();
    };
  };

  void connect();

  return {
    invoke<C extends CommandName>(command: C, ...args: CommandArgs<C>): Promise<CommandResult<C>> {
      return new Promise<CommandResult<C>>((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new FerryCallError({ code: 'TIMEOUT', message: `Ferry did not answer "${command}" in time.` }));
        }, INVOKE_TIMEOUT_MS);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        const msg: WireMessage = { kind: 'invoke', id, command, args };
        if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(msg));
        else queued.push(msg);
      });
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
    },
    get: () => info,
    subscribe(listener) {
      connListeners.add(listener);
      return () => connListeners.delete(listener);
    },
    reconnect() {
      attempt = 0;
      void connect();
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      socket?.close();
    },
  };
}
