/** Upload bandwidth limit (`SyncOptions.bandwidthLimit`, `ferry sync --bwlimit`, config key `bwlimit`): real server, TLS, files. */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, diffSnapshots, snapshotTree, tempDir, writeTree } from '../helpers/trees';
import { killAllFerry, startServe, syncOnce } from '../helpers/ferry-procs';
import { startWorld, type ClientWorld } from './client-fixture';

const MiB = 1024 * 1024;

let w: ClientWorld;
beforeEach(async () => {
  w = await startWorld();
});
afterEach(async () => {
  await w.close();
});
afterAll(async () => {
  await killAllFerry();
  await cleanupTempDirs();
});

describe('bandwidth limit', () => {
  it('paces file data: 4 MiB (one chunked file + small puts) at 2 MiB/s takes at least 1.5 s, and arrives intact', async () => {
    const small: Record<string, Buffer> = {};
    for (let i = 0; i < 16; i++) small[`small/${i}.bin`] = randomBytes(64 * 1024);
    await writeTree(w.client, { 'big.bin': randomBytes(3 * MiB), ...small });
    const r = w.session({ bandwidthLimit: 2 * MiB });
    const t0 = performance.now();
    const summary = await r.s.runOnce();
    const seconds = (performance.now() - t0) / 1000;
    expect(summary.errors).toEqual([]);
    expect(summary.filesUploaded).toBe(17);
    // A lower bound only: the limiter must not let 4 MiB through faster than 2 MiB/s (less one 1/8 s burst).
    expect(summary.bytesSent).toBeGreaterThan(4 * MiB);
    expect(seconds).toBeGreaterThanOrEqual(1.5);
    expect(diffSnapshots(await snapshotTree(w.client), await snapshotTree(w.share))).toEqual([]);
  });

  it('does not pace control messages: a sync of 100 folders at 16 B/s finishes', async () => {
    const spec: Record<string, { dir: true }> = {};
    for (let i = 0; i < 50; i++) spec[`d${i}/e${i}`] = { dir: true };
    await writeTree(w.client, spec);
    // 16 B/s: control messages paced like data would take over half an hour (tens of KiB of headers), so the
    // test's ordinary timeout tells the two apart with no tight clock (a loaded machine takes seconds, not hours).
    const summary = await w.session({ bandwidthLimit: 16 }).s.runOnce();
    expect(summary.errors).toEqual([]);
    expect(diffSnapshots(await snapshotTree(w.client), await snapshotTree(w.share))).toEqual([]);
  });

  it('ferry sync --bwlimit and the config key bwlimit limit the CLI; a bad rate is refused clearly', async () => {
    const [client, share, state, cstate, cfgDir] = await Promise.all([tempDir(), tempDir(), tempDir(), tempDir(), tempDir()]);
    await writeTree(client, { 'a.bin': randomBytes(3 * MiB) });
    const server = await startServe(share, state);
    const t0 = performance.now();
    const run = await syncOnce(client, server, cstate, ['--bwlimit', '2M']);
    const seconds = (performance.now() - t0) / 1000;
    expect(run.code, run.stderr).toBe(0);
    expect(seconds).toBeGreaterThanOrEqual(1.2); // 3 MiB at 2 MiB/s, less the burst and node start-up slack

    await writeTree(client, { 'b.bin': randomBytes(2 * MiB) });
    const cfg = join(cfgDir, 'sync.json');
    await writeFile(cfg, JSON.stringify({ bwlimit: '1M' }));
    const t1 = performance.now();
    const viaConfig = await syncOnce(client, server, cstate, ['--config', cfg]);
    expect(viaConfig.code, viaConfig.stderr).toBe(0);
    expect((performance.now() - t1) / 1000).toBeGreaterThanOrEqual(1.5);
    expect(diffSnapshots(await snapshotTree(client), await snapshotTree(share))).toEqual([]);

    const bad = await syncOnce(client, server, cstate, ['--bwlimit', 'fast']);
    expect(bad.code).toBe(1);
    expect(JSON.stringify(bad.lines)).toMatch(/CONFIG_INVALID.*not a rate/);
    await server.proc.stop();
  }, 60_000);
});
