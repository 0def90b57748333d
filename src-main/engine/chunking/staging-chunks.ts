/** Received-but-uncommitted chunks, one file per SHA-256, kept so an interrupted transfer can resume. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError, toFerryError } from '../errors';

const HEX64 = /^[0-9a-f]{64}$/;

/** A folder of verified chunks named by their SHA-256 hex (e.g. `<share>/.ferry/staging/chunks/`). */
export class StagingChunks {
  private made = false;

  constructor(readonly root: string) {}

  /** Where the chunk with this hash lives (whether or not it is there). PATH_INVALID unless `hash` is 64 lowercase hex. */
  path(hash: string): string {
    // The hash comes off the wire: never let it name anything but a file directly inside root.
    if (!HEX64.test(hash)) throw new FerryError('PATH_INVALID', `Not a chunk hash: ${hash.slice(0, 80)}`);
    return join(this.root, hash);
  }

  /** Store `data` as chunk `hash`, atomically; HASH_MISMATCH (nothing written) if sha256(data) differs. */
  async put(hash: string, data: Uint8Array): Promise<void> {
    const dest = this.path(hash);
    const actual = createHash('sha256').update(data).digest('hex');
    if (actual !== hash) throw new FerryError('HASH_MISMATCH', `Chunk bytes hash to ${actual.slice(0, 12)}…, announced ${hash.slice(0, 12)}…`);
    const tmp = `${dest}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      if (!this.made) {
        await mkdir(this.root, { recursive: true });
        this.made = true;
      }
      await writeFile(tmp, data);
      await rename(tmp, dest);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw toFerryError(err, dest);
    }
  }

  /** True when chunk `hash` is staged. */
  async has(hash: string): Promise<boolean> {
    if (!HEX64.test(hash)) return false;
    try {
      return (await stat(join(this.root, hash))).isFile();
    } catch {
      return false;
    }
  }

  /** Delete chunks (and leftover temp files) not modified for `olderThanMs`; returns how many were removed. */
  async expire(olderThanMs: number, now: number = Date.now()): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      const abs = join(this.root, name);
      try {
        const st = await stat(abs);
        if (st.isFile() && now - st.mtimeMs > olderThanMs) {
          await rm(abs, { force: true });
          removed++;
        }
      } catch {
        // vanished meanwhile (another expire, or a commit consumed it): nothing to do
      }
    }
    return removed;
  }
}
