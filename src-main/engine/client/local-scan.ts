/** Scanning the local folder: lstat walk (inodes kept, links not followed), NFC paths, ignore rules applied. */
import { lstatSync, readlinkSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
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
}

/** Scan `root` (the whole folder with path '') into `into`; a missing root region yields nothing. */
export async function scanRegion(rootAbs: string, root: ScanRoot, rules: IgnoreRules, into: ScanResult): Promise<void> {
  if (root.path === '') {
    await walk(rootAbs, '', '', rules, into);
    return;
  }
  const e = describeEntry(rootAbs, root.path, root.disk, rules, into);
  if (e === undefined) return;
  into.tree.set(e.path, e);
  if (e.kind === 'dir') await walk(rootAbs, root.path, root.disk, rules, into);
}

/** A fresh result to scan into (reusing unchanged entries of `reuse`, when given). */
export function emptyScan(reuse?: Tree): ScanResult {
  return reuse === undefined ? { tree: new Map(), problems: [] } : { tree: new Map(), problems: [], reuse };
}

async function walk(rootAbs: string, rel: string, disk: string, rules: IgnoreRules, into: ScanResult): Promise<void> {
  let names: string[];
  try {
    names = await readdir(join(rootAbs, disk));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') into.problems.push(toFerryError(err, rel || '.').toInfo());
    return;
  }
  // lstat synchronously: a cached lstat costs a few µs, a thread-pool round trip through fs/promises several
  // times that in CPU (the scan of 20,000 files is a measurable part of an initial sync).
  const found = names.map((name) => describeEntry(rootAbs, rel === '' ? name.normalize('NFC') : `${rel}/${name.normalize('NFC')}`, disk === '' ? name : `${disk}/${name}`, rules, into));
  const dirs: TreeEntry[] = [];
  for (const e of found) {
    if (e === undefined) continue;
    into.tree.set(e.path, e);
    if (e.kind === 'dir') dirs.push(e);
  }
  for (const d of dirs) await walk(rootAbs, d.path, d.diskPath ?? d.path, rules, into);
}

function describeEntry(rootAbs: string, rel: string, disk: string, rules: IgnoreRules, into: ScanResult): TreeEntry | undefined {
  const problem = relPathProblem(rel);
  if (problem !== null) {
    if (!rules.ignores(rel, false)) into.problems.push({ code: 'PATH_INVALID', message: `${disk} cannot be synced: ${problem}`, path: disk });
    return undefined;
  }
  let w;
  try {
    w = describeSync(join(rootAbs, disk));
  } catch (err) {
    into.problems.push(toFerryError(err, rel).toInfo());
    return undefined;
  }
  if (w === undefined || rules.ignores(rel, w.kind === 'dir')) return undefined;
  const old = into.reuse?.get(rel);
  if (old !== undefined && sameAsDescribed(old, w, disk === rel ? undefined : disk)) return old;
  const e: TreeEntry = { path: rel, kind: w.kind, size: w.size, mtimeMs: w.mtimeMs, mode: w.mode, ino: w.ino };
  if (w.target !== undefined) e.target = w.target;
  if (disk !== rel) e.diskPath = disk;
  return e;
}

function sameAsDescribed(old: TreeEntry, w: Described, diskPath: string | undefined): boolean {
  return old.kind === w.kind && old.size === w.size && old.mtimeMs === w.mtimeMs && old.mode === w.mode && old.ino === w.ino && old.target === w.target && old.diskPath === diskPath;
}

interface Described {
  kind: 'file' | 'dir' | 'symlink';
  size: number;
  mtimeMs: number;
  mode: number;
  ino: number;
  target?: string;
}

/** lstat one node like fs/tree-walk's describe (undefined when gone or not a file/folder/link). */
function describeSync(abs: string): Described | undefined {
  const st = lstatSync(abs, { throwIfNoEntry: false });
  if (st === undefined) return undefined;
  const base = { ino: st.ino, mtimeMs: Math.floor(st.mtimeMs), mode: st.mode & 0o7777 };
  if (st.isDirectory()) return { ...base, kind: 'dir', size: 0 };
  if (st.isFile()) return { ...base, kind: 'file', size: st.size };
  if (st.isSymbolicLink()) {
    try {
      return { ...base, kind: 'symlink', size: st.size, target: readlinkSync(abs) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
  return undefined;
}
