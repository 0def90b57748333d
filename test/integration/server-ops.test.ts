/** Tree operations, listing, reading, events, several clients on several shares, restart with a persisted index. */
import { lstat, mkdir, readFile, readlink, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LIST_PAGE_ENTRIES } from '../../src-shared/protocol/limits';
import type { ServerEvents } from '../../src-main/engine/server/ferry-server';
import { countMissing, pseudoRandom, sha256, startServerFixture } from '../../src-main/engine/server/test-harness';
import { cleanupTempDirs, snapshotTree, tempDir, waitFor } from '../helpers/trees';

afterAll(cleanupTempDirs);

describe('tree operations', () => {
  it('mkdir, symlink, setMeta, move and remove, each keeping what it replaces', async () => {
    const fx = await startServerFixture(await tempDir());
    const root = fx.roots.main!;
    const changes: ServerEvents['fileChanged'][0][] = [];
    fx.server.on('fileChanged', (e) => changes.push(e));
    try {
      const c = await fx.client();
      await c.request({ type: 'mkdir', path: 'a/b/c', mode: 0o750, mtimeMs: 1_600_000_000_000 });
      expect((await lstat(join(root, 'a/b/c'))).mode & 0o7777).toBe(0o750);
      // mkdir on an existing folder only sets its metadata.
      await c.request({ type: 'mkdir', path: 'a/b/c', mode: 0o700, mtimeMs: 1_600_000_000_000 });
      expect((await lstat(join(root, 'a/b/c'))).mode & 0o7777).toBe(0o700);

      await c.request({ type: 'symlink', path: 'a/link', target: '../nowhere', mtimeMs: 1_600_000_000_123 });
      expect(await readlink(join(root, 'a/link'))).toBe('../nowhere');
      expect(Math.floor((await lstat(join(root, 'a/link'))).mtimeMs)).toBe(1_600_000_000_123);
      await c.request({ type: 'symlink', path: 'a/link', target: 'replaced', mtimeMs: 1_600_000_000_123 });
      expect(await readlink(join(root, 'a/link'))).toBe('replaced');

      await c.put('a/f.txt', Buffer.from('file'));
      await c.request({ type: 'setMeta', path: 'a/f.txt', mode: 0o600, mtimeMs: 1_500_000_000_001 });
      const st = await lstat(join(root, 'a/f.txt'));
      expect([st.mode & 0o7777, Math.floor(st.mtimeMs)]).toEqual([0o600, 1_500_000_000_001]);
      expect(await c.errorCode({ type: 'setMeta', path: 'a/missing', mode: 0o600, mtimeMs: 1 })).toBe('NOT_FOUND');

      // move onto an occupied destination keeps the destination in versions
      await c.put('x/occupied.txt', Buffer.from('old'));
      await c.request({ type: 'move', from: 'a/f.txt', to: 'x/occupied.txt' });
      expect(await readFile(join(root, 'x/occupied.txt'), 'utf8')).toBe('file');
      // move a folder into a new parent
      await c.request({ type: 'move', from: 'a/b', to: 'y/z/b' });
      expect((await lstat(join(root, 'y/z/b/c'))).isDirectory()).toBe(true);
      expect(await c.errorCode({ type: 'move', from: 'a/nothing', to: 'q' })).toBe('NOT_FOUND');
      expect(await c.errorCode({ type: 'move', from: 'y', to: 'y/inside' })).toBe('PATH_INVALID');

      // remove a folder (to versions); a missing path is fine
      await c.request({ type: 'remove', path: 'y' });
      await expect(lstat(join(root, 'y'))).rejects.toMatchObject({ code: 'ENOENT' });
      await c.request({ type: 'remove', path: 'y' });
      await c.request({ type: 'remove', path: 'never/was/here' });

      const kept = (await fx.server.listVersions('main')).map((v) => [v.original, v.kind]);
      expect(kept).toEqual(expect.arrayContaining([['a/link', 'symlink'], ['x/occupied.txt', 'file'], ['y', 'dir']]));
      expect((await readdir(join(root, '.ferry/versions'))).some((n) => /^y~/.test(n))).toBe(true);
      expect(changes.map((e) => e.kind)).toEqual(expect.arrayContaining(['mkdir', 'write', 'move', 'delete']));

      // remove with a base that does not match → conflict, the file is kept
      await c.put('r.txt', Buffer.from('server'), { mtimeMs: 1_700_000_000_000 });
      const r = await c.request({ type: 'remove', path: 'r.txt', base: { size: 99, mtimeMs: 1 } });
      expect(r.header).toMatchObject({ conflict: { path: 'r.txt', serverSize: 6 } });
    } finally {
      await fx.close();
    }
  });

  it('list streams pages, parents first, without .ferry; get reads ranges', async () => {
    const fx = await startServerFixture(await tempDir());
    const root = fx.roots.main!;
    try {
      const n = LIST_PAGE_ENTRIES + 50;
      for (let d = 0; d < 10; d++) {
        await mkdir(join(root, `d${d}`));
        await Promise.all(Array.from({ length: n / 10 }, (_, i) => writeFile(join(root, `d${d}`, `f${i}`), '')));
      }
      await writeFile(join(root, 'data.bin'), pseudoRandom(1000, 3));
      await symlink('data.bin', join(root, 'ln'));
      const c = await fx.client();
      let pages = 0;
      const entries: { path: string; kind: string }[] = [];
      await c.conn.request({ type: 'list' }, undefined, (f) => {
        if (f.header.type !== 'listPage') return false;
        pages++;
        entries.push(...f.header.entries);
        return !f.header.done;
      });
      expect(pages).toBeGreaterThanOrEqual(2);
      expect(entries.length).toBe(n + 10 + 2);
      expect(entries.some((e) => e.path.startsWith('.ferry'))).toBe(false);
      const index = new Map(entries.map((e, i) => [e.path, i]));
      for (const e of entries) {
        const slash = e.path.lastIndexOf('/');
        if (slash > 0) expect(index.get(e.path.slice(0, slash))!).toBeLessThan(index.get(e.path)!);
      }
      expect(entries.find((e) => e.path === 'ln')).toMatchObject({ kind: 'symlink', target: 'data.bin' });

      const part = await c.request({ type: 'get', path: 'data.bin', area: 'share', offset: 100, length: 50 });
      expect(part.header).toMatchObject({ type: 'data', size: 1000 });
      expect(part.payload.equals(pseudoRandom(1000, 3).subarray(100, 150))).toBe(true);
      expect(await c.errorCode({ type: 'get', path: 'ln', area: 'share', offset: 0, length: 10 })).toBe('PATH_INVALID');
      expect(await c.errorCode({ type: 'get', path: 'nope', area: 'share', offset: 0, length: 10 })).toBe('NOT_FOUND');
    } finally {
      await fx.close();
    }
  });
});

