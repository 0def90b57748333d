/**
 * Group commit for batches of small files: one syncfs(2) of the share's file system makes every file written
 * before it durable in one journal commit, where one fdatasync per file costs a commit each (concurrent ones
 * share some). Node has no syncfs binding, so it runs coreutils' `sync -f` (a child process costs ~1 ms, one
 * per batch of up to 256 files). Where that is missing (not Linux, busybox) `probe` says so and callers fall
 * back to a flush per file.
 *
 * The price: syncfs also writes back whatever else is dirty on that file system. Concurrent callers share
 * flushes, so a busy disk slows each flush but not the number of them.
 */
import { execFile } from 'node:child_process';
import { FerryError } from '../errors';

function syncfs(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('sync', ['-f', path], { timeout: 10 * 60_000, windowsHide: true }, (err, _out, stderr) => {
      if (err === null) resolve();
      else reject(new FerryError('IO_ERROR', `Flushing the file system of ${path} failed: ${String(stderr).trim() || err.message}`, { cause: err }));
    });
  });
}

/** Coalesced syncfs of the file system holding one path. */
export class FileSystemFlusher {
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  /** `run` flushes the file system of `path` (syncfs); replaceable to observe how calls are shared. */
  constructor(
    private readonly path: string,
    private readonly run: (path: string) => Promise<void> = syncfs,
  ) {}

  /** A flusher for the file system of `path`, or null when syncfs cannot be used here. */
  static async probe(path: string): Promise<FileSystemFlusher | null> {
    if (process.platform !== 'linux') return null;
    try {
      await syncfs(path);
      return new FileSystemFlusher(path);
    } catch {
      return null;
    }
  }

  /**
   * Resolves once everything written before the call is on disk. A flush already running may have started
   * before the caller's writes, so callers then share the next one, which starts when it ends.
   */
  flush(): Promise<void> {
    if (this.running === null) return this.start();
    this.next ??= this.running.catch(() => undefined).then(() => this.startQueued());
    return this.next;
  }

  private start(): Promise<void> {
    const p = this.run(this.path).finally(() => {
      if (this.running === p) this.running = null;
    });
    this.running = p;
    return p;
  }

  private startQueued(): Promise<void> {
    this.next = null;
    return this.start();
  }
}
