/**
 * The web GUI host of `ferry daemon --gui`: the built UI over HTTP and the engine over a WebSocket.
 * The socket is opened only with the per-start secret (carried in the page URL's fragment, which browsers
 * never send) and only from the GUI's own origin, so other web pages and other local users cannot drive it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Engine } from '../../engine/create-engine';
import { FerryError } from '../../engine/errors';
import { silentLogger, type Logger } from '../../engine/log';
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
  /** Allow a non-loopback bind address (`--gui-allow-remote`). */
  allowRemote?: boolean;
  log?: Logger;
}

/** A running web GUI. */
export interface WebGui {
  /** `http://HOST:PORT/#secret=SECRET`: the page reads the secret from the fragment. */
  url: string;
  close(): Promise<void>;
}

/** Start serving; FerryError CONFIG_INVALID for a non-loopback host without `allowRemote`. */
export async function startWebGui(engine: Engine, opts: WebGuiOptions): Promise<WebGui> {
  const log = opts.log ?? silentLogger;
  assertGuiHostAllowed(opts.host, Boolean(opts.allowRemote));
  const secret = randomBytes(32).toString('base64url');
  const secretDigest = digest(secret);
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

  const serveStatic = createStaticHandler(opts.staticDir, headers);
  server.on('request', (req, res) => {
    if (!hostAllowed(req)) {
      res.writeHead(421, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      return void res.end('Misdirected request\n');
    }
    serveStatic(req, res).catch((err: unknown) => {
      log.warn({ err }, 'web GUI request failed');
      if (!res.headersSent) res.writeHead(500, headers);
      res.end();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://upgrade.invalid');
    if (url.pathname !== '/ws') return refuse(socket, 404, 'Not Found');
    const given = url.searchParams.get('secret') ?? '';
    if (!timingSafeEqual(digest(given), secretDigest)) return refuse(socket, 401, 'Unauthorized');
    // Same-origin only: the page served by this GUI, reached under the name in its Host header.
    if (!hostAllowed(req) || req.headers.origin !== `http://${req.headers.host ?? ''}`) return refuse(socket, 403, 'Forbidden');
    transport.wss.handleUpgrade(req, socket, head, (ws) => transport.wss.emit('connection', ws, req));
  });

  log.info({ origin }, 'web GUI listening');
  return {
    url: `${origin}/#secret=${secret}`,
    close: async () => {
      transport.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

// Digests have equal length whatever was sent, so the comparison time says nothing about the secret.
function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
