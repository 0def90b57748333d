/**
 * syncfs(2) for Node, which has no binding for it: a long-lived `sh` loop runs coreutils' `sync -f` once per
 * request line and answers `ok` or `fail <message>`.
 *
 * Why not execFile('sync') per flush: every spawn forks the server process itself, copying its page tables.
 * At the hundred-odd flushes of an initial sync of 20,000 small files that cost the server ~1.2 CPU-s, more
 * than writing the files; a small shell forks for a fraction of that.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { FerryError } from '../errors';

/** `set -f`: an error message echoed unquoted (to fold its lines into one) must not expand as a glob. */
const LOOP = 'set -f; while IFS= read -r _; do if e=$(sync -f "$1" 2>&1); then echo ok; else echo fail $e; fi; done';

/** A flush taking longer than this is reported as failed (and the helper replaced). */
const FLUSH_TIMEOUT_MS = 10 * 60_000;

interface Waiter {
  resolve: () => void;
  reject: (e: FerryError) => void;
}

/** One helper process flushing the file system that holds `path`; started on first use, restarted after it dies. */
export class SyncfsProcess {
  private child: ChildProcessByStdio<Writable, Readable, null> | null = null;
  private readonly waiting: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly path: string) {}

  /** Resolves once the file system was flushed; requests are answered in order. */
  run(): Promise<void> {
    if (this.closed) return Promise.reject(new FerryError('IO_ERROR', `Flushing ${this.path}: the flusher is closed`));
    const child = this.child ?? this.start();
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (this.waiting.length === 1) this.busy(true);
      child.stdin.write('\n');
    });
  }

  /** Stop the helper; pending flushes fail. */
  close(): void {
    this.closed = true;
    this.stop(new FerryError('IO_ERROR', `Flushing ${this.path}: the flusher was closed`));
  }

  private start(): ChildProcessByStdio<Writable, Readable, null> {
    const child = spawn('sh', ['-c', LOOP, 'ferry-syncfs', this.path], { stdio: ['pipe', 'pipe', 'ignore'], windowsHide: true });
    this.child = child;
    const gone = (why: string) => {
      if (this.child === child) this.stop(new FerryError('IO_ERROR', `Flushing the file system of ${this.path} failed: ${why}`));
    };
    child.on('error', (err) => gone(err.message));
    child.on('exit', (code, signal) => gone(`the sync helper exited (${signal ?? code})`));
    child.stdin.on('error', () => undefined); // a dead helper shows up as 'exit'
    createInterface({ input: child.stdout }).on('line', (line) => this.answer(line));
    // An idle helper must not keep the process alive; `busy` refs it while a flush is waited for.
    child.unref();
    this.setRef(child, false);
    return child;
  }

  private answer(line: string): void {
    const w = this.waiting.shift();
    if (this.waiting.length === 0) this.busy(false);
    if (w === undefined) return;
    if (line === 'ok') w.resolve();
    else w.reject(new FerryError('IO_ERROR', `Flushing the file system of ${this.path} failed: ${line.replace(/^fail ?/, '') || 'sync -f failed'}`));
  }

  private busy(on: boolean): void {
    if (this.child !== null) this.setRef(this.child, on);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (on) {
      this.timer = setTimeout(() => this.stop(new FerryError('IO_ERROR', `Flushing the file system of ${this.path} took over ${FLUSH_TIMEOUT_MS / 60_000} minutes`)), FLUSH_TIMEOUT_MS);
      this.timer.unref();
    }
  }

  private setRef(child: ChildProcessByStdio<Writable, Readable, null>, on: boolean): void {
    const pipe = child.stdout as Readable & { ref?: () => void; unref?: () => void };
    if (on) pipe.ref?.();
    else pipe.unref?.();
  }

  private stop(err: FerryError): void {
    const child = this.child;
    this.child = null;
    if (child !== null && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const w of this.waiting.splice(0)) w.reject(err);
  }
}
