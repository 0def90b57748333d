/**
 * The change feed of a share against a real server over TLS: seqs, devices and content ids of every operation,
 * subscriptions (snapshot, since, live pushes to another connection), changes made on the server's own disk (by an
 * explicit rescan and by the real watcher), no echo of the server's own writes, epochs across clean and unclean
 * restarts, compaction past a client's seq, getRecipe.
 */
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '../../../test/helpers/trees';
import { CHANGES_PAGE_ENTRIES, PROTOCOL_VERSION } from '../../../src-shared/protocol/limits';
import type { FeedEntry, ServerMessage } from '../../../src-shared/protocol/messages';
import { DEFAULT_CHUNKING } from '../chunking/fastcdc';
import { computeRecipe, decodeRecipe, encodeRecipe, recipeDigest, recipeOfBuffer } from '../chunking/recipe';
import type { ChangeFeedOptions } from './share-changes';
import { pseudoRandom, sha256, startServerFixture, type RawClient, type ServerFixture } from './test-harness';

type Changes = Extract<ServerMessage, { type: 'changes' }>;

const fixtures: ServerFixture[] = [];
afterEach(async () => {
  for (const fx of fixtures.splice(0)) await fx.close();
  await cleanupTempDirs();
});

/** Deterministic by default: no watcher, no periodic rescan, no settle time. */
const QUIET: ChangeFeedOptions = { watch: false, rescanIntervalMs: 0, settleMs: 0 };

async function start(base?: string, changeFeed: ChangeFeedOptions = QUIET): Promise<{ fx: ServerFixture; base: string; root: string }> {
  const b = base ?? (await tempDir());
  const fx = await startServerFixture(b, { changeFeed });
  fixtures.push(fx);
  await fx.server.share('main')!.changes.start();
  return { fx, base: b, root: fx.roots.main! };
}

/** A connected client with a known clientId (the feed's device). */
async function clientAs(fx: ServerFixture, clientId: string, token = fx.token): Promise<RawClient> {
  const c = await fx.client({ hello: false });
  await c.request({ type: 'hello', protocolVersion: PROTOCOL_VERSION, clientId, share: 'main', token });
  return c;
}

/** A subscription: every `changes` frame as it arrives. */
function subscribe(c: RawClient, since?: number, epoch?: string) {
  const frames: Changes[] = [];
  const waiters: (() => void)[] = [];
  const header: Record<string, unknown> = { type: 'subscribe' };
  if (since !== undefined) header.since = since;
  if (epoch !== undefined) header.epoch = epoch;
  c.conn.request(header, undefined, (f) => {
    if (f.header.type === 'changes') frames.push(f.header);
    for (const w of waiters.splice(0)) w();
    return true;
  }).catch(() => undefined); // never answered for good: ends with the connection
  /** Resolves once `pred` holds for the frames so far (re-checked on each frame). */
  const until = async (pred: (fs: Changes[]) => boolean): Promise<Changes[]> => {
    while (!pred(frames)) await new Promise<void>((r) => waiters.push(r));
    return frames;
  };
  const entries = (): FeedEntry[] => frames.flatMap((f) => f.entries);
  return { frames, until, entries, caughtUp: () => until((fs) => fs.some((f) => f.caughtUp)) };
}

const T = 1_700_000_000_000;
const byPath = (es: FeedEntry[], p: string): FeedEntry | undefined => es.filter((e) => e.path === p).at(-1);

