/** Existence check that never throws (lstat: a dangling symlink exists too). */
import { lstat } from 'node:fs/promises';

/** True when something (file, folder, link) is at `abs`. */
export async function pathExists(abs: string): Promise<boolean> {
  try {
    await lstat(abs);
    return true;
  } catch {
    return false;
  }
}
