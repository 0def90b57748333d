/** Age-based clean-up of a staging folder (interrupted transfers' temp files and their records). */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Delete plain files directly in `dir` not modified for `olderThanMs`; returns how many were removed. */
export async function expireOldFiles(dir: string, olderThanMs: number, now: number = Date.now()): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const abs = join(dir, name);
    try {
      const st = await stat(abs);
      if (st.isFile() && now - st.mtimeMs > olderThanMs) {
        await rm(abs, { force: true });
        removed++;
      }
    } catch {
      // vanished meanwhile (another clean-up, or a commit consumed it): nothing to do
    }
  }
  return removed;
}
