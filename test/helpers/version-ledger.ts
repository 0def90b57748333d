/**
 * A ledger of every content ever written at each path of a test's folders (by SHA-256), and the checks that use
 * it: a file visible under a real name must be one of the versions written at that path (never torn, never a
 * temp file), and bytes of the state folders (`.ferry/staging`) are measured for leftovers.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseConflictCopy } from '../../src-main/engine/core/conflict-name';
import { snapshotTree } from './trees';

/** SHA-256 hex of a buffer. */
export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Path → every content hash ever written there. */
export class VersionLedger {
  private readonly versions = new Map<string, Set<string>>();

  /** Note that `data` was (or is about to be) written at `rel`. */
  record(rel: string, data: Buffer): void {
    let s = this.versions.get(rel);
    if (!s) this.versions.set(rel, (s = new Set()));
    s.add(sha256(data));
  }

  /** Write `data` at `root/rel` and record it; `atomicVia` (a folder on the same file system, outside any synced tree) makes the write a rename. */
  async write(root: string, rel: string, data: Buffer, atomicVia?: string): Promise<void> {
    this.record(rel, data);
    const abs = join(root, rel);
    await mkdir(dirname(abs), { recursive: true });
    if (atomicVia === undefined) return writeFile(abs, data);
    const tmp = join(atomicVia, `w-${process.pid}-${Math.random().toString(36).slice(2)}`);
    await writeFile(tmp, data);
    await rename(tmp, abs);
  }

  /** True when `hash` was written at `rel`. */
  has(rel: string, hash: string): boolean {
    return this.versions.get(rel)?.has(hash) ?? false;
  }

  /**
   * Every file of `root` (outside `.ferry`) that is not a version written at its path: torn files, temp files,
   * strays. A conflict copy holding a version of its original's path is listed in `conflicts` instead.
   */
  async check(root: string): Promise<{ torn: string[]; conflicts: string[] }> {
    const torn: string[] = [];
    const conflicts: string[] = [];
    for (const [p, e] of Object.entries(await snapshotTree(root))) {
      if (e.kind !== 'file' || this.has(p, e.sha256!)) continue;
      const copyOf = parseConflictCopy(p)?.original;
      if (copyOf !== undefined && this.has(copyOf, e.sha256!)) conflicts.push(p);
      else if (!this.versions.has(p)) torn.push(`${p}: no such path was ever written (a temp or stray file)`);
      else torn.push(`${p}: ${e.size} bytes, content ${e.sha256!.slice(0, 12)} is none of the ${this.versions.get(p)!.size} versions written there`);
    }
    return { torn, conflicts };
  }
}

/** Files and allocated bytes under `dir` (recursively; 0 when it does not exist), and the first names found. */
export async function bytesUnder(dir: string): Promise<{ files: number; bytes: number; names: string[] }> {
  const names: string[] = [];
  let files = 0;
  let bytes = 0;
  async function walk(d: string): Promise<void> {
    let entries: string[];
    try {
      entries = await readdir(d);
    } catch {
      return;
    }
    for (const n of entries) {
      const st = await lstat(join(d, n)).catch(() => null);
      if (st === null) continue;
      if (st.isDirectory()) await walk(join(d, n));
      else {
        files++;
        if (names.length < 20) names.push(`${join(d, n).slice(dir.length + 1)} (${st.size} B, ${st.blocks * 512} B allocated)`);
        // Allocated bytes: temp files are created at their final size (sparse) and filled in place.
        bytes += st.blocks * 512;
      }
    }
  }
  await walk(dir);
  return { files, bytes, names };
}
