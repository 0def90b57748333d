/** The kept versions of a share as `listVersions` answers them: who caused each keep and whether the original is gone. */
import { lstatSync } from 'node:fs';
import type { KeptVersionEntry } from '../../../src-shared/protocol/messages';
import { isWithin, relPathProblem } from '../../../src-shared/protocol/paths';
import { FerryError } from '../errors';
import type { ShareStore } from './share-store';

/** Versions of `under` (a path: itself and everything below it; undefined: all), newest first. */
export async function listKeptVersions(share: ShareStore, under?: string): Promise<KeptVersionEntry[]> {
  const problem = under === undefined ? null : relPathProblem(under);
  if (problem !== null) throw new FerryError('PATH_INVALID', `Refused path: ${problem}`, { path: under });
  const gone = new Map<string, boolean>();
  const deleted = (original: string): boolean => {
    let d = gone.get(original);
    if (d === undefined) {
      d = !existsOnShare(share, original);
      gone.set(original, d);
    }
    return d;
  };
  const out: KeptVersionEntry[] = [];
  for (const v of await share.versions.list()) {
    if (under !== undefined && !isWithin(v.original, under)) continue;
    const by = share.versions.keptByOf(v.path);
    out.push({
      id: v.path, original: v.original, keptAt: v.keptAt, kind: v.kind, size: v.size, mtimeMs: Math.max(0, v.mtimeMs),
      ...(by ? { device: by.device.slice(0, 128), ...(by.deviceName !== undefined ? { deviceName: by.deviceName.slice(0, 256) } : {}) } : {}),
      deleted: deleted(v.original),
    });
  }
  return out;
}

/** Is anything at share path `rel` now? A path that cannot be resolved (a file on the way, a link) holds nothing of it. */
function existsOnShare(share: ShareStore, rel: string): boolean {
  try {
    return lstatSync(share.root.resolve(rel), { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}
