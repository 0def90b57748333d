/**
 * Web GUI login sessions: a random 256-bit id in the browser's cookie, only its SHA-256 on the daemon's
 * side, kept in `STATE/gui-sessions.json` (mode 0600) so a restart does not log anyone out. Whoever reads
 * that file learns no usable session id.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** File name of the session list in the daemon's state folder. */
export const SESSIONS_FILE = 'gui-sessions.json';

/** How long a login lasts (the cookie's Max-Age). Fixed, not sliding: a stolen cookie stops working. */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** More live sessions than this drops the oldest (each login makes one; a browser keeps only its last). */
const MAX_SESSIONS = 64;

interface StoredSession {
  /** base64url SHA-256 of the id. */
  idHash: string;
  createdAt: number;
  expiresAt: number;
}

/** The sessions of one daemon. */
export interface SessionStore {
  /** A new session; the id goes into the cookie and nowhere else. */
  create(): Promise<{ id: string; expiresAt: number }>;
  /** The stored key of a live session (for closing its sockets later), or null. Older than `notBefore` is dead. */
  check(id: string | undefined, notBefore: number): string | null;
  /** True while the session stored under `key` (from `check`) is live; for sockets opened earlier. */
  isLive(key: string, notBefore: number): boolean;
  /** End the session with this id (logout); returns its key, if it existed. */
  revoke(id: string): Promise<string | null>;
}

/** Load the sessions of `stateDir` (a missing or damaged file means none) and keep them there. */
export function openSessionStore(stateDir: string, now: () => number = Date.now): SessionStore {
  const file = join(stateDir, SESSIONS_FILE);
  const sessions = new Map<string, StoredSession>(load(file, now()).map((s) => [s.idHash, s]));
  let writing: Promise<void> = Promise.resolve();

  // Writes are chained: two logins at once must not interleave their renames.
  const persist = (): Promise<void> => {
    const t = now();
    for (const [k, s] of sessions) if (s.expiresAt <= t) sessions.delete(k);
    const text = `${JSON.stringify({ version: 1, sessions: [...sessions.values()] })}\n`;
    writing = writing.then(() => writeSecretFile(stateDir, file, text)).catch(() => undefined);
    return writing;
  };

  const isLive = (key: string, notBefore: number): boolean => {
    const s = sessions.get(key);
    return s !== undefined && s.expiresAt > now() && s.createdAt >= notBefore;
  };

  return {
    async create() {
      const id = randomBytes(32).toString('base64url');
      const t = now();
      const s: StoredSession = { idHash: digest(id), createdAt: t, expiresAt: t + SESSION_TTL_MS };
      sessions.set(s.idHash, s);
      while (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value as string);
      await persist();
      return { id, expiresAt: s.expiresAt };
    },
    check(id, notBefore) {
      if (!id || id.length > 100) return null;
      const key = digest(id);
      // Map lookup by digest: timing reveals nothing usable about the id itself.
      return isLive(key, notBefore) ? key : null;
    },
    isLive,
    async revoke(id) {
      const key = digest(id);
      if (!sessions.delete(key)) return null;
      await persist();
      return key;
    },
  };
}

function digest(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('base64url');
}

function load(file: string, t: number): StoredSession[] {
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown; sessions?: unknown };
    if (doc.version !== 1 || !Array.isArray(doc.sessions)) return [];
    return (doc.sessions as Partial<StoredSession>[])
      .filter((s): s is StoredSession => typeof s.idHash === 'string' && Number.isSafeInteger(s.createdAt) && Number.isSafeInteger(s.expiresAt))
      .filter((s) => s.expiresAt > t)
      .slice(-MAX_SESSIONS);
  } catch {
    return []; // no file, or damaged: everyone logs in again, nothing worse
  }
}

/** Atomic write, mode 0600, in a folder made 0700. */
export async function writeSecretFile(dir: string, file: string, text: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}
