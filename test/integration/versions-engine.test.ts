/**
 * The Versions commands of the engine (what the desktop app and the web GUI call) against its own embedded server:
 * retention set from server mode, listing with devices, restore on the server for a two-way pair and into the folder
 * for a mirror pair, hostile ids refused.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FolderPairInput } from '../../src-shared/model';
import { connectAndHello } from '../../src-main/engine/client/connect';
import { RawClient } from '../../src-main/engine/server/test-harness';
import { cleanupTempDirs, tempDir } from '../helpers/trees';
import { startTestEngine, type EngineFixture } from './controller-fixture';

const engines: EngineFixture[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.engine.stop()));
  await cleanupTempDirs();
});

describe('versions through the engine', () => {
  it('retention from server mode, listing with devices, restore per pair mode, refusals', async () => {
    const fx = await startTestEngine();
    engines.push(fx);
    await fx.engine.handle('server:setEnabled', [true]);
    const token = (await fx.engine.handle('server:takeInitialInvite', []))!.token;
    const s0 = fx.engine.state().server;
    // Retention is shown and set with the rest of server mode (the server restarts with it).
    const s = await fx.engine.handle('server:configure', [{ root: s0.root, host: '127.0.0.1', port: s0.port, versionRetentionDays: 7 }]);
    expect(s).toMatchObject({ running: true, versionRetentionDays: 7 });
    expect(fx.current().server.versionRetentionDays).toBe(7);
    await expect(fx.engine.handle('server:configure', [{ root: s0.root, host: '127.0.0.1', port: s0.port, versionRetentionDays: -1 }])).rejects.toMatchObject({ code: 'CONFIG_INVALID' });

    // Another device overwrites and deletes files on the share.
    const target = { host: '127.0.0.1', port: s.port, share: 'default', fingerprint: s.fingerprint!, token };
    const other = new RawClient((await connectAndHello(target, { clientId: 'phone-id', clientName: 'Ana’s phone' })).conn);
    await other.put('a.txt', Buffer.from('a one'));
    await other.put('a.txt', Buffer.from('a two!'));
    await other.put('b.txt', Buffer.from('b original'));
    await other.request({ type: 'remove', path: 'b.txt' });
    other.conn.close();

    const pair = (local: string, mode: FolderPairInput['mode']): FolderPairInput => ({
      ...target, localPath: local, paused: true, ignore: [], rescanIntervalSec: 0, allowEmptyRoot: false, mode, allowForeignChanges: false,
    });
    const twoWay = await fx.engine.handle('pair:add', [pair(await tempDir(), 'two-way')]);
    const listing = await fx.engine.handle('versions:list', [twoWay.id, null]);
    expect(listing.retentionDays).toBe(7);
    expect(listing.thisDevice).toMatch(/^test-client-/);
    const a = listing.versions.find((v) => v.original === 'a.txt')!;
    const b = listing.versions.find((v) => v.original === 'b.txt')!;
    expect(a).toMatchObject({ deleted: false, size: 5, device: 'phone-id', deviceName: 'Ana’s phone' });
    expect(b).toMatchObject({ deleted: true, size: 10, device: 'phone-id' });
    expect((await fx.engine.handle('versions:list', [twoWay.id, 'b.txt'])).versions.map((v) => v.original)).toEqual(['b.txt']);

    // Two-way: restored on the server (the feed brings it to every device).
    expect(await fx.engine.handle('versions:restore', [twoWay.id, b.id, 'place'])).toEqual({ path: 'b.txt' });
    expect(await readFile(join(s0.root, 'b.txt'), 'utf8')).toBe('b original');
    const beside = await fx.engine.handle('versions:restore', [twoWay.id, a.id, 'beside']);
    expect(beside.path).toMatch(/^a \(restored \d{4}-\d\d-\d\d \d\d\.\d\d\)\.txt$/);
    expect(await readFile(join(s0.root, beside.path), 'utf8')).toBe('a one');
    const after = await fx.engine.handle('versions:list', [twoWay.id, null]);
    expect(after.versions.find((v) => v.id === b.id)).toMatchObject({ deleted: false });

    // Mirror: the folder is the truth, so the version lands in the folder (and is sent from there).
    const mirrorDir = await tempDir();
    await writeFile(join(mirrorDir, 'a.txt'), 'local a');
    const mirror = await fx.engine.handle('pair:add', [pair(mirrorDir, 'mirror')]);
    expect(await fx.engine.handle('versions:restore', [mirror.id, b.id, 'place'])).toEqual({ path: 'b.txt' });
    expect(await readFile(join(mirrorDir, 'b.txt'), 'utf8')).toBe('b original');
    // Over a local file of a pair that is not up to date (paused here): refused, its edits may exist nowhere else.
    await expect(fx.engine.handle('versions:restore', [mirror.id, a.id, 'place'])).rejects.toMatchObject({ code: 'SAFETY_HALT' });
    expect(await readFile(join(mirrorDir, 'a.txt'), 'utf8')).toBe('local a');
    const mb = await fx.engine.handle('versions:restore', [mirror.id, a.id, 'beside']);
    expect(await readFile(join(mirrorDir, ...mb.path.split('/')), 'utf8')).toBe('a one');

    // Hostile ids never reach the disk; bad arguments are refused before anything runs.
    for (const id of ['../b.txt~20261204T120000Z', '/etc/passwd~20261204T120000Z', 'b.txt~20261204T120000Z\0', 'b.txt']) {
      await expect(fx.engine.handle('versions:restore', [twoWay.id, id, 'place'])).rejects.toMatchObject({ code: 'PATH_INVALID' });
    }
    await expect(fx.engine.handle('versions:restore', [twoWay.id, a.id, 'elsewhere' as 'place'])).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(fx.engine.handle('versions:list', [twoWay.id, '../up'])).rejects.toMatchObject({ code: 'PATH_INVALID' });
  });
});
