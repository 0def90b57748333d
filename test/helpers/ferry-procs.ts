/** Start the real `ferry` processes (bin/ferry.js → dist/cli) for integration tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const bin = `${repo}bin/ferry.js`;
const running = new Set<ChildProcess>();

/** One JSON line printed by `ferry --json`. */
export type JsonLine = Record<string, unknown> & { event: string };

/** A running ferry process with its parsed JSON lines. */
export interface FerryProc {
  proc: ChildProcess;
  lines: JsonLine[];
  stderr: () => string;
  /** Resolve with the first line matching `pred` (or reject after timeoutMs / on exit). */
  waitForLine(pred: (l: JsonLine) => boolean, timeoutMs?: number): Promise<JsonLine>;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawn `ferry ARGS` with --json output parsing; `as` runs it as another user (tests of permissions, run as root). */
export function spawnFerry(args: string[], env: NodeJS.ProcessEnv = {}, as?: { uid: number; gid: number }): FerryProc {
  if (!existsSync(`${repo}dist/cli/ferry.js`)) throw new Error('dist/cli/ferry.js missing: the CLI bundle did not build');
  const proc = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...as });
  running.add(proc);
  const lines: JsonLine[] = [];
  const waiters: { pred: (l: JsonLine) => boolean; resolve: (l: JsonLine) => void }[] = [];
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  createInterface({ input: proc.stdout! }).on('line', (text) => {
    let line: JsonLine;
    try {
      line = JSON.parse(text) as JsonLine;
    } catch {
      return; // human lines are not for tests
    }
    lines.push(line);
    for (const w of [...waiters]) if (w.pred(line)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(line);
    }
  });
  // 'close' (not 'exit') fires after stdout is drained, so every line has been seen by then.
  const exited = new Promise<number | null>((r) => proc.on('close', (code) => {
    running.delete(proc);
    r(code);
  }));
  return {
    proc,
    lines,
    stderr: () => err,
    exited,
    waitForLine(pred, timeoutMs = 20_000) {
      const found = lines.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve: (l: JsonLine) => { clearTimeout(t); resolve(l); } };
        const t = setTimeout(() => reject(new Error(`no matching line after ${timeoutMs} ms; stderr: ${err}; lines: ${JSON.stringify(lines.slice(-5))}`)), timeoutMs);
        waiters.push(w);
        void exited.then((code) => { clearTimeout(t); if (waiters.includes(w)) reject(new Error(`ferry exited (${code}) before the line; stderr: ${err}`)); });
      });
    },
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** What `ferry serve --json` reports on start. */
export interface ServeInfo {
  host: string;
  port: number;
  fingerprint: string;
  token: string;
  proc: FerryProc;
}

/** Start `ferry serve` on 127.0.0.1 with an ephemeral port; resolves once it listens. */
export async function startServe(root: string, stateDir: string, extra: string[] = []): Promise<ServeInfo> {
  const proc = spawnFerry(['serve', '--root', root, '--state', stateDir, '--host', '127.0.0.1', '--port', '0', '--json', ...extra]);
  const l = await proc.waitForLine((x) => x.event === 'listening');
  return { host: String(l.host), port: Number(l.port), fingerprint: String(l.fingerprint), token: String(l.token), proc };
}

/** Args for `ferry sync` against a started server; mirror mode unless `extra` names another `--mode` (the last one wins). */
export function syncArgs(dir: string, s: { port: number; fingerprint: string; token: string }, state: string, extra: string[] = []): string[] {
  return ['sync', '--dir', dir, '--server', `127.0.0.1:${s.port}`, '--fingerprint', s.fingerprint, '--token', s.token, '--state', state, '--json', '--mode', 'mirror', ...extra];
}

/** Run `ferry sync --once` to completion (killed after `timeoutMs`: code null). */
export async function syncOnce(dir: string, s: { port: number; fingerprint: string; token: string }, state: string, extra: string[] = [], timeoutMs = 60_000): Promise<{ code: number | null; lines: JsonLine[]; stderr: string }> {
  const p = spawnFerry(syncArgs(dir, s, state, ['--once', ...extra]));
  const code = await Promise.race([p.exited, new Promise<null>((r) => setTimeout(() => r(null), timeoutMs))]);
  if (code === null) await p.stop('SIGKILL');
  return { code, lines: p.lines, stderr: p.stderr() };
}

/** Kill every process still running (call in afterAll/afterEach). */
export async function killAllFerry(): Promise<void> {
  await Promise.all([...running].map((p) => {
    p.kill('SIGKILL');
    return new Promise((r) => p.once('exit', r));
  }));
}
