/**
 * Paths a client operation is working on right now. What the server's own watcher finds at or around such a path
 * waits until the operation has been recorded in the feed: a folder an upload made on its way (`put a/b/c` makes
 * `a/b`) is then recorded once, as that client's, never first as a change found on the server's disk.
 */
import { isWithin } from '../../../src-shared/protocol/paths';

/** Reference counts of busy paths, and the disk refreshes waiting for them. */
export class BusyPaths {
  private readonly count = new Map<string, number>();
  private waiting: { path: string; run: () => void }[] = [];

  /** Mark `paths` busy until the returned function is called (once). */
  begin(paths: readonly string[]): () => void {
    for (const p of paths) this.count.set(p, (this.count.get(p) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      for (const p of paths) {
        const n = (this.count.get(p) ?? 1) - 1;
        if (n <= 0) this.count.delete(p);
        else this.count.set(p, n);
      }
      this.release();
    };
  }

  /** Run `fn` now when nothing busy overlaps `path` (is it, inside it or above it), else once that is so. */
  whenFree(path: string, fn: () => void): void {
    if (this.overlaps(path)) this.waiting.push({ path, run: fn });
    else fn();
  }

  /** Paths busy now (tests). */
  get size(): number {
    return this.count.size;
  }

  private overlaps(path: string): boolean {
    for (const b of this.count.keys()) if (isWithin(b, path) || isWithin(path, b)) return true;
    return false;
  }

  private release(): void {
    if (this.waiting.length === 0) return;
    const still: { path: string; run: () => void }[] = [];
    const ready: (() => void)[] = [];
    for (const w of this.waiting) {
      if (this.overlaps(w.path)) still.push(w);
      else ready.push(w.run);
    }
    this.waiting = still;
    for (const r of ready) r();
  }
}
