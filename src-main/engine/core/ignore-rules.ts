/** Gitignore-syntax rules from `.ferryignore` and the pair's settings; `.ferry` is always ignored. */
import ignore, { type Ignore } from 'ignore';
import { STATE_DIR_NAME } from '../../../src-shared/protocol/limits';

/** A compiled set of ignore rules; paths are share-relative POSIX. */
export class IgnoreRules {
  private readonly ig: Ignore;
  /** Rules from settings patterns plus the text of a `.ferryignore` file (null when there is none). */
  constructor(patterns: readonly string[] = [], ignoreFileText: string | null = null) {
    this.ig = ignore().add([`/${STATE_DIR_NAME}`, ...patterns]);
    if (ignoreFileText !== null) this.ig.add(ignoreFileText);
  }
  /** True when `path` (a folder when `isDir`) is ignored, itself or through an ignored parent folder. */
  ignores(path: string, isDir: boolean): boolean {
    if (path === '') return false;
    // `ignore` throws on paths it considers non-relative; such paths cannot be synced anyway.
    try {
      return this.ig.ignores(isDir ? `${path}/` : path);
    } catch {
      return true;
    }
  }
  /** The rules as a plan predicate. */
  predicate(): (path: string, isDir: boolean) => boolean {
    return (p, d) => this.ignores(p, d);
  }
}
