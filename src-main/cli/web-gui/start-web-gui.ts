/**
 * The web GUI host of `ferry daemon --gui`: the built UI over HTTP and the engine over a WebSocket.
 * The socket opens only for a logged-in browser (session cookie, gui-auth.ts), from the GUI's own origin,
 * under a loopback Host name, so other web pages and other local users cannot drive it.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Engine } from '../../engine/create-engine';
import { FerryError } from '../../engine/errors';
import { silentLogger, type Logger } from '../../engine/log';
import type { WebSocket } from 'ws';
import { createGuiAuth } from './gui-auth';
import { assertGuiHostAllowed, hostPort, isLoopbackHost } from './gui-address';
import { securityHeaders } from './security-headers';
import { createStaticHandler } from './static-files';
import { createWsTransport } from './ws-transport';

/** Where and what to serve. */
export interface WebGuiOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Folder of the built UI (dist/renderer). */
  staticDir: string;
  /** Where the password hash and the sessions are kept (the daemon's state folder). */
  stateDir: string;
  /** Allow a non-loopback bind address (`--gui-allow-remote`). */
  allowRemote?: boolean;
  log?: Logger;
}

/** A running web GUI. */
export interface WebGui {
  /** `http://HOST:PORT/`: the same on every start with the same --gui address. */
  url: string;
  /** `http://HOST:PORT/login?once=…`: logs one browser in once, within 15 minutes of the start. */
  loginUrl: string;
  /** True once a password has been set (from the page or `ferry gui-password`). */
  passwordSet(): Promise<boolean>;
  close(): Promise<void>;
}

/** Start serving; FerryError CONFIG_INVALID for a non-loopback host without `allowRemote`. */
export async function startWebGui(engine: Engine, opts: WebGuiOptions): Promise<WebGui> {
  const log = opts.log ?? silentLogger;
  assertGuiHostAllowed(opts.host, Boolean(opts.allowRemote));
  const server = createServer();
  const transport = createWsTransport(engine, log);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new FerryError('CONFIG_INVALID', `Web GUI cannot listen on ${hostPort(opts.host, opts.port)}: ${err.message}`)));
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const shownHost = opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host === '::' ? '::1' : opts.host;
  const origin = `http://${hostPort(shownHost, port)}`;
  const headers = securityHeaders(`ws://${hostPort(shownHost, port)}`);

  // On a loopback bind only loopback Host headers are served: a DNS-rebinding page arrives under its own name.
  const loopbackHosts = new Set([hostPort(opts.host, port), `127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const hostAllowed = (req: IncomingMessage) => !isLoopbackHost(opts.host) || loopbackHosts.has((req.headers.host ?? '').toLowerCase());

  // Each socket remembers the session it was opened with, so a logout or a new password closes it.
  const sockets = new Map<WebSocket, string>();
  const CLOSE_UNAUTHORIZED = 4401;
  const auth = createGuiAuth({
    stateDir: opts.stateDir,
    port,
    log,
    onRevoked: (key) => {
      for (const [ws, k] of sockets) if (key === null || k === key) ws.close(CLOSE_UNAUTHORIZED, 'Logged out');
    },
  });
  // Sessions also end by expiry or by `ferry gui-password` in another process: checked now and then.
  const sweep = setInterval(() => {
    for (const [ws, key] of sockets) {
      void auth.stillLive(key).then((live) => live || ws.close(CLOSE_UNAUTHORIZED, 'Session ended'), () => undefined);
    }
  }, 30_000);
  sweep.unref();

  const serveStatic = createStaticHandler(opts.staticDir, headers);
  server.on('request', (req, res) => {
    if (!hostAllowed(req)) {
      res.writeHead(421, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      return void res.end('Misdirected request\n');
    }
    auth.handle(req, res, headers).then((handled) => (handled ? undefined : serveStatic(req, res))).catch((err: unknown) => {
      log.warn({ err }, 'web GUI request failed');
      if (!res.headersSent) res.writeHead(500, headers);
      res.end();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://upgrade.invalid');
    if (url.pathname !== '/ws') return refuse(socket, 404, 'Not Found');
    if (!hostAllowed(req)) return refuse(socket, 421, 'Misdirected Request');
    // Same-origin only: the page served by this GUI, reached under the name in its Host header.
    if (req.headers.origin !== `http://${req.headers.host ?? ''}`) return refuse(socket, 403, 'Forbidden');
    auth.sessionOf(req).then((key) => {
      if (key === null) return refuse(socket, 401, 'Unauthorized');
      transport.wss.handleUpgrade(req, socket, head, (ws) => {
        sockets.set(ws, key);
        ws.once('close', () => sockets.delete(ws));
        transport.wss.emit('connection', ws, req);
      });
    }, () => refuse(socket, 500, 'Internal Server Error'));
  });

  log.info({ origin }, 'web GUI listening');
  return {
    url: `${origin}/`,
    loginUrl: `${origin}${auth.oneTimePath}`,
    passwordSet: auth.passwordSet,
    close: async () => {
      clearInterval(sweep);
      transport.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
