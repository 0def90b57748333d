/** How two entries at the same path differ: the one comparison every plan is built on. */
import type { TreeEntry } from './tree';

/** same: nothing to do; meta: only mode/mtime to set; content: data to send; kind: file↔dir↔link change. */
export type EntryDifference = 'same' | 'meta' | 'content' | 'kind';

/**
 * Compare a local entry with the remote one.
 * Files: size or integer mtime differing means content (a same-size edit keeps the size, so mtime cannot be
 * trusted as metadata only; chunk reuse keeps a touch cheap); mode only → meta.
 * Folders: mode only (their mtime changes whenever a child does, so it is not compared).
 * Links: the target text.
 */
export function compareEntries(local: TreeEntry, remote: TreeEntry): EntryDifference {
  if (local.kind !== remote.kind) return 'kind';
  switch (local.kind) {
    case 'file':
      if (local.size !== remote.size || Math.floor(local.mtimeMs) !== Math.floor(remote.mtimeMs)) return 'content';
      return (local.mode & 0o7777) === (remote.mode & 0o7777) ? 'same' : 'meta';
    case 'dir':
      return (local.mode & 0o7777) === (remote.mode & 0o7777) ? 'same' : 'meta';
    case 'symlink':
      return local.target === remote.target ? 'same' : 'content';
  }
}

/** Paths whose entries differ between two trees (either side missing counts), sorted parents first. */
export function differingPaths(a: Map<string, TreeEntry>, b: Map<string, TreeEntry>): string[] {
  const out: string[] = [];
  for (const [p, x] of a) {
    const y = b.get(p);
    if (y === undefined || compareEntries(x, y) !== 'same') out.push(p);
  }
  for (const p of b.keys()) if (!a.has(p)) out.push(p);
  return out.sort();
}
