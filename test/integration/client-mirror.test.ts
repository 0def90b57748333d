import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { chmod, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanupTempDirs, diffSnapshots, snapshotTree, writeTree } from '../helpers/trees';
import { startWorld, type ClientWorld } from './client-fixture';

let w: ClientWorld;
beforeEach(async () => {
  w = await startWorld();
});
afterEach(async () => {
  await w.close();
});
afterAll(cleanupTempDirs);

async function listVersions(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string, rel: string): Promise<void> {
    let names: string[] = [];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const abs = join(dir, n);
      const r = rel ? `${rel}/${n}` : n;
      if ((await stat(abs)).isDirectory()) await walk(abs, r);
      else out.push(r);
    }
  }
  await walk(join(root, '.ferry', 'versions'), '');
  return out;
}

describe('initial mirror (runOnce)', () => {
  it('first sync into an empty share (uploads start while the folder is scanned): folders, a read-only folder, links and ignored files end up exactly mirrored', async () => {
    const spec: Parameters<typeof writeTree>[1] = {
      '.ferryignore': '*.tmp\n',
      'ro/inside.txt': 'in a folder without write access',
      'ro/deeper/more.txt': 'more',
      'link-to-ro': { link: 'ro/inside.txt' },
      'scratch.tmp': 'ignored',
    };
    for (let d = 0; d < 40; d++) for (let f = 0; f < 5; f++) spec[`d${d}/e${d % 3}/f${f}.txt`] = `file ${d}/${f}`;
    await writeTree(w.client, spec);
    await chmod(join(w.client, 'ro/deeper'), 0o500);
    await chmod(join(w.client, 'ro'), 0o555);
    const r = w.session();
    const summary = await r.s.runOnce();
    expect(summary.errors).toEqual([]);
    const client = await snapshotTree(w.client);
    delete client['scratch.tmp'];
    expect(diffSnapshots(client, await snapshotTree(w.share))).toEqual([]);
    expect((await stat(join(w.share, 'ro'))).mode & 0o7777).toBe(0o555);
    expect((await stat(join(w.share, 'ro/deeper'))).mode & 0o7777).toBe(0o500);
    await expect(stat(join(w.share, 'scratch.tmp'))).rejects.toThrow();
    expect(summary.filesUploaded).toBe(40 * 5 + 3); // .ferryignore and the two files in ro
    await chmod(join(w.share, 'ro/deeper'), 0o700);
    await chmod(join(w.share, 'ro'), 0o700);
    await chmod(join(w.client, 'ro/deeper'), 0o700);
    await chmod(join(w.client, 'ro'), 0o700);
  });

  it('mirrors nested and empty folders, unicode names, empty and multi-MiB files, removes server-only files', async () => {
    const big = randomBytes(3 * 1024 * 1024 + 17);
    await writeTree(w.client, {
      'a/b/c/deep.txt': 'deep',
      'empty/inner-empty': { dir: true },
      'zero.bin': '',
      'big.bin': big,
      ['café/naïve 日本.txt'.normalize('NFC')]: 'unicode',
      'mode.sh': { content: '#!/bin/sh\n', mode: 0o755, mtimeMs: 1_600_000_000_123 },
      'same.txt': { content: 'same', mtimeMs: 1_700_000_000_000 },
      'differs.txt': { content: 'client version', mtimeMs: 1_700_000_000_000 },
    });
    await writeTree(w.share, {
      'server-only.txt': 'old',
      'gone-dir/x/y.txt': 'old nested',
      'same.txt': { content: 'same', mtimeMs: 1_700_000_000_000 },
      'differs.txt': { content: 'server version', mtimeMs: 1_600_000_000_000 },
      'a': 'a file where the client has a folder',
    });
    // Written on the server's disk just now: a mirror only overwrites that when allowed to (mirror-foreign-halt).
    const r = w.session({ allowForeignChanges: true });
    const summary = await r.s.runOnce();
    expect(diffSnapshots(await snapshotTree(w.client), await snapshotTree(w.share))).toEqual([]);
    expect(summary.errors).toEqual([]);
    expect(summary.filesDeleted).toBeGreaterThanOrEqual(2);
    expect(summary.bytesSent).toBeGreaterThan(big.length);
    expect((await readFile(join(w.share, 'big.bin'))).equals(big)).toBe(true);
    const versions = await listVersions(w.share);
    expect(versions.some((v) => v.startsWith('server-only.txt'))).toBe(true);
    expect(versions.some((v) => v.startsWith('gone-dir') && v.endsWith('x/y.txt'))).toBe(true);
    // same.txt was already there: no upload record for it.
    expect(r.uploads().map((t) => t.path)).not.toContain('same.txt');
  });

  it('sends only changed chunks of a large file the second time', async () => {
    const data = randomBytes(4 * 1024 * 1024);
    await writeTree(w.client, { 'f.bin': data });
    await w.session().s.runOnce();
    const changed = Buffer.concat([Buffer.from('inserted at the start'), data]);
    await writeTree(w.client, { 'f.bin': changed });
    const r = w.session();
    const summary = await r.s.runOnce();
    const up = r.uploads().find((t) => t.path === 'f.bin');
    expect(up?.size).toBe(changed.length);
    expect(up!.bytesSent).toBeLessThan(400 * 1024);
    expect(summary.bytesSent).toBeLessThan(600 * 1024);
    expect((await readFile(join(w.share, 'f.bin'))).equals(changed)).toBe(true);
  });

  it('halts on an empty client folder when the server holds files, leaving the server untouched', async () => {
    await writeTree(w.share, { 'keep/me.txt': 'precious' });
    const before = await snapshotTree(w.share);
    const r = w.session();
    await expect(r.s.runOnce()).rejects.toMatchObject({ code: 'SAFETY_HALT' });
    expect(r.s.state.status).toBe('halted');
    expect(diffSnapshots(before, await snapshotTree(w.share))).toEqual([]);
  });

  it('halts when the client folder is missing', async () => {
    await writeTree(w.share, { 'x.txt': 'x' });
    await rm(w.client, { recursive: true });
    const r = w.session();
    await expect(r.s.runOnce()).rejects.toMatchObject({ code: 'SAFETY_HALT' });
    expect(await readFile(join(w.share, 'x.txt'), 'utf8')).toBe('x');
  });

  it('mirrors an empty folder over a full share when allowed', async () => {
    await writeTree(w.share, { 'x.txt': 'x' });
    await w.session({ allowEmptyRoot: true }).s.runOnce();
    expect(await snapshotTree(w.share)).toEqual({});
  });

  it('syncs symlinks as links and respects .ferryignore and settings patterns', async () => {
    await writeTree(w.client, {
      'target.txt': 't',
      'link': { link: 'target.txt' },
      'dangling': { link: '../outside/nowhere' },
      '.ferryignore': '*.tmp\nbuild/\n',
      'x.tmp': 'ignored',
      'build/out.o': 'ignored',
      'secret.key': 'ignored by settings',
      'kept.txt': 'kept',
    });
    await writeTree(w.share, { 'server.tmp': 'ignored on the server: stays', 'build/old.o': 'stays' });
    await w.session({ ignore: ['*.key'] }).s.runOnce();
    const snap = await snapshotTree(w.share);
    expect(snap['link']).toMatchObject({ kind: 'symlink', target: 'target.txt' });
    expect(snap['dangling']).toMatchObject({ kind: 'symlink', target: '../outside/nowhere' });
    expect(Object.keys(snap).sort()).toEqual(['.ferryignore', 'build', 'build/old.o', 'dangling', 'kept.txt', 'link', 'server.tmp', 'target.txt']);
  });

  it('sends names spelled in NFD on disk as NFC, reading them from their real spelling', async () => {
    const nfd = 'Cafe\u0301 dir/re\u0301sume\u0301.txt';
    await writeTree(w.client, { [nfd]: 'decomposed' });
    await w.session().s.runOnce();
    const snap = await snapshotTree(w.share);
    expect(Object.keys(snap).sort()).toEqual(['Café dir', 'Café dir/résumé.txt'].map((p) => p.normalize('NFC')));
    expect(await readFile(join(w.share, 'Café dir/résumé.txt'.normalize('NFC')), 'utf8')).toBe('decomposed');
  });
});
