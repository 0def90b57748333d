/** Whole-file SHA-256 on a worker thread, so a large file's two hash passes run on two cores. */
import { Worker } from 'node:worker_threads';
import { FerryError, toFerryError } from '../errors';

/*
 * The worker is plain CommonJS evaluated from a string: no separate file to locate, so it works the same
 * from TS sources under vitest/tsx, from the esbuild bundle (dist/cli/ferry.js) and in Electron's main process.
 * It reads the file itself (synchronous reads are fine on its own thread): no bytes cross the thread boundary.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const buf = Buffer.allocUnsafe(1024 * 1024);
parentPort.on('message', ({ id, path }) => {
  let fd = -1;
  try {
    fd = fs.openSync(path, 'r');
    const h = createHash('sha256');
    for (let pos = 0; ; ) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      h.update(n === buf.length ? buf : buf.subarray(0, n));
      pos += n;
    }
    parentPort.postMessage({ id, hash: h.digest('hex') });
  } catch (err) {
    parentPort.postMessage({ id, error: { code: err && err.code, message: String(err && err.message) } });
  } finally {
    if (fd >= 0) try { fs.closeSync(fd); } catch {}
  }
});
`;

type Reply = {
  id: number;
  hash?: string;
  error?: { code?: string; message: string };
};

let worker: Worker | null = null;
let broken = false;
let nextId = 1;
const pending = new Map<number, { path: string; resolve: (h: string) => void; reject: (e: unknown) => void }>();

function failAll(err: unknown): void {
  for (const [id, p] of pending) {
    pending.delete(id);
    p.reject(err);
  }
}

function getWorker(): Worker | null {
  if (worker || broken) return worker;
  try {
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.on('message', (m: Reply) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      // Idle workers must not keep the process alive (the CLI exits when its work is done).
      if (pending.size === 0) w.unref();
      if (m.hash !== undefined) p.resolve(m.hash);
      else
        p.reject(
          toFerryError(
            Object.assign(new Error(m.error?.message ?? 'hash worker failed'), {
              code: m.error?.code,
            }),
            p.path,
          ),
        );
    });
    w.on('error', (err) => {
      broken = true;
      if (worker === w) worker = null;
      failAll(
        new FerryError('INTERNAL', `Hash worker failed: ${err.message}`, {
          cause: err,
        }),
      );
    });
    w.on('exit', () => {
      if (worker === w) worker = null;
      failAll(new FerryError('INTERNAL', 'Hash worker exited'));
    });
    w.unref();
    worker = w;
  } catch {
    broken = true; // no worker_threads here: callers fall back to hashing on this thread
  }
  return worker;
}

/** Whole-file SHA-256 hex computed on the shared hash worker; `null` when no worker can run here. */
export function sha256FileOnWorker(absPath: string): Promise<string> | null {
  const w = getWorker();
  if (!w) return null;
  const id = nextId++;
  return new Promise<string>((resolve, reject) => {
    pending.set(id, { path: absPath, resolve, reject });
    w.ref();
    w.postMessage({ id, path: absPath });
  });
}

/** Stop the hash worker (tests, orderly shutdown); the next call starts a new one. */
export async function stopHashWorker(): Promise<void> {
  const w = worker;
  worker = null;
  if (w) await w.terminate();
}
