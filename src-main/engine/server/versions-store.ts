/**
 * Kept versions: whatever a sync overwrites or deletes is first moved (or hard-linked) to
 * `<share>/.ferry/versions/<relpath>~<UTC timestamp>` so no sync mistake is final; pruned by age.
 */
import { cp, link, lstat, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { STATE_DIR_NAME } from '../../../src-shared/protocol/limits';
import { toFerryError } from '../errors';
import type { SafeRoot } from '../fs/safe-path';

/** Folder of kept versions inside a share's state folder, share-relative. */
export const VERSIONS_REL = `${STATE_DIR_NAME}/versions`;

const SUFFIX = /~(\d{8}T\d{6}Z)(?:-(\d+))?$/;
const DAY_MS = 24 * 60 * 60 * 1000;

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
   */
  async keep(rel: string, abs: string, how: 'move' | 'link', now = new Date()): Promise<{ path: string; abs: string }> {
    const base = `${rel}~${versionStamp(now)}`;
    let name = base;
    let dest = '';
    for (let n = 2; ; n++) {
      dest = await this.root.resolveForWrite(name);
      if (!this.reserved.has(dest) && !(await exists(dest))) break;
      name = `${base}-${n}`;
    }
    this.reserved.add(dest);
    try {
      if (how === 'link') await link(abs, dest).catch(async (err: NodeJS.ErrnoException) => {
        // File systems without hard links (or a share spanning mounts): a copy keeps the content just as well.
        if (err.code === 'ENOENT') throw err;
        await cp(abs, dest, { preserveTimestamps: true, verbatimSymlinks: true });
      });
      else await rename(abs, dest).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EXDEV') throw err;
        await cp(abs, dest, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
        await rm(abs, { recursive: true, force: true });
      });
    } catch (err) {
      throw toFerryError(err, rel);
    } finally {
      this.reserved.delete(dest);
    }
    return { path: name, abs: dest };
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

async function exists(abs: string): Promise<boolean> {
  try {
    await lstat(abs);
    return true;
  } catch {
    return false;
  }
}
