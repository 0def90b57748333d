/** Kept versions over the protocol: listVersions (devices, deleted flags, retention) and restoreVersion, on a real TLS server. */
import { lstat, readFile, readdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectAndHello } from '../../src-main/engine/client/connect';
import { listVersionsOver, restoreVersionOver } from '../../src-main/engine/client/versions-client';
import { RawClient, startServerFixture, type ServerFixture } from '../../src-main/engine/server/test-harness';
import { cleanupTempDirs, tempDir, waitFor } from '../helpers/trees';

afterAll(cleanupTempDirs);

/** A client with a known device id and name (as a real device's hello says them). */
async function device(fx: ServerFixture, clientId: string, clientName: string): Promise<RawClient> {
  const target = { host: '127.0.0.1', port: fx.port, share: 'main', fingerprint: fx.server.fingerprint, token: fx.token };
  const { conn } = await connectAndHello(target, { clientId, clientName });
  return new RawClient(conn);
}

describe('versions over the protocol', () => {
  it('lists what was overwritten and deleted with the device that did it, and restores to place and beside', async () => {
    const fx = await startServerFixture(await tempDir(), { versionRetentionDays: 14 });
    const root = fx.roots.main!;
    try {
      const laptop = await device(fx, 'laptop-id', 'Laptop');
      const desk = await device(fx, 'desk-id', 'Desktop');
      await laptop.put('docs/report.txt', Buffer.from('first draft'), { mtimeMs: 1_700_000_000_000 });
      await desk.put('docs/report.txt', Buffer.from('second draft'), { mtimeMs: 1_700_000_100_000 });
      await laptop.put('notes.md', Buffer.from('my notes'));
      await desk.request({ type: 'remove', path: 'notes.md' });

      const listing = await listVersionsOver(laptop.conn);
      expect(listing.retentionDays).toBe(14);
      const byOriginal = Object.fromEntries(listing.versions.map((v) => [v.original, v]));
      expect(byOriginal['docs/report.txt']).toMatchObject({ kind: 'file', size: 11, mtimeMs: 1_700_000_000_000, device: 'desk-id', deviceName: 'Desktop', deleted: false });
      expect(byOriginal['notes.md']).toMatchObject({ kind: 'file', size: 8, device: 'desk-id', deviceName: 'Desktop', deleted: true });
      // Filtered by path: the file itself, or a folder and below.
      expect((await listVersionsOver(laptop.conn, 'docs')).versions.map((v) => v.original)).toEqual(['docs/report.txt']);
      expect((await listVersionsOver(laptop.conn, 'notes.md')).versions.map((v) => v.original)).toEqual(['notes.md']);

      // Restore to place: the deleted file comes back with its content and mtime.
      await restoreVersionOver(laptop.conn, byOriginal['notes.md']!.id);
      expect(await readFile(join(root, 'notes.md'), 'utf8')).toBe('my notes');
      // A restore is a share change like any other: in the change feed, made by the restoring device.
      const changes = fx.server.share('main')!.changes;
      await waitFor(async () => (await changes.refresher.idle(), changes.feed.get('notes.md')?.kind === 'file'), 'restore in the feed');
      expect(changes.feed.get('notes.md')).toMatchObject({ kind: 'file', size: 8, device: 'laptop-id' });
      // Restore over the current file: the replaced content is itself kept, noted as replaced by the restoring device.
      await restoreVersionOver(laptop.conn, byOriginal['docs/report.txt']!.id);
      expect(await readFile(join(root, 'docs/report.txt'), 'utf8')).toBe('first draft');
      expect(Math.floor((await lstat(join(root, 'docs/report.txt'))).mtimeMs)).toBe(1_700_000_000_000);
      const after = (await listVersionsOver(desk.conn, 'docs/report.txt')).versions;
      expect(after).toHaveLength(2);
      const second = after.find((v) => v.id !== byOriginal['docs/report.txt']!.id)!;
      expect(second).toMatchObject({ size: 12, device: 'laptop-id', deviceName: 'Laptop', deleted: false });
      // The restored version stays listed (restoring never consumes it); notes.md is no longer deleted.
      expect((await listVersionsOver(desk.conn, 'notes.md')).versions[0]).toMatchObject({ deleted: false });

      // Restore beside: a new name, the current file untouched.
      await restoreVersionOver(desk.conn, second.id, 'docs/report (restored 2026-12-04 15.30).txt');
      expect(await readFile(join(root, 'docs/report (restored 2026-12-04 15.30).txt'), 'utf8')).toBe('second draft');
      expect(await readFile(join(root, 'docs/report.txt'), 'utf8')).toBe('first draft');
      expect((await listVersionsOver(desk.conn, 'docs/report.txt')).versions).toHaveLength(2);

      // A restored folder brings back its whole tree.
      await laptop.put('album/a.jpg', Buffer.from('A'));
      await laptop.put('album/sub/b.jpg', Buffer.from('B'));
      await laptop.request({ type: 'remove', path: 'album' });
      const album = (await listVersionsOver(laptop.conn, 'album')).versions;
      expect(album).toMatchObject([{ original: 'album', kind: 'dir', deleted: true, device: 'laptop-id' }]);
      await restoreVersionOver(laptop.conn, album[0]!.id);
      expect(await readFile(join(root, 'album/sub/b.jpg'), 'utf8')).toBe('B');
      expect(await readdir(join(root, '.ferry/staging'))).not.toContainEqual(expect.stringMatching(/^tmp-/));
    } finally {
      await fx.close();
    }
  });

  it('refuses hostile version ids and destinations, and unknown versions', async () => {
    const fx = await startServerFixture(await tempDir());
    try {
      const c = await fx.client();
      await c.put('secret.txt', Buffer.from('x'));
      await c.request({ type: 'remove', path: 'secret.txt' });
      const [v] = (await listVersionsOver(c.conn)).versions;
      const code = (h: object) => c.errorCode({ type: 'restoreVersion', ...h });
      expect(await code({ version: '../secret.txt~20261204T120000Z' })).toBe('PATH_INVALID');
      expect(await code({ version: '../../etc/passwd' })).toBe('PATH_INVALID');
      expect(await code({ version: '/etc/passwd~20261204T120000Z' })).toBe('PATH_INVALID');
      expect(await code({ version: 'secret.txt~20261204T120000Z\0' })).toBe('PATH_INVALID');
      expect(await code({ version: 'secret.txt' })).toBe('PATH_INVALID'); // not a version name
      expect(await code({ version: '.ferry/tokens.json~20261204T120000Z' })).toBe('PATH_INVALID');
      expect(await code({ version: 'gone.txt~20261204T120000Z' })).toBe('NOT_FOUND');
      // A link planted on the way inside the versions folder is never followed.
      await symlink('/etc', join(fx.roots.main!, '.ferry/versions/evil'));
      expect(await code({ version: 'evil/passwd~20261204T120000Z' })).toBe('PATH_OUTSIDE_SHARE');
      expect(await code({ version: v!.id, to: '../outside.txt' })).toBe('PATH_INVALID');
      expect(await code({ version: v!.id, to: '/tmp/outside.txt' })).toBe('PATH_INVALID');
      expect(await code({ version: v!.id, to: '.ferry/x' })).toBe('PATH_INVALID');
      expect(await c.errorCode({ type: 'listVersions', path: '../x' })).toBe('PATH_INVALID');
      // The session goes on after each refusal.
      await c.request({ type: 'restoreVersion', version: v!.id });
      expect(await readFile(join(fx.roots.main!, 'secret.txt'), 'utf8')).toBe('x');
    } finally {
      await fx.close();
    }
  });
});
