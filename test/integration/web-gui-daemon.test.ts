/** `ferry daemon` as a real process: settings file via conf, web GUI on loopback, clean stop on SIGTERM. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { AppState, WireMessage } from '../../src-shared/ipc';
import { SETTINGS_VERSION } from '../../src-shared/settings';
import { cleanupTempDirs, tempDir, waitFor } from '../helpers/trees';
import { connectWs, cookieOf, httpRequest, login } from '../helpers/web-gui-client';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await cleanupTempDirs();
});

/**
 * Run `daemon` through registerDaemonCommand on a bare commander program (the `ferry` entry point is
 * wired by the integrator; this keeps the test independent of it). tsx compiles the sources on the fly.
 */
async function runDaemon(args: string[], stdin?: string): Promise<{ child: ChildProcess; lines: () => Record<string, unknown>[]; stderr: () => string }> {
  const dir = await tempDir('ferry-daemon-entry-');
  const entry = join(dir, 'entry.mts');
  await writeFile(
    entry,
    [
      `import { Command } from ${JSON.stringify(join(repo, 'node_modules/commander/esm.mjs'))};`,
      `import { registerDaemonCommand } from ${JSON.stringify(join(repo, 'src-main/cli/daemon-command.ts'))};`,
      `import { registerGuiPasswordCommand } from ${JSON.stringify(join(repo, 'src-main/cli/gui-password-command.ts'))};`,
      'const program = new Command();',
      'registerDaemonCommand(program);',
      'registerGuiPasswordCommand(program);',
      'await program.parseAsync(process.argv);',
    ].join('\n'),
  );
  // `args` starting with another command name run that command instead of `daemon`.
  const argv = args[0] === 'gui-password' ? args : ['daemon', ...args];
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...argv], { cwd: repo, stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (stdin !== undefined) child.stdin!.end(stdin);
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  return {
    child,
    lines: () => out.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>),
    stderr: () => err,
  };
}

