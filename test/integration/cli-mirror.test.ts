/** The real `ferry serve` and `ferry sync` processes over TLS on 127.0.0.1: initial mirror and live following. */
import { randomBytes } from 'node:crypto';
import { appendFile, chmod, mkdir, readdir, readFile, rename, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, diffSnapshots, snapshotTree, tempDir, waitForTreesEqual, writeTree } from '../helpers/trees';
import { killAllFerry, spawnFerry, startServe, syncArgs, syncOnce } from '../helpers/ferry-procs';

afterAll(async () => {
  await killAllFerry();
  await cleanupTempDirs();
});

const old = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

describe('ferry sync --once', () => {
  it('mirrors nested and empty folders, unicode names, empty and multi-MiB files; removes and updates with versions kept', async () => {
    const [client, share, state, cstate] = await Promise.all([tempDir(), tempDir(), tempDir(), tempDir()]);
    await writeTree(client, {
      'a/b/c/deep.txt': 'deep',
      'empty-dir': { dir: true },
      'nested/empty/too': { dir: true },
      'ünïcödé/日本語 ファイル.txt': 'こんにちは',
      'zero.bin': '',
      'big.bin': { content: randomBytes(5 * 1024 * 1024 + 123), mode: 0o640, mtimeMs: old },
      'script.sh': { content: '#!/bin/sh\necho hi\n', mode: 0o755 },
      'same.txt': { content: 'unchanged', mtimeMs: old },
      'differs.txt': { content: 'client version', mtimeMs: old + 1000 },
      'link-to-deep': { link: 'a/b/c/deep.txt' },
    });
    await writeTree(share, {
      'only-on-server.txt': 'server only',
      'gone-dir/x/y.txt': 'server only, nested',
      'same.txt': { content: 'unchanged', mtimeMs: old },
      'differs.txt': { content: 'server version', mtimeMs: old },
    });
    const server = await startServe(share, state);
    const run = await syncOnce(client, server, cstate);
    expect(run.code, run.stderr).toBe(0);
    const summary = run.lines.find((l) => l.event === 'summary');
    expect(summary).toMatchObject({ ok: true });
    expect(Number(summary!.bytesSent)).toBeGreaterThan(5 * 1024 * 1024);

    expect(diffSnapshots(await snapshotTree(client), await snapshotTree(share))).toEqual([]);
    // Removed and overwritten server files were kept as versions, not destroyed.
    const versions = await readdir(join(share, '.ferry', 'versions'), { recursive: true });
    expect(versions.some((v) => v.startsWith('only-on-server.txt~'))).toBe(true);
    expect(versions.some((v) => v.startsWith('differs.txt~'))).toBe(true);
    expect(versions.some((v) => v.startsWith('gone-dir'))).toBe(true);

    // A second run finds nothing to do and sends (almost) no file data.
    const again = await syncOnce(client, server, cstate);
    expect(again.code, again.stderr).toBe(0);
    const s2 = again.lines.find((l) => l.event === 'summary')!;
    expect(s2.filesUploaded).toBe(0);
    expect(Number(s2.bytesSent)).toBeLessThan(64 * 1024);
    await server.proc.stop();
  });

  it('--quiet prints the summary but no line per file; the transfer log still has every file', async () => {
    const [client, share, state, cstate] = await Promise.all([tempDir(), tempDir(), tempDir(), tempDir()]);
    await writeTree(client, { 'a.txt': 'a', 'dir/b.txt': 'b', 'dir/c.bin': randomBytes(300 * 1024) });
    const server = await startServe(share, state);
    const loud = await syncOnce(client, server, await tempDir());
    expect(loud.lines.filter((l) => l.event === 'transfer').length).toBeGreaterThanOrEqual(3);
    await rm(share, { recursive: true, force: true });
    await mkdir(share);
    const server2 = await startServe(share, await tempDir());
    const run = await syncOnce(client, server2, cstate, ['--quiet']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.lines.filter((l) => l.event === 'transfer')).toEqual([]);
    expect(run.lines.find((l) => l.event === 'summary')).toMatchObject({ ok: true, filesUploaded: 3 });
    expect(diffSnapshots(await snapshotTree(client), await snapshotTree(share))).toEqual([]);
    const logs = await readdir(join(cstate, 'logs'));
    const transferLog = logs.find((n) => n.startsWith('transfer'));
    expect(transferLog, logs.join(', ')).toBeDefined();
    const logged = (await readFile(join(cstate, 'logs', transferLog!), 'utf8')).split('\n').filter((l) => l.includes('"transfer"'));
    expect(logged.filter((l) => l.includes('"completed"'))).toHaveLength(3 + 1); // three files and the folder
    await server.proc.stop();
    await server2.proc.stop();
  });
});

