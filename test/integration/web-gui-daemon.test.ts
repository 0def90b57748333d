/** `ferry daemon` as a real process: settings file via conf, web GUI on loopback, clean stop on SIGTERM. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { AppState, WireMessage } from '../../src-shared/ipc';
import { cleanupTempDirs, tempDir, waitFor } from '../helpers/trees';
import { cookieOf, httpRequest } from '../helpers/web-gui-client';

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
async function runDaemon(args: string[]): Promise<{ child: ChildProcess; lines: () => Record<string, unknown>[]; stderr: () => string }> {
  const dir = await tempDir('ferry-daemon-entry-');
  const entry = join(dir, 'entry.mts');
  await writeFile(
    entry,
    [
      `import { Command } from ${JSON.stringify(join(repo, 'node_modules/commander/esm.mjs'))};`,
      `import { registerDaemonCommand } from ${JSON.stringify(join(repo, 'src-main/cli/daemon-command.ts'))};`,
      'const program = new Command();',
      'registerDaemonCommand(program);',
      'await program.parseAsync(process.argv);',
    ].join('\n'),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', entry, 'daemon', ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
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
    expect(JSON.parse(await readFile(config, 'utf8'))).toMatchObject({ version: 2, ui: { logLevel: 'debug' } });

    const closed = new Promise((resolve) => ws.once('close', resolve));
    d.child.kill('SIGTERM');
    expect(await exited(d.child)).toBe(0);
    await closed;
    expect(d.lines().at(-1)).toMatchObject({ event: 'stopped' });
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
