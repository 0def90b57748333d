import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/helpers/trees';
import { SyncfsProcess } from './syncfs-process';

/** Live helper processes of `pid`, read from /proc (no `ps`: procps is not on every fresh machine; a zombie has no cmdline). */
const helpersOf = (pid: number): number[] =>
  readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return ppid === pid && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('ferry-syncfs') ? [Number(d)] : [];
    } catch {
      return []; // gone while we looked
    }
  });

describe.runIf(process.platform === 'linux')('SyncfsProcess', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-syncfs-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('answers every flush, in order, from one helper process', async () => {
    const p = new SyncfsProcess(dir);
    try {
      await writeFile(join(dir, 'f'), 'x');
      const order: number[] = [];
      await Promise.all([1, 2, 3].map((n) => p.run().then(() => order.push(n))));
      expect(order).toEqual([1, 2, 3]);
      expect(helpersOf(process.pid)).toHaveLength(1);
    } finally {
      p.close();
    }
  });

  it('a failing sync -f is an IO_ERROR with its message; the helper keeps serving', async () => {
    const p = new SyncfsProcess(join(dir, 'missing'));
    try {
      await expect(p.run()).rejects.toMatchObject({ code: 'IO_ERROR', message: expect.stringMatching(/missing.*No such file/) });
      await expect(p.run()).rejects.toMatchObject({ code: 'IO_ERROR' });
    } finally {
      p.close();
    }
  });

  it('a helper killed from outside fails the waiting flush, and the next flush starts a new helper', async () => {
    const p = new SyncfsProcess(dir);
    try {
      await p.run();
      const [pid] = helpersOf(process.pid);
      expect(pid).toBeDefined();
      // A stopped helper cannot answer, so this flush is certainly still waiting when the helper is killed.
      process.kill(pid!, 'SIGSTOP');
      const waiting = p.run();
      process.kill(pid!, 'SIGKILL');
      await expect(waiting).rejects.toMatchObject({ code: 'IO_ERROR', message: expect.stringContaining('exited') });
      await p.run();
      expect(helpersOf(process.pid)).toHaveLength(1);
      expect(helpersOf(process.pid)).not.toContain(pid);
    } finally {
      p.close();
    }
  });

  it('closing stops the helper and refuses further flushes', async () => {
    const p = new SyncfsProcess(dir);
    await p.run();
    p.close();
    await expect(p.run()).rejects.toMatchObject({ code: 'IO_ERROR', message: expect.stringContaining('closed') });
    // The kill is asynchronous: wait for the helper to be gone (bounded by waitFor's timeout).
    await waitFor(() => helpersOf(process.pid).length === 0, 'the helper to exit');
  });

  it('an idle helper does not keep a process alive', () => {
    // A real Node process that flushes once and then has nothing left to do must exit by itself.
    const script = `import('${join(process.cwd(), 'src-main/engine/fs/syncfs-process.ts').replace(/'/g, "\\'")}').then(async ({ SyncfsProcess }) => { await new SyncfsProcess(${JSON.stringify(dir)}).run(); console.log('flushed'); })`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(out.trim()).toBe('flushed');
  });
});
