/** Temp folders, tree builders and tree comparison shared by all integration tests. */
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readdir, lstat, readFile, readlink, rm, writeFile, utimes, chmod, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';

const made: string[] = [];

/** A fresh temp folder, removed by `cleanupTempDirs`. */
export async function tempDir(prefix = 'ferry-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Remove every temp folder made so far (call in afterAll). */
export async function cleanupTempDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** What a tree spec may hold at a path: file content, `{ dir: true }`, or `{ link: target }`. */
export type TreeSpec = Record<string, string | Buffer | { dir: true } | { link: string } | { content: string | Buffer; mode?: number; mtimeMs?: number }>;

/** Write a tree spec under `root` (parents created as needed). */
export async function writeTree(root: string, spec: TreeSpec): Promise<void> {
  for (const [rel, v] of Object.entries(spec)) {
    const abs = join(root, rel);
    if (typeof v === 'object' && 'dir' in v) {
      await mkdir(abs, { recursive: true });
      continue;
    }
    await mkdir(dirname(abs), { recursive: true });
    if (typeof v === 'object' && 'link' in v) {
      await symlink(v.link, abs);
      continue;
    }
    if (typeof v === 'object' && 'content' in v) {
      await writeFile(abs, v.content);
      if (v.mode !== undefined) await chmod(abs, v.mode);
      if (v.mtimeMs !== undefined) await utimes(abs, new Date(v.mtimeMs), new Date(v.mtimeMs));
      continue;
    }
    await writeFile(abs, v as string | Buffer);
  }
}

/** One node of a snapshot. */
export interface SnapEntry {
  kind: 'file' | 'dir' | 'symlink';
  size: number;
  mode: number;
  mtimeMs: number;
  sha256?: string;
  target?: string;
}

/** Snapshot a tree (excluding `.ferry` and any names in `skip`): path → kind, size, mode, integer mtime, hash. */
export async function snapshotTree(root: string, skip: string[] = ['.ferry']): Promise<Record<string, SnapEntry>> {
  const out: Record<string, SnapEntry> = {};
  async function walk(dir: string, rel: string): Promise<void> {
    for (const name of (await readdir(dir)).sort()) {
      if (rel === '' && skip.includes(name)) continue;
      const abs = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = await lstat(abs);
      const base = { size: st.isDirectory() ? 0 : st.size, mode: st.mode & 0o7777, mtimeMs: Math.floor(st.mtimeMs) };
      if (st.isSymbolicLink()) out[r] = { kind: 'symlink', ...base, mtimeMs: 0, mode: 0, target: await readlink(abs) };
      else if (st.isDirectory()) {
        out[r] = { kind: 'dir', ...base, mtimeMs: 0 };
        await walk(abs, r);
      } else out[r] = { kind: 'file', ...base, sha256: createHash('sha256').update(await readFile(abs)).digest('hex') };
    }
  }
  await walk(root, '');
  return out;
}

/** Differences between two snapshots, as readable lines (empty when equal). */
export function diffSnapshots(a: Record<string, SnapEntry>, b: Record<string, SnapEntry>, opts: { mtime?: boolean } = {}): string[] {
  const lines: string[] = [];
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[k];
    const y = b[k];
    if (!x) lines.push(`only in second: ${k}`);
    else if (!y) lines.push(`only in first: ${k}`);
    else {
      const fields: (keyof SnapEntry)[] = ['kind', 'size', 'mode', 'sha256', 'target', ...(opts.mtime === false ? [] : (['mtimeMs'] as const))];
      for (const f of fields) {
        if (x[f] !== y[f]) lines.push(`${k}: ${f} ${String(x[f])} != ${String(y[f])}`);
      }
    }
  }
  return lines;
}

/** Poll `check` until it returns true (or throws no more), or fail after `timeoutMs` with `what`. */
export async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000, everyMs = 50): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Wait until the two trees are identical (content, mode, mtime unless disabled); fails with the diff. */
export async function waitForTreesEqual(a: string, b: string, timeoutMs = 15_000, opts: { mtime?: boolean } = {}): Promise<void> {
  let diff: string[] = [];
  try {
    await waitFor(async () => {
      diff = diffSnapshots(await snapshotTree(a), await snapshotTree(b), opts);
      return diff.length === 0;
    }, 'trees to be equal', timeoutMs, 100);
  } catch {
    throw new Error(`trees differ after ${timeoutMs} ms:\n${diff.slice(0, 30).join('\n')}`);
  }
}
