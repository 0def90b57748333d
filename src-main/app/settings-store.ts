/**
 * The desktop app's settings port: one JSON file through electron-store (in userData), migrated on load,
 * pair tokens sealed with safeStorage. The port logic runs over any conf-like store, so tests use `conf`.
 */
import type { Settings } from '../../src-shared/settings';
import { migrateSettings } from '../../src-shared/settings';
import type { SettingsPort } from '../engine/create-engine';
import { FerryError } from '../engine/errors';
import type { Logger } from '../engine/log';
import { openSecrets, sealSecrets, type Encryptor } from './settings-secrets';

/** The part of a conf/electron-store instance used here: reading `store` re-reads the file. */
export interface StoreBackend {
  store: Record<string, unknown>;
  readonly path: string;
}

/** A settings port over `backend`; problems (undecryptable tokens, plain-text tokens) go to `log`. */
export function createSettingsPort(backend: StoreBackend, opts: { home: string; encryptor: Encryptor; log: Logger }): SettingsPort {
  let warnedPlain = false;
  const save = (settings: Settings): void => {
    const sealed = sealSecrets(settings, opts.encryptor);
    if (sealed.plainTokens && !warnedPlain) {
      warnedPlain = true;
      opts.log.warn({ file: backend.path }, 'no system keychain available: pair tokens are stored in plain text (file mode 0600)');
    }
    backend.store = { ...sealed.settings };
  };
  return {
    load() {
      let raw: unknown;
      try {
        raw = backend.store;
      } catch (err) {
        throw invalid(backend.path, err);
      }
      let migrated: Settings;
      try {
        migrated = migrateSettings(raw, opts.home);
      } catch (err) {
        throw invalid(backend.path, err);
      }
      const opened = openSecrets(migrated, opts.encryptor);
      for (const problem of opened.problems) opts.log.warn({ file: backend.path }, problem);
      const before = JSON.stringify(raw);
      // Write back after a migration, and to seal tokens that were still plain (hand-edited or pre-keychain).
      if (before !== JSON.stringify(sealSecrets(migrated, opts.encryptor).settings)) {
        opts.log.info({ file: backend.path, from: (raw as { version?: unknown }).version ?? null, to: migrated.version }, 'settings file rewritten (migrated or tokens sealed)');
        save(opened.problems.length > 0 ? migrated : opened.settings);
      }
      return opened.settings;
    },
    save,
  };
}

/** Open `settings.json` in Electron's userData with electron-store (main process only). */
export async function openElectronSettingsPort(opts: { home: string; encryptor: Encryptor; log: Logger }): Promise<{ port: SettingsPort; path: string }> {
  // Imported lazily: electron-store imports electron, which plain-Node tests must never load.
  const { default: ElectronStore } = await import('electron-store');
  let store: StoreBackend;
  try {
    store = new ElectronStore<Record<string, unknown>>({
      name: 'settings',
      clearInvalidConfig: false,
      accessPropertiesByDotNotation: false,
      configFileMode: 0o600,
    });
  } catch (err) {
    throw new FerryError('CONFIG_INVALID', `The settings file in the app's data folder cannot be read: ${(err as Error).message}. Fix or remove it.`, { cause: err });
  }
  return { port: createSettingsPort(store, opts), path: store.path };
}

function invalid(file: string, err: unknown): FerryError {
  return new FerryError('CONFIG_INVALID', `Settings file ${file} cannot be used: ${(err as Error).message}. Fix or remove it.`, { path: file, cause: err });
}
