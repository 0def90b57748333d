/**
 * Path locks of one share, shared by every session on it: an operation runs only while no other running
 * operation overlaps any of its paths (one equals or contains the other). Overlapping operations run in the
 * order they asked (first come, first served); operations on unrelated paths never wait for each other.
 * Reads (`get`) take shared locks: they run alongside other reads of the same paths, never alongside a write.
 * This is what makes "check the path, then rename into place" safe: no `move`/`symlink`/`remove` from any
 * session can swap a folder for a link between an operation's check and its final rename.
 */
import { PathLocks } from '../core/path-locks';

/** 'exclusive' for anything that changes the share; 'shared' for reads. */
export type LockMode = 'exclusive' | 'shared';

interface Waiter {
  paths: readonly string[];
  mode: LockMode;
  grant: () => void;
}

/** Locked paths by mode. */
interface Sets {
  exclusive: PathLocks;
  shared: PathLocks;
}

const sets = (): Sets => ({ exclusive: new PathLocks(), shared: new PathLocks() });

/** Would a request for `paths` in `mode` conflict with `s`? Shared requests conflict only with exclusive ones. */
function conflicts(s: Sets, paths: readonly string[], mode: LockMode): boolean {
  return paths.some((p) => s.exclusive.overlaps(p) || (mode === 'exclusive' && s.shared.overlaps(p)));
}

function addAll(s: Sets, paths: readonly string[], mode: LockMode): void {
  for (const p of paths) s[mode].add(p);
}

function deleteAll(s: Sets, paths: readonly string[], mode: LockMode): void {
  for (const p of paths) s[mode].delete(p);
}

/** First-come-first-served locks on overlapping share paths (exclusive for writes, shared for reads). */
export class SharePathLocks {
  private readonly held = sets();
  /** Paths of waiting operations: a newcomer conflicting with one of them queues behind it (no overtaking). */
  private readonly queued = sets();
  private readonly waiting: Waiter[] = [];

  /**
   * Lock `paths` (all or none); resolves with the release function once granted. The request is registered
   * synchronously, so calls made in arrival order are served in that order among overlapping paths.
   */
  lock(paths: readonly string[], mode: LockMode = 'exclusive'): Promise<() => void> {
    if (!conflicts(this.held, paths, mode) && !conflicts(this.queued, paths, mode)) {
      addAll(this.held, paths, mode);
      return Promise.resolve(this.releaser(paths, mode));
    }
    addAll(this.queued, paths, mode);
    return new Promise((resolve) => {
      this.waiting.push({ paths, mode, grant: () => resolve(this.releaser(paths, mode)) });
    });
  }

  /** Run `fn` holding locks on `paths`; they are released however it ends. */
  async run<T>(paths: readonly string[], fn: () => Promise<T>, mode: LockMode = 'exclusive'): Promise<T> {
    const release = await this.lock(paths, mode);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Operations holding locks and operations waiting (for tests and status). */
  get stats(): { held: number; waiting: number } {
    return { held: this.held.exclusive.size + this.held.shared.size, waiting: this.waiting.length };
  }

  private releaser(paths: readonly string[], mode: LockMode): () => void {
    let done = false;
    return () => {
      if (done) return; // a second call must not release someone else's lock on the same path
      done = true;
      deleteAll(this.held, paths, mode);
      this.grantWaiting();
    };
  }

  /** Grant, in arrival order, every waiter that conflicts with nothing held and no earlier waiter. */
  private grantWaiting(): void {
    if (this.waiting.length === 0) return;
    const earlier = sets();
    const granted: Waiter[] = [];
    for (let i = 0; i < this.waiting.length; ) {
      const w = this.waiting[i]!;
      if (conflicts(this.held, w.paths, w.mode) || conflicts(earlier, w.paths, w.mode)) {
        addAll(earlier, w.paths, w.mode);
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      deleteAll(this.queued, w.paths, w.mode);
      addAll(this.held, w.paths, w.mode);
      granted.push(w);
    }
    for (const w of granted) w.grant();
  }
}
