import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanupTempDirs, snapshotTree, waitFor, waitForTreesEqual, writeTree } from '../helpers/trees';
import { startWorld, waitForStatus, type ClientWorld, type Recorder } from './client-fixture';

let w: ClientWorld;
let r: Recorder;
beforeEach(async () => {
  w = await startWorld();
});
afterEach(async () => {
  await w.close();
});
afterAll(cleanupTempDirs);

let watcherKind: 'native' | 'chokidar' = 'native';
async function live(): Promise<void> {
  r = w.session({ watcher: watcherKind });
  await r.s.start();
  await waitForStatus(r, 'watching');
}

const equal = () => waitForTreesEqual(w.client, w.share, 15_000);
const C = (p: string) => join(w.client, p);

describe.each(['native', 'chokidar'] as const)('live sync (%s watcher)', (kind) => {
  beforeEach(() => {
    watcherKind = kind;
  });

  it('reflects create, edit, append, truncate and delete', async () => {
    await writeTree(w.client, { 'seed.txt': 'seed' });
    await live();
    await writeFile(C('new.txt'), 'hello');
    await equal();
    await writeFile(C('new.txt'), 'hello, edited');
    await equal();
    await appendFile(C('new.txt'), ' and appended');
    await equal();
    await truncate(C('new.txt'), 3);
    await equal();
    await rm(C('new.txt'));
    await equal();
    await writeFile(C('big.bin'), randomBytes(600 * 1024));
    await equal();
    await appendFile(C('big.bin'), randomBytes(1000));
    await equal();
    expect(r.s.state.lastError).toBeNull();
    // Every write carried the right base: nothing changed behind the client's back, so no conflicts.
    expect(r.conflicts).toEqual([]);
    expect(r.transfers.filter((t) => t.status === 'failed')).toEqual([]);
  });

  it('sends a renamed file and a renamed folder of 1,000 files as moves, without file data', async () => {
    const spec: Record<string, string> = { 'one.txt': 'one' };
    for (let i = 0; i < 1000; i++) spec[`photos/f${i}.txt`] = `photo ${i}`;
    await writeTree(w.client, spec);
    await live();
    await equal();
    const uploadsBefore = r.uploads().length;
    const sentBefore = r.transfers.reduce((n, t) => n + (t.status === 'completed' ? t.bytesSent : 0), 0);
    await rename(C('one.txt'), C('two.txt'));
    await rename(C('photos'), C('pictures'));
    await equal();
    const sentAfter = r.transfers.reduce((n, t) => n + (t.status === 'completed' ? t.bytesSent : 0), 0);
    expect(r.uploads().length - uploadsBefore).toBe(0);
    expect(sentAfter - sentBefore).toBe(0);
    const moves = r.transfers.filter((t) => t.kind === 'move' && t.status === 'completed');
    expect(moves.map((t) => `${t.path}→${t.toPath}`).sort()).toEqual(['one.txt→two.txt', 'photos→pictures']);
  });

  it('moves across folders, removes a whole subtree, and handles editor-style saves', async () => {
    await writeTree(w.client, { 'a/x.txt': 'x', 'b/keep': 'k', 'tree/1/2/3.txt': '3', 'tree/4.txt': '4', 'doc.txt': 'v1' });
    await live();
    await rename(C('a/x.txt'), C('b/x.txt'));
    await equal();
    await rm(C('tree'), { recursive: true });
    await equal();
    await writeFile(C('.doc.txt.swp'), 'v2 — saved by an editor');
    await rename(C('.doc.txt.swp'), C('doc.txt'));
    await equal();
    expect(await readFile(join(w.share, 'doc.txt'), 'utf8')).toBe('v2 — saved by an editor');
  });

  it('creates nested folders, links and respects .ferryignore live', async () => {
    await writeTree(w.client, { '.ferryignore': '*.log\n', 'x': 'x' });
    await live();
    await mkdir(C('n/e/s/t'), { recursive: true });
    await writeFile(C('n/e/file.txt'), 'nested');
    await writeFile(C('n/debug.log'), 'ignored');
    await writeTree(w.client, { 'n/link': { link: 'e/file.txt' } });
    await waitFor(async () => {
      const snap = await snapshotTree(w.share);
      return snap['n/link']?.target === 'e/file.txt' && snap['n/e/s/t']?.kind === 'dir' && snap['n/e/file.txt']?.size === 6;
    }, 'nested folders, file and link on the server');
    await writeFile(C('marker.txt'), 'sent after the log file');
    await waitFor(async () => (await snapshotTree(w.share))['marker.txt'] !== undefined, 'marker on the server');
    expect((await snapshotTree(w.share))['n/debug.log']).toBeUndefined();
    expect(r.transfers.some((t) => t.path.endsWith('.log'))).toBe(false);
  });

  it('applies an edited .ferryignore at once: newly unignored files are sent, newly ignored ones stay on the server', async () => {
    await writeTree(w.client, { '.ferryignore': '*.log\n', 'a.log': 'was ignored', 'b.txt': 'b' });
    await live();
    await waitFor(async () => (await snapshotTree(w.share))['b.txt'] !== undefined, 'b.txt on the server');
    expect((await snapshotTree(w.share))['a.log']).toBeUndefined();
    await writeFile(C('.ferryignore'), '*.txt\n');
    await waitFor(async () => (await snapshotTree(w.share))['a.log']?.size === 11, 'a.log sent once unignored');
    expect((await snapshotTree(w.share))['b.txt']).toBeDefined();
  });

  it('halts when the watched folder is emptied, leaving the server untouched', async () => {
    await writeTree(w.client, { 'a.txt': 'a', 'd/b.txt': 'b' });
    await live();
    await equal();
    const before = await snapshotTree(w.share);
    await rm(C('a.txt'));
    await rm(C('d'), { recursive: true });
    await waitForStatus(r, 'halted');
    expect(r.s.state.lastError?.code).toBe('SAFETY_HALT');
    expect(await snapshotTree(w.share)).toEqual(before);
  });

  it('reconnects after the server restarts and converges', async () => {
    await writeTree(w.client, { 'a.txt': 'a' });
    await live();
    await equal();
    await w.stopServer();
    await waitFor(() => r.s.state.status === 'error' || r.s.state.status === 'connecting', 'the session to notice');
    await writeFile(C('while-down.txt'), 'written while the server was down');
    await rm(C('a.txt'));
    await w.restart();
    await waitForStatus(r, 'watching', 30_000);
    await equal();
  });
});

describe.each(['native', 'chokidar'] as const)('metadata-only changes (%s watcher)', (kind) => {
  beforeEach(() => {
    watcherKind = kind;
  });

  it('reflects chmod and touch', async () => {
    await writeTree(w.client, { 'm.txt': 'mode' });
    await live();
    await equal();
    const { chmod, utimes } = await import('node:fs/promises');
    await chmod(C('m.txt'), 0o600);
    await equal();
    await utimes(C('m.txt'), new Date(1_500_000_000_000), new Date(1_500_000_000_000));
    await equal();
    expect((await snapshotTree(w.share))['m.txt']).toMatchObject({ mode: 0o600, mtimeMs: 1_500_000_000_000 });
  });
});
