/**
 * The controller end to end: server mode switched on by command, a folder pair added by command pointing at
 * it, files synced by a real SyncSession and reported as transfers; pause, resume, conflicts, removal.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppState } from '../../src-shared/ipc';
import type { FolderPair, FolderPairInput, TransferRecord } from '../../src-shared/model';
import { cleanupTempDirs, tempDir, waitFor, writeTree } from '../helpers/trees';
import { startTestEngine, type EngineFixture } from './controller-fixture';

let fx: EngineFixture;
let local: string;
let serverRoot: string;
let input: FolderPairInput;
let pair: FolderPair;
const batches: TransferRecord[][] = [];
const states: AppState[] = [];

const completed = (path: string) => batches.flat().some((r) => r.path === path && r.status === 'completed' && r.pairId === pair.id);
const serverHas = async (path: string, content: string) => (await readFile(join(serverRoot, path), 'utf8').catch(() => null)) === content;
const state = () => fx.engine.handle('state:get', []);

beforeAll(async () => {
  fx = await startTestEngine();
  fx.engine.on('transfersUpdated', (b) => batches.push(b));
  fx.engine.on('stateChanged', (s) => states.push(s));
  const server = await fx.engine.handle('server:setEnabled', [true]);
  expect(server.running).toBe(true);
  serverRoot = server.root;
  const { token } = await fx.engine.handle('server:addToken', ['controller test']);
  local = await tempDir('ferry-local-');
  await writeTree(local, { 'hello.txt': 'hello from the laptop', 'docs/readme.md': '# read me' });
  input = {
    host: '127.0.0.1',
    port: server.port,
    share: 'default',
    fingerprint: server.fingerprint!,
    token,
    localPath: local,
    paused: false,
    ignore: [],
    rescanIntervalSec: 0,
    allowEmptyRoot: false,
    // These tests are about mirror semantics (the share follows the folder).
    mode: 'mirror',
    allowForeignChanges: false,
  };
});

afterAll(async () => {
  await fx?.engine.stop();
  await cleanupTempDirs();
});

describe('controller with a real server and session', () => {
  it('adds a pair by command, saves it, and mirrors the folder, reporting completed transfers', async () => {
    pair = await fx.engine.handle('pair:add', [input]);
    expect(pair).toMatchObject({ ...input, id: expect.any(String) });
    expect(fx.current().pairs).toEqual([pair]);

    await waitFor(() => completed('hello.txt') && completed('docs/readme.md'), 'transfersUpdated with both files completed');
    expect(await serverHas('hello.txt', 'hello from the laptop')).toBe(true);
    expect(await serverHas('docs/readme.md', '# read me')).toBe(true);
    await waitFor(async () => (await state()).pairStates[pair.id]?.status === 'watching', 'the pair to be watching');
    expect((await state()).overall).toBe('idle');
  });

  it('uploads a file created on disk while watching, and lists it in transfers:recent', async () => {
    await mkdir(join(local, 'later'));
    await writeFile(join(local, 'later', 'new.txt'), 'written after the start');
    await waitFor(() => completed('later/new.txt'), 'transfersUpdated with later/new.txt completed');
    await waitFor(() => serverHas('later/new.txt', 'written after the start'), 'later/new.txt on the server');
    const recent = await fx.engine.handle('transfers:recent', [100]);
    expect(recent.filter((r) => r.status === 'completed').map((r) => r.path)).toEqual(expect.arrayContaining(['hello.txt', 'docs/readme.md', 'later/new.txt']));
    // Records are unique by id: an update replaces the earlier version of the same transfer.
    expect(new Set(recent.map((r) => r.id)).size).toBe(recent.length);
  });

  it('rejects a second pair on the same folder and a pair on a missing folder', async () => {
    await expect(fx.engine.handle('pair:add', [input])).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/already synced/) });
    await expect(fx.engine.handle('pair:add', [{ ...input, localPath: join(local, 'missing') }])).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(fx.current().pairs).toHaveLength(1);
  });

  it('pauses (saved, overall paused) and catches up on resume', async () => {
    await fx.engine.handle('pair:pause', [pair.id]);
    expect(fx.current().pairs[0]!.paused).toBe(true);
    const paused = await state();
    expect(paused.pairStates[pair.id]!.status).toBe('paused');
    expect(paused.overall).toBe('paused');
    await waitFor(() => states.at(-1)?.overall === 'paused', 'a stateChanged event saying paused');

    await writeFile(join(local, 'while-paused.txt'), 'made during the pause');
    await fx.engine.handle('sync:resumeAll', []);
    expect(fx.current().pairs[0]!.paused).toBe(false);
    await waitFor(() => serverHas('while-paused.txt', 'made during the pause'), 'while-paused.txt on the server after resume');
    await waitFor(() => completed('while-paused.txt'), 'transfersUpdated with while-paused.txt completed');
  });

  it('pair:update restarts the session with the new settings (ignore patterns), saved', async () => {
    const updated = await fx.engine.handle('pair:update', [pair.id, { ...input, ignore: ['*.log'] }]);
    expect(updated).toMatchObject({ id: pair.id, ignore: ['*.log'] });
    expect(fx.current().pairs).toEqual([updated]);
    await waitFor(async () => (await state()).pairStates[pair.id]?.status === 'watching', 'the restarted pair to be watching');
    await writeFile(join(local, 'noise.log'), 'ignored now');
    await writeFile(join(local, 'after-update.txt'), 'marker');
    await waitFor(() => serverHas('after-update.txt', 'marker'), 'the marker on the server');
    expect(await serverHas('noise.log', 'ignored now')).toBe(false);
    await expect(fx.engine.handle('pair:update', ['no-such-pair', input])).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('sync:pauseAll pauses every pair (saved)', async () => {
    await fx.engine.handle('sync:pauseAll', []);
    expect(fx.current().pairs.every((p) => p.paused)).toBe(true);
    expect((await state()).overall).toBe('paused');
    await fx.engine.handle('sync:resumeAll', []);
    await waitFor(async () => (await state()).pairStates[pair.id]?.status === 'watching', 'the pair to be watching again');
  });

  it('records a conflict when the server copy changed behind the client, and settles it three ways', async () => {
    const names = ['keep-local.txt', 'keep-server.txt', 'keep-both.txt'];
    for (const n of names) await writeFile(join(local, n), `original ${n}`);
    for (const n of names) await waitFor(() => serverHas(n, `original ${n}`), `${n} on the server`);
    await waitFor(async () => (await state()).pairStates[pair.id]?.status === 'watching', 'the pair to be watching');
    // Someone else changes the server copies; then the laptop edits its own: each upload is a conflict.
    for (const n of names) await writeFile(join(serverRoot, n), `server edit of ${n}, longer than the original`);
    for (const n of names) await writeFile(join(local, n), `laptop edit of ${n}`);
    await waitFor(async () => (await state()).conflicts.length === 3, 'three conflicts in the state');
    const s = await state();
    expect(s.overall).toBe('conflict');
    const byPath = new Map(s.conflicts.map((c) => [c.path, c]));
    expect([...byPath.keys()].sort()).toEqual([...names].sort());
    for (const n of names) await waitFor(() => serverHas(n, `laptop edit of ${n}`), `the laptop's ${n} on the server`);

    // "Open" shows either side: the local file in place, the server's version fetched into the state folder.
    const openedBefore = fx.opened.length;
    await fx.engine.handle('conflict:open', [byPath.get('keep-local.txt')!.id, 'local']);
    await fx.engine.handle('conflict:open', [byPath.get('keep-local.txt')!.id, 'server']);
    const [openedLocal, openedServer] = fx.opened.slice(openedBefore);
    expect(openedLocal).toBe(join(local, 'keep-local.txt'));
    expect(openedServer!.startsWith(join(fx.stateDir, 'conflicts'))).toBe(true);
    expect(await readFile(openedServer!, 'utf8')).toBe('server edit of keep-local.txt, longer than the original');

    await fx.engine.handle('conflict:resolve', [byPath.get('keep-local.txt')!.id, 'keepLocal']);
    expect(await readFile(join(local, 'keep-local.txt'), 'utf8')).toBe('laptop edit of keep-local.txt');

    await fx.engine.handle('conflict:resolve', [byPath.get('keep-server.txt')!.id, 'keepServer']);
    expect(await readFile(join(local, 'keep-server.txt'), 'utf8')).toBe('server edit of keep-server.txt, longer than the original');
    // The watcher sends the restored version back up, so the share ends with it too.
    await waitFor(() => serverHas('keep-server.txt', 'server edit of keep-server.txt, longer than the original'), 'the restored version on the server');

    await fx.engine.handle('conflict:resolve', [byPath.get('keep-both.txt')!.id, 'keepBoth']);
    expect(await readFile(join(local, 'keep-both.txt'), 'utf8')).toBe('laptop edit of keep-both.txt');
    const copies = (await readdir(local)).filter((n) => /^keep-both \(server copy \d{4}-\d\d-\d\d \d{4}\)\.txt$/.test(n));
    expect(copies).toHaveLength(1);
    expect(await readFile(join(local, copies[0]!), 'utf8')).toBe('server edit of keep-both.txt, longer than the original');

    const after = await state();
    expect(after.conflicts.every((c) => c.resolved)).toBe(true);
    expect(after.overall).not.toBe('conflict');
    await expect(fx.engine.handle('conflict:resolve', ['no-such-conflict', 'keepLocal'])).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('opens folders through the shell port', async () => {
    const before = fx.opened.length;
    await fx.engine.handle('pair:openFolder', [pair.id]);
    await fx.engine.handle('logs:openFolder', []);
    expect(fx.opened.slice(before)).toEqual([local, join(fx.stateDir, 'logs')]);
  });

  it('removes a pair: session stopped, settings saved, its conflicts and transfers forgotten', async () => {
    await fx.engine.handle('pair:remove', [pair.id]);
    const s = await state();
    expect(s.pairs).toEqual([]);
    expect(s.pairStates).toEqual({});
    expect(s.conflicts).toEqual([]);
    expect(fx.current().pairs).toEqual([]);
    expect(await fx.engine.handle('transfers:recent', [100])).toEqual([]);
    // A new pair on another folder takes over the share (mirror: the share becomes that folder).
    const other = await tempDir('ferry-local2-');
    await writeTree(other, { 'x.txt': 'x' });
    const second = await fx.engine.handle('pair:add', [{ ...input, localPath: other, allowEmptyRoot: true }]);
    await waitFor(() => batches.flat().some((r) => r.pairId === second.id && r.path === 'x.txt' && r.status === 'completed'), 'x.txt completed');
    await waitFor(async () => (await state()).pairStates[second.id]?.status === 'watching', 'the second pair to be watching');
    // The removed pair's session must be gone: its folder's changes no longer travel. y.txt, written after, is the marker.
    await writeFile(join(local, 'after-removal.txt'), 'not synced');
    await writeFile(join(other, 'y.txt'), 'marker');
    await waitFor(() => serverHas('y.txt', 'marker'), 'the marker on the server');
    expect(await serverHas('after-removal.txt', 'not synced')).toBe(false);
    expect(batches.flat().some((r) => r.pairId === pair.id && r.path === 'after-removal.txt')).toBe(false);
  });

  it('shows a pair whose folder vanished as halted (overall error), and syncs it again once it is back', async () => {
    const gone = await tempDir('ferry-vanishing-');
    const p2 = await fx.engine.handle('pair:add', [{ ...input, localPath: gone, paused: true, allowEmptyRoot: true, share: 'default' }]);
    await rm(gone, { recursive: true });
    await fx.engine.handle('pair:resume', [p2.id]);
    await waitFor(async () => (await state()).pairStates[p2.id]?.status === 'halted', 'the pair to halt');
    expect((await state()).overall).toBe('error');
    // Back, with content. The session may recover by itself; resume (which restarts a halted session) makes sure.
    // It is the last test: the share now mirrors this folder.
    await writeTree(gone, { 'back.txt': 'the drive is mounted again' });
    await fx.engine.handle('pair:resume', [p2.id]);
    await waitFor(() => serverHas('back.txt', 'the drive is mounted again'), 'back.txt on the server');
    await fx.engine.handle('pair:remove', [p2.id]);
  });
});
