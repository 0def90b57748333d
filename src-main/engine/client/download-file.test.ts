/** Downloads from a real server over TLS: never written through a symlinked folder of the client folder, no setuid bits. */
import { chmod, lstat, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '../../../test/helpers/trees';
import { startServerFixture, type ServerFixture } from '../server/test-harness';
import { downloadOver } from './download-file';

const fixtures: ServerFixture[] = [];
afterEach(async () => {
  for (const fx of fixtures.splice(0)) await fx.close();
  await cleanupTempDirs();
});

async function setup() {
  const base = await tempDir();
  const fx = await startServerFixture(base);
  fixtures.push(fx);
  const local = join(base, 'local');
  const outside = join(base, 'outside');
  await mkdir(local);
  await mkdir(outside);
  await writeFile(join(fx.roots.main!, 'f'), 'server content');
  const c = await fx.client();
  return { fx, c, local, outside };
}

describe('downloadOver', () => {
  it('refuses to write through a symlinked folder inside the client folder', async () => {
    const { c, local, outside } = await setup();
    await symlink(outside, join(local, 'dir'));
    await expect(downloadOver(c.conn, 'share', 'f', join(local, 'dir/f'), local)).rejects.toMatchObject({ code: 'PATH_OUTSIDE_SHARE' });
    await expect(downloadOver(c.conn, 'share', 'f', join(local, 'dir/new/f'), local)).rejects.toMatchObject({ code: 'PATH_OUTSIDE_SHARE' });
    expect(await readdir(outside)).toEqual([]);
  });

  it('writes below a client folder that is itself reached through a link, and drops setuid/setgid/sticky bits', async () => {
    const { fx, c, local } = await setup();
    const viaLink = join(local, '..', 'local-link');
    await symlink(local, viaLink);
    await chmod(join(fx.roots.main!, 'f'), 0o6755);
    await downloadOver(c.conn, 'share', 'f', join(viaLink, 'sub/f'), viaLink);
    expect(await readFile(join(local, 'sub/f'), 'utf8')).toBe('server content');
    expect((await lstat(join(local, 'sub/f'))).mode & 0o7777).toBe(0o755);
  });
});
