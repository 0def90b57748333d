import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isConflictCopy } from '../../src-main/engine/core/conflict-name';
import { cleanupTempDirs, diffSnapshots, snapshotTree, waitFor, writeTree } from '../helpers/trees';
import { startTwoWayWorld, waitWatching, type TwoWayWorld } from './two-way-fixture';
import { spawnFerry } from '../helpers/ferry-procs';

let w: TwoWayWorld;
beforeEach(async () => {
  w = await startTwoWayWorld();
});
afterEach(async () => {
  await w.close();
});
afterAll(cleanupTempDirs);

async function same(a: string, b: string): Promise<string[]> {
  return diffSnapshots(await snapshotTree(a), await snapshotTree(b));
}

async function conflictCopies(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => isConflictCopy(n)).sort();
}

describe('two-way sync between devices (real server, real TLS, real folders)', () => {
  it('new-device-gets-everything: an empty new folder joining a share downloads it all and deletes nothing', async () => {
    const a = await w.device('laptop');
    await writeTree(a.dir, { 'notes.txt': 'from the laptop', 'photos/a.jpg': Buffer.alloc(300_000, 7), 'empty-dir': { dir: true }, link: { link: 'notes.txt' } });
    const up = await a.session().runOnce();
    expect(up.filesUploaded).toBe(2);
    const b = await w.device('desktop');
    const down = await b.session().runOnce();
    expect(down.filesDownloaded).toBe(2);
    expect(down.filesDeleted).toBe(0);
    expect(await same(a.dir, b.dir)).toEqual([]);
    expect(await same(a.dir, w.share)).toEqual([]);
    expect(b.transfers.filter((t) => t.status === 'completed' && t.direction === 'down').map((t) => t.path).sort()).toEqual(['notes.txt', 'photos/a.jpg']);
  });

  it('only-one-side-changed: edits, deletes, renames and new folders on one device reach the other', async () => {
    const a = await w.device('a');
    const b = await w.device('b');
    await writeTree(a.dir, { 'keep.txt': 'k', 'edit.txt': 'v1', 'gone.txt': 'bye', 'old-name.bin': Buffer.alloc(200_000, 1), 'dir/x.txt': 'x' });
    await a.session().runOnce();
    await b.session().runOnce();
    await writeFile(join(b.dir, 'edit.txt'), 'v2 from b');
    await rm(join(b.dir, 'gone.txt'));
    await (await import('node:fs/promises')).rename(join(b.dir, 'old-name.bin'), join(b.dir, 'new-name.bin'));
    await writeTree(b.dir, { 'newdir/deep/y.txt': 'y' });
    const sb = await b.session().runOnce();
    expect(sb.moves).toBe(1);
    const sa = await a.session().runOnce();
    expect(sa.moves).toBe(1); // the rename arrives as a rename: no data
    expect(await same(a.dir, b.dir)).toEqual([]);
    expect(await readFile(join(a.dir, 'edit.txt'), 'utf8')).toBe('v2 from b');
    expect(a.transfers.some((t) => t.path === 'new-name.bin' && t.kind === 'download')).toBe(false);
  });

  it('both-changed-differently: offline edits of one file on two devices keep both contents, on every device', async () => {
    const a = await w.device('alice');
    const b = await w.device('bob');
    await writeTree(a.dir, { 'plan.md': 'original' });
    await a.session().runOnce();
    await b.session().runOnce();
    await writeFile(join(a.dir, 'plan.md'), 'alice was here');
    await writeFile(join(b.dir, 'plan.md'), 'bob was here, longer');
    await a.session().runOnce();
    const sb = await b.session().runOnce();
    expect(sb.conflicts).toBe(1);
    await a.session().runOnce();
    for (const d of [a, b]) {
      expect(await readFile(join(d.dir, 'plan.md'), 'utf8')).toBe('alice was here');
      const copies = await conflictCopies(d.dir);
      expect(copies).toHaveLength(1);
      expect(copies[0]).toMatch(/^plan\.conflict-bob-\d{8}-\d{6}\.md$/);
      expect(await readFile(join(d.dir, copies[0] as string), 'utf8')).toBe('bob was here, longer');
    }
    expect(b.conflicts).toHaveLength(1);
    expect(await same(a.dir, b.dir)).toEqual([]);
  });

  it('server-edit-while-offline: an edit made on the server while a client was away arrives; with a local edit too, both are kept', async () => {
    const a = await w.device('a');
    await writeTree(a.dir, { 'one.txt': 'one', 'two.txt': 'two' });
    await a.session().runOnce();
    // Edited on the server's own disk while no client is connected; the server finds it at its next start.
    await writeFile(join(w.share, 'one.txt'), 'edited on the server');
    await writeFile(join(w.share, 'two.txt'), 'server two');
    await writeFile(join(a.dir, 'two.txt'), 'laptop two');
    await w.restartServer();
    const s = await a.session().runOnce();
    expect(await readFile(join(a.dir, 'one.txt'), 'utf8')).toBe('edited on the server');
    expect(s.conflicts).toBe(1);
    expect(await readFile(join(a.dir, 'two.txt'), 'utf8')).toBe('server two');
    const copies = await conflictCopies(a.dir);
    expect(copies).toHaveLength(1);
    expect(await readFile(join(a.dir, copies[0] as string), 'utf8')).toBe('laptop two');
    expect(await same(a.dir, w.share)).toEqual([]);
  });

  it('conflict-resolution: ferry conflicts lists the conflict on both devices; resolving it on one syncs to the other', async () => {
    const a = await w.device('alice');
    const b = await w.device('bob');
    await writeTree(a.dir, { 'plan.md': 'original', 'other.txt': 'o' });
    await a.session().runOnce();
    await b.session().runOnce();
    await writeFile(join(a.dir, 'plan.md'), 'alice was here');
    await writeFile(join(b.dir, 'plan.md'), 'bob was here, longer');
    await a.session().runOnce();
    await b.session().runOnce();
    const sa = a.session();
    await sa.runOnce();
    expect(a.conflicts.filter((c) => c.copy !== undefined && !c.copy.mine)).toHaveLength(1); // arrived from bob
    for (const d of [a, b]) {
      const list = spawnFerry(['conflicts', '--dir', d.dir, '--json']);
      expect(await list.exited).toBe(0);
      const found = list.lines.filter((l) => l.event === 'conflict');
      expect(found).toMatchObject([{ path: 'plan.md', device: 'bob' }]);
    }
    const copy = (await conflictCopies(a.dir))[0] as string;
    const resolve = spawnFerry(['conflicts', 'resolve', copy, '--dir', a.dir, '--keep', 'copy', '--json']);
    expect(await resolve.exited, resolve.stderr()).toBe(0);
    const ra = a.session();
    await ra.runOnce();
    await b.session().runOnce();
    for (const d of [a, b]) {
      expect(await readFile(join(d.dir, 'plan.md'), 'utf8')).toBe('bob was here, longer');
      expect(await conflictCopies(d.dir)).toEqual([]);
    }
    expect(await same(a.dir, b.dir)).toEqual([]);
  });

  it('edit-beats-delete: a file deleted on one device and edited on the other survives with the edit', async () => {
    const a = await w.device('a');
    const b = await w.device('b');
    await writeTree(a.dir, { 'f.txt': 'v1', 'other.txt': 'o' });
    await a.session().runOnce();
    await b.session().runOnce();
    await rm(join(a.dir, 'f.txt'));
    await writeFile(join(b.dir, 'f.txt'), 'v2 edited');
    await a.session().runOnce();
    await b.session().runOnce();
    await a.session().runOnce();
    expect(await readFile(join(a.dir, 'f.txt'), 'utf8')).toBe('v2 edited');
    expect(await same(a.dir, b.dir)).toEqual([]);
  });

  it('live: a file saved on one device appears on the other, as a download, and is never sent back (no echo)', async () => {
    const a = await w.device('a');
    const b = await w.device('b');
    const sa = a.session();
    const sb = b.session();
    await sa.start();
    await sb.start();
    await waitWatching(sa);
    await waitWatching(sb);
    await writeFile(join(a.dir, 'live.txt'), 'hello from a');
    await waitFor(async () => (await readFile(join(b.dir, 'live.txt'), 'utf8').catch(() => '')) === 'hello from a', 'live.txt on b');
    await writeFile(join(b.dir, 'reply.bin'), Buffer.alloc(500_000, 3));
    await waitFor(async () => (await readFile(join(a.dir, 'reply.bin')).catch(() => Buffer.alloc(0))).length === 500_000, 'reply.bin on a');
    await waitWatching(sa);
    await waitWatching(sb);
    const ups = (d: typeof a, p: string) => d.transfers.filter((t) => t.path === p && t.status === 'completed' && t.direction === 'up').length;
    expect(ups(a, 'live.txt')).toBe(1);
    expect(ups(b, 'live.txt')).toBe(0);
    expect(ups(a, 'reply.bin')).toBe(0);
    expect(ups(b, 'reply.bin')).toBe(1);
    expect(b.transfers.some((t) => t.path === 'live.txt' && t.kind === 'download' && t.status === 'completed')).toBe(true);
    // Nothing was replaced on the server, so nothing was kept as a version.
    expect(await readdir(join(w.share, '.ferry', 'versions')).catch(() => [])).toEqual([]);
  });

  it('receive-mode: the folder follows the server; local changes are not sent', async () => {
    const a = await w.device('a');
    const r = await w.device('replica');
    await writeTree(a.dir, { 'doc.txt': 'source' });
    await a.session().runOnce();
    await r.session('receive').runOnce();
    expect(await readFile(join(r.dir, 'doc.txt'), 'utf8')).toBe('source');
    await writeFile(join(r.dir, 'local-only.txt'), 'not for the server');
    await r.session('receive').runOnce();
    expect(await readdir(w.share)).not.toContain('local-only.txt');
    await writeFile(join(a.dir, 'doc.txt'), 'source v2');
    await a.session().runOnce();
    await r.session('receive').runOnce();
    expect(await readFile(join(r.dir, 'doc.txt'), 'utf8')).toBe('source v2');
  });
});
