/** The safety halt: never mirror a vanished or emptied local folder over a share that holds files. */
import { FerryError } from '../errors';
import type { Tree } from './tree';

/** What the safety check needs to know besides the two trees. */
export interface SafetyOptions {
  /** The user allowed mirroring an empty folder (deleting everything on the server). */
  allowEmptyRoot: boolean;
  /** The local root folder exists and is a folder (false: unmounted drive, deleted folder). */
  rootExists: boolean;
}

/** A SAFETY_HALT error when syncing `local` over `remote` would be a likely mistake, else null. */
export function checkSafety(local: Tree, remote: Tree, opts: SafetyOptions): FerryError | null {
  if (!opts.rootExists) {
    return new FerryError('SAFETY_HALT', 'The local folder is missing (deleted or on an unmounted drive); nothing was changed on the server.');
  }
  if (opts.allowEmptyRoot || local.size > 0) return null;
  const serverFiles = countFiles(remote);
  if (serverFiles === 0) return null;
  return new FerryError(
    'SAFETY_HALT',
    `The local folder is empty but the server holds ${serverFiles} file(s); syncing would delete them, so Ferry stopped. Allow empty folder sync to proceed.`,
  );
}

function countFiles(tree: Tree): number {
  let n = 0;
  for (const e of tree.values()) if (e.kind !== 'dir') n++;
  return n;
}