describe('ferry sync (live)', () => {
  it('follows create, edit, append, truncate, delete, renames, moves, rm -rf and editor saves', async () => {
    const [client, share, state, cstate] = await Promise.all([tempDir(), tempDir(), tempDir(), tempDir()]);
    await writeTree(client, { 'docs/readme.md': 'hello', 'keep/x.txt': 'x' });
    const big: Record<string, string> = {};
    for (let i = 0; i < 1000; i++) big[`album/photo-${String(i).padStart(4, '0')}.jpg`] = `photo ${i} ` + 'x'.repeat(200 + (i % 50));
    await writeTree(client, big);
    const server = await startServe(share, state);
    const sync = spawnFerry(syncArgs(client, server, cstate));
    await sync.waitForLine((l) => l.event === 'watching', 60_000);
    await waitForTreesEqual(client, share, 30_000);

    const step = async (what: string, act: () => Promise<void>) => {
      await act();
      try {
        await waitForTreesEqual(client, share, 15_000);
      } catch (err) {
        throw new Error(`after "${what}": ${(err as Error).message}`);
      }
    };
    await step('create', () => writeFile(join(client, 'new.txt'), 'new file'));
    await step('edit', () => writeFile(join(client, 'new.txt'), 'edited file content'));
    await step('append', () => appendFile(join(client, 'new.txt'), '\nmore'));
    await step('truncate', () => truncate(join(client, 'new.txt'), 3));
    await step('chmod', () => chmod(join(client, 'new.txt'), 0o600));
    await step('touch', () => utimes(join(client, 'new.txt'), new Date(old), new Date(old)));
    await step('delete', () => rm(join(client, 'docs/readme.md')));
    await step('rename file', () => rename(join(client, 'new.txt'), join(client, 'renamed.txt')));
    await step('move across folders', () => rename(join(client, 'renamed.txt'), join(client, 'keep/renamed.txt')));
    const uploadsBefore = sync.lines.filter((l) => l.event === 'transfer' && l.kind === 'upload').length;
    await step('rename folder of 1000 files', () => rename(join(client, 'album'), join(client, 'album-2024')));
    const uploadsAfter = sync.lines.filter((l) => l.event === 'transfer' && l.kind === 'upload').length;
    expect(uploadsAfter - uploadsBefore, 'a folder rename must not re-upload files').toBe(0);
    await step('editor save (temp + rename over)', async () => {
      await writeFile(join(client, 'keep/.x.txt.swp'), 'saved by editor');
      await rename(join(client, 'keep/.x.txt.swp'), join(client, 'keep/x.txt'));
    });
    await step('mkdir + file', async () => {
      await mkdir(join(client, 'tree/a/b'), { recursive: true });
      await writeFile(join(client, 'tree/a/b/f.txt'), 'f');
    });
    await step('rm -rf subtree', () => rm(join(client, 'tree'), { recursive: true }));
    await sync.stop();
    await server.proc.stop();
  });
});

describe('two clients, two shares, one server', () => {
  it('keeps each share a mirror of its own client at the same time', async () => {
    const [c1, c2, s1, s2, state, st1, st2] = await Promise.all([tempDir(), tempDir(), tempDir(), tempDir(), tempDir(), tempDir(), tempDir()]);
    await writeTree(c1, { 'one.txt': 'from client one', 'd/1.bin': randomBytes(300_000) });
    await writeTree(c2, { 'two.txt': 'from client two', 'd/2.bin': randomBytes(200_000) });
    const cfg = join(state, 'serve.json');
    await writeFile(cfg, JSON.stringify({ shares: { photos: s1, music: s2 } }));
    const server = await startServe(await tempDir(), state, ['--config', cfg]);
    const [r1, r2] = await Promise.all([
      syncOnce(c1, server, st1, ['--share', 'photos']),
      syncOnce(c2, server, st2, ['--share', 'music']),
    ]);
    expect(r1.code, r1.stderr).toBe(0);
    expect(r2.code, r2.stderr).toBe(0);
    expect(diffSnapshots(await snapshotTree(c1), await snapshotTree(s1))).toEqual([]);
    expect(diffSnapshots(await snapshotTree(c2), await snapshotTree(s2))).toEqual([]);
    await server.proc.stop();
  });
});
