/**
 * A stand-in for the daemon's web-GUI host: serves dist/renderer, a scripted login API (one password, one
 * "logged in" flag instead of cookies) and the WireMessage protocol on /ws from a scripted AppState. Lets
 * tests cut connections to exercise the web transport.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AppState, EventName, Events, WireMessage } from '../../src-shared/ipc/contract';
import type { TransferRecord } from '../../src-shared/model';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };

/** A running fake host. */
export interface FakeWsHost {
  /** Page URL, as the daemon prints it. */
  url: string;
  origin: string;
  /** Whether the browser counts as logged in (starts true); /ws is refused while false. */
  loggedIn: boolean;
  state: AppState;
  transfers: TransferRecord[];
  /** Number of WebSocket connections accepted so far. */
  connections(): number;
  /** Terminate every open socket (a network blip); the host stays up. */
  dropClients(): void;
  /** Push an event to every socket. */
  push<E extends EventName>(event: E, payload: Events[E]): void;
  close(): Promise<void>;
}

/** An empty web-shell AppState. */
export function emptyState(): AppState {
  return {
    overall: 'idle', pairs: [], pairStates: {}, conflicts: [],
    server: { enabled: false, running: false, root: '/srv/ferry', host: '0.0.0.0', port: 7443, fingerprint: null, tokens: [], clients: [], recentClients: [], addresses: [], initialInviteWaiting: false, lastError: null },
    ui: { startAtLogin: false, notifications: true, logLevel: 'info' },
    shell: 'web', logDir: '/var/log/ferry',
  };
}

/** Start on 127.0.0.1:0 serving `dir`; `password` logs in. */
export async function startFakeWsHost(password: string, dir = resolve('dist/renderer')): Promise<FakeWsHost> {
  const auth = { loggedIn: true };
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/api/session') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ authenticated: auth.loggedIn, passwordSet: true }));
    if (path === '/api/login') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        auth.loggedIn = (JSON.parse(body) as { password?: string }).password === password;
        if (auth.loggedIn) res.writeHead(204).end();
        else res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'AUTH_FAILED', message: 'Wrong password' } }));
      });
      return;
    }
    const file = join(dir, path === '/' ? 'index.html' : path.replace(/\.\.+/g, ''));
    readFile(file)
      .then((body) => res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body))
      .catch(() => res.writeHead(404).end());
  });
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  let accepted = 0;
  const host = { state: emptyState(), transfers: [] as TransferRecord[] };

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/ws' || !auth.loggedIn) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      accepted++;
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as WireMessage;
        if (msg.kind !== 'invoke') return;
        const reply = (m: WireMessage): void => ws.send(JSON.stringify(m));
        if (msg.command === 'state:get') reply({ kind: 'result', id: msg.id, ok: true, value: host.state });
        else if (msg.command === 'transfers:recent') reply({ kind: 'result', id: msg.id, ok: true, value: host.transfers });
        else reply({ kind: 'result', id: msg.id, ok: false, error: { code: 'INTERNAL', message: `fake host: ${msg.command} not scripted` } });
      });
    });
  });

  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  const origin = `http://127.0.0.1:${addr.port}`;
  return {
    url: `${origin}/`,
    origin,
    get loggedIn() { return auth.loggedIn; },
    set loggedIn(v: boolean) { auth.loggedIn = v; },
    get state() { return host.state; },
    set state(s: AppState) { host.state = s; },
    get transfers() { return host.transfers; },
    set transfers(t: TransferRecord[]) { host.transfers = t; },
    connections: () => accepted,
    dropClients: () => sockets.forEach((s) => s.terminate()),
    push: (event, payload) => {
      const text = JSON.stringify({ kind: 'event', event, payload } satisfies WireMessage);
      sockets.forEach((s) => s.send(text));
    },
    close: async () => {
      sockets.forEach((s) => s.terminate());
      wss.close();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
