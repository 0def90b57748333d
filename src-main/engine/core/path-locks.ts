/**
 * Overlap bookkeeping for the transfer queue: two operations overlap when one path equals or contains the other.
 * Checks cost O(depth), so a queue of 20,000 operations stays linear.
 */
import { ancestorsOf } from './tree';

/** A multiset of locked paths answering "does this path overlap any locked one?". */
export class PathLocks {
  private readonly exact = new Map<string, number>();
  private readonly below = new Map<string, number>();
  /** Ancestors of each locked path, made once per lock: the queue locks and releases 20,000 paths in a first sync. */
  private readonly ancestors = new Map<string, string[]>();
  /** Lock `path` (counted; lock twice, release twice). */
  add(path: string): void {
    this.exact.set(path, (this.exact.get(path) ?? 0) + 1);
    let anc = this.ancestors.get(path);
    if (anc === undefined) {
      anc = ancestorsOf(path);
      this.ancestors.set(path, anc);
    }
    for (const a of anc) this.below.set(a, (this.below.get(a) ?? 0) + 1);
    if (path !== '') this.below.set('', (this.below.get('') ?? 0) + 1);
  }
  /** Release one lock of `path`. */
  delete(path: string): void {
    const anc = this.ancestors.get(path) ?? ancestorsOf(path);
    if (dec(this.exact, path)) this.ancestors.delete(path);
    for (const a of anc) dec(this.below, a);
    if (path !== '') dec(this.below, '');
  }
  /** True when `path` equals, contains or lies within a locked path. */
  overlaps(path: string): boolean {
    if (this.exact.size === 0) return false;
    if (this.exact.has(path) || this.below.has(path) || this.exact.has('')) return true;
    for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) if (this.exact.has(path.slice(0, i))) return true;
    return false;
  }
  /** Number of distinct locked paths. */
  get size(): number {
    return this.exact.size;
  }
}

/** Count one release of `k`; true when that was its last lock. */
function dec(m: Map<string, number>, k: string): boolean {
  const n = (m.get(k) ?? 0) - 1;
  if (n > 0) {
    m.set(k, n);
    return false;
  }
  m.delete(k);
  return true;
}
