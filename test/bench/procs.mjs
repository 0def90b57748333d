// Child processes of the bench: each in its own process group (so a timeout can end it and its
// children by group id), stdout read as lines (JSON lines parsed), stderr tail kept for messages.
import { spawn } from 'node:child_process';

/** Thrown when a bounded step runs out of time; reported as "timeout". */
export class StepTimeout extends Error {
  constructor(what, ms) {
    super(`${what}: timeout after ${Math.round(ms / 1000)} s`);
    this.name = 'StepTimeout';
  }
}

/** Every process started and not yet reaped, so that a section (or Ctrl+C) can end them. */
const live = new Set();

/** Start a long-running child. Returns a handle with lines, waitFor(), exited and stop(). */
export function startProc(cmd, args, { cwd, env, label = cmd } = {}) {
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd, env: env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const h = {
    label, child, pid: child.pid, t0, lines: [], json: [], stderr: '', exit: null, waiters: new Set(),
    exited: null,
    /** Resolve with the first JSON line (already seen or future) for which pred is true. */
    waitFor(pred, timeoutMs, what = 'event') {
      const seen = h.json.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve, reject, what };
        w.timer = setTimeout(() => { h.waiters.delete(w); reject(new StepTimeout(`${label}: waiting for ${what}`, timeoutMs)); }, timeoutMs);
        h.waiters.add(w);
      });
    },
    /** End the process group (SIGTERM, then SIGKILL after graceMs) and wait for the exit. */
    async stop(graceMs = 3000) {
      if (h.exit) return h.exit;
      killGroup(h.pid, 'SIGTERM');
      const t = setTimeout(() => killGroup(h.pid, 'SIGKILL'), graceMs);
      const r = await h.exited;
      clearTimeout(t);
      return r;
    },
  };
  live.add(h);
  let buf = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      h.lines.push(line);
      if (h.lines.length > 5000) h.lines.shift();
      if (!line.startsWith('{')) continue;
      let obj;
      try { obj = JSON.parse(line); } catch { continue; }
      obj._ms = performance.now() - t0;
      h.json.push(obj);
      for (const w of h.waiters) if (w.pred(obj)) { clearTimeout(w.timer); h.waiters.delete(w); w.resolve(obj); }
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { h.stderr = (h.stderr + d).slice(-4000); });
  h.exited = new Promise((resolve) => {
    child.on('error', (err) => { h.stderr += `\nspawn error: ${err.message}`; });
    child.on('close', (code, signal) => {
      h.exit = { code, signal, ms: performance.now() - t0 };
      live.delete(h);
      for (const w of h.waiters) { clearTimeout(w.timer); w.reject(new Error(`${label} exited (${code ?? signal}) before ${w.what}: ${h.stderr.trim().split('\n').slice(-3).join(' | ')}`)); }
      h.waiters.clear();
      resolve(h.exit);
    });
  });
  return h;
}

/** Run a child to completion within timeoutMs; returns { code, ms, lines, json, stderr }. Throws StepTimeout. */
export async function runProc(cmd, args, { timeoutMs, ...opts }) {
  const h = startProc(cmd, args, opts);
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new StepTimeout(opts.label ?? cmd, timeoutMs)), timeoutMs);
  });
  try {
    const r = await Promise.race([h.exited, timeout]);
    return { ...r, lines: h.lines, json: h.json, stderr: h.stderr, pid: h.pid };
  } catch (err) {
    await h.stop(1000);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

function killGroup(pid, sig) {
  try { process.kill(-pid, sig); } catch { /* already gone */ }
}

/** Stop every child still running (end of a section, error, Ctrl+C). */
export async function stopAll() {
  await Promise.all([...live].map((h) => h.stop(2000)));
}

/** Bound a promise in time: reject with StepTimeout after ms. */
export async function withTimeout(promise, ms, what) {
  let timer;
  try {
    return await Promise.race([promise, new Promise((_, reject) => { timer = setTimeout(() => reject(new StepTimeout(what, ms)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}
