/** Mapping a pair-relative POSIX path onto the pair's local folder without ever leaving it. */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { FerryError } from '../errors';

/** Absolute local path of `rel` under `root`; PATH_OUTSIDE_SHARE when `rel` would escape the folder. */
export function resolveInside(root: string, rel: string): string {
  const abs = resolve(root, ...rel.split('/'));
  const back = relative(resolve(root), abs);
  if (back === '' || back === '..' || back.startsWith(`..${sep}`) || isAbsolute(back) || rel.includes('\0')) {
    throw new FerryError('PATH_OUTSIDE_SHARE', `Refused path outside the folder: ${rel}`, { path: rel });
  }
  return abs;
}
