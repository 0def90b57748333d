/** Settings: one versioned document shared by the desktop app (electron-store) and the daemon (conf). */
import type { FolderPair } from '../model';

/** Current settings version; bump with a new migration in migrations.ts. */
export const SETTINGS_VERSION = 3;

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** Server-mode settings. */
export interface ServerSettings {
  enabled: boolean;
  root: string;
  host: string;
  port: number;
  /** Days to keep overwritten/deleted versions (0 keeps forever). */
  versionRetentionDays: number;
}

/** UI and shell preferences. */
export interface UiSettings {
  startAtLogin: boolean;
  notifications: boolean;
  logLevel: LogLevel;
}

/** The whole settings document. */
export interface Settings {
  version: number;
  pairs: FolderPair[];
  server: ServerSettings;
  ui: UiSettings;
}

/** Defaults for a fresh install; `home` is the user's home folder. */
export function defaultSettings(home: string): Settings {
  return {
    version: SETTINGS_VERSION,
    pairs: [],
    server: { enabled: false, root: joinPosix(home, 'FerryServer'), host: '0.0.0.0', port: 7443, versionRetentionDays: 30 },
    ui: { startAtLogin: false, notifications: true, logLevel: 'info' },
  };
}

/** Mode and mirror flag of a pair made now (GUI and daemon); pairs from older settings keep `mirror` (migration 2). */
export const NEW_PAIR_DEFAULTS: Pick<FolderPair, 'mode' | 'allowForeignChanges'> = { mode: 'two-way', allowForeignChanges: false };

function joinPosix(a: string, b: string): string {
  return a.endsWith('/') || a.endsWith('\\') ? a + b : `${a}/${b}`;
}
