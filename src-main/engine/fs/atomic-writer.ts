/**
 * Atomic file installation: bytes go to a temp file in a staging folder on the share's file system,
 * get their final mode and mtime, are flushed, then renamed over the destination and the parent folder
 * is flushed. Nothing half-written is ever visible under a real name.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, fdatasync, futimesSync, openSync, renameSync, writeSync } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FerryError, toFerryError } from '../errors';

/** 'fsync': flush file and parent folder before reporting success; 'none': rely on the OS (faster, not crash-safe). */
export type Durability = 'fsync' | 'none';

/** Metadata an installed file receives. */
export interface FileMeta {
  /** Permission bits, masked with 0o777: setuid, setgid and sticky bits from a peer are never applied. */
  mode: number;
  /** Integer milliseconds since the epoch. */
  mtimeMs: number;
}

/**
 * Seconds value for utimes that lands exactly on `ms`: libuv truncates the fraction of a double,
 * so ms/1000 often reads back as ms-1; half a millisecond more always floors to `ms`.
 */
export function utimesSeconds(ms: number): number {
  return (ms + 0.5) / 1000;
}

/** The only mode bits ever applied to a written file (no setuid/setgid/sticky). */
export const PERMISSION_BITS = 0o777;

/** Random per process, so two servers (or a restart) sharing a staging folder never pick the same name; O_EXCL guards the rest. */
const TEMP_PREFIX = `tmp-${randomBytes(6).toString('base64url')}-`;
let tempCounter = 0;

/** A fresh temp file name: a counter after a random prefix (a random draw per file costs more than the create). */
function tempName(): string {
  return `${TEMP_PREFIX}${(tempCounter++).toString(36)}`;
}

/** A temp file being written in a staging folder. Write, then `seal`, then `installAt`; or `discard`. */
export class StagedFile {
  private written = 0;
  private closed = false;
  private constructor(
    /** Absolute path of the temp file. */
    readonly path: string,
    /** Null for a file written and sealed by `writeSmall` (already closed). */
    private readonly handle: FileHandle | null,
  ) {}

  /**
   * A whole small file, sealed in one go: create, write, mode, times and close run as synchronous calls on
   * this thread — a few µs each on the page cache, where six thread-pool round trips per file cost far more
   * (and compete with the flushes) — and only the data flush (when durable) goes to the thread pool.
   * Meant for files up to the inline limit (128 KiB); larger ones use create/write/seal.
   */
  static async writeSmall(stagingDir: string, data: Buffer, meta: FileMeta, durability: Durability): Promise<StagedFile> {
    const path = join(stagingDir, tempName());
    let fd = -1;
    try {
      fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off, off);
      fchmodSync(fd, meta.mode & PERMISSION_BITS);
      // Times after the last write (a write would bump mtime); the data flush below also commits them.
      const t = utimesSeconds(meta.mtimeMs);
      futimesSync(fd, t, t);
      if (durability === 'fsync') {
        const f = fd;
        await new Promise<void>((resolve, reject) => fdatasync(f, (err) => (err ? reject(err) : resolve())));
      }
      closeSync(fd);
      fd = -1;
    } catch (err) {
      if (fd >= 0) {
        try {
          closeSync(fd);
        } catch {
          // already failing: the first error is the one to report
        }
      }
      await rm(path, { force: true }).catch(() => undefined);
      throw toFerryError(err);
    }
    const f = new StagedFile(path, null);
    f.written = data.length;
    f.closed = true;
    return f;
  }

  /** Create a new, exclusive temp file (mode 0600 until sealed) in `stagingDir`. */
  static async create(stagingDir: string): Promise<StagedFile> {
    const path = join(stagingDir, tempName());
    try {
      return new StagedFile(path, await open(path, 'wx', 0o600));
    } catch (err) {
      throw toFerryError(err);
    }
  }

  /**
   * Take over a temp file written elsewhere (e.g. a chunked upload assembled at offsets): `size` bytes are
   * already in it; `seal` and `installAt` work as for a created one.
   */
  static adopt(path: string, handle: FileHandle, size: number): StagedFile {
    const f = new StagedFile(path, handle);
    f.written = size;
    return f;
  }

  /** Bytes written so far. */
  get size(): number {
    return this.written;
  }

  /** Append `buf`. */
  async write(buf: Buffer): Promise<void> {
    let off = 0;
    if (this.handle === null || this.closed) throw new FerryError('INTERNAL', `${this.path} is already sealed`);
    try {
      while (off < buf.length) {
        const { bytesWritten } = await this.handle.write(buf, off, buf.length - off, this.written + off);
        off += bytesWritten;
      }
    } catch (err) {
      throw toFerryError(err);
    }
    this.written += buf.length;
  }

  /** Give the file its final mode and mtime, flush its data (when durable) and close it. */
  async seal(meta: FileMeta, durability: Durability): Promise<void> {
    if (this.handle === null || this.closed) return; // writeSmall sealed it
    try {
      await this.handle.chmod(meta.mode & PERMISSION_BITS);
      // Times after the last write (a write would bump mtime); the data flush below also commits them.
      const t = utimesSeconds(meta.mtimeMs);
      await this.handle.utimes(t, t);
      if (durability === 'fsync') await this.handle.datasync();
    } catch (err) {
      throw toFerryError(err);
    } finally {
      await this.close();
    }
  }

  /**
   * Rename the sealed file onto `dest` (replacing a file or link there) and flush the parent folder.
   * `verify` runs synchronously right before the rename (e.g. "no ancestor of dest became a link").
   */
  async installAt(dest: string, durability: Durability, verify?: () => void): Promise<void> {
    try {
      verify?.();
      // Sync on purpose: a metadata-only call on the same file system, cheaper than a thread-pool round trip.
      renameSync(this.path, dest);
    } catch (err) {
      throw toFerryError(err);
    }
    if (durability === 'fsync') await fsyncDirCoalesced(dirname(dest));
  }

  /** Close and delete the temp file; never throws. */
  async discard(): Promise<void> {
    await this.close();
    await rm(this.path, { force: true }).catch(() => undefined);
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle?.close().catch(() => undefined);
  }
}

