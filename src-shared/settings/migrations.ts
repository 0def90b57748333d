/** Ordered settings migrations; each takes the document of version N-1 to version N. */
import { SETTINGS_VERSION, defaultSettings, type Settings } from './schema';

type Doc = Record<string, unknown>;

const KNOWN_UNVERSIONED_KEYS = ['folders', 'pairs', 'server', 'ui'];

/** A settings document that cannot be read as Ferry settings; carries the stable code for shells to report. */
export class SettingsInvalidError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'SettingsInvalidError';
  }
}

/** migrations[n] upgrades a version-n document to version n+1. */
const migrations: Record<number, (doc: Doc, home: string) => Doc> = {
  // v1 had `folders: [{ path, server: "host:port", ... }]`; v2 has `pairs` with split host/port.
  1: (doc) => {
    const folders = listOf(doc.folders, 'folders');
    const pairs = folders.map((f, i) => {
      const where = `folders[${i}]`;
      if (!isDoc(f)) throw new SettingsInvalidError(`${where} is not an object`);
      if (typeof f.path !== 'string' || f.path === '') throw new SettingsInvalidError(`${where}.path must be a folder path`);
      const { host, port } = splitServer(f.server, where);
      return {
        id: String(f.id ?? `pair-${i + 1}`),
        localPath: f.path,
        host,
        port,
        share: String(f.share ?? 'default'),
        fingerprint: String(f.fingerprint ?? ''),
        token: String(f.token ?? ''),
        paused: Boolean(f.paused ?? false),
        ignore: Array.isArray(f.ignore) ? f.ignore.map(String) : [],
        rescanIntervalSec: 300,
        allowEmptyRoot: false,
      };
    });
    const { folders: _dropped, ...rest } = doc;
    return { ...rest, version: 2, pairs };
  },
  // v3 adds sync modes: every pair that existed before keeps the mirror semantics it was made with.
  2: (doc) => {
    const pairs = doc.pairs === undefined ? undefined : listOf(doc.pairs, 'pairs').map((p) =>
      isDoc(p) ? { ...p, mode: p.mode ?? 'mirror', allowForeignChanges: p.allowForeignChanges ?? false } : p,
    );
    return { ...doc, version: 3, ...(pairs === undefined ? {} : { pairs }) };
  },
};

/**
 * Bring any stored settings document up to the current version, filling missing parts with defaults.
 * An empty document is a fresh install; anything that is not a settings document throws
 * SettingsInvalidError naming what is wrong (callers must not overwrite such a file with defaults).
 */
export function migrateSettings(raw: unknown, home: string): Settings {
  if (!isDoc(raw)) throw new SettingsInvalidError(`settings must be a JSON object, found ${describe(raw)}`);
  let doc: Doc = { ...raw };
  if (doc.version !== undefined && !(Number.isInteger(doc.version) && (doc.version as number) >= 1)) {
    throw new SettingsInvalidError(`settings version must be a whole number ≥ 1, found ${describe(doc.version)}`);
  }
  if (doc.version === undefined) {
    // Without a version, only a document made of settings keys is ours (conf turns a top-level list into {0: …}).
    const foreign = Object.keys(doc).filter((k) => !KNOWN_UNVERSIONED_KEYS.includes(k));
    if (foreign.length > 0) throw new SettingsInvalidError(`not a Ferry settings file: unexpected keys ${foreign.slice(0, 5).join(', ')}`);
  }
  let version = typeof doc.version === 'number' ? doc.version : doc.folders !== undefined ? 1 : SETTINGS_VERSION;
  if (version > SETTINGS_VERSION) throw new SettingsInvalidError(`settings version ${version} is newer than this Ferry (${SETTINGS_VERSION})`);
  while (version < SETTINGS_VERSION) {
    const step = migrations[version];
    if (!step) throw new SettingsInvalidError(`no settings migration from version ${version}`);
    doc = step(doc, home);
    version += 1;
  }
  const defaults = defaultSettings(home);
  const pairs = doc.pairs === undefined ? [] : listOf(doc.pairs, 'pairs');
  pairs.forEach((p, i) => {
    if (!isDoc(p)) throw new SettingsInvalidError(`pairs[${i}] is not an object`);
  });
  return {
    version: SETTINGS_VERSION,
    pairs: pairs as Settings['pairs'],
    server: { ...defaults.server, ...section(doc.server, 'server') } as Settings['server'],
    ui: { ...defaults.ui, ...section(doc.ui, 'ui') } as Settings['ui'],
  };
}

function splitServer(server: unknown, where: string): { host: string; port: number } {
  if (typeof server !== 'string' || server.trim() === '') throw new SettingsInvalidError(`${where}.server must be "host:port"`);
  // "[::1]:7443" (IPv6), "nas.local:7443", or a bare host on the default port.
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(server.trim()) ?? /^([^:]+)(?::(\d+))?$/.exec(server.trim());
  if (!m || m[1] === undefined) throw new SettingsInvalidError(`${where}.server "${server}" is not "host:port"`);
  const port = m[2] === undefined ? 7443 : Number(m[2]);
  if (!(port >= 1 && port <= 65535)) throw new SettingsInvalidError(`${where}.server "${server}" has an invalid port`);
  return { host: m[1], port };
}

function listOf(value: unknown, name: string): unknown[] {
  if (!Array.isArray(value)) throw new SettingsInvalidError(`${name} must be a list, found ${describe(value)}`);
  return value;
}

function section(value: unknown, name: string): Doc {
  if (value === undefined) return {};
  if (!isDoc(value)) throw new SettingsInvalidError(`${name} must be an object, found ${describe(value)}`);
  return value;
}

function isDoc(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the text "${value.length > 20 ? `${value.slice(0, 20)}…` : value}"`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
