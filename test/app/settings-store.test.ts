import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Conf from 'conf';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SETTINGS_VERSION } from '../../src-shared/settings';
import { createSettingsPort } from '../../src-main/app/settings-store';
import type { Encryptor } from '../../src-main/app/settings-secrets';

const HOME = '/home/ann';
const keychain: Encryptor = {
  isEncryptionAvailable: () => true,
  encryptString: (plain) => Buffer.from(`sealed:${plain}`),
  decryptString: (buf) => buf.toString().replace(/^sealed:/, ''),
};
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A conf store (electron-store's base) over a copy of `fixture`, and a log that keeps its lines. */
function storeWith(fixture: string | null) {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-settings-'));
  dirs.push(dir);
  const file = join(dir, 'settings.json');
  if (fixture) copyFileSync(new URL(`fixtures/${fixture}`, import.meta.url), file);
  const lines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (l: string) => lines.push(l) });
  const open = () => new Conf<Record<string, unknown>>({ cwd: dir, configName: 'settings', accessPropertiesByDotNotation: false });
  return { file, lines, open, log };
}

describe('createSettingsPort', () => {
  it('migrates a v1 file on load and writes it back as the current version with sealed tokens', () => {
    const s = storeWith('settings-v1.json');
    const settings = createSettingsPort(s.open(), { home: HOME, encryptor: keychain, log: s.log }).load();
    expect(settings.pairs[0]).toMatchObject({ localPath: '/home/ann/Documents', host: 'nas.local', token: 'tok-docs' });
    const onDisk = JSON.parse(readFileSync(s.file, 'utf8'));
    expect(onDisk.version).toBe(SETTINGS_VERSION);
    expect(onDisk.folders).toBeUndefined();
    expect(onDisk.pairs[0].token).toBe(`enc:${Buffer.from('sealed:tok-docs').toString('base64')}`);
    expect(s.lines.join('')).toContain('settings file rewritten');
  });

  it('migrates a v2 file: its pairs keep mirror, the file is rewritten once, tokens stay sealed', () => {
    const s = storeWith('settings-v2.json');
    const settings = createSettingsPort(s.open(), { home: HOME, encryptor: keychain, log: s.log }).load();
    expect(settings.pairs).toEqual([expect.objectContaining({ id: 'p-1', token: 'tok-docs', mode: 'mirror', allowForeignChanges: false })]);
    const onDisk = JSON.parse(readFileSync(s.file, 'utf8'));
    expect(onDisk).toMatchObject({ version: SETTINGS_VERSION, pairs: [{ mode: 'mirror', allowForeignChanges: false, token: 'enc:c2VhbGVkOnRvay1kb2Nz' }] });
    const rewritten = readFileSync(s.file, 'utf8');
    createSettingsPort(s.open(), { home: HOME, encryptor: keychain, log: s.log }).load();
    expect(readFileSync(s.file, 'utf8')).toBe(rewritten);
  });

  it('opens sealed tokens of a current file and leaves the file alone', () => {
    const s = storeWith('settings-v3.json');
    const before = readFileSync(s.file, 'utf8');
    const settings = createSettingsPort(s.open(), { home: HOME, encryptor: keychain, log: s.log }).load();
    expect(settings.pairs[0]?.token).toBe('tok-docs');
    expect(readFileSync(s.file, 'utf8')).toBe(before);
  });

  it('saves tokens sealed, and plain with a warning when there is no keychain', () => {
    const s = storeWith('settings-v3.json');
    const noKeychain = { ...keychain, isEncryptionAvailable: () => false };
    const port = createSettingsPort(s.open(), { home: HOME, encryptor: noKeychain, log: s.log });
    const loaded = port.load();
    port.save({ ...loaded, pairs: [{ ...loaded.pairs[0]!, token: 'new-token' }] });
    expect(JSON.parse(readFileSync(s.file, 'utf8')).pairs[0].token).toBe('new-token');
    expect(s.lines.join('')).toContain('plain text');
  });

  it('refuses a garbage file with CONFIG_INVALID naming the file, without overwriting it', () => {
    const s = storeWith('settings-garbage.json');
    const before = readFileSync(s.file, 'utf8');
    const port = createSettingsPort(s.open(), { home: HOME, encryptor: keychain, log: s.log });
    expect(() => port.load()).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', path: s.file }));
    expect(() => port.load()).toThrow(/not a Ferry settings file/);
    expect(readFileSync(s.file, 'utf8')).toBe(before);
  });

  it('refuses a truncated JSON file (conf throws when opening it)', () => {
    const s = storeWith('settings-truncated.json');
    expect(() => createSettingsPort(s.open(), { home: HOME, encryptor: keychain, log: s.log }).load()).toThrow();
  });
});
