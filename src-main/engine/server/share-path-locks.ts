/**
 * Path locks of one share, shared by every session on it: an operation runs only while no other running
 * operation overlaps any of its paths (one equals or contains the other). Overlapping operations run in the
 * order they asked (first come, first served); operations on unrelated paths never wait for each other.
 * This is what makes "check the path, then rename into place" safe: no `move`/`symlink`/`remove` from any
 * session can swap a folder for a link between an operation's check and its final rename.
 */
import { PathLocks } from '../core/path-locks';

interface Waiter {
  paths: readonly string[];
  grant: () => void;
}

/** Exclusive, first-come-first-served locks on overlapping share paths. */
export class SharePathLocks {
  private readonly held = new PathLocks();
  /** Paths of waiting operations: a newcomer overlapping one of them queues behind it (no overtaking). */
  private readonly queued = new PathLocks();
  private readonly waiting: Waiter[] = [];

  /**
   * Lock `paths` (all or none); resolves with the release function once granted. The request is registered
   * synchronously, so calls made in arrival order are served in that order among overlapping paths.
   */
  lock(paths: readonly string[]): Promise<() => void> {
    if (!this.blocked(paths)) {
      this.take(paths);
      return Promise.resolve(this.releaser(paths));
    }
    for (const p of paths) this.queued.add(p);
    return new Promise((resolve) => {
      this.waiting.push({ paths, grant: () => resolve(this.releaser(paths)) });
    });
  }

  /** Run `fn` holding locks on `paths`; they are released however it ends. */
  async run<T>(paths: readonly string[], fn: () => Promise<T>): Promise<T> {
    const release = await this.lock(paths);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Operations holding locks and operations waiting (for tests and status). */
  get stats(): { held: number; waiting: number } {
    return { held: this.held.size, waiting: this.waiting.length };
  }

  private blocked(paths: readonly string[]): boolean {
    return paths.some((p) => this.held.overlaps(p) || this.queued.overlaps(p));
  }

  private take(paths: readonly string[]): void {
    for (const p of paths) this.held.add(p);
  }

  private releaser(paths: readonly string[]): () => void {
    let done = false;
    return () => {
      if (done) return; // a second call must not release someone else's lock on the same path
      done = true;
      for (const p of paths) this.held.delete(p);
      this.grantWaiting();
    };
  }

  /** Grant, in arrival order, every waiter that overlaps nothing held and no earlier waiter. */
  private grantWaiting(): void {
    if (this.waiting.length === 0) return;
    const earlier = new PathLocks();
    const granted: Waiter[] = [];
    for (let i = 0; i < this.waiting.length; ) {
      const w = this.waiting[i]!;
      if (w.paths.some((p) => this.held.overlaps(p) || earlier.overlaps(p))) {
        for (const p of w.paths) earlier.add(p);
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      for (const p of w.paths) this.queued.delete(p);
      this.take(w.paths);
      granted.push(w);
    }
    for (const w of granted) w.grant();
  }
}
