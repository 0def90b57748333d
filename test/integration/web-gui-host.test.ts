/** The daemon's web GUI host: static files, login, the authenticated WebSocket transport, its limits. */
import { mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { AppState, WireMessage } from '../../src-shared/ipc';
import { startWebGui, type WebGui } from '../../src-main/cli/web-gui';
import { hashPassword, writePassword } from '../../src-main/cli/web-gui/gui-password';
import { FerryError } from '../../src-main/engine/errors';
import { cleanupTempDirs, tempDir, waitFor } from '../helpers/trees';
import { startTestEngine, type EngineFixture } from './controller-fixture';
import { connectWs, httpRequest, login } from '../helpers/web-gui-client';

const PASSWORD = 'correct horse battery';

let fx: EngineFixture;
let gui: WebGui;
let origin: string;
let port: number;
let stateDir: string;
let cookie: string;

beforeAll(async () => {
  fx = await startTestEngine((s) => s, 'web');
  const base = await tempDir('ferry-gui-');
  const www = join(base, 'www');
  stateDir = join(base, 'state');
  await writeFile(join(base, 'secret.txt'), 'TOP-SECRET outside the UI folder');
  await mkdir(join(www, 'assets'), { recursive: true });
  await writeFile(join(www, 'index.html'), '<!doctype html><title>Ferry</title>');
  await writeFile(join(www, 'assets', 'app-1234.js'), 'console.log("ferry")');
  await writeFile(join(www, 'assets', 'app-1234.css'), 'body{}');
  await symlink(join(base, 'secret.txt'), join(www, 'assets', 'leak.txt'));
  await writePassword(stateDir, await hashPassword(PASSWORD));
  gui = await startWebGui(fx.engine, { host: '127.0.0.1', port: 0, staticDir: www, stateDir });
  const url = new URL(gui.url);
  origin = url.origin;
  port = Number(url.port);
  const ok = await login(port, PASSWORD);
  expect(ok.status).toBe(204);
  cookie = ok.cookie!;
});

afterAll(async () => {
  await gui?.close();
  await fx?.engine.stop();
  await cleanupTempDirs();
});

/** A GET with the path sent exactly as given (no client-side normalisation). */
const get = (path: string, host = `127.0.0.1:${port}`) => httpRequest(port, { path, headers: { host } });

/** Open a socket with this test's login; resolves with it when open, or with the refusal's HTTP status. */
function connect(wsOrigin: string | undefined, withCookie: string | null = cookie, host?: string): Promise<WebSocket | number> {
  return connectWs(port, { origin: wsOrigin, cookie: withCookie, host });
}

/** A connected client that collects every message. */
async function client(): Promise<{ ws: WebSocket; messages: WireMessage[]; invoke(command: string, args: unknown[]): Promise<WireMessage> }> {
  const ws = await connect(origin);
  if (typeof ws === 'number') throw new Error(`upgrade refused with ${ws}`);
  const messages: WireMessage[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as WireMessage));
  let nextId = 1;
  return {
    ws,
    messages,
    async invoke(command, args) {
      const id = nextId++;
      ws.send(JSON.stringify({ kind: 'invoke', id, command, args }));
      let reply: WireMessage | undefined;
      await waitFor(() => (reply = messages.find((m) => m.kind === 'result' && m.id === id)) !== undefined, `reply to ${command}`);
      return reply!;
    },
  };
}

