/** Listing of a tree on disk: files, folders and symlinks, parents before children, `.ferry` skipped at the root. */
import { lstatSync, readlinkSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Entry } from '../../../src-shared/protocol/messages';
import { STATE_DIR_NAME } from '../../../src-shared/protocol/limits';
import { toFerryError } from '../errors';

/** A listed node: the wire `Entry` plus the inode (for recipe caches) and absolute path. */
export interface WalkEntry extends Entry {
  ino: number;
  abs: string;
}

/** Wire form of a walk entry (the schema forbids extra fields). */
export function toWireEntry(e: WalkEntry): Entry {
  const out: Entry = { path: e.path, kind: e.kind, size: e.size, mtimeMs: e.mtimeMs, mode: e.mode };
  if (e.target !== undefined) out.target = e.target;
  return out;
}

/**
 * Walk `root` depth-first, yielding each node before its children, names sorted within a folder.
 * Sockets, FIFOs and devices are skipped; a node that vanishes mid-walk is skipped.
 * `skipRootNames` defaults to the share state folder.
 */
export async function* walkTree(root: string, skipRootNames: readonly string[] = [STATE_DIR_NAME]): AsyncGenerator<WalkEntry> {
  yield* walkDir(root, '', skipRootNames);
}

async function* walkDir(abs: string, rel: string, skip: readonly string[]): AsyncGenerator<WalkEntry> {
  let names: string[];
  try {
    names = await readdir(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    throw toFerryError(err, rel || '.');
  }
  names.sort();
  if (rel === '') names = names.filter((n) => !skip.includes(n));
  // A folder's entries are stat'ed synchronously, as the client's scan does: a cached lstat costs a few µs, a
  // thread-pool round trip per entry several times that in CPU (the listing of 20,000 files ran ~150 ms longer).
  const entries = names.map((name) => describe(join(abs, name), rel === '' ? name : `${rel}/${name}`));
  for (const e of entries) {
    if (e === undefined) continue;
    yield e;
    if (e.kind === 'dir') yield* walkDir(e.abs, e.path, skip);
  }
}

/** lstat one node (undefined when gone or not a file/folder/link). */
function describe(abs: string, rel: string): WalkEntry | undefined {
  try {
    const st = lstatSync(abs);
    const base = { path: rel, abs, ino: st.ino, mtimeMs: Math.floor(st.mtimeMs), mode: st.mode & 0o7777 };
    if (st.isDirectory()) return { ...base, kind: 'dir', size: 0 };
    if (st.isFile()) return { ...base, kind: 'file', size: st.size };
    if (st.isSymbolicLink()) return { ...base, kind: 'symlink', size: st.size, target: readlinkSync(abs) };
    return undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw toFerryError(err, rel);
  }
}
