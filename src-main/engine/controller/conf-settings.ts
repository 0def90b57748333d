/** The daemon's settings port: one JSON file through `conf`, migrated on load, checked before use. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, extname, resolve } from 'node:path';
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import Conf from 'conf';
import { defaultSettings, migrateSettings, type Settings } from '../../../src-shared/settings';
import { FerryError } from '../errors';
import type { SettingsPort } from './ports';

const Str = Type.String();
const Port = Type.Integer({ minimum: 0, maximum: 65535 });

// Structural check of a migrated document: types and ranges, so a hand-edited file fails here with the
// key that is wrong rather than later somewhere inside a session. Values are re-checked by commands.
const SettingsFileSchema = Type.Object({
  version: Type.Integer(),
  pairs: Type.Array(
    Type.Object({
      id: Type.String({ minLength: 1 }),
      localPath: Type.String({ minLength: 1 }),
      host: Str,
      port: Port,
      share: Str,
      fingerprint: Str,
      token: Str,
      paused: Type.Boolean(),
      ignore: Type.Array(Str),
      rescanIntervalSec: Type.Integer({ minimum: 0 }),
      allowEmptyRoot: Type.Boolean(),
      mode: Type.Union([Type.Literal('two-way'), Type.Literal('mirror'), Type.Literal('receive')]),
      allowForeignChanges: Type.Boolean(),
    }),
  ),
  server: Type.Object({
    enabled: Type.Boolean(),
    root: Type.String({ minLength: 1 }),
    host: Type.String({ minLength: 1 }),
    port: Port,
    versionRetentionDays: Type.Integer({ minimum: 0 }),
  }),
  ui: Type.Object({
    startAtLogin: Type.Boolean(),
    notifications: Type.Boolean(),
    logLevel: Type.Union([Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug')]),
  }),
});
const checkSettings = TypeCompiler.Compile(SettingsFileSchema);

/** A settings port over `file` (created with defaults on first load; it holds tokens, so it is 0600). */
export function openConfSettings(file: string, home: string = homedir()): SettingsPort {
  const abs = resolve(file);
  const ext = extname(abs);
  let conf: Conf<Record<string, unknown>>;
  try {
    conf = new Conf<Record<string, unknown>>({
      cwd: dirname(abs),
      configName: basename(abs, ext),
      fileExtension: ext.replace(/^\./, ''),
      configFileMode: 0o600,
      accessPropertiesByDotNotation: false,
    });
  } catch (err) {
    throw invalid(abs, err);
  }
  return {
    load() {
      const fresh = !existsSync(abs);
      let raw: unknown;
      try {
        raw = fresh ? defaultSettings(home) : conf.store;
      } catch (err) {
        throw invalid(abs, err);
      }
      let settings: Settings;
      try {
        settings = migrateSettings(raw, home);
      } catch (err) {
        throw invalid(abs, err);
      }
      if (!checkSettings.Check(settings)) {
        const problems = [...checkSettings.Errors(settings)]
          .slice(0, 5)
          .map((e) => `${e.path.slice(1).replace(/\//g, '.') || '(top level)'}: ${e.message}`);
        throw new FerryError('CONFIG_INVALID', `Settings file ${abs} is invalid: ${problems.join('; ')}`, { path: abs });
      }
      if (fresh || (raw as { version?: unknown }).version !== settings.version) conf.store = { ...settings };
      return settings;
    },
    save(settings) {
      conf.store = { ...settings };
    },
  };
}

function invalid(file: string, err: unknown): FerryError {
  return new FerryError('CONFIG_INVALID', `Settings file ${file} cannot be used: ${(err as Error).message}`, { path: file, cause: err });
}
