import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testConnection, downloadFile } from '../../src-main/engine/client/sync-session';
import type { ConflictRecord } from '../../src-shared/model/index';
import { cleanupTempDirs, snapshotTree, tempDir, waitFor, waitForTreesEqual, writeTree } from '../helpers/trees';
import { startWorld, waitForStatus, type ClientWorld } from './client-fixture';

let w: ClientWorld;
beforeEach(async () => {
  w = await startWorld();
});
afterEach(async () => {
  await w.close();
});
afterAll(cleanupTempDirs);

const exists = (p: string) => stat(p).then(() => true, () => false);

describe('connection helpers', () => {
  it('tests a connection: ok with latency, or the error as data', async () => {
    const ok = await testConnection(w.target);
    expect(ok).toMatchObject({ ok: true, share: 'default' });
    const badToken = await testConnection({ ...w.target, token: 'not-a-token' });
    expect(badToken).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
    const badPin = await testConnection({ ...w.target, fingerprint: 'AB'.repeat(32) });
    expect(badPin).toMatchObject({ ok: false, error: { code: 'FINGERPRINT_MISMATCH' } });
    const badShare = await testConnection({ ...w.target, share: 'nope' });
    expect(badShare).toMatchObject({ ok: false, error: { code: 'UNKNOWN_SHARE' } });
  });

  it('downloads a share file (bigger than one get) with its mtime and mode', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 3);
    await writeTree(w.share, { 'sub/dl.bin': { content: data, mode: 0o640, mtimeMs: 1_650_000_000_000 } });
    const dest = join(await tempDir(), 'out', 'dl.bin');
    await downloadFile(w.target, 'share', 'sub/dl.bin', dest);
    expect((await readFile(dest)).equals(data)).toBe(true);
    const st = await stat(dest);
    expect(st.mode & 0o777).toBe(0o640);
    expect(Math.floor(st.mtimeMs)).toBe(1_650_000_000_000);
  });

  it('reports a missing remote file and leaves no temp file behind', async () => {
    const dir = await tempDir();
    await expect(downloadFile(w.target, 'share', 'nope.txt', join(dir, 'x'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await snapshotTree(dir)).toEqual({});
  });
});

describe('session behaviour', () => {
  it('pauses (nothing sent) and catches up on resume', async () => {
    await writeTree(w.client, { 'a.txt': 'a' });
    const r = w.session();
    await r.s.start();
    await waitForStatus(r, 'watching');
    r.s.pause();
    expect(r.s.state.status).toBe('paused');
    await writeFile(join(w.client, 'while-paused.txt'), 'p');
    await new Promise((res) => setTimeout(res, 400));
    expect(await exists(join(w.share, 'while-paused.txt'))).toBe(false);
    r.s.resume();
    await waitForTreesEqual(w.client, w.share);
    await waitForStatus(r, 'watching');
  });

  it('reports a conflict when the server copy changed behind the client, keeping the server version', async () => {
    await writeTree(w.client, { 'doc.txt': 'v1' });
    const r = w.session();
    const conflicts: ConflictRecord[] = [];
    r.s.on('conflictDetected', (c) => conflicts.push(c));
    await r.s.start();
    await waitForTreesEqual(w.client, w.share);
    await writeFile(join(w.share, 'doc.txt'), 'changed on the server by someone else');
    await writeFile(join(w.client, 'doc.txt'), 'v2 from the client');
    await waitFor(() => conflicts.length > 0, 'a conflict');
    expect(conflicts[0]).toMatchObject({ path: 'doc.txt', pairId: 'p1', resolved: false, server: { size: 37 } });
    expect(await readFile(join(w.share, 'doc.txt'), 'utf8')).toBe('v2 from the client');
    expect(await readFile(join(w.share, '.ferry', 'versions', conflicts[0]!.server.keptAs.replace(/^\.ferry\/versions\//, '')), 'utf8')).toBe(
      'changed on the server by someone else',
    );
  });

  it('survives the server going away in the middle of the initial sync and converges after it returns', async () => {
    const spec: Record<string, Buffer> = {};
    for (let i = 0; i < 6; i++) spec[`big/${i}.bin`] = randomBytes(3 * 1024 * 1024);
    for (let i = 0; i < 200; i++) spec[`small/${i}.txt`] = randomBytes(100);
    await writeTree(w.client, spec);
    const r = w.session();
    let killed: Promise<void> | null = null;
    r.s.on('transferUpdated', (t) => {
      if (killed === null && t.status === 'completed' && t.kind === 'upload') killed = w.stopServer();
    });
    await r.s.start();
    await waitFor(() => killed !== null, 'the first upload');
    await killed;
    await w.restart();
    await waitForTreesEqual(w.client, w.share, 30_000);
    await waitForStatus(r, 'watching', 30_000);
  });

  it('converges on a file rewritten many times while it is being sent', async () => {
    await writeTree(w.client, { 'seed.txt': 's' });
    const r = w.session();
    await r.s.start();
    await waitForStatus(r, 'watching');
    const p = join(w.client, 'busy.bin');
    for (let i = 0; i < 25; i++) {
      await writeFile(p, randomBytes(1024 * 1024 + i * 1000));
      await new Promise((res) => setTimeout(res, 5));
    }
    await waitForTreesEqual(w.client, w.share);
  });

  it('leaves a halted pair halted until the folder is back, then syncs', async () => {
    await writeTree(w.client, { 'a.txt': 'a' });
    const r = w.session();
    await r.s.start();
    await waitForTreesEqual(w.client, w.share);
    await rm(join(w.client, 'a.txt'));
    await waitForStatus(r, 'halted');
    expect(await readFile(join(w.share, 'a.txt'), 'utf8')).toBe('a');
    await writeTree(w.client, { 'a.txt': 'a', 'b.txt': 'new' });
    await waitForStatus(r, 'watching', 20_000);
    await waitForTreesEqual(w.client, w.share);
  });

  it('starts while the server is down, reports the error, and syncs once it is up', async () => {
    await writeTree(w.client, { 'early.txt': 'e' });
    await w.stopServer();
    const r = w.session();
    await r.s.start();
    expect(r.s.state.status).toBe('error');
    expect(r.s.state.lastError?.code).toBe('CONNECT_FAILED');
    await w.restart();
    await waitForStatus(r, 'watching', 30_000);
    await waitForTreesEqual(w.client, w.share);
  });

  it('turns a burst of thousands of new files into one rescan and converges', async () => {
    await writeTree(w.client, { 'seed.txt': 's' });
    const r = w.session();
    await r.s.start();
    await waitForStatus(r, 'watching');
    const spec: Record<string, string> = {};
    for (let i = 0; i < 2500; i++) spec[`burst/${i % 10}/f${i}.txt`] = `${i}`;
    await writeTree(w.client, spec);
    await waitForTreesEqual(w.client, w.share, 30_000);
    const uploads = r.uploads().filter((t) => t.path.startsWith('burst/'));
    expect(new Set(uploads.map((t) => t.path)).size).toBe(2500);
  });
});
