// Ferry side of the bench: the real CLI (`node bin/ferry.js`, which sets UV_THREADPOOL_SIZE=64 before
// anything loads) as `ferry serve` and `ferry sync`, talking JSON lines.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProc, runProc } from './procs.mjs';

/** The repository root (two levels above this file). */
export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(REPO, 'bin', 'ferry.js');

/** Throw a clear message when the CLI bundle is missing (run `node scripts/build.mjs` first). */
export function assertFerryBuilt() {
  if (!fs.existsSync(path.join(REPO, 'dist', 'cli', 'ferry.js'))) {
    throw new Error('dist/cli/ferry.js is missing: run `node scripts/build.mjs` (npm run bench does it)');
  }
}

/**
 * Start `ferry serve --root ROOT --state STATE --host 127.0.0.1 --port 0 --json [--no-fsync]` and wait
 * for its `listening` line. Returns { port, fingerprint, token, pid, stop() }.
 */
export async function startFerryServer({ root, state, fsync = true, timeoutMs = 30_000 }) {
  fs.mkdirSync(root, { recursive: true });
  const args = [BIN, 'serve', '--root', root, '--state', state, '--host', '127.0.0.1', '--port', '0', '--json'];
  if (!fsync) args.push('--no-fsync');
  const h = startProc(process.execPath, args, { cwd: REPO, label: 'ferry serve' });
  const ev = await h.waitFor((o) => o.event === 'listening', timeoutMs, '"listening"');
  return { port: ev.port, fingerprint: ev.fingerprint, token: ev.token, pid: h.pid, proc: h, stop: () => h.stop(5000) };
}

// mode: the existing sections measure the mirror (one-way) engine; the two-way section passes 'two-way'.
function syncArgs(server, { dir, state, port, mode = 'mirror', deviceName }) {
  return [BIN, 'sync', '--dir', dir, '--server', `127.0.0.1:${port ?? server.port}`, '--fingerprint', server.fingerprint,
    '--token', server.token, '--state', state, '--json', '--mode', mode, ...(deviceName ? ['--device-name', deviceName] : [])];
}

/**
 * `ferry sync --once --json --quiet`: returns { ms, summary } where ms runs from spawn to exit (node start, TLS
 * handshake, scan, transfer, verification and exit: what a user waits for). --quiet: no line per file, as rsync
 * without -v (the client's transfer log file still records every file). allowErrors: exit code 2 (some files failed,
 * listed in summary.errors) returns instead of throwing.
 */
export async function ferrySyncOnce(server, { dir, state, port, timeoutMs, mode, deviceName, allowErrors = false }) {
  const r = await runProc(process.execPath, [...syncArgs(server, { dir, state, port, mode, deviceName }), '--once', '--quiet'], { cwd: REPO, timeoutMs, label: 'ferry sync --once' });
  const summary = r.json.find((o) => o.event === 'summary') ?? null;
  // allowErrors: exit 2 (the sync ran to its end, some files failed) still gives a time and a summary to report.
  if ((r.code !== 0 && !(allowErrors && r.code === 2)) || !summary) {
    const errs = r.json.filter((o) => o.event === 'error').map((o) => `${o.code}: ${o.message}`).slice(0, 3);
    throw new Error(`ferry sync --once exited ${r.code ?? r.signal}${summary ? '' : ' without a summary'}: ${errs.join(' | ') || r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
  return { ms: r.ms, summary, pid: r.pid };
}

/**
 * Start a live `ferry sync` (no --once), wait for its `watching` line and then for its initial sync to end
 * (status "watching"). Returns the process handle (watchingLineMs, watchingMs: ms after spawn).
 */
export async function startFerryLive(server, { dir, state, port, timeoutMs, onSpawn, mode, deviceName }) {
  const h = startProc(process.execPath, syncArgs(server, { dir, state, port, mode, deviceName }), { cwd: REPO, label: 'ferry sync (live)' });
  onSpawn?.(h);
  try {
    const bad = (o) => o.event === 'status' && (o.status === 'error' || o.status === 'halted');
    const ev = await h.waitFor((o) => o.event === 'watching' || bad(o), timeoutMs, '"watching"');
    if (ev.event !== 'watching') throw new Error(`ferry sync reported ${ev.status}: ${JSON.stringify(ev.error ?? {})}`);
    h.watchingLineMs = ev._ms;
    // The `watching` line comes when the watcher is up; the initial sync may still be running. It is over
    // at the first status "watching" (nothing pending).
    const idle = await h.waitFor((o) => (o.event === 'status' && o.status === 'watching') || bad(o), timeoutMs, 'status "watching"');
    if (idle.status !== 'watching') throw new Error(`ferry sync reported ${idle.status}: ${JSON.stringify(idle.error ?? {})}`);
    h.watchingMs = idle._ms;
    return h;
  } catch (err) {
    await h.stop(2000);
    throw err;
  }
}