/** Flush a folder's entries (a rename is durable only once its parent is). */
export async function fsyncDir(dir: string): Promise<void> {
  let h: FileHandle | undefined;
  try {
    h = await open(dir, 'r');
    await h.sync();
  } catch (err) {
    // Some file systems refuse fsync on folders (EINVAL/EISDIR); there is nothing more we could do there.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw toFerryError(err, dir);
  } finally {
    await h?.close().catch(() => undefined);
  }
}

/**
 * Per folder: the flush in progress and the one queued behind it. A caller whose rename happened before
 * the queued flush starts is covered by it, so a burst of 1,000 files in one folder costs ~2 flushes, not 1,000.
 */
const dirSyncs = new Map<string, { running: Promise<void>; next: Promise<void> | null }>();

/** `fsyncDir`, coalescing concurrent requests for the same folder. */
export function fsyncDirCoalesced(dir: string): Promise<void> {
  const cur = dirSyncs.get(dir);
  if (cur === undefined) {
    const running = fsyncDir(dir).finally(() => settle(dir));
    dirSyncs.set(dir, { running, next: null });
    return running;
  }
  // The running flush may have started before our rename: wait for a fresh one, shared with later callers.
  cur.next ??= cur.running.catch(() => undefined).then(() => fsyncDir(dir));
  return cur.next;
}

function settle(dir: string): void {
  const cur = dirSyncs.get(dir);
  if (!cur) return;
  if (cur.next === null) {
    dirSyncs.delete(dir);
    return;
  }
  const running = cur.next.finally(() => settle(dir));
  // Its callers hold `cur.next` and get the error; this derived promise must not escape as an unhandled
  // rejection (a folder removed while files in it were flushed used to end the whole server).
  running.catch(() => undefined);
  dirSyncs.set(dir, { running, next: null });
}

/** Write `data` to `dest` atomically with `meta`, via a temp file in `stagingDir`. */
export async function writeFileAtomic(
  dest: string,
  data: Buffer,
  opts: FileMeta & { stagingDir: string; durability: Durability },
): Promise<void> {
  const f = await StagedFile.create(opts.stagingDir);
  try {
    await f.write(data);
    await f.seal(opts, opts.durability);
    await f.installAt(dest, opts.durability);
  } catch (err) {
    await f.discard();
    throw err;
  }
}
