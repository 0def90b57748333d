/**
 * Overlap bookkeeping for the transfer queue: two operations overlap when one path equals or contains the other.
 * Checks cost O(depth), so a queue of 20,000 operations stays linear.
 */
import { ancestorsOf } from './tree';

/** A multiset of locked paths answering "does this path overlap any locked one?". */
export class PathLocks {
  private readonly exact = new Map<string, number>();
  private readonly below = new Map<string, number>();
  /** Lock `path` (counted; lock twice, release twice). */
  add(path: string): void {
    this.exact.set(path, (this.exact.get(path) ?? 0) + 1);
    for (const a of ancestorsOf(path)) this.below.set(a, (this.below.get(a) ?? 0) + 1);
    if (path !== '') this.below.set('', (this.below.get('') ?? 0) + 1);
  }
  /** Release one lock of `path`. */
  delete(path: string): void {
    dec(this.exact, path);
    for (const a of ancestorsOf(path)) dec(this.below, a);
    if (path !== '') dec(this.below, '');
  }
  /** True when `path` equals, contains or lies within a locked path. */
  overlaps(path: string): boolean {
    if (this.exact.has(path) || this.below.has(path) || this.exact.has('')) return true;
    return ancestorsOf(path).some((a) => this.exact.has(a));
  }
  /** Number of distinct locked paths. */
  get size(): number {
    return this.exact.size;
  }
}

function dec(m: Map<string, number>, k: string): void {
  const n = (m.get(k) ?? 0) - 1;
  if (n <= 0) m.delete(k);
  else m.set(k, n);
}
