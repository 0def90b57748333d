/** A server whose output reader went away (`ferry serve | head`, a restarted supervisor) keeps serving. */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killAllFerry, startServe, syncOnce } from '../helpers/ferry-procs';
import { cleanupTempDirs, tempDir, waitForTreesEqual, writeTree } from '../helpers/trees';

afterAll(async () => {
  await killAllFerry();
  await cleanupTempDirs();
});

describe('ferry serve without a reader on stdout', () => {
  it('goes on serving after its stdout pipe closes (EPIPE is not fatal)', async () => {
    const base = await tempDir();
    const s = await startServe(join(base, 'srv'), join(base, 'sstate'));
    // Nobody reads the server's output any more; the next event it prints (a client connecting) hits EPIPE.
    s.proc.proc.stdout!.destroy();
    await writeTree(join(base, 'src'), { 'a.txt': 'one', 'd/b.txt': 'two' });
    const first = await syncOnce(join(base, 'src'), s, join(base, 'cstate'));
    expect(first.code).toBe(0);
    await writeTree(join(base, 'src'), { 'c.txt': 'three' });
    const second = await syncOnce(join(base, 'src'), s, join(base, 'cstate'));
    expect(second.code).toBe(0);
    await waitForTreesEqual(join(base, 'src'), join(base, 'srv'));
    expect(s.proc.proc.exitCode).toBeNull();
    await s.proc.stop();
  });
});
