/**
 * The resumable temp file of one chunked upload. It is created in `<share>/.ferry/staging/chunks/` at the
 * file's final size; every chunk is written once, straight at its offset. A small sidecar record names the
 * chunk indices already written and verified, so a later `begin` of the same file (same path, same
 * whole-file hash, same recipe) — after a dropped connection or a server restart — asks only for the rest.
 * Both files expire with the staged-chunk TTL (their mtime moves while the transfer makes progress).
 * The sidecar is written once at its full size when the temp file is made, then overwritten in place (its length
 * never changes): saving it needs no new blocks, so a disk that fills up during the upload still records what was
 * written, and the retry after space is freed resumes instead of sending the whole file again. A save cut short by a
 * crash can only mix old and new bits of the bitmap; every recorded chunk is re-verified on resume anyway.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { recipeDigest } from '../chunking/recipe';
import { toFerryError } from '../errors';

/** What the sidecar holds (JSON). */
interface PartRecord {
  v: 1;
  path: string;
  hash: string;
  size: number;
  /** SHA-256 hex of the recipe payload: chunk offsets are only the same for the same recipe. */
  recipe: string;
  chunkCount: number;
  /** Bitmap (bit i = chunk index i written and verified), base64. */
  done: string;
}

/** Save the sidecar at most this often while chunks arrive (and always on suspend). */
const SAVE_EVERY_MS = 1000;

/**
 * Temp files (and their sidecars) of transfers running now, by part path. A second `begin` of the same file takes
 * the temp file over when its holder has been idle this long (typically a session whose client is gone but whose
 * connection has not timed out yet), else gets a temp file of its own.
 */
export const partFileTuning = { takeoverIdleMs: 5000 };
const active = new Map<string, PartFile | null>();

/** One temp file being assembled, with its record of written chunks. */
export class PartFile {
  private dirty = false;
  private saving: Promise<void> | null = null;
  private saveTimer: NodeJS.Timeout | null = null;
  private released = false;
  /** Chunks marked since open (with `resumed`: is there anything worth keeping?). */
  private marked = 0;
  private lastUse = Date.now();
  /** Set by the owner: stop using this file and suspend it (for a newer `begin` of the same file). */
  yieldTo: (() => Promise<void>) | null = null;

  private constructor(
    /** Absolute path of the temp file. */
    readonly path: string,
    /** Sidecar path, or null when this temp file is not resumable (another transfer holds the key). */
    private readonly sidecar: string | null,
    /** Open sidecar (overwritten in place), or null with `sidecar`. */
    private readonly sidecarHandle: FileHandle | null,
    /** Open read-write handle (positional writes from many chunks at once). */
    readonly handle: FileHandle,
    private readonly record: Omit<PartRecord, 'done'>,
    private readonly done: Uint8Array,
    /** How many chunks the sidecar said were already there. */
    readonly resumed: number,
  ) {}

