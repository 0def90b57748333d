/**
 * Mirror planning: what to do to the server so that it holds exactly the client's tree.
 * Pure: two trees in, an ordered list of operations out. The transfer queue keeps the order of operations
 * whose paths overlap, so the order here is what makes kind changes and nested folders work.
 */
import { opOfItem, type PlanItem, type SyncOp, type UploadItem } from './operations';
import { ancestorsOf, comparePaths, type Tree, type TreeEntry } from './tree';
import { compareEntries } from './diff-trees';

/** Options of a plan. */
export interface PlanOptions {
  /** Ignored paths are neither sent nor deleted on the server. */
  isIgnored?: (path: string, isDir: boolean) => boolean;
}

const OWNER_RWX = 0o700;

/** Operations that turn `remote` into `local`: removals (children first), folders (parents first), files and links, folder modes. */
export function planMirror(local: Tree, remote: Tree, opts: PlanOptions = {}): SyncOp[] {
  return planMirrorItems(local, remote, opts).map(opOfItem);
}

/** planMirror with each upload left as the local entry it sends (see PlanItem). */
export function planMirrorItems(local: Tree, remote: Tree, opts: PlanOptions = {}): PlanItem[] {
  const ignored = (e: TreeEntry) => opts.isIgnored?.(e.path, e.kind === 'dir') ?? false;
  const out: PlanItem[] = planRemovals(local, remote, ignored);
  const leaves: PlanItem[] = [];
  const dirMeta: SyncOp[] = [];
  for (const e of [...local.values()].sort((a, b) => comparePaths(a.path, b.path))) {
    if (ignored(e)) continue;
    const r = remote.get(e.path);
    const diff = r === undefined ? 'kind' : compareEntries(e, r);
    if (diff === 'same') continue;
    if (e.kind === 'dir') {
      const restricted = (e.mode & OWNER_RWX) !== OWNER_RWX;
      if (diff === 'kind') out.push({ kind: 'mkdir', path: e.path, mode: restricted ? e.mode | OWNER_RWX : e.mode, mtimeMs: e.mtimeMs });
      if (diff === 'meta' || restricted) dirMeta.push({ kind: 'setMeta', path: e.path, mode: e.mode, mtimeMs: e.mtimeMs });
      continue;
    }
    leaves.push(leafItem(e, diff));
  }
  for (const x of leaves) out.push(x);
  for (let i = dirMeta.length - 1; i >= 0; i--) out.push(dirMeta[i] as SyncOp);
  return out;
}

/**
 * One scanned folder's entries planned against a share known to be empty, before the rest is scanned: folders
 * (parents first), files and links. Folder modes (setMeta) are left out: they wait until the folder's contents are
 * written, and the plan of the whole scan adds them then.
 */
export function planIntoEmpty(entries: readonly TreeEntry[], opts: PlanOptions = {}): PlanItem[] {
  const local: Tree = new Map();
  for (const e of entries) local.set(e.path, e);
  return planMirrorItems(local, new Map(), opts).filter((x) => x.kind !== 'setMeta');
}

function leafItem(e: TreeEntry, diff: 'meta' | 'content' | 'kind'): PlanItem {
  if (e.kind === 'symlink') return { kind: 'symlink', path: e.path, target: e.target ?? '', mtimeMs: e.mtimeMs };
  if (diff === 'meta') return { kind: 'setMeta', path: e.path, mode: e.mode, mtimeMs: e.mtimeMs };
  return e as UploadItem;
}

/**
 * Removals: every remote entry the client lacks (or holds as another kind), as few requests as possible —
 * one remove of the top-most gone folder — except that a folder still holding ignored (kept) entries stays.
 */
function planRemovals(local: Tree, remote: Tree, ignored: (e: TreeEntry) => boolean): SyncOp[] {
  const gone: TreeEntry[] = [];
  const keptBelow = new Set<string>();
  for (const r of remote.values()) {
    const l = local.get(r.path);
    const isGone = !ignored(r) && (l === undefined || l.kind !== r.kind || ignored(l));
    if (isGone) gone.push(r);
    else for (const a of ancestorsOf(r.path)) keptBelow.add(a);
  }
  gone.sort((a, b) => comparePaths(a.path, b.path));
  const removed = new Set<string>();
  const out: SyncOp[] = [];
  for (const r of gone) {
    if (ancestorsOf(r.path).some((a) => removed.has(a))) continue;
    const l = local.get(r.path);
    const kindChange = l !== undefined && l.kind !== r.kind;
    // A folder gone locally but holding ignored entries on the server stays; its other children go one by one.
    if (r.kind === 'dir' && keptBelow.has(r.path) && !kindChange) continue;
    removed.add(r.path);
    out.push({ kind: 'remove', path: r.path });
  }
  return out.reverse();
}
