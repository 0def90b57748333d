import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NEW_PAIR_DEFAULTS, SETTINGS_VERSION, SettingsInvalidError, defaultSettings, migrateSettings } from '../../src-shared/settings';

const HOME = '/home/ann';
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8'));

describe('migrateSettings', () => {
  it('upgrades a v1 file: folders become pairs with host and port split', () => {
    const s = migrateSettings(fixture('settings-v1.json'), HOME);
    expect(s.version).toBe(SETTINGS_VERSION);
    expect(s).not.toHaveProperty('folders');
    expect(s.pairs).toEqual([
      {
        id: 'pair-1', localPath: '/home/ann/Documents', host: 'nas.local', port: 7443, share: 'docs', fingerprint: 'AB:CD:EF',
        token: 'tok-docs', paused: false, ignore: ['*.tmp'], rescanIntervalSec: 300, allowEmptyRoot: false,
        mode: 'mirror', allowForeignChanges: false,
      },
      {
        id: 'photos', localPath: '/home/ann/Photos', host: 'fd00::2', port: 9000, share: 'default', fingerprint: '',
        token: '', paused: true, ignore: [], rescanIntervalSec: 300, allowEmptyRoot: false,
        mode: 'mirror', allowForeignChanges: false,
      },
      expect.objectContaining({ id: 'pair-3', host: 'backup.example.org', port: 7443 }),
    ]);
    // Keeps what v1 had, fills the rest from the defaults.
    expect(s.ui).toEqual({ ...defaultSettings(HOME).ui, startAtLogin: true });
    expect(s.server).toEqual(defaultSettings(HOME).server);
  });

  it('treats an unversioned file with folders as v1', () => {
    const s = migrateSettings({ folders: [{ path: '/x', server: 'h:1' }] }, HOME);
    expect(s.pairs[0]).toMatchObject({ localPath: '/x', host: 'h', port: 1 });
  });

  it('upgrades a v2 file: the pairs it already has keep the mirror mode, nothing else changes', () => {
    const raw = fixture('settings-v2.json') as { pairs: object[] };
    const s = migrateSettings(raw, HOME);
    expect(s.version).toBe(3);
    expect(s.pairs).toEqual(raw.pairs.map((p) => ({ ...p, mode: 'mirror', allowForeignChanges: false })));
    expect(s).toEqual({ ...raw, version: 3, pairs: s.pairs });
  });

  it('keeps a mode a v2 file already names (hand-edited), and a v2 file without pairs', () => {
    const s = migrateSettings({ version: 2, pairs: [{ id: 'a', mode: 'receive', allowForeignChanges: true }] }, HOME);
    expect(s.pairs).toEqual([{ id: 'a', mode: 'receive', allowForeignChanges: true }]);
    expect(migrateSettings({ version: 2 }, HOME).pairs).toEqual([]);
  });

  it('reads a current v3 file unchanged (two-way and mirror pairs side by side)', () => {
    const raw = fixture('settings-v3.json');
    expect(migrateSettings(raw, HOME)).toEqual(raw);
  });

  it('makes new pairs two-way, with no permission to overwrite others', () => {
    expect(NEW_PAIR_DEFAULTS).toEqual({ mode: 'two-way', allowForeignChanges: false });
  });

  it('makes a fresh install from an empty document', () => {
    expect(migrateSettings({}, HOME)).toEqual(defaultSettings(HOME));
  });

  it('refuses a garbage file with a clear error', () => {
    expect(() => migrateSettings(fixture('settings-garbage.json'), HOME)).toThrow(SettingsInvalidError);
    expect(() => migrateSettings(fixture('settings-garbage.json'), HOME)).toThrow('settings must be a JSON object, found a list');
  });

  it.each([
    [{ 0: 'this', 1: 'is' }, 'not a Ferry settings file: unexpected keys 0, 1'],
    [null, 'settings must be a JSON object, found null'],
    ['hello', 'settings must be a JSON object, found the text "hello"'],
    [{ version: 'two' }, 'settings version must be a whole number ≥ 1, found the text "two"'],
    [{ version: 99 }, 'settings version 99 is newer than this Ferry'],
    [{ version: 2, pairs: 'none' }, 'pairs must be a list, found the text "none"'],
    [{ version: 2, pairs: [7] }, 'pairs[0] is not an object'],
    [{ version: 2, ui: [] }, 'ui must be an object, found a list'],
    [{ version: 1, folders: {} }, 'folders must be a list, found an object'],
    [{ version: 1, folders: [{ server: 'h:1' }] }, 'folders[0].path must be a folder path'],
    [{ version: 1, folders: [{ path: '/x', server: 'h:99999' }] }, 'folders[0].server "h:99999" has an invalid port'],
    [{ version: 1, folders: [{ path: '/x' }] }, 'folders[0].server must be "host:port"'],
  ])('explains what is wrong with %j', (raw, message) => {
    expect(() => migrateSettings(raw, HOME)).toThrow(message);
  });

  it('tags the error with the stable CONFIG_INVALID code', () => {
    try {
      migrateSettings(42, HOME);
      expect.unreachable();
    } catch (err) {
      expect((err as SettingsInvalidError).code).toBe('CONFIG_INVALID');
    }
  });
});
