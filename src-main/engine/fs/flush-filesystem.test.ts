import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSystemFlusher } from './flush-filesystem';

describe('FileSystemFlusher', () => {
  it.runIf(process.platform === 'linux')('flushes this file system with the real syncfs (coreutils sync -f)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-flush-'));
    try {
      const f = await FileSystemFlusher.probe(dir);
      expect(f).not.toBeNull();
      await f!.flush();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a missing folder cannot be flushed: probe says so instead of failing later', async () => {
    expect(await FileSystemFlusher.probe(join(tmpdir(), 'ferry-no-such-folder-', String(Date.now())))).toBeNull();
  });

  it('callers during a running flush share one next flush that starts after it', async () => {
    const started: (() => void)[] = [];
    const f = new FileSystemFlusher('/x', () => new Promise<void>((r) => started.push(r)));
    const settled: string[] = [];
    const a = f.flush().then(() => settled.push('a'));
    expect(started).toHaveLength(1);
    // b and c arrive while the first flush runs: it may have begun before their writes, so they wait for the next.
    const b = f.flush().then(() => settled.push('b'));
    const c = f.flush().then(() => settled.push('c'));
    expect(started).toHaveLength(1);
    started[0]!();
    await a;
    await new Promise((r) => setImmediate(r));
    expect(settled).toEqual(['a']);
    expect(started).toHaveLength(2);
    started[1]!();
    await Promise.all([b, c]);
    expect(settled).toEqual(['a', 'b', 'c']);
    expect(started).toHaveLength(2);
  });

  it('a failed flush fails its callers; the next call starts afresh', async () => {
    let n = 0;
    const f = new FileSystemFlusher('/x', () => (n++ === 0 ? Promise.reject(new Error('EIO')) : Promise.resolve()));
    await expect(f.flush()).rejects.toThrow('EIO');
    await f.flush();
    expect(n).toBe(2);
  });
});
