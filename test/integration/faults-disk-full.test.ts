/**
 * Real faults, real processes (issue 11 item 5): a full disk. The share (server) or the client folder lives on a
 * small file system mounted for the test (tmpfs, else a loop-mounted ext4 image; see test/helpers/small-mount.ts),
 * made nearly full by a filler file beside it. What must hold: a clear DISK_FULL, the server keeps serving, what was
 * there is intact, nothing torn under a real name, staging holds at most what a resume will use, and once the filler
 * is removed a running client finishes the sync by itself (no restart). Figures are printed (`disk-full …` lines).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killAllFerry, spawnFerry, startServe, syncArgs, syncOnce, type JsonLine } from '../helpers/ferry-procs';
import { seededRandom } from '../helpers/seeded-random';
import { mountSmall, type SmallMount } from '../helpers/small-mount';
import { cleanupTempDirs, diffSnapshots, snapshotTree, tempDir, waitFor } from '../helpers/trees';
import { bytesUnder, VersionLedger } from '../helpers/version-ledger';

const MiB = 1024 * 1024;
/** Known defects outside this suite's files fail the run too (see the client test). */
const STRICT = process.env.FERRY_FAULTS_STRICT === '1';
const mounts: SmallMount[] = [];

afterAll(async () => {
  await killAllFerry();
  for (const m of mounts) await m.unmount();
  await cleanupTempDirs();
});

async function smallFs(mib: number): Promise<SmallMount> {
  const dir = join(await tempDir('ferry-full-'), 'mnt');
  await mkdir(dir);
  const m = await mountSmall(dir, mib);
  if ('error' in m) throw new Error(`cannot mount a small file system here (run as root): ${m.error}`);
  mounts.push(m);
  return m;
}

/** Bytes free on the file system holding `dir`. */
function freeBytes(dir: string): number {
  const out = execFileSync('df', ['-B1', '--output=avail', dir], { encoding: 'utf8' });
  return Number(out.trim().split('\n').pop());
}

const errorCodes = (lines: JsonLine[]): string[] => lines.filter((l) => l.event === 'error' || (l.event === 'transfer' && l.status === 'failed')).map((l) => String(l.code ?? (l.error as { code?: string } | null)?.code));
const sentBytes = (lines: JsonLine[]): number => lines.filter((l) => l.event === 'transfer' && l.status === 'completed').reduce((n, l) => n + Number(l.bytesSent ?? 0), 0);

/** Mounting needs root (CI and these machines run as root); elsewhere the tests say why they are skipped. */
const ROOT = process.getuid?.() === 0;
if (!ROOT) console.log('faults-disk-full: skipped: mounting a small file system needs root');

