/** Ordered settings migrations; each takes the document of version N-1 to version N. */
import { SETTINGS_VERSION, defaultSettings, type Settings } from './schema';

type Doc = Record<string, unknown>;

/** migrations[n] upgrades a version-n document to version n+1. */
const migrations: Record<number, (doc: Doc, home: string) => Doc> = {
  // v1 had `folders: [{ path, server: "host:port", ... }]`; v2 has `pairs` with split host/port.
  1: (doc) => {
    const folders = Array.isArray(doc.folders) ? (doc.folders as Doc[]) : [];
    const pairs = folders.map((f, i) => {
      const [host, port] = String(f.server ?? '').split(/:(?=\d+$)/);
      return {
        id: String(f.id ?? `pair-${i + 1}`),
        localPath: String(f.path ?? ''),
        host: host ?? '',
        port: Number(port ?? 7443),
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
};

/** Bring any stored settings document up to the current version, filling missing parts with defaults. */
export function migrateSettings(raw: unknown, home: string): Settings {
  let doc: Doc = raw && typeof raw === 'object' ? { ...(raw as Doc) } : {};
  let version = typeof doc.version === 'number' ? doc.version : doc.folders ? 1 : SETTINGS_VERSION;
  if (version > SETTINGS_VERSION) throw new Error(`settings version ${version} is newer than this Ferry (${SETTINGS_VERSION})`);
  while (version < SETTINGS_VERSION) {
    const step = migrations[version];
    if (!step) throw new Error(`no settings migration from version ${version}`);
    doc = step(doc, home);
    version += 1;
  }
  const defaults = defaultSettings(home);
  return {
    version: SETTINGS_VERSION,
    pairs: Array.isArray(doc.pairs) ? (doc.pairs as Settings['pairs']) : [],
    server: { ...defaults.server, ...((doc.server as Doc | undefined) ?? {}) } as Settings['server'],
    ui: { ...defaults.ui, ...((doc.ui as Doc | undefined) ?? {}) } as Settings['ui'],
  };
}
