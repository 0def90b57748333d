/** The in-memory feed and its file format: seq order, superseded records, compaction and floor, round trip. */
import { describe, expect, it } from 'vitest';
import { decodeFeed, encodeFeedSliced } from './feed-store';
import { orderForFeed, ShareFeed, tombstone, type FeedChange } from './share-feed';

const file = (path: string, size = 1, device = 'd1'): FeedChange => ({ path, kind: 'file', size, mtimeMs: 5, mode: 0o644, ino: 1, device });

describe('ShareFeed', () => {
  it('keeps the latest record per path and answers since s in seq order', () => {
    const f = new ShareFeed('e');
    f.set(file('a'));
    f.set(file('b'));
    f.set(file('a', 2));
    expect(f.seq).toBe(3);
    expect(f.since(0).map((r) => [r.path, r.seq])).toEqual([['b', 2], ['a', 3]]);
    expect(f.since(2).map((r) => r.path)).toEqual(['a']);
    expect(f.since(3)).toEqual([]);
    expect(f.since(0, 1).map((r) => r.path)).toEqual(['b']);
  });

  it('drops tombstones by age and count, oldest first, raising the floor', () => {
    const f = new ShareFeed('e');
    f.set(file('x'), 1000);
    f.set(tombstone('old', 'd1'), 1000);
    f.set(tombstone('mid', 'd1'), 5000);
    f.set(tombstone('new', 'd1'), 9000);
    expect(f.compact({ tombstoneMaxAgeMs: 3000, maxTombstones: 10 }, 9000)).toBe(2); // older than 6000
    expect(f.floor).toBe(3);
    expect(f.compact({ tombstoneMaxAgeMs: 1e9, maxTombstones: 0 }, 9000)).toBe(1);
    expect(f.floor).toBe(4);
    expect(f.snapshot().map((r) => r.path)).toEqual(['x']);
  });

  it('orders changes for application: deletions deepest first, then parents first', () => {
    const got = orderForFeed([file('a/b'), tombstone('z', 'd'), tombstone('z/y', 'd'), { ...file('a'), kind: 'dir' as const }]);
    expect(got.map((c) => c.path)).toEqual(['z/y', 'z', 'a', 'a/b']);
  });

  it('survives its file format in slices (devices, hashes, targets, tombstones)', async () => {
    const f = new ShareFeed('ep', 0, 2);
    for (let i = 0; i < 12_001; i++) {
      const c: FeedChange = i % 7 === 0 ? tombstone(`p${i}`, `d${i % 4}`) : { ...file(`p${i}`, i, `d${i % 4}`), ...(i % 3 ? { hash: 'ab'.repeat(32) } : {}) };
      if (i % 11 === 0 && c.kind !== 'gone') c.target = 't';
      f.set(c, 1000 + i);
    }
    const back = decodeFeed(await encodeFeedSliced(f.state()))!;
    expect(back).toEqual(f.state());
    expect(decodeFeed('{"format":99}')).toBeNull();
    expect(decodeFeed('not json')).toBeNull();
  });
});