describe.skipIf(!ROOT)('a full disk', () => {
  it('on the server: DISK_FULL to the client, the server keeps serving, nothing torn, staging cleaned, and a live client finishes once space is freed', async () => {
    const rng = seededRandom(11);
    const m = await smallFs(32);
    const share = join(m.dir, 'share');
    await mkdir(share);
    const ledger = new VersionLedger();
    const [client, other, sstate, cstate, ostate] = await Promise.all([tempDir(), tempDir(), tempDir(), tempDir(), tempDir()]);
    // What the share held before (the client has the same, so a mirror keeps it): it must stay intact.
    await ledger.write(client, 'keep/a.bin', rng.bytes(MiB));
    await ledger.write(client, 'keep/b.txt', Buffer.from('kept'));
    execFileSync('cp', ['-a', join(client, 'keep'), share]);
    const kept = await snapshotTree(share);
    for (let i = 0; i < 40; i++) await ledger.write(client, `small/f${i}.bin`, rng.bytes(8 * 1024));
    for (let i = 0; i < 3; i++) await ledger.write(client, `big/b${i}.bin`, rng.bytes(10 * MiB));
    // ~14 MiB free for ~31 MiB to send.
    await writeFile(join(m.dir, 'filler'), Buffer.alloc(Math.max(0, freeBytes(m.dir) - 14 * MiB)));
    const server = await startServe(share, sstate);

    const mirror = ['--mode', 'mirror'];
    const first = await syncOnce(client, server, cstate, mirror);
    const codes = errorCodes(first.lines);
    console.log(`disk-full server: first run exit ${first.code}, error codes ${JSON.stringify([...new Set(codes)])}, ${codes.length} failures: ${first.lines.filter((l) => l.event === 'transfer' && l.status === 'failed').map((l) => `${String(l.path)} ${JSON.stringify(l.error)}`).join('; ')}`);
    expect(first.code).not.toBe(0);
    expect(codes).toContain('DISK_FULL');
    expect(first.stderr + JSON.stringify(first.lines)).toMatch(/No space left/);
    const stagingFull = await bytesUnder(join(share, '.ferry', 'staging'));
    const onShare = await snapshotTree(share);
    const missing = Object.entries(await snapshotTree(client)).reduce((n, [p, e]) => (e.kind === 'file' && onShare[p]?.sha256 !== e.sha256 ? n + e.size : n), 0);
    console.log(`disk-full server: staging after the failed run: ${stagingFull.files} files, ${(stagingFull.bytes / MiB).toFixed(2)} MiB; free ${(freeBytes(m.dir) / MiB).toFixed(2)} MiB; ${(missing / MiB).toFixed(2)} MiB still to send; ${stagingFull.names.join(', ')}`);
    expect((await ledger.check(share)).torn).toEqual([]);
    const now = await snapshotTree(share);
    for (const [p, e] of Object.entries(kept)) expect(now[p], `existing ${p} intact`).toEqual(e);

    // The server keeps serving: another client reads the share (receive mode) while the disk is full.
    const reader = await syncOnce(other, server, ostate, ['--mode', 'receive']);
    expect(reader.code, reader.stderr).toBe(0);
    expect((await snapshotTree(other))['keep/a.bin']?.sha256).toBe(kept['keep/a.bin']!.sha256);

    // A live client retries by itself once space is freed.
    const live = spawnFerry(syncArgs(client, server, cstate, mirror));
    // Space is freed only once the live client has failed and gone idle: a retry must come from the client itself.
    // Every large file has failed twice (the first round and the rescan after it), so nothing of the first round is left.
    const failedTwice = (): boolean => ['big/b0.bin', 'big/b1.bin', 'big/b2.bin'].every((p) => live.lines.filter((l) => l.event === 'transfer' && l.status === 'failed' && l.path === p).length >= 2);
    await waitFor(failedTwice, 'every large file to fail twice on the full disk', 120_000, 100).catch((err: Error) => {
      throw new Error(`${err.message}; the live client printed: ${live.lines.filter((l) => l.event !== 'status').map((l) => `${String(l.event)} ${String(l.path)} ${String(l.status)}`).join('; ')}`);
    });
    const before = live.lines.length;
    await rm(join(m.dir, 'filler'));
    const freedAt = Date.now();
    await waitFor(async () => diffSnapshots(await snapshotTree(client), await snapshotTree(share)).length === 0, 'the live client to finish after space was freed', 120_000, 250);
    const resent = sentBytes(live.lines.slice(before));
    const failedBefore = live.lines.slice(0, before).filter((l) => l.event === 'transfer' && l.status === 'failed').map((l) => String(l.path));
    const doneAfter = live.lines.slice(before).filter((l) => l.event === 'transfer' && l.status === 'completed').map((l) => String(l.path));
    console.log(`disk-full server: live client: failed before space was freed: ${JSON.stringify(failedBefore)}; completed after: ${JSON.stringify(doneAfter)}; ${live.lines.slice(before).filter((l) => l.event === 'status').map((l) => String(l.status)).join(' ')}`);
    console.log(`disk-full server: after freeing space the live client sent ${(resent / MiB).toFixed(2)} MiB of file data to finish, in ${((Date.now() - freedAt) / 1000).toFixed(1)} s`);
    await live.stop();
    // Resumed, not re-sent: of what the share lacked after the failure, what staging held (verified chunks) is not
    // sent again (half of it, at least: a chunk written but not yet recorded when the disk filled is asked again).
    expect(resent).toBeLessThanOrEqual(missing - stagingFull.bytes / 2 + 64 * 1024);
    expect((await ledger.check(share)).torn).toEqual([]);
    const stagingAfter = await bytesUnder(join(share, '.ferry', 'staging'));
    console.log(`disk-full server: staging after recovery: ${stagingAfter.files} files, ${(stagingAfter.bytes / MiB).toFixed(2)} MiB; ${stagingAfter.names.join(', ')}`);
    expect(stagingAfter.bytes).toBeLessThan(MiB);
    await server.proc.stop();
  }, 240_000);

  // A short write on a full disk used to go unnoticed, so a truncated download was installed under its real name;
  // pull-file.ts now writes every byte or fails with DISK_FULL, and checks the staged size before installing.
  it('on the client during downloads (receive and two-way): DISK_FULL, nothing half-written under a real name, staging cleaned, and it finishes once space is freed', async () => {
    const rng = seededRandom(12);
    const m = await smallFs(32);
    const ledger = new VersionLedger();
    const [share, sstate] = await Promise.all([tempDir(), tempDir()]);
    for (let i = 0; i < 40; i++) await ledger.write(share, `small/f${i}.bin`, rng.bytes(8 * 1024));
    for (let i = 0; i < 3; i++) await ledger.write(share, `big/b${i}.bin`, rng.bytes(10 * MiB));
    const server = await startServe(share, sstate);
    const problems: string[] = [];
    for (const mode of ['receive', 'two-way'] as const) {
      const client = join(m.dir, mode);
      const cstate = await tempDir();
      await mkdir(client);
      await writeFile(join(m.dir, 'filler'), Buffer.alloc(Math.max(0, freeBytes(m.dir) - 14 * MiB)));
      const first = await syncOnce(client, server, cstate, ['--mode', mode]);
      const codes = errorCodes(first.lines);
      console.log(`disk-full client ${mode}: first run exit ${first.code}, error codes ${JSON.stringify([...new Set(codes)])}, ${codes.length} failures`);
      expect(first.code).not.toBe(0);
      expect(codes).toContain('DISK_FULL');
      const staging = await bytesUnder(join(client, '.ferry', 'staging'));
      console.log(`disk-full client ${mode}: staging after the failed run: ${staging.files} files, ${(staging.bytes / MiB).toFixed(2)} MiB; free ${(freeBytes(m.dir) / MiB).toFixed(2)} MiB; ${staging.names.join(', ')}`);
      expect(staging.bytes).toBeLessThan(MiB);
      const torn = (await ledger.check(client)).torn;
      for (const t of torn) problems.push(`${mode}: after the failed run, torn under its real name: ${t}`);

      if (torn.length === 0 || STRICT) {
        const live = spawnFerry(syncArgs(client, server, cstate, ['--mode', mode]));
        // Its first round ends (failed or not) while the disk is still full.
        await live.waitForLine((l) => (l.event === 'transfer' && l.status === 'failed') || l.event === 'watching', 60_000);
        await rm(join(m.dir, 'filler'));
        const freedAt = Date.now();
        let diff: string[] = [];
        const done = await waitFor(async () => (diff = diffSnapshots(await snapshotTree(client), await snapshotTree(share), { mtime: false })).length === 0, 'convergence', 60_000, 250).then(() => true, () => false);
        if (done) console.log(`disk-full client ${mode}: finished ${((Date.now() - freedAt) / 1000).toFixed(1)} s after space was freed`);
        else problems.push(`${mode}: not in sync 60 s after space was freed: ${diff.slice(0, 6).join('; ')}`);
        await live.stop();
        for (const t of (await ledger.check(client)).torn) problems.push(`${mode}: after recovery, torn under its real name: ${t}`);
        const after = await bytesUnder(join(client, '.ferry', 'staging'));
        console.log(`disk-full client ${mode}: staging after recovery: ${after.files} files, ${(after.bytes / MiB).toFixed(2)} MiB; ${after.names.join(', ')}`);
        expect(after.bytes).toBeLessThan(MiB);
      }
      await rm(join(m.dir, 'filler'), { force: true });
      await rm(client, { recursive: true }); // room for the next mode
    }
    await server.proc.stop();
    expect(problems).toEqual([]);
  }, 480_000);
});
