import { describe, expect, it } from 'vitest';
import { TransferQueue } from './transfer-queue';
import { describeOp, type SyncOp } from '../core/operations';

const up = (path: string): SyncOp => ({ kind: 'upload', path, size: 1, mtimeMs: 1, mode: 0o644 });

/** A queue whose operations finish only when the test says so. */
function harness(concurrency = 64, heavy?: (op: SyncOp) => boolean, maxBytes = Infinity) {
  const running = new Map<string, () => void>();
  const started: string[] = [];
  const q = new TransferQueue(
    (op) =>
      new Promise<void>((r) => {
        started.push(describeOp(op));
        running.set(describeOp(op), r);
      }),
    concurrency,
    heavy,
    2,
    (op) => (op.kind === 'upload' ? op.size : 0),
    maxBytes,
  );
  const finish = async (what: string) => {
    const r = running.get(what);
    if (!r) throw new Error(`${what} is not running (running: ${[...running.keys()].join(', ')})`);
    running.delete(what);
    r();
    // The queue starts what became startable in its next turn (one pump per turn).
    for (let i = 0; i < 2; i++) await new Promise((res) => setImmediate(res));
  };
  return { q, started, running, finish };
}

describe('TransferQueue', () => {
  it('runs non-overlapping operations together', () => {
    const h = harness();
    h.q.push(up('a'));
    h.q.push(up('b'));
    h.q.push(up('c/d'));
    expect(h.started).toEqual(['upload a', 'upload b', 'upload c/d']);
  });

  it('never runs overlapping paths at once and keeps their order', async () => {
    const h = harness();
    h.q.push({ kind: 'mkdir', path: 'd', mode: 0o755, mtimeMs: 1 });
    h.q.push(up('d/x'));
    h.q.push(up('e'));
    h.q.push({ kind: 'remove', path: 'd/x' });
    expect(h.started).toEqual(['mkdir d', 'upload e']);
    await h.finish('mkdir d');
    expect(h.started).toEqual(['mkdir d', 'upload e', 'upload d/x']);
    await h.finish('upload d/x');
    expect(h.started.at(-1)).toBe('remove d/x');
  });

  it('locks both ends of a move', async () => {
    const h = harness();
    h.q.push({ kind: 'move', from: 'a', to: 'b/c' });
    h.q.push(up('b'));
    h.q.push(up('a/x'));
    h.q.push(up('z'));
    expect(h.started).toEqual(['move a → b/c', 'upload z']);
    await h.finish('move a → b/c');
    expect(h.started).toEqual(['move a → b/c', 'upload z', 'upload b', 'upload a/x']);
  });

  it('keeps the bytes of running operations under the budget, but always runs one', async () => {
    const h = harness(64, undefined, 10);
    const sized = (path: string, size: number): SyncOp => ({ kind: 'upload', path, size, mtimeMs: 1, mode: 0o644 });
    h.q.pushAll([sized('a', 4), sized('b', 4), sized('c', 4), { kind: 'mkdir', path: 'm', mode: 0o755, mtimeMs: 1 }, sized('huge', 50)]);
    // c would make 12 > 10; the mkdir holds no bytes; huge waits until nothing runs.
    expect(h.started).toEqual(['upload a', 'upload b', 'mkdir m']);
    await h.finish('upload a');
    expect(h.started.at(-1)).toBe('upload c');
    for (const p of ['upload b', 'upload c', 'mkdir m']) await h.finish(p);
    expect(h.started.at(-1)).toBe('upload huge');
  });

  it('respects the concurrency limit and reports idle', async () => {
    const h = harness(2);
    for (const p of ['a', 'b', 'c']) h.q.push(up(p));
    expect(h.started).toHaveLength(2);
    let idle = false;
    void h.q.idle().then(() => (idle = true));
    await h.finish('upload a');
    expect(h.started).toHaveLength(3);
    await h.finish('upload b');
    await h.finish('upload c');
    expect(idle).toBe(true);
    expect(h.q.size).toBe(0);
  });

  it('starts nothing while paused and drops queued work on clear', async () => {
    const h = harness(1);
    h.q.push(up('a'));
    h.q.push(up('b'));
    h.q.pause();
    await h.finish('upload a');
    expect(h.started).toEqual(['upload a']);
    h.q.clear();
    h.q.resume();
    expect(h.started).toEqual(['upload a']);
    await h.q.idle();
  });

  it('runs at most two heavy operations at once, light ones beside them', async () => {
    const h = harness(64, (op) => op.kind === 'upload' && op.size > 100);
    const big = (p: string): SyncOp => ({ kind: 'upload', path: p, size: 1000, mtimeMs: 1, mode: 0o644 });
    h.q.push(big('b1'));
    h.q.push(big('b2'));
    h.q.push(big('b3'));
    h.q.push(up('small'));
    expect(h.started).toEqual(['upload b1', 'upload b2', 'upload small']);
    await h.finish('upload b1');
    expect(h.started.at(-1)).toBe('upload b3');
  });
});
