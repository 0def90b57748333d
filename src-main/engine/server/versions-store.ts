/**
 * Kept versions: whatever a sync overwrites or deletes is first moved (or hard-linked) to
 * `<share>/.ferry/versions/<relpath>~<UTC timestamp>` so no sync mistake is final; pruned by age.
 */
import { lstatSync, readFileSync } from 'node:fs';
import { appendFile, cp, link, lstat, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { STATE_DIR_NAME } from '../../../src-shared/protocol/limits';
import { relPathProblem } from '../../../src-shared/protocol/paths';
import { FerryError, toFerryError } from '../errors';
import type { SafeRoot } from '../fs/safe-path';

/** Folder of kept versions inside a share's state folder, share-relative. */
export const VERSIONS_REL = `${STATE_DIR_NAME}/versions`;

const SUFFIX = /~(\d{8}T\d{6}Z)(?:-(\d+))?$/;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Names tried for one version before giving up (`-2`, `-3`, … after the plain stamp). */
const MAX_NAME_TRIES = 10_000;

/** One kept version. */
export interface KeptVersion {
  /** Path relative to `.ferry/versions` (what `get {area: 'versions'}` takes). */
  path: string;
  /** Share-relative path the version was at. */
  original: string;
  /** When it was kept (ms since epoch, second precision). */
  keptAt: number;
  kind: 'file' | 'dir' | 'symlink';
  size: number;
  /** The kept item's own modification time (what it was when replaced). */
  mtimeMs: number;
}

/** The device whose change made the server keep a version. */
export interface KeptBy {
  /** clientId from its hello. */
  device: string;
  /** Its clientName, when it gave one. */
  deviceName?: string;
}

/** File beside the versions folder noting who caused each keep (JSON lines), so listings can say which device. */
export const KEPT_BY_FILE = 'versions-by.jsonl';

/**
 * The share path a version id (its path under the versions folder) was kept from; PATH_INVALID for anything that
 * is not the name of a kept item: an unsafe path (`..`, absolute, NUL …), no stamp, or a path inside a kept folder.
 */
export function versionOriginal(id: string): string {
  const problem = relPathProblem(id);
  if (problem !== null) throw new FerryError('PATH_INVALID', `Refused version id: ${problem}`, { path: id });
  const parts = id.split('/');
  const m = SUFFIX.exec(parts[parts.length - 1]!);
  if (!m || parseVersionStamp(m[1]!) === undefined) throw new FerryError('PATH_INVALID', `${id} is not a kept version`, { path: id });
  // Listings never look inside a kept folder (user data), so an id there is not one they could have given.
  if (parts.slice(0, -1).some((p) => SUFFIX.test(p))) throw new FerryError('PATH_INVALID', `${id} lies inside a kept folder`, { path: id });
  const original = id.slice(0, id.length - m[0].length);
  if (relPathProblem(original) !== null) throw new FerryError('PATH_INVALID', `${id} is not a kept version`, { path: id });
  return original;
}

/** `20261125T134501Z` for a date. */
export function versionStamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** Milliseconds of a stamp made by `versionStamp`, or undefined. */
export function parseVersionStamp(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(t) ? undefined : t;
}

/** The versions area of one share. */
export class VersionsStore {
  /** Names being created right now, so two concurrent keeps of one path in one second do not collide. */
  private readonly reserved = new Set<string>();

  /** Who caused each keep, by version path; read from KEPT_BY_FILE on first use. */
  private keptBy: Map<string, KeptBy> | null = null;
  /** Appends and rewrites of KEPT_BY_FILE, one after another. */
  private keptByWrites: Promise<void> = Promise.resolve();

  constructor(
    /** SafeRoot of `<share>/.ferry/versions` (created by the caller). */
    readonly root: SafeRoot,
  ) {}

  private get keptByFile(): string {
    return join(dirname(this.root.root), KEPT_BY_FILE);
  }

  private keptByMap(): Map<string, KeptBy> {
    if (this.keptBy) return this.keptBy;
    this.keptBy = new Map();
    let text = '';
    try {
      text = readFileSync(this.keptByFile, 'utf8'); // once per server start; a missing file is an empty map
    } catch {
      return this.keptBy;
    }
    for (const line of text.split('\n')) {
      try {
        const r = JSON.parse(line) as { v?: unknown; d?: unknown; n?: unknown };
        if (typeof r.v === 'string' && typeof r.d === 'string') this.keptBy.set(r.v, { device: r.d, ...(typeof r.n === 'string' ? { deviceName: r.n } : {}) });
      } catch {
        // a torn last line (crash mid-append) or garbage: that keep just shows no device
      }
    }
    return this.keptBy;
  }

  /** Note that `by` caused the keeps at `paths` (version paths). Best effort: losing a note loses only a label. */
  noteKeptBy(paths: readonly string[], by: KeptBy): void {
    const map = this.keptByMap();
    let lines = '';
    for (const v of paths) {
      map.set(v, by);
      lines += `${JSON.stringify({ v, d: by.device, ...(by.deviceName !== undefined ? { n: by.deviceName } : {}) })}\n`;
    }
    if (lines === '') return;
    this.keptByWrites = this.keptByWrites.then(() => appendFile(this.keptByFile, lines, { mode: 0o600 })).catch(() => undefined);
  }

  /** Who caused the keep of version `path`, when noted. */
  keptByOf(path: string): KeptBy | undefined {
    return this.keptByMap().get(path);
  }

  /** Resolves when the notes so far are written. */
  flushNotes(): Promise<void> {
    return this.keptByWrites;
  }

  /**
   * Keep what is at `abs` (share path `rel`) as a version. 'move' takes it away (remove, or a folder about
   * to be replaced); 'link' hard-links a file so it stays in place until something is renamed over it.
   * Returns the version's path relative to the versions folder and its absolute path.
   * Every keep gets a name of its own, also when many keep the same path in the same second: the name is
   * picked and reserved with no await in between, and a hard link refuses an existing name (EEXIST: next name).
   * Nothing is ever written over an existing version.
   */
  async keep(rel: string, abs: string, how: 'move' | 'link', now = new Date()): Promise<{ path: string; abs: string }> {
    const base = `${rel}~${versionStamp(now)}`;
    const dir = dirname(await this.root.resolveForWrite(base)); // creates the parent folders in versions
    for (let n = 1; n <= MAX_NAME_TRIES; n++) {
      const name = n === 1 ? base : `${base}-${n}`;
      const dest = join(dir, basename(name));
      if (this.reserved.has(dest) || lstatSync(dest, { throwIfNoEntry: false }) !== undefined) continue;
      this.reserved.add(dest);
      try {
        if (await this.place(abs, dest, how)) return { path: name, abs: dest };
      } catch (err) {
        throw toFerryError(err, rel);
      } finally {
        this.reserved.delete(dest);
      }
    }
    throw new FerryError('IO_ERROR', `No free version name for ${rel}`, { path: rel });
  }

  /** Link or move `abs` to the fresh name `dest`; false when `dest` turned out to exist (try another name). */
  private async place(abs: string, dest: string, how: 'move' | 'link'): Promise<boolean> {
    if (how === 'link') {
      try {
        await link(abs, dest);
        return true;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') return false;
        if (code === 'ENOENT') throw err;
        // File systems without hard links (or a share spanning mounts): a copy keeps the content just as well.
        await cp(abs, dest, { preserveTimestamps: true, verbatimSymlinks: true, force: false, errorOnExist: true });
        return true;
      }
    }
    // Only this process creates names here, and this one is reserved and was free a moment ago.
    try {
      await rename(abs, dest);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
      if (code !== 'EXDEV') throw err;
      await cp(abs, dest, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true, force: false, errorOnExist: true });
      await rm(abs, { recursive: true, force: true });
    }
    return true;
  }

  /** Delete versions kept longer than `retentionDays` (0 keeps forever). Returns the absolute paths removed. */
  async prune(retentionDays: number, now = Date.now()): Promise<string[]> {
    if (!(retentionDays > 0)) return [];
    const cutoff = now - retentionDays * DAY_MS;
    const removed: string[] = [];
    const visit = async (dir: string): Promise<void> => {
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        const abs = join(dir, name);
        const m = SUFFIX.exec(name);
        const keptAt = m ? parseVersionStamp(m[1]!) : undefined;
        if (keptAt !== undefined) {
          if (keptAt < cutoff) {
            await rm(abs, { recursive: true, force: true });
            removed.push(abs);
          }
          continue; // a kept folder holds user data: never descend into it
        }
        const st = await lstat(abs).catch(() => undefined);
        if (st?.isDirectory()) {
          await visit(abs);
          await rmdir(abs).catch(() => undefined); // only succeeds when nothing is left in it
        }
      }
    };
    await visit(this.root.root);
    if (removed.length > 0) this.forgetNotes(removed.map((abs) => relative(this.root.root, abs).split(sep).join('/')));
    return removed;
  }

  /** Drop the notes of pruned versions and rewrite the notes file without them. */
  private forgetNotes(paths: readonly string[]): void {
    const map = this.keptByMap();
    for (const p of paths) map.delete(p);
    const text = [...map].map(([v, by]) => `${JSON.stringify({ v, d: by.device, ...(by.deviceName !== undefined ? { n: by.deviceName } : {}) })}\n`).join('');
    this.keptByWrites = this.keptByWrites.then(() => writeFile(this.keptByFile, text, { mode: 0o600 })).catch(() => undefined);
  }

  /** Every kept version, newest first. */
  async list(): Promise<KeptVersion[]> {
    const out: KeptVersion[] = [];
    const visit = async (dir: string, rel: string): Promise<void> => {
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        const abs = join(dir, name);
        const r = rel ? `${rel}/${name}` : name;
        const st = await lstat(abs).catch(() => undefined);
        if (!st) continue;
        const m = SUFFIX.exec(name);
        const keptAt = m ? parseVersionStamp(m[1]!) : undefined;
        if (keptAt !== undefined) {
          const kind = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'file';
          out.push({ path: r, original: r.slice(0, r.length - m![0].length), keptAt, kind, size: kind === 'dir' ? 0 : st.size, mtimeMs: Math.floor(st.mtimeMs) });
        } else if (st.isDirectory()) {
          await visit(abs, r);
        }
      }
    };
    await visit(this.root.root, '');
    return out.sort((a, b) => b.keptAt - a.keptAt || a.path.localeCompare(b.path));
  }
}
