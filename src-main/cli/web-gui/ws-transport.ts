/**
 * The web GUI's side of the IPC contract: WireMessage JSON over WebSocket. `invoke` runs `engine.handle`
 * (which validates everything), results go back with the same id, engine events go to every socket.
 */
import type { IncomingMessage } from 'node:http';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { EVENT_NAMES, type WireMessage } from '../../../src-shared/ipc';
import type { Engine } from '../../engine/create-engine';
import { FerryError, toFerryError } from '../../engine/errors';
import type { Logger } from '../../engine/log';

/** Largest message a browser may send (commands are small; a folder pair is well under 64 KiB). */
export const MAX_WS_MESSAGE_BYTES = 256 * 1024;

/** Commands one socket may have running at once; more is a misbehaving client. */
const MAX_IN_FLIGHT = 64;

/** A socket that lets this much pile up unsent is too slow to follow events; it is dropped (the UI reconnects). */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

const HEARTBEAT_MS = 30_000;

/** The WebSocket endpoint bound to one engine. */
export interface WsTransport {
  wss: WebSocketServer;
  close(): void;
}

/** Create the transport (noServer: the HTTP server authenticates upgrades and hands sockets over). */
export function createWsTransport(engine: Engine, log: Logger): WsTransport {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE_BYTES, perMessageDeflate: false });
  const alive = new WeakSet<WebSocket>();

  const send = (ws: WebSocket, text: string) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) return void ws.terminate();
    ws.send(text);
  };
  const unsubscribe = EVENT_NAMES.map((event) =>
    engine.on(event, (payload) => {
      const text = JSON.stringify({ kind: 'event', event, payload } satisfies WireMessage);
      for (const ws of wss.clients) send(ws, text);
    }),
  );

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    let inFlight = 0;
    alive.add(ws);
    ws.on('pong', () => alive.add(ws));
    ws.on('error', (err) => log.debug({ err }, 'web GUI socket error'));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return ws.close(1003, 'text frames only');
      const msg = parseInvoke(data);
      if (msg === null) return ws.close(1008, 'expected an invoke message');
      const reply = (m: WireMessage) => send(ws, JSON.stringify(m));
      if (inFlight >= MAX_IN_FLIGHT) {
        return reply({ kind: 'result', id: msg.id, ok: false, error: new FerryError('BAD_FRAME', 'Too many commands at once').toInfo() });
      }
      inFlight += 1;
      engine
        .handle(msg.command, msg.args)
        .then(
          (value) => reply({ kind: 'result', id: msg.id, ok: true, value: value ?? null }),
          (err: unknown) => reply({ kind: 'result', id: msg.id, ok: false, error: toFerryError(err).toInfo() }),
        )
        .finally(() => (inFlight -= 1));
    });
    log.info({ remote: req.socket.remoteAddress }, 'web GUI connected');
  });

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) ws.terminate();
      else {
        alive.delete(ws);
        ws.ping();
      }
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    wss,
    close() {
      clearInterval(heartbeat);
      for (const off of unsubscribe) off();
      for (const ws of wss.clients) ws.close(1001, 'Ferry is stopping');
      wss.close();
    },
  };
}

/** The envelope of an `invoke`, or null. Command and args are checked by `engine.handle`, not here. */
function parseInvoke(data: RawData): { id: number; command: string; args: unknown[] } | null {
  let msg: unknown;
  try {
    msg = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
  } catch {
    return null;
  }
  if (typeof msg !== 'object' || msg === null) return null;
  const m = msg as Record<string, unknown>;
  if (m.kind !== 'invoke' || !Number.isSafeInteger(m.id) || typeof m.command !== 'string' || !Array.isArray(m.args)) return null;
  return { id: m.id as number, command: m.command, args: m.args };
}
