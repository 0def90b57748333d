/**
 * Planning one batch of watcher changes: rescan the reported regions, widen them to where a reappearing inode
 * came from, hold fresh deletions briefly (the other half of a rename may follow), check safety, reconcile.
 */
import type { FerryError } from '../errors';
import type { IgnoreRules } from '../core/ignore-rules';
import type { PlanItem } from '../core/operations';
import { reconcileItems, type LocalModel } from '../core/reconcile';
import { checkSafety } from '../core/safety';
import { withinAny, type Tree } from '../core/tree';
import { rootIsFolder, scanRoots, toScanRoot } from './local-region';
import type { ScanRoot } from './local-scan';

/** A vanished path waits this long for the reappearance that makes it a move. */
export const HOLD_DELETE_MS = 120;

/** The session state a batch reads and updates. */
export interface LiveContext {
  rootAbs: string;
  local: LocalModel;
  projected: Tree;
  rules: IgnoreRules;
  allowEmptyRoot: boolean;
  /** Vanished roots being held, with when they were first seen gone. */
  held: Map<string, number>;
  /** Report `path` again after `ms`. */
  pushLater: (diskPath: string, ms: number) => void;
  now: () => number;
}

/** Plan items for a batch of changed paths (as spelled on disk); throws SAFETY_HALT instead of emptying the share. */
export async function planLiveBatch(ctx: LiveContext, changed: readonly string[]): Promise<PlanItem[]> {
  const roots = changed.map((r) => toScanRoot(r, ctx.local.tree));
  let scan = await scanRoots(ctx.rootAbs, roots, ctx.rules, ctx.local.tree);
  const extra = await vanishedSources(ctx, scan.tree, roots.map((r) => r.path));
  if (extra.length > 0) {
    roots.push(...extra);
    scan = await scanRoots(ctx.rootAbs, roots, ctx.rules, ctx.local.tree);
  }
  const paths = holdDeletions(ctx, roots.map((r) => r.path), scan.tree);
  if (paths.length === 0) return [];
  const pathSet = new Set(paths);
  // A whole-folder batch (the rescans) keeps the scan as it is: no second map of 100,000 entries.
  const region: Tree = pathSet.has('') ? scan.tree : new Map([...scan.tree].filter(([p]) => withinAny(p, pathSet)));
  const halt = safetyAfter(ctx, region, pathSet, await rootIsFolder(ctx.rootAbs));
  if (halt) throw halt;
  return reconcileItems({ local: ctx.local, projected: ctx.projected, roots: paths, scanned: region, isIgnored: ctx.rules.predicate() });
}

/** The safety check on the folder as it will be after this batch (only counted when the region came out empty). */
function safetyAfter(ctx: LiveContext, region: Tree, paths: ReadonlySet<string>, rootExists: boolean): FerryError | null {
  let future = region;
  if (region.size === 0) {
    future = new Map();
    for (const [p, e] of ctx.local.tree) if (!withinAny(p, paths)) future.set(p, e);
  }
  return checkSafety(future, ctx.projected, { allowEmptyRoot: ctx.allowEmptyRoot, rootExists });
}

/**
 * Appeared inodes last seen at a path outside the batch: if that path is gone, add it to the batch so the
 * pair becomes a move even when the watcher reported the two halves of a rename in different batches.
 */
async function vanishedSources(ctx: LiveContext, scanned: Tree, roots: string[]): Promise<ScanRoot[]> {
  const rootSet = new Set(roots);
  const out: ScanRoot[] = [];
  for (const e of scanned.values()) {
    if (e.ino === undefined) continue;
    const old = ctx.local.pathOfIno(e.ino);
    if (old === undefined || old === e.path || withinAny(old, rootSet)) continue;
    if (out.some((x) => old === x.path || old.startsWith(x.path + '/'))) continue;
    const disk = ctx.local.tree.get(old)?.diskPath ?? old;
    const now = await scanRoots(ctx.rootAbs, [{ path: old, disk }], ctx.rules);
    if (now.tree.get(old)?.ino !== e.ino) out.push({ path: old, disk });
  }
  return out;
}

/** Roots that vanished without a matching reappearance wait HOLD_DELETE_MS once; the rest go ahead. */
function holdDeletions(ctx: LiveContext, roots: string[], scanned: Tree): string[] {
  const now = ctx.now();
  const keep: string[] = [];
  const appearedInos = new Set<number>();
  for (const e of scanned.values()) if (e.ino !== undefined && ctx.local.tree.get(e.path)?.ino !== e.ino) appearedInos.add(e.ino);
  for (const r of roots) {
    const was = ctx.local.tree.get(r);
    const vanished = r !== '' && was !== undefined && !scanned.has(r);
    if (!vanished || (was.ino !== undefined && appearedInos.has(was.ino))) {
      ctx.held.delete(r);
      keep.push(r);
      continue;
    }
    const since = ctx.held.get(r);
    if (since !== undefined && now - since >= HOLD_DELETE_MS) {
      ctx.held.delete(r);
      keep.push(r);
    } else if (since === undefined) {
      ctx.held.set(r, now);
      ctx.pushLater(was.diskPath ?? r, HOLD_DELETE_MS);
    }
  }
  return keep;
}
