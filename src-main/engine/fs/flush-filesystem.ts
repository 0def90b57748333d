/**
 * Group commit for batches of small files: one syncfs(2) of the share's file system makes every file written
 * before it durable in one journal commit, where one fdatasync per file costs a commit each (concurrent ones
 * share some). Node has no syncfs binding: a helper process runs coreutils' `sync -f` (fs/syncfs-process.ts).
 * Where that is missing (not Linux, busybox) `probe` says so and callers fall back to a flush per file.
 *
 * The price: syncfs also writes back whatever else is dirty on that file system. Concurrent callers share
 * flushes, so a busy disk slows each flush but not the number of them.
 */
import { SyncfsProcess } from './syncfs-process';

/** Coalesced syncfs of the file system holding one path. */
export class FileSystemFlusher {
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  /** `run` flushes the file system of `path` (syncfs); replaceable to observe how calls are shared. */
  constructor(
    private readonly path: string,
    private readonly run: (path: string) => Promise<void>,
    private readonly stop: () => void = () => undefined,
  ) {}

  /** A flusher for the file system of `path`, or null when syncfs cannot be used here. */
  static async probe(path: string): Promise<FileSystemFlusher | null> {
    if (process.platform !== 'linux') return null;
    const helper = new SyncfsProcess(path);
    try {
      await helper.run();
      return new FileSystemFlusher(path, () => helper.run(), () => helper.close());
    } catch {
      helper.close();
      return null;
    }
  }

  /** Stop the helper process; flushes still waiting fail. */
  close(): void {
    this.stop();
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