  /**
   * Open the temp file for `path` + `hash` + recipe in `dir`: resume it when a matching sidecar and temp file of
   * the right size exist, else create it (truncated to `size`).
   */
  static async open(dir: string, m: { path: string; hash: string; size: number; chunkCount: number }, recipe: Buffer): Promise<PartFile> {
    const key = createHash('sha256').update(`${m.path}\0${m.hash}`).digest('hex').slice(0, 40);
    let base = join(dir, key);
    const holder = active.get(`${base}.part`);
    if (holder && holder.yieldTo !== null && Date.now() - holder.lastUse > partFileTuning.takeoverIdleMs) await holder.yieldTo();
    const resumable = !active.has(`${base}.part`);
    if (!resumable) base = join(dir, `tmp-${randomBytes(9).toString('base64url')}`);
    const record = { v: 1 as const, path: m.path, hash: m.hash, size: m.size, recipe: recipeDigest(recipe), chunkCount: m.chunkCount };
    const bytes = Math.ceil(m.chunkCount / 8);
    const partPath = `${base}.part`;
    const sidecar = resumable ? `${base}.json` : null;
    // Claim the key before the next await, so a concurrent begin of the same file does not share it.
    active.set(partPath, null);
    try {
      if (sidecar !== null) {
        const resumed = await PartFile.tryResume(partPath, sidecar, record, bytes);
        if (resumed) {
          const f = new PartFile(partPath, sidecar, resumed.sidecarHandle, resumed.handle, record, resumed.done, countBits(resumed.done));
          active.set(partPath, f);
          return f;
        }
        await rm(sidecar, { force: true });
        await rm(`${sidecar}.tmp`, { force: true }); // left by versions that saved through a rename
      }
      // O_NOFOLLOW: the staging folder is ours, but never write through a link someone put there.
      const handle = await open(partPath, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
      let side: FileHandle | null = null;
      const done = new Uint8Array(bytes);
      try {
        await handle.truncate(m.size);
        if (sidecar !== null) {
          // At its full size now, while there is room: later saves overwrite it in place.
          side = await open(sidecar, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
          await writeAt(side, recordBody(record, done));
        }
      } catch (err) {
        await handle.close().catch(() => undefined);
        await side?.close().catch(() => undefined);
        await rm(partPath, { force: true }).catch(() => undefined);
        if (sidecar !== null) await rm(sidecar, { force: true }).catch(() => undefined);
        throw err;
      }
      const f = new PartFile(partPath, sidecar, side, handle, record, done, 0);
      active.set(partPath, f);
      return f;
    } catch (err) {
      active.delete(partPath);
      throw toFerryError(err, m.path);
    }
  }

  private static async tryResume(
    partPath: string, sidecar: string, record: Omit<PartRecord, 'done'>, bytes: number,
  ): Promise<{ handle: FileHandle; sidecarHandle: FileHandle; done: Uint8Array } | null> {
    let saved: Partial<PartRecord>;
    try {
      saved = JSON.parse(await readFile(sidecar, 'utf8')) as Partial<PartRecord>;
    } catch {
      return null;
    }
    const same = saved.v === 1 && saved.path === record.path && saved.hash === record.hash && saved.size === record.size &&
      saved.recipe === record.recipe && saved.chunkCount === record.chunkCount && typeof saved.done === 'string';
    if (!same) return null;
    const done = new Uint8Array(Buffer.from(saved.done!, 'base64'));
    if (done.length !== bytes) return null;
    let handle: FileHandle;
    try {
      handle = await open(partPath, constants.O_RDWR | constants.O_NOFOLLOW);
    } catch {
      return null;
    }
    const st = await handle.stat().catch(() => null);
    const sidecarHandle = st === null || !st.isFile() || st.size !== record.size ? null : await open(sidecar, constants.O_RDWR | constants.O_NOFOLLOW).catch(() => null);
    if (sidecarHandle === null) {
      await handle.close().catch(() => undefined);
      return null;
    }
    return { handle, sidecarHandle, done };
  }

  /** True when chunk `i` is written and verified. */
  has(i: number): boolean {
    return (this.done[i >> 3]! & (1 << (i & 7))) !== 0;
  }

  /** Record chunk `i` as written and verified (saved to the sidecar soon). */
  mark(i: number): void {
    this.done[i >> 3]! |= 1 << (i & 7);
    this.marked++;
    this.lastUse = Date.now();
    if (this.sidecar === null) return;
    this.dirty = true;
    this.saveTimer ??= setTimeout(() => {
      this.saveTimer = null;
      void this.save().catch(() => undefined);
    }, SAVE_EVERY_MS);
    this.saveTimer.unref();
  }

  /** Forget chunk `i` (its bytes turned out wrong). */
  unmark(i: number): void {
    this.done[i >> 3]! &= ~(1 << (i & 7));
    if (this.sidecar !== null) this.dirty = true;
  }

  /** Write the sidecar now (in place: same length, no new blocks); one save at a time. */
  async save(): Promise<void> {
    const side = this.sidecarHandle;
    if (side === null || this.released) return;
    while (this.saving) await this.saving;
    if (!this.dirty) return;
    this.dirty = false;
    this.saving = writeAt(side, recordBody(this.record, this.done)).finally(() => {
      this.saving = null;
    });
    await this.saving;
  }

  /** Stop using the temp file but keep it (and an up-to-date sidecar) for a later `begin`; never throws. */
  async suspend(): Promise<void> {
    if (this.released) return;
    this.clearTimer();
    if (this.sidecar === null || this.resumed + this.marked === 0) return this.remove();
    await this.save().catch(() => undefined);
    await this.release();
  }

  /** Delete the temp file and its sidecar; never throws. */
  async remove(): Promise<void> {
    this.clearTimer();
    this.dirty = false;
    while (this.saving) await this.saving.catch(() => undefined);
    await this.release();
    await rm(this.path, { force: true }).catch(() => undefined);
    if (this.sidecar !== null) await rm(this.sidecar, { force: true }).catch(() => undefined);
  }

  /** The temp file was renamed into place: drop the sidecar and the claim (the handle was closed by the seal). */
  async installed(): Promise<void> {
    this.clearTimer();
    this.dirty = false;
    while (this.saving) await this.saving.catch(() => undefined);
    this.released = true;
    active.delete(this.path);
    await this.sidecarHandle?.close().catch(() => undefined);
    if (this.sidecar !== null) await rm(this.sidecar, { force: true }).catch(() => undefined);
  }

  /** True once suspended, removed or installed: the handle must not be used any more. */
  get isReleased(): boolean {
    return this.released;
  }

  private async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    active.delete(this.path);
    await this.handle.close().catch(() => undefined);
    await this.sidecarHandle?.close().catch(() => undefined);
  }

  private clearTimer(): void {
    if (this.saveTimer !== null) clearTimeout(this.saveTimer);
    this.saveTimer = null;
  }
}

/** The sidecar's JSON: the same length for one record whatever the bitmap holds. */
function recordBody(record: Omit<PartRecord, 'done'>, done: Uint8Array): Buffer {
  return Buffer.from(JSON.stringify({ ...record, done: Buffer.from(done).toString('base64') } satisfies PartRecord));
}

/** Overwrite `fh` from offset 0 with `body` (the file already has this length, or is new). */
async function writeAt(fh: FileHandle, body: Buffer): Promise<void> {
  for (let off = 0; off < body.length; ) off += (await fh.write(body, off, body.length - off, off)).bytesWritten;
}

function countBits(b: Uint8Array): number {
  let n = 0;
  for (let v of b) {
    while (v) {
      n += v & 1;
      v >>= 1;
    }
  }
  return n;
}
