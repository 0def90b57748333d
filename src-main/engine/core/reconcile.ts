/**
 * Reconciling one region of the folder (a set of root paths, '' = everything) after a scan: renames found by
 * inode become `move`s (no data), the rest is the mirror plan of the region against the projected server tree.
 * Pure: mutates only the models it is given, synchronously, so that the next batch plans on top of this one.
 */
import { isWithin } from '../../../src-shared/protocol/paths';
import { pairMoves, type DetectedMove } from './move-detect';
import { opOfItem, type PlanItem, type SyncOp } from './operations';
import { planMirrorItems } from './plan';
import { applyItem, applyOp } from './apply-op';
import { ancestorsOf, subTree, type Tree, type TreeEntry } from './tree';

/** The last local state acted upon, with an inode index to find where a reappearing inode used to be. */
export class LocalModel {
  private current: Tree = new Map();
  /**
   * Built on first use after a whole-folder replace, then kept up to date: a first upload of 100,000 files runs
   * without this second map of 100,000 entries (it is first needed by the rescan that follows).
   */
  private byIno: Map<number, string> | null = null;

  /** relPath → entry of everything scanned (read only: change it through replaceRegion). */
  get tree(): Tree {
    return this.current;
  }

  /** Where inode `ino` was last seen. */
  pathOfIno(ino: number): string | undefined {
    return this.inodes().get(ino);
  }

  /**
   * Replace everything within `roots` by the entries of `scanned`. For the whole folder ('') the model adopts
   * `scanned` itself, which the caller must then leave unchanged.
   */
  replaceRegion(roots: readonly string[], scanned: Tree): void {
    if (roots.includes('')) {
      this.current = scanned;
      this.byIno = null;
      return;
    }
    const byIno = this.inodes();
    for (const e of [...subTree(this.current, roots).values()]) {
      this.current.delete(e.path);
      if (e.ino !== undefined && byIno.get(e.ino) === e.path) byIno.delete(e.ino);
    }
    for (const e of scanned.values()) {
      this.current.set(e.path, e);
      if (e.ino !== undefined && e.ino !== 0) byIno.set(e.ino, e.path);
    }
  }

  private inodes(): Map<number, string> {
    if (this.byIno !== null) return this.byIno;
    // In tree order, the order a whole-folder replace used to fill it in: the same path wins for a hard-linked inode.
    const m = new Map<number, string>();
    for (const e of this.current.values()) if (e.ino !== undefined && e.ino !== 0) m.set(e.ino, e.path);
    this.byIno = m;
    return m;
  }
}

/** Inputs of reconcileRegion. */
export interface RegionInput {
  local: LocalModel;
  /** What the server will hold once queued operations are done; updated with the returned operations. */
  projected: Tree;
  roots: readonly string[];
  /** Fresh scan of the region (entries within roots only). */
  scanned: Tree;
  isIgnored?: (path: string, isDir: boolean) => boolean;
}

/** Entries that vanished or appeared between the model and the scan (a changed inode or kind counts as both). */
export function changedEntries(old: Tree, scanned: Tree): { gone: TreeEntry[]; appeared: TreeEntry[] } {
  const differs = (a: TreeEntry, b: TreeEntry | undefined) => b === undefined || b.ino !== a.ino || b.kind !== a.kind;
  return {
    gone: [...old.values()].filter((e) => differs(e, scanned.get(e.path))),
    appeared: [...scanned.values()].filter((e) => differs(e, old.get(e.path))),
  };
}

/** Operations for the region, moves first; the local model and the projected tree are updated. */
export function reconcileRegion(input: RegionInput): SyncOp[] {
  return reconcileItems(input).map(opOfItem);
}

/** reconcileRegion with uploads left as the scanned entries they send (see PlanItem). */
export function reconcileItems(input: RegionInput): PlanItem[] {
  const { local, projected, roots, scanned } = input;
  const ignored = input.isIgnored ?? (() => false);
  const { gone, appeared } = changedEntries(subTree(local.tree, roots), scanned);
  const out: PlanItem[] = [];
  for (const m of pairMoves(gone, appeared)) {
    if (!moveApplies(m, projected, ignored)) continue;
    const op: SyncOp = { kind: 'move', from: m.from, to: m.to };
    applyOp(projected, op);
    out.push(op);
  }
  local.replaceRegion(roots, scanned);
  const start = out.length;
  for (const op of missingParents(local.tree, projected, roots)) out.push(op);
  for (const item of planMirrorItems(scanned, subTree(projected, roots), input.isIgnored ? { isIgnored: input.isIgnored } : {})) out.push(item);
  for (let i = start; i < out.length; i++) applyItem(projected, out[i] as PlanItem);
  return out;
}

function moveApplies(m: DetectedMove, projected: Tree, ignored: (p: string, d: boolean) => boolean): boolean {
  const r = projected.get(m.from);
  if (r === undefined || r.kind !== m.kind) return false;
  return !ignored(m.to, m.kind === 'dir') && !ignored(m.from, m.kind === 'dir');
}

/** Folders above a region root that exist locally but not (as folders) on the server: create them first. */
function missingParents(local: Tree, projected: Tree, roots: readonly string[]): SyncOp[] {
  const ops: SyncOp[] = [];
  const seen = new Set<string>();
  for (const r of roots) {
    for (const a of ancestorsOf(r)) {
      if (seen.has(a) || roots.some((x) => x !== r && isWithin(a, x))) continue;
      seen.add(a);
      const l = local.get(a);
      if (l?.kind !== 'dir' || projected.get(a)?.kind === 'dir') continue;
      ops.push({ kind: 'mkdir', path: a, mode: l.mode, mtimeMs: l.mtimeMs });
    }
  }
  return ops;
}