describe('change feed', () => {
  it('gives every operation a seq, the client as device and the content id it announced', async () => {
    const { fx } = await start();
    const a = await clientAs(fx, 'dev-A');
    const feed = fx.server.share('main')!.changes.feed;
    const small = Buffer.from('hello feed');
    const big = pseudoRandom(300 * 1024, 7);
    await a.request({ type: 'mkdir', path: 'd', mode: 0o755, mtimeMs: T });
    await a.put('d/small.txt', small, { mtimeMs: T });
    const b1 = Buffer.from('one');
    const b2 = Buffer.from('two!');
    await a.request(
      {
        type: 'putBatch',
        files: [
          { path: 'd/b1', size: b1.length, mtimeMs: T, mode: 0o644, hash: sha256(b1), base: null },
          { path: 'd/b2', size: b2.length, mtimeMs: T, mode: 0o600, hash: sha256(b2), base: null },
        ],
      },
      Buffer.concat([b1, b2]),
    );
    const up = await a.upload('d/big.bin', big, { mtimeMs: T });
    await a.request({ type: 'symlink', path: 'd/link', target: 'small.txt', mtimeMs: T });
    await a.request({ type: 'setMeta', path: 'd/small.txt', mode: 0o600, mtimeMs: T + 5000 });
    const before = feed.seq;
    await a.request({ type: 'move', from: 'd', to: 'e' });
    await fx.server.share('main')!.changes.refresher.idle();
    await a.request({ type: 'remove', path: 'e/b1' });

    const s = subscribe(a);
    const snap = (await s.caughtUp()).flatMap((f) => f.entries);
    expect(s.frames[0]!.reset).toBe(true);
    expect(snap.map((e) => e.path)).toEqual(['e', 'e/b2', 'e/big.bin', 'e/link', 'e/small.txt']);
    for (const e of snap) expect(e.device).toBe('dev-A');
    expect(byPath(snap, 'e/small.txt')).toMatchObject({ kind: 'file', hash: sha256(small), mode: 0o600, mtimeMs: T + 5000 });
    expect(byPath(snap, 'e/b2')).toMatchObject({ kind: 'file', hash: sha256(b2), mode: 0o600 });
    // Large files: the recipe digest with the default chunking, as the upload announced.
    // (The raw client announced the whole-file hash: the server derives the content id from the recipe it sent.)
    const bigId = recipeDigest(encodeRecipe(up.recipe.chunks));
    expect(byPath(snap, 'e/big.bin')!.hash).toBe(bigId);
    expect(bigId).toBe(recipeDigest(encodeRecipe(recipeOfBuffer(big).chunks)));
    expect(byPath(snap, 'e/link')).toMatchObject({ kind: 'symlink', target: 'small.txt' });
    // The folder move: tombstones for every old path, the new ones carry the content ids over.
    for (const p of ['d', 'd/small.txt', 'd/b1', 'd/b2', 'd/big.bin', 'd/link']) expect(feed.get(p)).toMatchObject({ kind: 'gone', device: 'dev-A' });
    expect(feed.get('e/b1')).toMatchObject({ kind: 'gone' });
    // Since before the move, one frame in applicable order: deletions deepest first, then parents first.
    const b = await clientAs(fx, 'dev-B');
    const since = subscribe(b, before, feed.epoch);
    const [frame] = await since.caughtUp();
    expect(frame!.entries.map((e) => `${e.kind === 'gone' ? '-' : '+'}${e.path}`)).toEqual(
      ['-e/b1', '-d/small.txt', '-d/link', '-d/big.bin', '-d/b2', '-d/b1', '-d', '+e', '+e/b2', '+e/big.bin', '+e/link', '+e/small.txt'],
    );
    expect(frame!.seq).toBe(feed.seq);
    // The listing carries the same content ids.
    const listed = await a.list();
    expect(listed.find((e) => e.path === 'e/big.bin')!.hash).toBe(bigId);
    expect(listed.find((e) => e.path === 'e/small.txt')!.hash).toBe(sha256(small));
  });

  it('answers since s with only newer changes and a snapshot for a foreign epoch', async () => {
    const { fx } = await start();
    const a = await clientAs(fx, 'dev-A');
    await a.put('x', Buffer.from('x1'), { mtimeMs: T });
    const feed = fx.server.share('main')!.changes.feed;
    const s0 = feed.seq;
    await a.put('y', Buffer.from('y1'), { mtimeMs: T });
    await a.put('x', Buffer.from('x2'), { mtimeMs: T + 1000 });
    const s = subscribe(a, s0, feed.epoch);
    const frames = await s.caughtUp();
    expect(frames[0]!.reset).toBe(false);
    expect(s.entries().map((e) => e.path)).toEqual(['x', 'y']); // one frame: parents-first path order
    expect(byPath(s.entries(), 'x')!.seq).toBeGreaterThan(byPath(s.entries(), 'y')!.seq);
    expect(byPath(s.entries(), 'x')!.hash).toBe(sha256(Buffer.from('x2')));
    expect(frames.at(-1)!.seq).toBe(feed.seq);
    // Up to date: one empty page, caught up.
    const b = await clientAs(fx, 'dev-B');
    const up = subscribe(b, feed.seq, feed.epoch);
    expect((await up.caughtUp())[0]).toMatchObject({ reset: false, caughtUp: true, entries: [] });
    // Folders a write creates on its way get records too, by the same device, before the file.
    await a.put('p/q/r.txt', Buffer.from('deep'), { mtimeMs: T });
    expect(feed.get('p')).toMatchObject({ kind: 'dir', device: 'dev-A' });
    expect(feed.get('p/q')!.seq).toBeLessThan(feed.get('p/q/r.txt')!.seq);
    const c = await clientAs(fx, 'dev-C');
    const other = subscribe(c, s0, 'another-epoch');
    expect((await other.caughtUp())[0]!.reset).toBe(true);
    expect(other.entries().map((e) => e.path)).toEqual(['p', 'p/q', 'p/q/r.txt', 'x', 'y']);
  });

  it('pages a large catch-up and pushes live changes to another connection', async () => {
    const { fx } = await start();
    const a = await clientAs(fx, 'dev-A');
    const n = CHANGES_PAGE_ENTRIES + 50;
    const files = Array.from({ length: n }, (_, i) => ({ path: `f${i}`, data: Buffer.from(`file ${i}`) }));
    await a.request(
      { type: 'putBatch', files: files.map((f) => ({ path: f.path, size: f.data.length, mtimeMs: T, mode: 0o644, hash: sha256(f.data), base: null })) },
      Buffer.concat(files.map((f) => f.data)),
    );
    const b = await clientAs(fx, 'dev-B');
    const s = subscribe(b);
    const frames = await s.caughtUp();
    expect(frames.length).toBe(2);
    expect(frames.map((f) => [f.reset, f.caughtUp])).toEqual([[true, false], [false, true]]);
    expect(s.entries().length).toBe(n);
    // A write by A reaches B live, and A's own subscription too (device = A).
    const own = subscribe(a, fx.server.share('main')!.changes.feed.seq, frames[0]!.epoch);
    await own.caughtUp();
    await a.put('live.txt', Buffer.from('live'), { mtimeMs: T });
    await s.until((fs) => fs.some((f) => f.entries.some((e) => e.path === 'live.txt')));
    await own.until((fs) => fs.some((f) => f.entries.some((e) => e.path === 'live.txt')));
    const pushed = s.frames.find((f) => f.entries.some((e) => e.path === 'live.txt'))!;
    expect(pushed).toMatchObject({ reset: false, caughtUp: true });
    expect(byPath(pushed.entries, 'live.txt')).toMatchObject({ device: 'dev-A', hash: sha256(Buffer.from('live')) });
    expect(pushed.seq).toBe(byPath(pushed.entries, 'live.txt')!.seq);
  });

  it('coalesces live changes while a subscriber does not read (latest per path once the socket drains)', async () => {
    const { fx, root } = await start();
    const a = await clientAs(fx, 'dev-A');
    const b = await clientAs(fx, 'dev-B');
    const feed = fx.server.share('main')!.changes.feed;
    await writeFile(join(root, 'filler.bin'), pseudoRandom(16 * 1024 * 1024, 5));
    const s = subscribe(b, feed.seq, feed.epoch);
    await s.caughtUp();
    // B stops reading; a 16 MiB answer then fills its connection's buffers, so the server's next frames wait for 'drain'.
    b.conn.pauseReading();
    const filler = b.request({ type: 'get', path: 'filler.bin', area: 'share', offset: 0, length: 16 * 1024 * 1024 });
    // Wait until the answer sits in the server's socket buffer (a peek at the sessions: no public figure says so).
    const sessions = (fx.server as unknown as { sessions: Set<{ conn: { writeBuffered: number } }> }).sessions;
    for (let i = 0; i < 10_000 && ![...sessions].some((x) => x.conn.writeBuffered > 8 * 1024 * 1024); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    for (let i = 0; i < 50; i++) await a.put('hot.txt', Buffer.from(`version ${i}`), { mtimeMs: T + i * 1000 });
    const last = feed.get('hot.txt')!.seq;
    b.conn.resumeReading();
    await filler;
    await s.until((fs) => fs.some((f) => f.entries.some((e) => e.path === 'hot.txt' && e.seq === last)));
    const hot = s.entries().filter((e) => e.path === 'hot.txt');
    expect(hot.length).toBeLessThanOrEqual(2); // at most one frame written before the buffer filled, then the latest
    expect(hot.at(-1)!.hash).toBe(sha256(Buffer.from('version 49')));
  });

  it('announces edits on the server disk (device server) after a rescan, and never re-announces its own writes', async () => {
    const { fx, root } = await start();
    const a = await clientAs(fx, 'dev-A');
    const changes = fx.server.share('main')!.changes;
    await a.put('mine.txt', Buffer.from('mine'), { mtimeMs: T });
    await a.upload('sub/big.bin', pseudoRandom(200 * 1024, 3), { mtimeMs: T });
    await a.request({ type: 'setMeta', path: 'sub', mode: 0o755, mtimeMs: T });
    await changes.rescan();
    const settled = changes.feed.seq;
    await changes.rescan();
    expect(changes.feed.seq).toBe(settled); // the server's own writes: nothing new

    const big = pseudoRandom(400 * 1024, 9);
    await writeFile(join(root, 'local.txt'), 'made on the server');
    await mkdir(join(root, 'ldir'));
    await writeFile(join(root, 'ldir', 'big.bin'), big);
    await symlink('local.txt', join(root, 'ldir', 'ln'));
    await chmod(join(root, 'mine.txt'), 0o600);
    await changes.rescan();
    const feed = changes.feed;
    expect(feed.get('local.txt')).toMatchObject({ kind: 'file', device: 'server', hash: sha256(Buffer.from('made on the server')) });
    expect(feed.get('ldir')).toMatchObject({ kind: 'dir', device: 'server' });
    expect(feed.get('ldir/big.bin')!.hash).toBe((await computeRecipe(join(root, 'ldir', 'big.bin'), DEFAULT_CHUNKING, 'recipe')).hash);
    expect(feed.get('ldir/ln')).toMatchObject({ kind: 'symlink', target: 'local.txt', device: 'server' });
    // Mode only: same content id, now by the server.
    expect(feed.get('mine.txt')).toMatchObject({ mode: 0o600, device: 'server', hash: sha256(Buffer.from('mine')) });
    expect(feed.get('ldir')!.seq).toBeLessThan(feed.get('ldir/big.bin')!.seq);
    const after = feed.seq;
    await changes.rescan();
    expect(feed.seq).toBe(after);
    const { rm } = await import('node:fs/promises');
    await rm(join(root, 'ldir'), { recursive: true });
    await changes.rescan();
    expect(feed.get('ldir')).toMatchObject({ kind: 'gone', device: 'server' });
    expect(feed.get('ldir/big.bin')).toMatchObject({ kind: 'gone', device: 'server' });
  });

  it('finds a server-side edit with the real watcher and pushes it', async () => {
    const { fx, root } = await start(undefined, { watch: true, rescanIntervalMs: 0, settleMs: 0 });
    const a = await clientAs(fx, 'dev-A');
    const s = subscribe(a);
    await s.caughtUp();
    await writeFile(join(root, 'watched.txt'), 'seen by the watcher');
    const frames = await s.until((fs) => fs.some((f) => f.entries.some((e) => e.path === 'watched.txt' && e.hash !== undefined)));
    const e = byPath(frames.flatMap((f) => f.entries), 'watched.txt')!;
    expect(e).toMatchObject({ device: 'server', kind: 'file', hash: sha256(Buffer.from('seen by the watcher')) });
  });

  it('waits for a file written on the server to settle before announcing it', async () => {
    const { fx, root } = await start(undefined, { watch: false, rescanIntervalMs: 0, settleMs: 60_000 });
    const changes = fx.server.share('main')!.changes;
    await writeFile(join(root, 'growing.log'), 'part 1');
    await changes.refresher.refreshTree('', 'server', { disk: true });
    expect(changes.feed.get('growing.log')).toBeUndefined(); // held until it stays still for settleMs
    changes.refresher.settleMs = 0;
    await changes.rescan();
    expect(changes.feed.get('growing.log')).toMatchObject({ device: 'server', hash: sha256(Buffer.from('part 1')) });
  });

  it('keeps epoch and seq across a clean restart, takes a new epoch after an unclean one', async () => {
    const first = await start();
    const a = await clientAs(first.fx, 'dev-A');
    await a.put('p.txt', Buffer.from('persisted'), { mtimeMs: T });
    await a.request({ type: 'mkdir', path: 'folder', mode: 0o755, mtimeMs: T });
    await a.put('folder/q.txt', Buffer.from('q'), { mtimeMs: T });
    const { epoch, seq } = first.fx.server.share('main')!.changes.feed;
    await first.fx.close();
    fixtures.splice(fixtures.indexOf(first.fx), 1);

    const second = await start(first.base);
    const feed2 = second.fx.server.share('main')!.changes.feed;
    expect([feed2.epoch, feed2.seq]).toEqual([epoch, seq]);
    expect(feed2.get('folder/q.txt')).toMatchObject({ device: 'dev-A', hash: sha256(Buffer.from('q')) });
    const b = await clientAs(second.fx, 'dev-B', first.fx.token);
    const s = subscribe(b, seq, epoch);
    expect((await s.caughtUp())[0]).toMatchObject({ reset: false, entries: [] });
    // An edit made while the server is down gets a new seq at the next start.
    await second.fx.server.share('main')!.changes.close(false); // as if killed: no clean mark
    await second.fx.close();
    fixtures.splice(fixtures.indexOf(second.fx), 1);
    await writeFile(join(first.root, 'offline.txt'), 'while down');

    // A long settle time does not hold the rescan at start back (what changed while down is complete).
    const third = await start(first.base, { ...QUIET, settleMs: 60_000 });
    const feed3 = third.fx.server.share('main')!.changes.feed;
    expect(feed3.epoch).not.toBe(epoch);
    expect(feed3.seq).toBeGreaterThan(seq);
    expect(feed3.get('offline.txt')).toMatchObject({ device: 'server', hash: sha256(Buffer.from('while down')) });
    const c = await clientAs(third.fx, 'dev-C', first.fx.token);
    const s3 = subscribe(c, seq, epoch);
    await s3.caughtUp();
    expect(s3.frames[0]!.reset).toBe(true);
    expect(s3.entries().map((e) => e.path).sort()).toEqual(['folder', 'folder/q.txt', 'offline.txt', 'p.txt']);
  });

  it('sends a snapshot to a client whose seq was compacted away', async () => {
    const { fx } = await start(undefined, { ...QUIET, retention: { maxTombstones: 0 } });
    const a = await clientAs(fx, 'dev-A');
    const changes = fx.server.share('main')!.changes;
    await a.put('keep', Buffer.from('k'), { mtimeMs: T });
    await a.put('drop', Buffer.from('d'), { mtimeMs: T });
    const seen = changes.feed.seq;
    await a.request({ type: 'remove', path: 'drop' });
    const tomb = changes.feed.get('drop')!.seq;
    expect(changes.compact()).toBe(1);
    expect(changes.feed.floor).toBe(tomb);
    expect(changes.feed.get('drop')).toBeUndefined();
    const s = subscribe(a, seen, changes.feed.epoch);
    await s.caughtUp();
    expect(s.frames[0]!.reset).toBe(true);
    expect(s.entries().map((e) => e.path)).toEqual(['keep']);
    const b = await clientAs(fx, 'dev-B');
    const s2 = subscribe(b, tomb, changes.feed.epoch);
    expect((await s2.caughtUp())[0]).toMatchObject({ reset: false, entries: [] });
  });

  it('answers getRecipe with the recipe and content id of the file, NOT_FOUND and PATH_INVALID like get', async () => {
    const { fx, root } = await start();
    const a = await clientAs(fx, 'dev-A');
    const big = pseudoRandom(700 * 1024, 11);
    await writeFile(join(root, 'disk.bin'), big);
    await a.upload('up.bin', pseudoRandom(500 * 1024, 12), { mtimeMs: T });
    await a.put('small.txt', Buffer.from('small'), { mtimeMs: T });
    await mkdir(join(root, 'dir'));
    await symlink('small.txt', join(root, 'ln'));
    for (const p of ['disk.bin', 'up.bin', 'small.txt']) {
      const res = await a.request({ type: 'getRecipe', path: p });
      const h = res.header as Extract<ServerMessage, { type: 'recipe' }>;
      const want = await computeRecipe(join(root, p), DEFAULT_CHUNKING, p === 'small.txt' ? 'file' : 'recipe');
      expect(decodeRecipe(res.payload, h.chunkCount)).toEqual(want.chunks.map((c) => ({ hash: c.hash, length: c.length })));
      expect(h.hash).toBe(want.hash);
      expect(h.size).toBe(want.size);
    }
    expect(await a.errorCode({ type: 'getRecipe', path: 'missing' })).toBe('NOT_FOUND');
    expect(await a.errorCode({ type: 'getRecipe', path: 'dir' })).toBe('PATH_INVALID');
    expect(await a.errorCode({ type: 'getRecipe', path: 'ln' })).toBe('PATH_INVALID');
  });
});