/** A TCP port free right now on 127.0.0.1 (a fixed --gui port, as a user would configure). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

describe('ferry daemon', () => {
  it('serves the GUI, runs commands against the settings file, and stops cleanly on SIGTERM', async () => {
    const dir = await tempDir('ferry-daemon-');
    const config = join(dir, 'conf', 'ferry.json');
    const www = join(dir, 'www');
    await mkdir(www);
    await writeFile(join(www, 'index.html'), '<!doctype html><title>Ferry web</title>');
    const d = await runDaemon(['--config', config, '--state', join(dir, 'state'), '--gui', '127.0.0.1:0', '--gui-dir', www, '--json']);

    await waitFor(() => d.lines().some((l) => l.event === 'guiListening'), 'the guiListening line', 30_000);
    const listening = d.lines().find((l) => l.event === 'guiListening')!;
    const url = new URL(String(listening.url));
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.pathname + url.search + url.hash).toBe('/');
    expect(listening.passwordSet).toBe(false);

    const page = await fetch(new URL('/', url));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Ferry web');

    // No password yet: the one-time link is the way in.
    const once = await httpRequest(Number(url.port), { path: new URL(String(listening.loginUrl)).pathname + new URL(String(listening.loginUrl)).search });
    expect(once.status).toBe(303);
    const ws = new WebSocket(`ws://${url.host}/ws`, { origin: url.origin, headers: { cookie: cookieOf(once)! } });
    const messages: WireMessage[] = [];
    ws.on('message', (m) => messages.push(JSON.parse(String(m)) as WireMessage));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({ kind: 'invoke', id: 1, command: 'state:get', args: [] }));
    ws.send(JSON.stringify({ kind: 'invoke', id: 2, command: 'settings:update', args: [{ logLevel: 'debug' }] }));
    await waitFor(() => messages.filter((m) => m.kind === 'result').length === 2, 'two results');
    const state = messages.find((m) => m.kind === 'result' && m.id === 1) as { ok: true; value: AppState };
    expect(state.ok).toBe(true);
    expect(state.value.shell).toBe('web');
    expect(state.value.logDir).toBe(join(dir, 'state', 'logs'));
    expect(JSON.parse(await readFile(config, 'utf8'))).toMatchObject({ version: SETTINGS_VERSION, ui: { logLevel: 'debug' } });

    const closed = new Promise((resolve) => ws.once('close', resolve));
    d.child.kill('SIGTERM');
    expect(await exited(d.child)).toBe(0);
    await closed;
    expect(d.lines().at(-1)).toMatchObject({ event: 'stopped' });
  });

  it('keeps the same address and the login across a restart; the password comes from `ferry gui-password`', async () => {
    const dir = await tempDir('ferry-daemon-');
    const state = join(dir, 'state');
    const www = join(dir, 'www');
    await mkdir(www);
    await writeFile(join(www, 'index.html'), '<!doctype html><title>Ferry web</title>');
    const setPw = await runDaemon(['gui-password', '--state', state, '--json'], 'piped password 1\n');
    expect(await exited(setPw.child)).toBe(0);
    expect(setPw.lines()).toEqual([expect.objectContaining({ event: 'passwordSet', stateDir: state })]);
    expect((await stat(join(state, 'gui-password.json'))).mode & 0o777).toBe(0o600);
    const short = await runDaemon(['gui-password', '--state', state], 'short\n');
    expect(await exited(short.child)).toBe(1);
    expect(short.stderr()).toMatch(/CONFIG_INVALID: The password needs at least 8 characters/);

    const port = await freePort();
    const args = ['--config', join(dir, 'ferry.json'), '--state', state, '--gui', `127.0.0.1:${port}`, '--gui-dir', www, '--json'];
    const first = await runDaemon(args);
    await waitFor(() => first.lines().some((l) => l.event === 'guiListening'), 'the guiListening line', 30_000);
    const listening = first.lines().find((l) => l.event === 'guiListening')!;
    expect(listening).toMatchObject({ url: `http://127.0.0.1:${port}/`, passwordSet: true });
    expect((await login(port, 'piped password 2')).status).toBe(401);
    const { cookie, status } = await login(port, 'piped password 1');
    expect(status).toBe(204);
    const ws = await connectWs(port, { origin: `http://127.0.0.1:${port}`, cookie });
    expect(ws).toBeInstanceOf(WebSocket);
    const closed = new Promise<number>((r) => (ws as WebSocket).once('close', (code) => r(code)));
    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);
    expect(await closed).toBe(1001);

    const second = await runDaemon(args);
    await waitFor(() => second.lines().some((l) => l.event === 'guiListening'), 'the guiListening line again', 30_000);
    const again = second.lines().find((l) => l.event === 'guiListening')!;
    expect(again.url).toBe(listening.url);
    expect(again.loginUrl).not.toBe(listening.loginUrl);
    // The same browser cookie still opens the socket: sessions outlive the process.
    const back = await connectWs(port, { origin: `http://127.0.0.1:${port}`, cookie });
    expect(back).toBeInstanceOf(WebSocket);
    (back as WebSocket).close();
    // The first run's one-time link is gone with it.
    const oldLink = new URL(String(listening.loginUrl));
    expect((await httpRequest(port, { path: oldLink.pathname + oldLink.search })).headers.location).toBe('/#login-link-used');
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
  });

  it('starts server mode from the settings file and prints where it listens', async () => {
    const dir = await tempDir('ferry-daemon-');
    const config = join(dir, 'ferry.json');
    const root = join(dir, 'served');
    await writeFile(config, JSON.stringify({ version: 2, pairs: [], server: { enabled: true, root, host: '127.0.0.1', port: 0, versionRetentionDays: 30 } }));
    const d = await runDaemon(['--config', config, '--state', join(dir, 'state'), '--json']);
    await waitFor(() => d.lines().some((l) => l.event === 'started'), 'the started line', 30_000);
    const listening = d.lines().find((l) => l.event === 'serverListening');
    expect(listening).toMatchObject({ host: '127.0.0.1', fingerprint: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) });
    expect(listening!.port).toBeGreaterThan(0);
    d.child.kill('SIGINT');
    expect(await exited(d.child)).toBe(0);
  });

  it('refuses a GUI address other machines could reach unless --gui-allow-remote', async () => {
    const dir = await tempDir('ferry-daemon-');
    const d = await runDaemon(['--config', join(dir, 'ferry.json'), '--state', join(dir, 'state'), '--gui', '0.0.0.0:0', '--json']);
    expect(await exited(d.child)).toBe(1);
    expect(d.stderr()).toMatch(/CONFIG_INVALID: Refusing to serve the web GUI on 0\.0\.0\.0.*--gui-allow-remote/);
    expect(d.lines().some((l) => l.event === 'guiListening')).toBe(false);
  });

  it('refuses a broken settings file with a clear message, leaving it untouched', async () => {
    const dir = await tempDir('ferry-daemon-');
    const config = join(dir, 'ferry.json');
    await writeFile(config, '{ not json');
    const d = await runDaemon(['--config', config, '--state', join(dir, 'state')]);
    expect(await exited(d.child)).toBe(1);
    expect(d.stderr()).toContain(`CONFIG_INVALID: Settings file ${config} cannot be used`);
    expect(await readFile(config, 'utf8')).toBe('{ not json');
  });
});
