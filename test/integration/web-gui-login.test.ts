/** Web GUI login against the real host: password, cookie flags, logout, throttling, one-time link, restarts. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startWebGui, type WebGui } from '../../src-main/cli/web-gui';
import { hashPassword, writePassword } from '../../src-main/cli/web-gui/gui-password';
import { cleanupTempDirs, tempDir } from '../helpers/trees';
import { connectWs, cookieOf, httpRequest, login, postJson } from '../helpers/web-gui-client';
import { startTestEngine, type EngineFixture } from './controller-fixture';

const PASSWORD = 'a long enough password';

let fx: EngineFixture;
let www: string;
const guis: WebGui[] = [];

beforeAll(async () => {
  fx = await startTestEngine((s) => s, 'web');
  www = await tempDir('ferry-login-www-');
  await writeFile(join(www, 'index.html'), '<!doctype html><title>Ferry</title>');
});

afterEach(async () => {
  for (const g of guis.splice(0)) await g.close();
});

afterAll(async () => {
  await fx?.engine.stop();
  await cleanupTempDirs();
});

/** A GUI on its own state folder (so throttling and sessions of one test never touch another). */
async function start(opts: { password?: string; stateDir?: string; port?: number } = {}): Promise<{ gui: WebGui; port: number; stateDir: string; origin: string }> {
  const stateDir = opts.stateDir ?? join(await tempDir('ferry-login-'), 'state');
  await mkdir(stateDir, { recursive: true });
  if (opts.password) await writePassword(stateDir, await hashPassword(opts.password));
  const gui = await startWebGui(fx.engine, { host: '127.0.0.1', port: opts.port ?? 0, staticDir: www, stateDir });
  guis.push(gui);
  const url = new URL(gui.url);
  return { gui, port: Number(url.port), stateDir, origin: url.origin };
}

const session = async (port: number, cookie: string | null) =>
  JSON.parse((await httpRequest(port, { path: '/api/session', headers: cookie ? { cookie } : {} })).body) as { authenticated: boolean; passwordSet: boolean };

const pathOf = (url: string) => url.slice(new URL(url).origin.length);

