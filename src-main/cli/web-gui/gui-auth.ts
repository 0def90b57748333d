/**
 * Login for the web GUI: password (scrypt, gui-password.ts), session cookies (gui-sessions.ts), a per-start
 * one-time login link, and the small JSON API the login page uses:
 *   GET  /api/session   → { authenticated, passwordSet }
 *   POST /api/login     { password }                      → 204 + cookie | 401 | 409 no password | 429 wait
 *   POST /api/logout                                      → 204, cookie cleared, the session's sockets closed
 *   POST /api/password  { password, currentPassword? }    → 204 + a new cookie (needs a session)
 *   GET  /login?once=…  → 303 to / with a cookie, once; afterwards 303 to /#login-link-used
 * POSTs must carry this GUI's own Origin: a page elsewhere cannot log a browser in or out.
 */
import { randomBytes, createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorCode } from '../../../src-shared/protocol/error-codes';
import { FerryError, toFerryError } from '../../engine/errors';
import type { Logger } from '../../engine/log';
import { assertPasswordAcceptable, hashPassword, readPassword, verifyPassword, writePassword } from './gui-password';
import { openSessionStore, SESSION_TTL_MS } from './gui-sessions';
import { createLoginThrottle, type LoginThrottle } from './login-throttle';

/** How long the printed one-time link works if nobody uses it. */
export const ONE_TIME_LINK_TTL_MS = 15 * 60_000;
/** Largest JSON body the API reads. */
const MAX_BODY_BYTES = 4096;

/** The login side of one web GUI host. */
export interface GuiAuth {
  /** Name of the session cookie (carries the port: cookies are shared by every port of a host). */
  cookieName: string;
  /** `/login?once=…`, valid once and for ONE_TIME_LINK_TTL_MS. */
  oneTimePath: string;
  /** The key of the request's live session, or null. */
  sessionOf(req: IncomingMessage): Promise<string | null>;
  /** True while the session behind `key` is still live (expired, logged out or password changed: false). */
  stillLive(key: string): Promise<boolean>;
  /** True when a password has been set. */
  passwordSet(): Promise<boolean>;
  /** Serve the request if it is one of the login routes; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, headers: Record<string, string>): Promise<boolean>;
}

/** Set up login for a host on `port` keeping its files in `stateDir`; `onRevoked` closes a session's sockets. */
export function createGuiAuth(opts: {
  stateDir: string;
  port: number;
  log: Logger;
  onRevoked: (sessionKey: string | null) => void;
  now?: () => number;
  throttle?: LoginThrottle;
}): GuiAuth {
  const now = opts.now ?? Date.now;
  const sessions = openSessionStore(opts.stateDir, now);
  const throttle = opts.throttle ?? createLoginThrottle(now);
  const cookieName = `ferry_session_${opts.port}`;
  const once = randomBytes(32).toString('base64url');
  const onceDigest = digest(once);
  const onceExpires = now() + ONE_TIME_LINK_TTL_MS;
  let onceUsed = false;

  // Sessions made before the password last changed are dead: `ferry gui-password` logs everyone out.
  const notBefore = async () => (await readPassword(opts.stateDir))?.changedAt ?? 0;
  const sessionOf = async (req: IncomingMessage) => sessions.check(cookie(req, cookieName), await notBefore());

  const issue = async (res: ServerResponse, headers: Record<string, string>, status: number, extra: Record<string, string> = {}) => {
    const s = await sessions.create();
    const maxAge = Math.floor(SESSION_TTL_MS / 1000);
    // No `Secure`: the GUI is plain HTTP on loopback. HttpOnly keeps it from scripts, Strict from other sites.
    res.writeHead(status, { ...headers, ...extra, 'Cache-Control': 'no-store', 'Set-Cookie': `${cookieName}=${s.id}; Max-Age=${maxAge}; Path=/; HttpOnly; SameSite=Strict` });
    res.end();
  };

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse, h: Record<string, string>) => Promise<void>> = {
    'GET /api/session': async (req, res, h) => {
      json(res, h, 200, { authenticated: (await sessionOf(req)) !== null, passwordSet: (await readPassword(opts.stateDir)) !== null });
    },
    'POST /api/login': async (req, res, h) => {
      const address = req.socket.remoteAddress ?? '?';
      const wait = throttle.waitMs(address);
      if (wait > 0) {
        const secs = Math.ceil(wait / 1000);
        return fail(res, { ...h, 'Retry-After': String(secs) }, 429, 'AUTH_FAILED', `Too many wrong passwords: try again in ${secs} s`);
      }
      const body = await readJson(req);
      const record = await readPassword(opts.stateDir);
      if (!record) return fail(res, h, 409, 'NOT_AUTHENTICATED', 'No password is set yet: open the one-time link “ferry daemon” printed, or run “ferry gui-password”');
      const password = typeof body?.password === 'string' ? body.password : '';
      if (!(await verifyPassword(record, password))) {
        throttle.failed(address);
        opts.log.warn({ remote: address }, 'web GUI: wrong password');
        return fail(res, h, 401, 'AUTH_FAILED', 'Wrong password');
      }
      throttle.succeeded(address);
      await issue(res, h, 204);
    },
    'POST /api/logout': async (req, res, h) => {
      const id = cookie(req, cookieName);
      const key = id ? await sessions.revoke(id) : null;
      if (key) opts.onRevoked(key);
      res.writeHead(204, { ...h, 'Cache-Control': 'no-store', 'Set-Cookie': `${cookieName}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict` });
      res.end();
    },
    'POST /api/password': async (req, res, h) => {
      const key = await sessionOf(req);
      if (!key) return fail(res, h, 401, 'NOT_AUTHENTICATED', 'Log in first');
      const body = await readJson(req);
      const password = typeof body?.password === 'string' ? body.password : '';
      const current = await readPassword(opts.stateDir);
      if (current) {
        const address = req.socket.remoteAddress ?? '?';
        if (throttle.waitMs(address) > 0) return fail(res, h, 429, 'AUTH_FAILED', 'Too many wrong passwords: try again later');
        if (!(await verifyPassword(current, typeof body?.currentPassword === 'string' ? body.currentPassword : ''))) {
          throttle.failed(address);
          return fail(res, h, 401, 'AUTH_FAILED', 'The current password is wrong');
        }
      }
      try {
        assertPasswordAcceptable(password);
      } catch (err) {
        return fail(res, h, 400, 'CONFIG_INVALID', toFerryError(err).message);
      }
      await writePassword(opts.stateDir, await hashPassword(password, now()));
      opts.log.info('web GUI password changed');
      // Every older session (this one included) is now dead; this browser gets a fresh one. This one is
      // revoked by id too: it may have been made in the same millisecond as the change.
      await sessions.revoke(cookie(req, cookieName) ?? '');
      // Sockets close once this browser has its new cookie, so its reconnect can already use it.
      res.once('finish', () => opts.onRevoked(null));
      await issue(res, h, 204);
    },
    'GET /login': async (req, res, h) => {
      const given = new URL(req.url ?? '/', 'http://x').searchParams.get('once') ?? '';
      if (onceUsed || now() > onceExpires || !timingSafeEqual(digest(given), onceDigest)) {
        res.writeHead(303, { ...h, Location: '/#login-link-used', 'Cache-Control': 'no-store' });
        return void res.end();
      }
      onceUsed = true;
      opts.log.info({ remote: req.socket.remoteAddress }, 'web GUI: one-time login link used');
      await issue(res, h, 303, { Location: '/' });
    },
  };