describe('many clients, many shares', () => {
  it('two clients on two shares at once, each seen in clients() with its counts', async () => {
    const fx = await startServerFixture(await tempDir(), { shareNames: ['alpha', 'beta'] });
    try {
      const updated: number[] = [];
      fx.server.on('clientUpdated', (c) => updated.push(c.filesReceived));
      const errors: string[] = [];
      fx.server.on('sessionError', (e) => errors.push(e.error.code));
      const a = await fx.client({ share: 'alpha' });
      const b = await fx.client({ share: 'beta' });
      await waitFor(() => fx.server.clients().length === 2, 'two clients listed');
      const big = pseudoRandom(1024 * 1024, 21);
      const work = (c: typeof a, tag: string) =>
        Promise.all([
          ...Array.from({ length: 60 }, (_, i) => c.put(`${tag}/f${i % 6}/n${i}.txt`, Buffer.from(`${tag}-${i}`))),
          c.upload(`${tag}/big.bin`, big),
        ]);
      await Promise.all([work(a, 'A'), work(b, 'B')]);
      const sa = await snapshotTree(fx.roots.alpha!);
      const sb = await snapshotTree(fx.roots.beta!);
      expect(Object.keys(sa).filter((k) => k.startsWith('A/')).length).toBe(60 + 6 + 1);
      expect(Object.keys(sb).some((k) => k.startsWith('A'))).toBe(false);
      expect(sb['B/big.bin']!.sha256).toBe(sha256(big));
      expect(sa['A/f3/n9.txt']!.sha256).toBe(sha256(Buffer.from('A-9')));
      const clients = fx.server.clients();
      expect(clients.map((c) => c.share).sort()).toEqual(['alpha', 'beta']);
      for (const c of clients) {
        expect(c.filesReceived).toBe(61);
        expect(c.bytesReceived).toBeGreaterThan(big.length);
      }
      await waitFor(() => updated.some((n) => n > 0), 'a clientUpdated event with files counted');
      const refused = await fx.client({ hello: false });
      await expect(refused.hello('alpha', 'wrong')).rejects.toMatchObject({ code: 'AUTH_FAILED' });
      await waitFor(() => errors.includes('AUTH_FAILED'), 'sessionError for the refused client');
      const gone = new Promise((r) => fx.server.once('clientDisconnected', r));
      a.conn.close();
      await gone;
      expect(fx.server.clients().map((c) => c.share)).toEqual(['beta']);
    } finally {
      await fx.close();
    }
  });

  it('many small files in flight at once all land durably', async () => {
    const fx = await startServerFixture(await tempDir(), { durability: 'fsync' });
    try {
      const c = await fx.client();
      const n = 400;
      await Promise.all(Array.from({ length: n }, (_, i) => c.put(`d${i % 8}/f${i}.txt`, Buffer.from(`content ${i}`), { mtimeMs: 1_700_000_000_000 + i })));
      const snap = await snapshotTree(fx.roots.main!);
      expect(Object.values(snap).filter((e) => e.kind === 'file').length).toBe(n);
      expect(snap['d3/f11.txt']).toMatchObject({ mtimeMs: 1_700_000_000_011, sha256: sha256(Buffer.from('content 11')) });
      expect(await readdir(join(fx.roots.main!, '.ferry/staging'))).toEqual(['chunks']);
    } finally {
      await fx.close();
    }
  });
});

