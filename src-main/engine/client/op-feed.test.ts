import { describe, expect, it } from 'vitest';
import { feedWindow, OpFeed, type FeedQueue } from './op-feed';
import { describeOp, type PlanItem, type SyncOp } from '../core/operations';

/** A queue that only records what it was given. */
function fakeQueue() {
  const ops: SyncOp[] = [];
  let cleared = 0;
  const q: FeedQueue & { ops: SyncOp[]; cleared: () => number } = {
    ops,
    cleared: () => cleared,
    pushAll: (xs) => void ops.push(...xs),
    clear: () => {
      cleared += ops.length;
      ops.length = 0;
    },
    get size() {
      return ops.length;
    },
  };
  return q;
}

/** Start and finish every operation the queue holds, in order, as the transfer queue would; what ran. */
function runAll(feed: OpFeed, q: ReturnType<typeof fakeQueue>): string[] {
  const ran: string[] = [];
  while (q.ops.length > 0) {
    const op = q.ops.shift() as SyncOp;
    feed.started(op);
    ran.push(describeOp(op));
    feed.finished(op);
  }
  return ran;
}

const file = (path: string, size = 10): PlanItem => ({ kind: 'file', path, size, mtimeMs: 1_700_000_000_123, mode: 0o644, ino: 7 });

describe('OpFeed', () => {
  it('hands items over in order, a window at a time, as operations start and finish', () => {
    const q = fakeQueue();
    const feed = new OpFeed(q, 4);
    const items: PlanItem[] = [{ kind: 'mkdir', path: 'd', mode: 0o755, mtimeMs: 1 }, ...Array.from({ length: 10 }, (_, i) => file(`d/f${i}`))];
    feed.push(items);
    expect(q.ops.length).toBeGreaterThanOrEqual(4);
    expect(q.ops.length).toBeLessThan(items.length);
    expect(feed.size).toBe(items.length);
    expect(runAll(feed, q)).toEqual(['mkdir d', ...Array.from({ length: 10 }, (_, i) => `upload d/f${i}`)]);
    expect(feed.size).toBe(0);
  });

  it('makes an upload operation with every field of the entry', () => {
    const q = fakeQueue();
    new OpFeed(q, 8).push([{ kind: 'file', path: 'é', diskPath: 'e\u0301', size: 3, mtimeMs: 5, mode: 0o600, ino: 9 }]);
    expect(q.ops).toEqual([{ kind: 'upload', path: 'é', diskPath: 'e\u0301', size: 3, mtimeMs: 5, mode: 0o600, ino: 9 }]);
  });

  it('counts pending uploads and their bytes until they finish', () => {
    const q = fakeQueue();
    const feed = new OpFeed(q, 2);
    feed.push([file('a', 1), { kind: 'remove', path: 'x' }, file('b', 2), file('c', 4)]);
    expect([feed.pendingFiles, feed.pendingBytes]).toEqual([3, 7]);
    const first = q.ops.shift() as SyncOp;
    feed.started(first);
    feed.finished(first);
    expect([feed.pendingFiles, feed.pendingBytes]).toEqual([2, 6]);
  });

  it('drops what has not started on clear, and forgets the counts only on resetCounts', () => {
    const q = fakeQueue();
    const feed = new OpFeed(q, 2);
    feed.push([file('a', 1), file('b', 2), file('c', 4), file('d', 8)]);
    const running = q.ops.shift() as SyncOp;
    feed.started(running);
    feed.clear();
    expect(feed.size).toBe(0);
    expect([feed.pendingFiles, feed.pendingBytes]).toEqual([4, 15]);
    feed.resetCounts();
    // An operation still running when the counts were reset is not counted down again.
    feed.finished(running);
    expect([feed.pendingFiles, feed.pendingBytes]).toEqual([0, 0]);
    feed.push([file('e', 16)]);
    expect([feed.pendingFiles, feed.pendingBytes]).toEqual([1, 16]);
    expect(q.ops.map(describeOp)).toEqual(['upload e']);
  });

  it('keeps items pushed while others wait after them', () => {
    const q = fakeQueue();
    const feed = new OpFeed(q, 1);
    feed.push([file('a'), file('b')]);
    feed.push([file('c')]);
    expect(runAll(feed, q)).toEqual(['upload a', 'upload b', 'upload c']);
  });

  it('keeps more operations queued than the queue looks ahead, with all of its concurrency started', () => {
    expect(feedWindow(1024)).toBeGreaterThan(4096 + 1024);
  });
});