describe('web GUI login', () => {
  it('refuses a wrong password and sets a strict, expiring, HttpOnly cookie for the right one', async () => {
    const { port, origin } = await start({ password: PASSWORD });
    expect(await session(port, null)).toEqual({ authenticated: false, passwordSet: true });

    const wrong = await login(port, 'not the password');
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body)).toMatchObject({ error: { code: 'AUTH_FAILED' } });
    expect(wrong.headers['set-cookie']).toBeUndefined();

    const right = await login(port, PASSWORD);
    expect(right.status).toBe(204);
    const setCookie = String(right.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^ferry_session_${port}=[A-Za-z0-9_-]{43}; Max-Age=604800; Path=/; HttpOnly; SameSite=Strict$`));
    expect(await session(port, right.cookie)).toEqual({ authenticated: true, passwordSet: true });
    const ws = await connectWs(port, { origin, cookie: right.cookie });
    expect(ws).toBeInstanceOf(WebSocket);
    (ws as WebSocket).close();
  });

  it('refuses login posts from another origin or with none, even with the right password', async () => {
    const { port } = await start({ password: PASSWORD });
    expect((await postJson(port, '/api/login', { password: PASSWORD }, { origin: 'http://evil.example' })).status).toBe(403);
    const noOrigin = await httpRequest(port, { method: 'POST', path: '/api/login', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: PASSWORD }) });
    expect(noOrigin.status).toBe(403);
    expect(noOrigin.headers['set-cookie']).toBeUndefined();
    expect((await postJson(port, '/api/login', { password: PASSWORD }, { host: `evil.example:${port}`, origin: `http://evil.example:${port}` })).status).toBe(421);
  });

  it('logs out: the open socket is closed and the cookie stops working', async () => {
    const { port, origin } = await start({ password: PASSWORD });
    const { cookie } = await login(port, PASSWORD);
    const ws = (await connectWs(port, { origin, cookie })) as WebSocket;
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    const out = await postJson(port, '/api/logout', {}, { cookie: cookie! });
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0/);
    expect(await closed).toBe(4401);
    expect(await connectWs(port, { origin, cookie })).toBe(401);
    expect((await session(port, cookie)).authenticated).toBe(false);
  });

  it('slows down an address after repeated wrong passwords: even the right one then waits', async () => {
    const { port } = await start({ password: PASSWORD });
    for (let i = 0; i < 5; i++) expect((await login(port, `wrong ${i}`)).status).toBe(401);
    const held = await login(port, PASSWORD);
    expect(held.status).toBe(429);
    expect(Number(held.headers['retry-after'])).toBeGreaterThan(0);
    expect(held.cookie).toBeNull();
  });

  it('accepts the one-time link once, then redirects it to the login page without a cookie', async () => {
    const { gui, port, origin } = await start({ password: PASSWORD });
    const first = await httpRequest(port, { path: pathOf(gui.loginUrl) });
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const cookie = cookieOf(first);
    expect(cookie).toMatch(new RegExp(`^ferry_session_${port}=`));
    const ws = await connectWs(port, { origin, cookie });
    expect(ws).toBeInstanceOf(WebSocket);
    (ws as WebSocket).close();

    const again = await httpRequest(port, { path: pathOf(gui.loginUrl) });
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe('/#login-link-used');
    expect(again.headers['set-cookie']).toBeUndefined();
    expect((await httpRequest(port, { path: '/login?once=guessed' })).headers['set-cookie']).toBeUndefined();
  });

  it('without a password: login says so, the one-time link lets the browser choose one, older sessions end', async () => {
    const { gui, port, origin } = await start();
    expect((await login(port, PASSWORD)).status).toBe(409);
    const cookie = cookieOf(await httpRequest(port, { path: pathOf(gui.loginUrl) }))!;
    expect(await session(port, cookie)).toEqual({ authenticated: true, passwordSet: false });
    expect((await postJson(port, '/api/password', { password: PASSWORD })).status).toBe(401);
    expect((await postJson(port, '/api/password', { password: 'short' }, { cookie })).status).toBe(400);

    const set = await postJson(port, '/api/password', { password: PASSWORD }, { cookie });
    expect(set.status).toBe(204);
    const fresh = cookieOf(set)!;
    expect(fresh).not.toBe(cookie);
    expect(await session(port, fresh)).toEqual({ authenticated: true, passwordSet: true });
    expect((await session(port, cookie)).authenticated).toBe(false);
    expect(await connectWs(port, { origin, cookie })).toBe(401);

    // Changing it again needs the current one.
    expect((await postJson(port, '/api/password', { password: 'another password' }, { cookie: fresh })).status).toBe(401);
    expect((await postJson(port, '/api/password', { password: 'another password', currentPassword: PASSWORD }, { cookie: fresh })).status).toBe(204);
    expect((await login(port, 'another password')).status).toBe(204);
  });

  it('keeps logins across a restart on the same address; a password set elsewhere ends them', async () => {
    const first = await start({ password: PASSWORD });
    const { cookie } = await login(first.port, PASSWORD);
    await first.gui.close();
    guis.splice(guis.indexOf(first.gui), 1);

    const second = await start({ stateDir: first.stateDir, port: first.port });
    expect(second.gui.url).toBe(first.gui.url);
    const ws = await connectWs(second.port, { origin: second.origin, cookie });
    expect(ws).toBeInstanceOf(WebSocket);
    (ws as WebSocket).close();

    // As `ferry gui-password` does from another process.
    await writePassword(first.stateDir, await hashPassword('set from the command line', Date.now() + 1));
    expect(await connectWs(second.port, { origin: second.origin, cookie })).toBe(401);
  });
});
