/**
 * Reading a whole small file (≤ INLINE_FILE_MAX_BYTES) with its stat after the read: open, read one byte more than
 * expected (to see growth), fstat, close.
 *
 * Synchronous while that is fast: for files this small the four thread-pool round trips (and FileHandle objects) of
 * fs/promises cost ~4× the CPU of the syscalls themselves (20,000 files of 1–16 KiB, page cache: ~1.4 s of CPU
 * with promises, ~0.35 s sync), and the client's CPU is what paces an initial sync of many small files. On a slow
 * medium (a cold spinning disk, a network share) blocking reads would forbid the overlap of 64 reads in flight, so
 * after a few slow reads the process switches to the thread pool for good.
 */
import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

/** The bytes read and the stat of the open file after reading (null: no longer a regular file). */
export interface WholeRead {
  buf: Buffer;
  after: { size: number; mtimeMs: number; mode: number; ino: number } | null;
}

/** A read slower than this did not come from the page cache. */
const SLOW_READ_MS = 5;
/** Slow reads after which this process reads small files through the thread pool. */
const SLOW_READS_TO_SWITCH = 16;
let slowReads = 0;

/** Read `abs` whole; null when it is gone or not a file any more (the caller re-stats); throws when it cannot be opened otherwise (EACCES). */
export async function readSmallFile(abs: string, expected: number): Promise<WholeRead | null> {
  if (slowReads >= SLOW_READS_TO_SWITCH) return readAsync(abs, expected);
  const t = performance.now();
  const r = readNow(abs, expected);
  if (performance.now() - t > SLOW_READ_MS) slowReads++;
  return r;
}

function afterOf(s: Stats): WholeRead['after'] {
  return s.isFile() ? { size: s.size, mtimeMs: Math.floor(s.mtimeMs), mode: s.mode & 0o7777, ino: s.ino } : null;
}

/** Open failures that mean "not a readable file any more" (re-stat); anything else (EACCES …) is thrown as is. */
function goneOrNotAFile(err: unknown): null {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'ELOOP') return null;
  // A permission problem is not a change: retried as one, it ended as "kept changing while being sent".
  throw err;
}

function readNow(abs: string, expected: number): WholeRead | null {
  let fd: number;
  try {
    fd = openSync(abs, 'r');
  } catch (err) {
    return goneOrNotAFile(err);
  }
  try {
    const buf = Buffer.allocUnsafe(expected + 1);
    let n = 0;
    for (let guard = 0; n < buf.length && guard < 1000; guard++) {
      const bytesRead = readSync(fd, buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return { buf: buf.subarray(0, n), after: afterOf(fstatSync(fd)) };
  } catch {
    return null; // EISDIR and friends: not a readable file any more
  } finally {
    closeSync(fd);
  }
}

async function readAsync(abs: string, expected: number): Promise<WholeRead | null> {
  let fh;
  try {
    fh = await open(abs, 'r');
  } catch (err) {
    return goneOrNotAFile(err);
  }
  try {
    const buf = Buffer.allocUnsafe(expected + 1);
    let n = 0;
    for (let guard = 0; n < buf.length && guard < 1000; guard++) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return { buf: buf.subarray(0, n), after: afterOf(await fh.stat()) };
  } catch {
    return null;
  } finally {
    await fh.close();
  }
}
