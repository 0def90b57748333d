/** Scanning the local folder: lstat walk (inodes kept, links not followed), NFC paths, ignore rules applied. */
import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { STATE_DIR_NAME } from '../../../src-shared/protocol/limits';
import { relPathProblem } from '../../../src-shared/protocol/paths';
import type { FerryErrorInfo } from '../../../src-shared/protocol/error-codes';
import { toFerryError } from '../errors';
import type { IgnoreRules } from '../core/ignore-rules';
import type { Tree, TreeEntry } from '../core/tree';

/** A region to scan: its NFC path (model key) and its spelling on disk ('' = the whole folder). */
export interface ScanRoot {
  path: string;
  disk: string;
}

/** What a scan found, and the paths it had to skip (unreadable folders, names the protocol refuses). */
export interface ScanResult {
  tree: Tree;
  problems: FerryErrorInfo[];
  /**
   * The previous model of these paths: an entry found unchanged is taken from it instead of a fresh object, so a
   * rescan of 100,000 unchanged files leaves the fresh objects to die young instead of replacing (and promoting)
   * the whole model — the rescan after the initial mirror was the client's memory peak.
   */
  reuse?: Tree;
  /** Called with each folder's entries as soon as they are scanned (parents before children, not yet sorted). */
  onFolder?: (entries: TreeEntry[]) => void;
}

/** Scan `root` (the whole folder with path '') into `into`; a missing root region yields nothing. */
export async function scanRegion(rootAbs: string, root: ScanRoot, rules: IgnoreRules, into: ScanResult): Promise<void> {
  if (root.path === '') {
    await walk(rootAbs, '', '', rules, into);
    return;
  }
  const e = describeEntry(join(rootAbs, root.disk), root.path, root.disk, rules, into);
  if (e === undefined) return;
  into.tree.set(e.path, e);
  if (e.kind === 'dir') await walk(rootAbs, root.path, root.disk, rules, into);
}

/** A fresh result to scan into (reusing unchanged entries of `reuse`, when given). */
export function emptyScan(reuse?: Tree): ScanResult {
  return reuse === undefined ? { tree: new Map(), problems: [] } : { tree: new Map(), problems: [], reuse };
}

async function walk(rootAbs: string, rel: string, disk: string, rules: IgnoreRules, into: ScanResult): Promise<void> {
  const dirAbs = disk === '' ? rootAbs : join(rootAbs, disk);
  let names: string[];
  try {
    names = await readdir(dirAbs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') into.problems.push(toFerryError(err, rel || '.').toInfo());
    return;
  }
  // lstat synchronously: a cached lstat costs a few µs, a thread-pool round trip through fs/promises several
  // times that in CPU (the scan of 20,000 files is a measurable part of an initial sync). Per entry only the
  // strings that are kept are built: the garbage of a 100,000-file rescan was the client's memory peak.
  const dirs: TreeEntry[] = [];
  const found: TreeEntry[] | null = into.onFolder ? [] : null;
  for (const name of names) {
    const nfc = ASCII.test(name) ? name : name.normalize('NFC');
    const path = rel === '' ? nfc : `${rel}/${nfc}`;
    const e = describeEntry(`${dirAbs}${sep}${name}`, path, disk === '' ? name : `${disk}/${name}`, rules, into, nameNeedsCheck(rel, name));
    if (e === undefined) continue;
    into.tree.set(e.path, e);
    found?.push(e);
    if (e.kind === 'dir') dirs.push(e);
  }
  if (found !== null && found.length > 0) into.onFolder?.(found);
  for (const d of dirs) await walk(rootAbs, d.path, d.diskPath ?? d.path, rules, into);
}

/** Names that may make a path the protocol refuses (anything else is valid below an already valid folder). */
function nameNeedsCheck(parentRel: string, name: string): boolean {
  if (name.includes('\\') || name.includes('\0')) return true;
  return parentRel === '' && (name === STATE_DIR_NAME || /^[A-Za-z]:/.test(name));
}

const ASCII = /^[\x20-\x7e]*$/;

function describeEntry(abs: string, rel: string, disk: string, rules: IgnoreRules, into: ScanResult, checkPath = true): TreeEntry | undefined {
  const problem = checkPath ? relPathProblem(rel) : null;
  if (problem !== null) {
    if (!rules.ignores(rel, false)) into.problems.push({ code: 'PATH_INVALID', message: `${disk} cannot be synced: ${problem}`, path: disk });
    return undefined;
  }
  let st: Stats | undefined;
  let target: string | undefined;
  try {
    st = lstatSync(abs, { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) target = readlinkSync(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    into.problems.push(toFerryError(err, rel).toInfo());
    return undefined;
  }
  if (st === undefined) return undefined;
  const kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : target !== undefined ? 'symlink' : undefined;
  if (kind === undefined || rules.ignores(rel, kind === 'dir')) return undefined;
  const size = kind === 'dir' ? 0 : small(st.size);
  const mtimeMs = Math.floor(st.mtimeMs);
  const mode = st.mode & 0o7777;
  const diskPath = disk === rel ? undefined : disk;
  const old = into.reuse?.get(rel);
  if (old !== undefined && old.kind === kind && old.size === size && old.mtimeMs === mtimeMs && old.mode === mode && old.ino === st.ino && old.target === target && old.diskPath === diskPath) return old;
  const e: TreeEntry = { path: rel, kind, size, mtimeMs, mode, ino: small(st.ino) };
  if (target !== undefined) e.target = target;
  if (diskPath !== undefined) e.diskPath = diskPath;
  return e;
}

/**
 * Stats hands out sizes and inodes as heap numbers; stored as they are, each is a 16-byte box per entry (two per file
 * of 100,000). Re-made as small integers when they fit, they live inside the entry itself.
 */
export function small(n: number): number {
  const i = n | 0;
  return i === n && i >= -0x40000000 && i <= 0x3fffffff ? i : n;
}
