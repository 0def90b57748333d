/** Gitignore-syntax rules from `.ferryignore` and the pair's settings; `.ferry` and download temp files are always ignored. */
import ignore, { type Ignore } from 'ignore';
import { STATE_DIR_NAME } from '../../../src-shared/protocol/limits';

/**
 * `ignore` caches the answer for every path (and parent) it was ever asked about, without bound: 100,000 watched
 * files kept ~2 × 100,000 keys and result objects alive per rule set. Start a fresh matcher after this many
 * questions instead (compiling a few patterns again costs microseconds; a folder's parents are re-cached at once).
 */
const MAX_CACHED_QUERIES = 8192;

/**
 * Temp files of a download into the folder (client/download-file.ts: `.NAME.ferry-XXXXXXXX.part`, renamed over
 * NAME when complete): never synced, whatever the rules, or a mirror would send and then delete each of them.
 */
const DOWNLOAD_TEMP = /(^|\/)\.[^/]*\.ferry-[0-9a-f]{8}\.part$/;

/** A compiled set of ignore rules; paths are share-relative POSIX. */
export class IgnoreRules {
  private ig: Ignore;
  private queries = 0;
  /** True when there is no rule but the state folder's: answered without the library (the common case). */
  private readonly onlyStateDir: boolean;

  /** Rules from settings patterns plus the text of a `.ferryignore` file (null when there is none). */
  constructor(
    private readonly patterns: readonly string[] = [],
    private readonly ignoreFileText: string | null = null,
  ) {
    this.ig = this.compile();
    const inert = (line: string): boolean => line.trim() === '' || line.startsWith('#');
    this.onlyStateDir = patterns.every(inert) && (ignoreFileText === null || ignoreFileText.split(/\r?\n/).every(inert));
  }

  /** True when `path` (a folder when `isDir`) is ignored, itself or through an ignored parent folder. */
  ignores(path: string, isDir: boolean): boolean {
    if (path === '') return false;
    if (!isDir && DOWNLOAD_TEMP.test(path)) return true;
    if (this.onlyStateDir && isPlainRelative(path)) return path === STATE_DIR_NAME || path.startsWith(`${STATE_DIR_NAME}/`);
    if (++this.queries > MAX_CACHED_QUERIES) {
      this.ig = this.compile();
      this.queries = 0;
    }
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

  private compile(): Ignore {
    const ig = ignore().add([`/${STATE_DIR_NAME}`, ...this.patterns]);
    if (this.ignoreFileText !== null) ig.add(this.ignoreFileText);
    return ig;
  }
}

/** Paths the library would accept as relative (others go to it, which refuses them as it always did). */
function isPlainRelative(p: string): boolean {
  return !p.startsWith('/') && !p.startsWith('./') && !p.startsWith('../') && p !== '.' && p !== '..' && !p.includes('\\');
}
