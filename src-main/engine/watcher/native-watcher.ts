/**
 * A directory watcher on plain `fs.watch` (inotify on Linux): one watch per folder, never per file, and each
 * event costs O(1). chokidar re-reads and re-stats a whole folder for every file added to it (quadratic for a
 * folder receiving thousands of files) and watches every file separately; this one only reports names, since
 * the session re-reads the disk for each reported path anyway.
 */
import { watch, type FSWatcher } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { WatcherHandlers } from './fs-watcher';

/** Per-folder fs.watch over a whole tree; new folders are picked up as they appear. */
export class NativeWatcher {
  private readonly dirs = new Map<string, FSWatcher>();
  private closed = false;

  private constructor(
    private readonly root: string,
    private readonly h: WatcherHandlers,
  ) {}

  /** Watch `root` and every folder below it (links not followed, ignored folders skipped). */
  static async start(root: string, h: WatcherHandlers): Promise<NativeWatcher> {
    const w = new NativeWatcher(root, h);
    await w.addTree('');
    return w;
  }

  /** Number of folders watched. */
  get size(): number {
    return this.dirs.size;
  }

  /** Stop every watch. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.dirs.values()) w.close();
    this.dirs.clear();
  }

  private abs(rel: string): string {
    return rel === '' ? this.root : join(this.root, rel);
  }

  private async addTree(rel: string): Promise<void> {
    const stack = [rel];
    for (let guard = 0; stack.length > 0 && guard < 10_000_000 && !this.closed; guard++) {
      const d = stack.pop() as string;
      if (this.dirs.has(d) || !this.watchDir(d)) continue;
      let entries;
      try {
        entries = await readdir(this.abs(d), { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        if (!e.isDirectory()) continue;
        const r = d === '' ? e.name : `${d}/${e.name}`;
        if (!(this.h.ignored?.(r, true) ?? false)) stack.push(r);
      }
    }
  }

  private watchDir(d: string): boolean {
    try {
      const fw = watch(this.abs(d), { persistent: true }, (event, name) => this.onEvent(d, event, name));
      fw.on('error', (err) => {
        this.dropTree(d);
        // A folder that vanished is reported by its parent's event; anything else may have lost events.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'EPERM') this.h.onError(err);
      });
      this.dirs.set(d, fw);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') this.h.onError(err as Error); // e.g. ENOSPC: out of inotify watches
      return false;
    }
  }

  private onEvent(d: string, event: string, name: string | Buffer | null): void {
    if (this.closed) return;
    if (name === null || name === undefined) {
      this.h.onPath(d, event); // no name: something changed in the folder; rescan it
      return;
    }
    const n = typeof name === 'string' ? name : name.toString('utf8');
    const rel = d === '' ? n : `${d}/${n}`;
    if (this.h.ignored?.(rel, undefined) ?? false) return;
    this.h.onPath(rel, event);
    if (event === 'rename') void this.checkDir(rel);
  }

  /** A name appeared or vanished: start watching a new folder, forget a gone one. */
  private async checkDir(rel: string): Promise<void> {
    let isDir = false;
    try {
      isDir = (await lstat(this.abs(rel))).isDirectory();
    } catch {
      isDir = false;
    }
    if (this.closed) return;
    if (!isDir) this.dropTree(rel);
    else if (!this.dirs.has(rel) && !(this.h.ignored?.(rel, true) ?? false)) await this.addTree(rel);
  }

  private dropTree(rel: string): void {
    for (const [d, w] of this.dirs) {
      if (rel === '' || d === rel || d.startsWith(rel + '/')) {
        w.close();
        this.dirs.delete(d);
      }
    }
  }
}
