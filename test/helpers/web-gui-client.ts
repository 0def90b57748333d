/** Talking to a web GUI host as a browser would: raw HTTP requests, the login API, WebSocket upgrades. */
import { request } from 'node:http';
import { WebSocket } from 'ws';

/** A response with its body read. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request to 127.0.0.1:port, the path sent exactly as given (no client-side normalisation). */
export function httpRequest(
  port: number,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers = { host: `127.0.0.1:${port}`, ...opts.headers };
    const req = request({ host: '127.0.0.1', port, path: opts.path, method: opts.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** The `name=value` part of the response's Set-Cookie, or null. */
export function cookieOf(res: RawResponse): string | null {
  const set = res.headers['set-cookie'];
  const first = Array.isArray(set) ? set[0] : set;
  return first ? (first.split(';', 1)[0] ?? null) : null;
}

/** A same-origin JSON POST (as the login page sends it). */
export function postJson(port: number, path: string, body: unknown, extra: Record<string, string> = {}): Promise<RawResponse> {
  return httpRequest(port, {
    method: 'POST',
    path,
    headers: { origin: `http://127.0.0.1:${port}`, 'content-type': 'application/json', ...extra },
    body: JSON.stringify(body),
  });
}

/** POST /api/login; `cookie` is the session's `name=value` on success. */
export async function login(port: number, password: string): Promise<RawResponse & { cookie: string | null }> {
  const res = await postJson(port, '/api/login', { password });
  return { ...res, cookie: cookieOf(res) };
}

/** Open /ws; resolves with the socket when open, or with the HTTP status the upgrade was refused with. */
export function connectWs(port: number, opts: { origin?: string; cookie?: string | null; host?: string }): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (opts.cookie) headers.cookie = opts.cookie;
    if (opts.host) headers.host = opts.host;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers, ...(opts.origin === undefined ? {} : { origin: opts.origin }) });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (err) => reject(err));
  });
}