describe('housekeeping', () => {
  it('prunes versions past retention and expires abandoned staged chunks', async () => {
    const fx = await startServerFixture(await tempDir(), { versionRetentionDays: 7, stagedChunkTtlMs: 1 });
    const root = fx.roots.main!;
    try {
      const c = await fx.client();
      await c.put('old.txt', Buffer.from('v1'));
      await c.put('old.txt', Buffer.from('v2')); // keeps v1 under a current stamp
      await mkdir(join(root, '.ferry/versions/sub'), { recursive: true });
      await writeFile(join(root, '.ferry/versions/sub/ancient.txt~20200101T000000Z'), 'ancient');
      const data = pseudoRandom(300 * 1024, 41);
      const t = await c.begin('abandoned.bin', data);
      await c.sendChunks(t, data);
      await c.request({ type: 'abort', transfer: t.transfer });
      expect((await readdir(join(root, '.ferry/staging/chunks'))).length).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 5)); // older than the 1 ms TTL
      await fx.server.maintain();
      const left = (await fx.server.listVersions('main')).map((v) => v.original);
      expect(left).toEqual(['old.txt']);
      await expect(readdir(join(root, '.ferry/versions/sub'))).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await readdir(join(root, '.ferry/staging/chunks'))).toEqual([]);
      // Removing a path below a file is already done.
      expect((await c.request({ type: 'remove', path: 'old.txt/child' })).header.type).toBe('ok');
    } finally {
      await fx.close();
    }
  });
});

describe('restart', () => {
  it('the chunk index is rebuilt from disk (and index.json) so existing content is not resent', async () => {
    const base = await tempDir();
    const data = pseudoRandom(900 * 1024, 31);
    const fx1 = await startServerFixture(base);
    const c1 = await fx1.client();
    await c1.upload('keep/me.bin', data);
    await fx1.close();
    // A file put there behind the server's back is indexed too.
    const other = pseudoRandom(500 * 1024, 32);
    await writeFile(join(fx1.roots.main!, 'local.bin'), other);

    const fx2 = await startServerFixture(base);
    try {
      expect(fx2.server.initialToken).toBeUndefined(); // tokens survive a restart
      await fx2.server.share('main')!.index.build();
      expect(fx2.server.share('main')!.index.fileCount).toBe(2);
      const c2 = await fx2.client({ token: fx1.token });
      const t = await c2.begin('copy.bin', data);
      expect(countMissing(t.missing)).toBe(0);
      const t2 = await c2.begin('copy2.bin', other);
      expect(countMissing(t2.missing)).toBe(0);
      await c2.request({ type: 'commit', transfer: t.transfer });
      expect(sha256(await readFile(join(fx2.roots.main!, 'copy.bin')))).toBe(sha256(data));
    } finally {
      await fx2.close();
    }
  });
});