describe('web GUI: page URL and bind address', () => {
  it('has a plain loopback URL and a separate one-time login link', () => {
    expect(gui.url).toBe(`http://127.0.0.1:${port}/`);
    expect(gui.loginUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/login\\?once=[A-Za-z0-9_-]{40,}$`));
  });

  it('refuses a non-loopback bind address unless remote access is allowed', async () => {
    const www = await tempDir('ferry-gui-www-');
    const refused = startWebGui(fx.engine, { host: '0.0.0.0', port: 0, staticDir: www, stateDir: www });
    await expect(refused).rejects.toBeInstanceOf(FerryError);
    await expect(refused).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/--gui-allow-remote/) });
    const allowed = await startWebGui(fx.engine, { host: '0.0.0.0', port: 0, staticDir: www, stateDir: www, allowRemote: true });
    expect(allowed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    await allowed.close();
  });
});

describe('web GUI: static files', () => {
  it('serves the UI with content types and security headers', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.body).toContain('<title>Ferry</title>');
    const csp = String(index.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${port}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['referrer-policy']).toBe('no-referrer');
    const js = await get('/assets/app-1234.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get('/assets/app-1234.css')).headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('answers client-side routes with index.html, missing files with 404', async () => {
    const route = await get('/pairs/abc?x=1');
    expect(route.status).toBe(200);
    expect(route.body).toContain('<title>Ferry</title>');
    expect((await get('/assets/missing.js')).status).toBe(404);
  });

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/%2E%2E/%2E%2E/secret.txt',
    '/..%5csecret.txt',
    '/%00index.html',
    '/%E0%A4%A',
  ])('refuses the traversal attempt %s', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(res.body).not.toContain('TOP-SECRET');
  });

  it('does not follow a link out of the UI folder', async () => {
    const res = await get('/assets/leak.txt');
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('TOP-SECRET');
  });

  it('refuses requests addressed to another host name (DNS rebinding)', async () => {
    const res = await get('/', `evil.example:${port}`);
    expect(res.status).toBe(421);
    expect((await get('/', `localhost:${port}`)).status).toBe(200);
  });
});

describe('web GUI: WebSocket transport', () => {
  it('refuses upgrades without a session (401), from another origin (403) or under another Host (421)', async () => {
    expect(await connect(origin, null)).toBe(401);
    expect(await connect(origin, `ferry_session_${port}=not-a-session`)).toBe(401);
    expect(await connect(origin, `ferry_session_${port + 1}=${cookie.split('=')[1]}`)).toBe(401);
    expect(await connect('http://evil.example')).toBe(403);
    expect(await connect(`http://localhost:${port + 1}`)).toBe(403);
    expect(await connect(undefined)).toBe(403);
    expect(await connect(`http://evil.example:${port}`, cookie, `evil.example:${port}`)).toBe(421);
    const ok = await connect(origin);
    expect(ok).toBeInstanceOf(WebSocket);
    (ok as WebSocket).close();
    // localhost is the same machine under another name: its own origin is fine.
    const viaLocalhost = await connect(`http://localhost:${port}`, cookie, `localhost:${port}`);
    expect(viaLocalhost).toBeInstanceOf(WebSocket);
    (viaLocalhost as WebSocket).close();
  });

  it('keeps the password hashed with scrypt in a 0600 file, sessions only as digests', async () => {
    const pw = await stat(join(stateDir, 'gui-password.json'));
    expect(pw.mode & 0o777).toBe(0o600);
    const { readFile } = await import('node:fs/promises');
    const record = JSON.parse(await readFile(join(stateDir, 'gui-password.json'), 'utf8')) as Record<string, unknown>;
    expect(record).toMatchObject({ algorithm: 'scrypt', N: 32768, r: 8, p: 1, keyLength: 32 });
    expect(JSON.stringify(record)).not.toContain(PASSWORD);
    const sessions = await readFile(join(stateDir, 'gui-sessions.json'), 'utf8');
    expect((await stat(join(stateDir, 'gui-sessions.json'))).mode & 0o777).toBe(0o600);
    expect(sessions).not.toContain(cookie.split('=')[1]);
  });

  it('runs state:get and pushes stateChanged after a change', async () => {
    const c = await client();
    const reply = await c.invoke('state:get', []);
    expect(reply).toMatchObject({ kind: 'result', ok: true });
    const state = (reply as { value: AppState }).value;
    expect(state.shell).toBe('web');
    expect(state.overall).toBe('idle');
    expect(state.ui.notifications).toBe(true);

    const update = await c.invoke('settings:update', [{ notifications: false }]);
    expect(update).toMatchObject({ ok: true, value: { notifications: false } });
    await waitFor(
      () => c.messages.some((m) => m.kind === 'event' && m.event === 'stateChanged' && (m.payload as AppState).ui.notifications === false),
      'a stateChanged event with the new setting',
    );
    expect(fx.current().ui.notifications).toBe(false);
    c.ws.close();
  });

  it('answers invalid commands with errors, keeping the socket open', async () => {
    const c = await client();
    expect(await c.invoke('pair:explode', [])).toMatchObject({ ok: false, error: { code: 'BAD_FRAME' } });
    expect(await c.invoke('transfers:recent', [-5])).toMatchObject({ ok: false, error: { code: 'CONFIG_INVALID' } });
    expect(await c.invoke('pair:remove', ['no-such-pair'])).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await c.invoke('transfers:recent', [10])).toMatchObject({ ok: true, value: [] });
    c.ws.close();
  });

  it('closes a socket that sends garbage or an oversized message', async () => {
    const closeCode = async (send: (ws: WebSocket) => void) => {
      const c = await client();
      const closed = new Promise<number>((r) => c.ws.once('close', (code) => r(code)));
      send(c.ws);
      return closed;
    };
    expect(await closeCode((ws) => ws.send('not json'))).toBe(1008);
    expect(await closeCode((ws) => ws.send(JSON.stringify({ kind: 'result', id: 1, ok: true, value: 1 })))).toBe(1008);
    expect(await closeCode((ws) => ws.send(Buffer.from([1, 2, 3]), { binary: true }))).toBe(1003);
    expect(await closeCode((ws) => ws.send(JSON.stringify({ kind: 'invoke', id: 1, command: 'state:get', args: ['x'.repeat(300_000)] })))).toBe(1009);
  });
});
