/**
 * Share-relative path → absolute path that provably stays inside the share root.
 * The pure rules (`relPathProblem`) run first; then every existing ancestor below the root is lstat'ed:
 * a symlink on the way would let a write land outside the share (or through a link), so it is refused.
 */
import { lstatSync, type Stats } from 'node:fs';
import { mkdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { STATE_DIR_NAME } from '../../../src-shared/protocol/limits';
import { relPathProblem } from '../../../src-shared/protocol/paths';
import { FerryError, toFerryError } from '../errors';

/** A folder resolved once (realpath) that share-relative paths are resolved against. */
export class SafeRoot {
  /** Set on case-insensitive file systems, where `.Ferry/…` would land in the state folder. */
  caseInsensitive = false;

  private constructor(
    /** Real absolute path of the root, no trailing separator. */
    readonly root: string,
  ) {}

  /** Realpath `root` once; it must exist and be a folder. */
  static async open(root: string): Promise<SafeRoot> {
    let real: string;
    try {
      real = await realpath(root);
      if (!(await stat(real)).isDirectory()) throw new FerryError('CONFIG_INVALID', `${root} is not a folder`);
    } catch (err) {
      if (err instanceof FerryError) throw err;
      throw new FerryError('CONFIG_INVALID', `Share folder ${root} cannot be used: ${(err as Error).message}`, { cause: err });
    }
    return new SafeRoot(real);
  }

  /**
   * Absolute path of `rel`. Throws PATH_INVALID for a malformed path, PATH_OUTSIDE_SHARE when an existing
   * ancestor is a symlink, PATH_INVALID when an ancestor is not a folder. The last component is not
   * followed: callers operate on it with lstat/rename semantics, so a link there is replaced, never written through.
   */
  resolve(rel: string): string {
    return this.check(rel).abs;
  }

  /**
   * Re-check `rel` as `resolve` does, with no cache: called synchronously right before a rename, chmod or
   * utimes, so that nothing in this process can run between the check and the call.
   */
  verify(rel: string): void {
    this.check(rel);
  }

  /**
   * `resolve`, also telling whether every parent folder already exists. `checkedParents`: share-relative
   * folders that were found to be real folders a moment ago (by this same walk, in the same batch of writes):
   * their ancestors are not lstat'ed again.
   */
  private check(rel: string, checkedParents?: Set<string>): { abs: string; parentsExist: boolean } {
    const problem = relPathProblem(rel);
    if (problem !== null) throw new FerryError('PATH_INVALID', `Refused path: ${problem}`, { path: rel });
    const slash = rel.lastIndexOf('/');
    if (slash > 0 && checkedParents?.has(rel.slice(0, slash))) return { abs: join(this.root, rel), parentsExist: true };
    const parts = rel.split('/');
    if (this.caseInsensitive && parts[0]!.toLowerCase() === STATE_DIR_NAME) {
      throw new FerryError('PATH_INVALID', `Refused path: ${STATE_DIR_NAME} is reserved (in any letter case here)`, { path: rel });
    }
    let abs = this.root;
    for (let i = 0; i < parts.length - 1; i++) {
      abs = join(abs, parts[i]!);
      // Sync lstat on purpose: a few µs on cached dentries, versus a thread-pool round trip per
      // ancestor per file that would compete with the fsyncs of thousands of small writes.
      let st: Stats | undefined;
      try {
        st = lstatSync(abs, { throwIfNoEntry: false });
      } catch (err) {
        throw toFerryError(err, rel);
      }
      if (st === undefined) return { abs: join(this.root, ...parts), parentsExist: false }; // nothing further to follow
      if (st.isSymbolicLink()) {
        throw new FerryError('PATH_OUTSIDE_SHARE', `Refused path: ${parts.slice(0, i + 1).join('/')} is a symlink`, { path: rel });
      }
      if (!st.isDirectory()) {
        throw new FerryError('PATH_INVALID', `Refused path: ${parts.slice(0, i + 1).join('/')} is not a folder`, { path: rel });
      }
    }
    if (slash > 0) checkedParents?.add(rel.slice(0, slash));
    return { abs: join(abs, parts[parts.length - 1]!), parentsExist: true };
  }

  /**
   * Resolve `rel` and create its missing parent folders; returns the absolute path of `rel`. `checkedParents`
   * (see `check`) lets one batch of writes walk each folder once; it must not outlive the batch.
   */
  async resolveForWrite(rel: string, checkedParents?: Set<string>): Promise<string> {
    const { abs, parentsExist } = this.check(rel, checkedParents);
    const slash = rel.lastIndexOf('/');
    if (slash > 0 && !parentsExist) {
      try {
        await mkdir(join(this.root, rel.slice(0, slash)), { recursive: true, mode: 0o755 });
      } catch (err) {
        throw toFerryError(err, rel);
      }
      // mkdir -p follows links: re-check that no link appeared on the way while we were not looking.
      this.check(rel, checkedParents);
    }
    return abs;
  }

  /** Share-relative POSIX form of an absolute path inside the root (undefined when outside). */
  relativeOf(abs: string): string | undefined {
    const r = relative(this.root, abs);
    if (r === '' || r === '..' || r.startsWith('..' + sep) || isAbsolute(r)) return undefined;
    return sep === '/' ? r : r.split(sep).join('/');
  }
}

/**
 * Throw PATH_OUTSIDE_SHARE when `abs` is not below `root` or when an existing folder between them is a symlink
 * (the root itself may be one). For writes into a local folder whose contents another party can shape (the
 * client folder): call it before creating parents and again right before the final rename.
 */
export function assertNoLinkBetween(root: string, abs: string): void {
  const rel = relative(root, abs);
  if (rel === '' || rel === '..' || rel.startsWith('..' + sep) || isAbsolute(rel)) {
    throw new FerryError('PATH_OUTSIDE_SHARE', `Refused path outside the folder: ${abs}`, { path: abs });
  }
  const parts = rel.split(sep);
  let at = root;
  for (let i = 0; i < parts.length - 1; i++) {
    at = join(at, parts[i]!);
    let st: Stats | undefined;
    try {
      st = lstatSync(at, { throwIfNoEntry: false });
    } catch (err) {
      throw toFerryError(err, abs);
    }
    if (st === undefined) return; // nothing further exists to follow
    if (st.isSymbolicLink()) throw new FerryError('PATH_OUTSIDE_SHARE', `Refused: ${at} is a symlink`, { path: abs });
    if (!st.isDirectory()) throw new FerryError('PATH_INVALID', `Refused: ${at} is not a folder`, { path: abs });
  }
}
