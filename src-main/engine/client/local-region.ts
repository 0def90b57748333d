/** Local side helpers of a session: regions to scan, the ignore file, the root's presence. */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { IGNORE_FILE_NAME } from '../../../src-shared/protocol/limits';
import { parentOf } from '../../../src-shared/protocol/paths';
import { IgnoreRules } from '../core/ignore-rules';
import type { Tree } from '../core/tree';
import { emptyScan, scanRegion, type ScanResult, type ScanRoot } from './local-scan';

/**
 * Scan several regions into one result; unchanged entries of `reuse` (the local model) are kept as they are.
 * `onFolder` sees each folder's entries as they are found (see ScanResult).
 */
export async function scanRoots(rootAbs: string, roots: readonly ScanRoot[], rules: IgnoreRules, reuse?: Tree, onFolder?: ScanResult['onFolder']): Promise<ScanResult> {
  const out = emptyScan(reuse);
  if (onFolder) out.onFolder = onFolder;
  for (const r of roots) await scanRegion(rootAbs, r, rules, out);
  return out;
}

/**
 * The region to rescan for a path the watcher reported (as spelled on disk): climbs to the nearest folder the
 * local model knows, so a new folder's contents and its creation are one region.
 */
export function toScanRoot(diskRel: string, local: Tree): ScanRoot {
  let disk = diskRel;
  let path = diskRel.normalize('NFC');
  while (path !== '' && parentOf(path) !== '' && local.get(parentOf(path))?.kind !== 'dir') {
    path = parentOf(path);
    disk = parentOf(disk);
  }
  return { path, disk };
}

/** The pair's rules: settings patterns plus `.ferryignore` at the root (if any). */
export async function readIgnoreFile(rootAbs: string, patterns: readonly string[]): Promise<IgnoreRules> {
  let text: string | null = null;
  try {
    text = await readFile(join(rootAbs, IGNORE_FILE_NAME), 'utf8');
  } catch {
    text = null;
  }
  return new IgnoreRules(patterns, text);
}

/** True when the local root exists and is a folder (false: deleted, or a drive not mounted). */
export async function rootIsFolder(rootAbs: string): Promise<boolean> {
  try {
    return (await stat(rootAbs)).isDirectory();
  } catch {
    return false;
  }
}
