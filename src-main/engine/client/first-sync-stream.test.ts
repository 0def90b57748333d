import { describe, expect, it } from 'vitest';
import type { PlanItem } from '../core/operations';
import type { Tree, TreeEntry } from '../core/tree';
import { FirstSyncStream } from './first-sync-stream';

const dir = (path: string, mode = 0o755): TreeEntry => ({ path, kind: 'dir', size: 0, mtimeMs: 1_700_000_000_000, mode, ino: 1 });
const file = (path: string, size = 3): TreeEntry => ({ path, kind: 'file', size, mtimeMs: 1_700_000_000_000, mode: 0o644, ino: 2 });
const link = (path: string, target: string): TreeEntry => ({ path, kind: 'symlink', size: target.length, mtimeMs: 1_700_000_000_000, mode: 0o777, ino: 3, target });

function world() {
  const queued: PlanItem[][] = [];
  let adopted: Tree | null = null;
  const projected: Tree = new Map();
  const stream = new FirstSyncStream({
    begin: (remote) => {
      adopted = remote;
      return projected;
    },
    enqueue: (items) => queued.push(items),
  });
  return { stream, queued, projected, adopted: () => adopted };
}

const described = (items: PlanItem[]) => items.map((x) => `${x.kind} ${'path' in x ? x.path : x.from}`);

describe('FirstSyncStream', () => {
  it('holds folders scanned before the listing, then plans them and every later folder at once, parents first', () => {
    const w = world();
    w.stream.folder([file('b.txt'), dir('a')]);
    expect(w.queued).toEqual([]);
    const empty: Tree = new Map();
    w.stream.listed(empty);
    expect(w.adopted()).toBe(empty);
    expect(w.stream.streamed).toBe(true);
    w.stream.folder([file('a/x.txt'), link('a/l', 'x.txt'), dir('a/sub')]);
    w.stream.folder([file('a/sub/deep.bin', 9)]);
    w.stream.end();
    w.stream.folder([file('a/sub/late.txt')]);
    expect(w.queued.map(described)).toEqual([
      ['mkdir a', 'file b.txt'],
      ['mkdir a/sub', 'symlink a/l', 'file a/x.txt'],
      ['file a/sub/deep.bin'],
    ]);
    // Applied to the projected tree, so the plan of the whole scan finds nothing left to do for them.
    expect([...w.projected.keys()].sort()).toEqual(['a', 'a/l', 'a/sub', 'a/sub/deep.bin', 'a/x.txt', 'b.txt']);
  });

  it('creates a folder without owner access writable and leaves its mode for the final plan (after its contents)', () => {
    const w = world();
    w.stream.listed(new Map());
    w.stream.folder([dir('ro', 0o555)]);
    expect(w.queued).toEqual([[{ kind: 'mkdir', path: 'ro', mode: 0o755, mtimeMs: 1_700_000_000_000 }]]);
    expect(w.projected.get('ro')?.mode).toBe(0o755);
  });

  it('a share that is not empty turns streaming off: nothing is queued, before or after', () => {
    const w = world();
    w.stream.folder([file('a.txt')]);
    w.stream.listed(new Map([['old.txt', file('old.txt')]]));
    w.stream.folder([file('b.txt')]);
    expect(w.queued).toEqual([]);
    expect(w.adopted()).toBeNull();
    expect(w.stream.streamed).toBe(false);
  });

  it('a scan that ends before the listing streams nothing', () => {
    const w = world();
    w.stream.folder([file('a.txt')]);
    w.stream.end();
    w.stream.listed(new Map());
    expect(w.queued).toEqual([]);
    expect(w.adopted()).toBeNull();
  });
});
