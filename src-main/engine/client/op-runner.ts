/** Running one planned operation against the server: the request, its TransferRecord and the confirmed model. */
import { join } from 'node:path';
import type { ConflictInfo, FileBase } from '../../../src-shared/protocol/messages';
import type { TransferRecord } from '../../../src-shared/model/index';
import type { Connection } from '../net/connection';
import type { RecipeCache } from '../chunking/recipe-cache';
import type { SyncOp } from '../core/operations';
import type { Tree } from '../core/tree';
import { toFerryError, type FerryError } from '../errors';
import { applyOp, shareEntry } from '../core/apply-op';
import { TransferTracker } from './transfer-records';
import { uploadFile, type UploadResult } from './upload-file';
import type { RateLimiter } from './rate-limiter';

/** What the runner needs from its session. */
export interface RunnerContext {
  pairId: string;
  rootAbs: string;
  conn: Connection;
  cache: RecipeCache;
  /** The server's tree as confirmed by `ok`s: the `base` of each write. */
  confirmed: Tree;
  /** The projected tree: a confirmed upload shares its entry object with it. */
  projected?: Tree;
  emitTransfer: (r: TransferRecord) => void;
  /** Upload bandwidth limit (file payloads only), or null. */
  limiter: RateLimiter | null;
  onConflict: (c: ConflictInfo, local: { size: number; mtimeMs: number } | null) => void;
  /** Told what an upload sent (its content identity and, for a large file, its recipe): two-way pairs record it. */
  onUploaded?: (r: UploadResult) => void;
}

/** Outcome of one operation, for the session's counters. */
export type RunOutcome =
  | { ok: true; op: SyncOp; bytesSent: number; skipped: boolean }
  | { ok: false; op: SyncOp; error: FerryError };

function baseOf(confirmed: Tree, path: string): FileBase {
  const e = confirmed.get(path);
  return e === undefined || e.kind !== 'file' ? null : { size: e.size, mtimeMs: e.mtimeMs };
}

/** Run `op`; never throws (failures are outcomes). */
export async function runOp(ctx: RunnerContext, op: SyncOp): Promise<RunOutcome> {
  const t = new TransferTracker(ctx.pairId, op, ctx.emitTransfer);
  try {
    if (op.kind === 'upload') {
      const r = await uploadFile(
        { conn: ctx.conn, cache: ctx.cache, limiter: ctx.limiter, onProgress: (d, s) => t.progress(d, s) },
        op.path,
        join(ctx.rootAbs, op.diskPath ?? op.path),
        () => baseOf(ctx.confirmed, op.path),
        op.ino === undefined ? undefined : { size: op.size, mtimeMs: op.mtimeMs, mode: op.mode, ino: op.ino },
      );
      if (r === null) {
        t.completed(0);
        return { ok: true, op, bytesSent: 0, skipped: true };
      }
      applyOp(ctx.confirmed, op, r);
      ctx.onUploaded?.(r);
      if (ctx.projected) shareEntry(ctx.confirmed, ctx.projected, op.path);
      if (r.conflict) ctx.onConflict(r.conflict, { size: r.size, mtimeMs: r.mtimeMs });
      t.completed(r.size);
      return { ok: true, op, bytesSent: r.bytesSent, skipped: false };
    }
    const f = await ctx.conn.request(requestOf(op, ctx.confirmed));
    applyOp(ctx.confirmed, op);
    // Keep recipes with their files: a moved large file is not re-read the next time it changes.
    if (op.kind === 'move') ctx.cache.renamePrefix(op.from, op.to);
    if (f.header.type === 'ok' && f.header.conflict) ctx.onConflict(f.header.conflict, null);
    t.completed();
    return { ok: true, op, bytesSent: 0, skipped: false };
  } catch (err) {
    const e = toFerryError(err, op.kind === 'move' ? op.from : op.path);
    t.failed(e.toInfo());
    return { ok: false, op, error: e };
  }
}

function requestOf(op: Exclude<SyncOp, { kind: 'upload' }>, confirmed: Tree): object {
  switch (op.kind) {
    case 'mkdir':
      return { type: 'mkdir', path: op.path, mode: op.mode, mtimeMs: op.mtimeMs };
    case 'remove':
      // A base only describes a file; for a folder or link "whatever is there" is what goes.
      return confirmed.get(op.path)?.kind === 'file' ? { type: 'remove', path: op.path, base: baseOf(confirmed, op.path) } : { type: 'remove', path: op.path };
    case 'move':
      return { type: 'move', from: op.from, to: op.to };
    case 'symlink':
      return { type: 'symlink', path: op.path, target: op.target, mtimeMs: op.mtimeMs };
    case 'setMeta':
      return { type: 'setMeta', path: op.path, mode: op.mode, mtimeMs: op.mtimeMs };
  }
}