  return {
    cookieName,
    oneTimePath: `/login?once=${once}`,
    sessionOf,
    stillLive: async (key) => sessions.isLive(key, await notBefore()),
    passwordSet: async () => (await readPassword(opts.stateDir)) !== null,
    async handle(req, res, headers) {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const route = routes[`${req.method ?? 'GET'} ${path}`];
      if (!route) {
        if (path.startsWith('/api/')) fail(res, headers, 404, 'NOT_FOUND', 'No such endpoint');
        return path.startsWith('/api/');
      }
      // A POST from another origin (or none): refused before anything is read.
      if (req.method === 'POST' && req.headers.origin !== `http://${req.headers.host ?? ''}`) {
        fail(res, headers, 403, 'NOT_AUTHENTICATED', 'Cross-origin request refused');
        return true;
      }
      try {
        await route(req, res, headers);
      } catch (err) {
        const e = toFerryError(err);
        if (!res.headersSent) fail(res, headers, e.code === 'BAD_FRAME' ? 400 : 500, e.code, e.message);
        else res.end();
      }
      return true;
    },
  };
}

/** A cookie's value from the request, or undefined. */
function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function json(res: ServerResponse, headers: Record<string, string>, status: number, body: unknown): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function fail(res: ServerResponse, headers: Record<string, string>, status: number, code: ErrorCode, message: string): void {
  json(res, headers, status, { error: { code, message } });
}

/** The request body as a JSON object (at most MAX_BODY_BYTES), or null; BAD_FRAME for oversize or non-JSON. */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new FerryError('BAD_FRAME', 'Request body too large');
    chunks.push(chunk);
  }
  if (size === 0) return null;
  try {
    const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
