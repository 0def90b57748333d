/**
 * Kept versions: whatever a sync overwrites or deletes is first moved (or hard-linked) to
 * `<share>/.ferry/versions/<relpath>~<UTC timestamp>` so no sync mistake is final; pruned by age.
 */
import { lstatSync } from 'node:fs';
import { cp, link, lstat, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { STATE_DIR_NAME } from '../../../src-shared/protocol/limits';
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

  constructor(
    /** SafeRoot of `<share>/.ferry/versions` (created by the caller). */
    readonly root: SafeRoot,
  ) {}

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
    return removed;
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
          out.push({ path: r, original: r.slice(0, r.length - m![0].length), keptAt, kind, size: kind === 'dir' ? 0 : st.size });
        } else if (st.isDirectory()) {
          await visit(abs, r);
        }
      }
    };
    await visit(this.root.root, '');
    return out.sort((a, b) => b.keptAt - a.keptAt || a.path.localeCompare(b.path));
  }
}
