/** The daemon's settings file (conf): created with defaults, migrated on load, refused with a clear message when broken. */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SETTINGS_VERSION } from '../../src-shared/settings';
import { openConfSettings } from '../../src-main/engine/controller/conf-settings';
import { defaultStateDir } from '../../src-main/engine/controller/paths';
import { FerryError } from '../../src-main/engine/errors';
import { cleanupTempDirs, tempDir } from '../helpers/trees';

afterAll(cleanupTempDirs);

const V2_PAIR = {
  id: 'docs', localPath: '/home/ann/Docs', host: 'nas', port: 7443, share: 'default', fingerprint: 'ab', token: 't',
  paused: false, ignore: [], rescanIntervalSec: 300, allowEmptyRoot: false,
};

describe('openConfSettings', () => {
  it('creates a missing file with defaults (mode 0600: it holds tokens) and reads back what was saved', async () => {
    const dir = await tempDir();
    const file = join(dir, 'nested', 'ferry.json');
    const port = openConfSettings(file, '/home/ann');
    const first = port.load();
    expect(first.version).toBe(SETTINGS_VERSION);
    expect(first.server.root).toBe('/home/ann/FerryServer');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(first);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    port.save({ ...first, ui: { ...first.ui, logLevel: 'debug' } });
    expect(openConfSettings(file, '/home/ann').load().ui.logLevel).toBe('debug');
  });

  it('migrates a version 1 file and writes the migrated document back', async () => {
    const file = join(await tempDir(), 'old.json');
    await writeFile(file, JSON.stringify({ folders: [{ id: 'docs', path: '/home/ann/Docs', server: 'nas:7443', token: 't', fingerprint: 'ab' }] }));
    const settings = openConfSettings(file, '/home/ann').load();
    expect(settings.pairs).toEqual([
      expect.objectContaining({ id: 'docs', localPath: '/home/ann/Docs', host: 'nas', port: 7443, share: 'default', paused: false }),
    ]);
    const onDisk = JSON.parse(await readFile(file, 'utf8')) as { version: number; folders?: unknown };
    expect(onDisk.version).toBe(SETTINGS_VERSION);
    expect(onDisk.folders).toBeUndefined();
  });

  it('migrates a version 2 file: the pairs it has keep the mirror mode', async () => {
    const file = join(await tempDir(), 'v2.json');
    await writeFile(file, JSON.stringify({ version: 2, pairs: [V2_PAIR] }));
    expect(openConfSettings(file, '/home/ann').load().pairs).toEqual([{ ...V2_PAIR, mode: 'mirror', allowForeignChanges: false }]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: SETTINGS_VERSION, pairs: [{ id: 'docs', mode: 'mirror' }] });
  });

  it.each([
    ['not JSON', '{"version": 2, '],
    ['a pair with an unknown mode', JSON.stringify({ version: 3, pairs: [{ ...V2_PAIR, mode: 'sideways', allowForeignChanges: false }] })],
    ['a wrong type', JSON.stringify({ version: 2, pairs: [], server: { port: 'seventy' } })],
    ['a pair without a local folder', JSON.stringify({ version: 2, pairs: [{ id: 'x', host: 'h', port: 1 }] })],
    ['a future version', JSON.stringify({ version: 99 })],
  ])('refuses a file with %s, naming the file', async (_what, text) => {
    const file = join(await tempDir(), 'bad.json');
    await writeFile(file, text);
    let error: unknown;
    try {
      openConfSettings(file, '/home/ann').load();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FerryError);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining(file) });
    expect(await readFile(file, 'utf8')).toBe(text);
  });
});

describe('defaultStateDir', () => {
  it('follows XDG_STATE_HOME when absolute, else ~/.local/state', () => {
    expect(defaultStateDir({ XDG_STATE_HOME: '/xdg/state' }, '/home/ann')).toBe('/xdg/state/ferry');
    expect(defaultStateDir({ XDG_STATE_HOME: 'relative' }, '/home/ann')).toBe('/home/ann/.local/state/ferry');
    expect(defaultStateDir({}, '/home/ann')).toBe('/home/ann/.local/state/ferry');
  });
});
