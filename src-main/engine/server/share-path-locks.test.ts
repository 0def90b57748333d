import { describe, expect, it } from 'vitest';
import { SharePathLocks } from './share-path-locks';

/** Let every settled promise run its callbacks. */
const settle = () => new Promise((r) => setImmediate(r));

describe('SharePathLocks', () => {
  it('runs unrelated paths at once and overlapping ones one after the other, in arrival order', async () => {
    const locks = new SharePathLocks();
    const order: string[] = [];
    const take = (name: string, paths: string[]) => locks.lock(paths).then((release) => (order.push(name), release));
    const a = take('a/x', ['a/x']);
    const b = take('b', ['b']);
    const move = take('move a', ['a', 'a-away']);
    const link = take('symlink a', ['a']);
    const put = take('a/y', ['a/y']); // unrelated to a/x, but queued behind the waiting move of its folder
    await settle();
    expect(order).toEqual(['a/x', 'b']);
    (await a)();
    await settle();
    expect(order).toEqual(['a/x', 'b', 'move a']);
    (await move)();
    await settle();
    expect(order).toEqual(['a/x', 'b', 'move a', 'symlink a']);
    (await link)();
    await settle();
    expect(order.at(-1)).toBe('a/y');
    (await put)();
    (await b)();
    expect(locks.stats).toEqual({ held: 0, waiting: 0 });
  });

  it('releases on failure, and a second release call does not free a lock held by another', async () => {
    const locks = new SharePathLocks();
    await expect(locks.run(['f'], () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const r1 = await locks.lock(['f']);
    r1();
    const r2 = await locks.lock(['f']);
    r1(); // stale
    let granted = false;
    const third = locks.lock(['f']).then((r) => ((granted = true), r));
    await settle();
    expect(granted).toBe(false);
    r2();
    (await third)();
    expect(granted).toBe(true);
  });

  it('locks all paths of one request at once (no waiting for itself)', async () => {
    const locks = new SharePathLocks();
    const release = await locks.lock(['d/a', 'd/b', 'd/a']);
    expect(locks.stats.held).toBe(2);
    release();
    expect(locks.stats.held).toBe(0);
  });
});

describe('SharePathLocks, shared mode', () => {
  it('reads share with reads, never with a write; a waiting write is not overtaken by later reads', async () => {
    const locks = new SharePathLocks();
    const order: string[] = [];
    const take = (name: string, paths: string[], mode: 'shared' | 'exclusive') => locks.lock(paths, mode).then((release) => (order.push(name), release));
    const r1 = take('read a/x', ['a/x'], 'shared');
    const r2 = take('read a/x again', ['a/x'], 'shared');
    const w = take('move a', ['a'], 'exclusive');
    const r3 = take('read a/x late', ['a/x'], 'shared');
    await settle();
    expect(order).toEqual(['read a/x', 'read a/x again']);
    (await r1)();
    await settle();
    expect(order).toHaveLength(2);
    (await r2)();
    await settle();
    expect(order.at(-1)).toBe('move a');
    (await w)();
    (await r3)();
    expect(order.at(-1)).toBe('read a/x late');
    expect(locks.stats).toEqual({ held: 0, waiting: 0 });
  });
});
