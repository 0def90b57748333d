import { describe, expect, it } from 'vitest';
import { commonFolder, EventAggregator, minimalCover, toBatch, type EventBatch } from './event-aggregator';

/** Manual timers: time advances only when the test says so. */
function fakeTimers() {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    timers: {
      set: (fn: () => void, ms: number) => {
        timers.set(++seq, { at: now + ms, fn });
        return seq;
      },
      clear: (h: unknown) => void timers.delete(h as number),
    },
    advance(ms: number) {
      const end = now + ms;
      for (let guard = 0; guard < 10_000; guard++) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
  };
}

function setup(opts: { quietMs?: number; maxDelayMs?: number; maxPaths?: number } = {}) {
  const t = fakeTimers();
  const batches: EventBatch[] = [];
  const a = new EventAggregator({ ...opts, onBatch: (b) => batches.push(b), timers: t.timers });
  return { t, a, batches };
}

describe('EventAggregator', () => {
  it('coalesces a burst until the folder is quiet', () => {
    const { t, a, batches } = setup({ quietMs: 20, maxDelayMs: 1000 });
    a.push('a');
    t.advance(10);
    a.push('b');
    t.advance(10);
    a.push('a');
    t.advance(19);
    expect(batches).toEqual([]);
    t.advance(1);
    expect(batches).toEqual([{ roots: ['a', 'b'], rescan: false }]);
  });

  it('flushes a steady stream at the cap', () => {
    const { t, a, batches } = setup({ quietMs: 20, maxDelayMs: 100 });
    for (let i = 0; i < 20; i++) {
      a.push(`f${i}`);
      t.advance(10);
    }
    expect(batches.length).toBe(2);
    expect(batches[0]?.roots.length).toBe(10);
  });

  it('turns a huge burst into a rescan of the common folder', () => {
    const { t, a, batches } = setup({ maxPaths: 10 });
    for (let i = 0; i < 50; i++) a.push(`photos/2024/f${i}`);
    a.push('photos/2023/x');
    t.advance(1000);
    expect(batches).toEqual([{ roots: ['photos'], rescan: true }]);
  });

  it('rescans the whole folder after a watcher error', () => {
    const { t, a, batches } = setup();
    a.push('x');
    a.rescan();
    t.advance(1000);
    expect(batches).toEqual([{ roots: [''], rescan: true }]);
  });

  it('re-pushes a path later and forgets everything once closed', () => {
    const { t, a, batches } = setup({ quietMs: 5 });
    a.pushLater('x', 50);
    t.advance(49);
    expect(batches).toEqual([]);
    t.advance(10);
    expect(batches).toEqual([{ roots: ['x'], rescan: false }]);
    a.pushLater('y', 50);
    a.close();
    t.advance(100);
    expect(batches).toHaveLength(1);
  });
});

describe('batch roots', () => {
  it('drops paths inside other paths, not look-alike siblings', () => {
    expect(minimalCover(['a/b', 'a', 'a-b', 'a/b/c', 'c'])).toEqual(['a', 'a-b', 'c']);
  });
  it('finds the common folder', () => {
    expect(commonFolder(['a/b/c', 'a/b/d', 'a/bx'])).toBe('a');
    expect(commonFolder(['x', 'y'])).toBe('');
    expect(toBatch(['p/q', 'p/r'], 1)).toEqual({ roots: ['p'], rescan: true });
  });
});
