/** TransferRecords for the activity log: one per operation, updated on start, progress (throttled) and end. */
import type { PairId, TransferKind, TransferRecord } from '../../../src-shared/model/index';
import type { FerryErrorInfo } from '../../../src-shared/protocol/error-codes';
import type { SyncOp } from '../core/operations';

/** Minimum time between two progress updates of one transfer. */
export const PROGRESS_EVERY_MS = 200;

let counter = 0;

/** The record kind of an operation (setMeta shows as the mkdir/upload it completes). */
export function transferKindOf(op: SyncOp): TransferKind {
  switch (op.kind) {
    case 'upload':
    case 'setMeta':
      return 'upload';
    case 'remove':
      return 'delete';
    case 'move':
    case 'mkdir':
    case 'symlink':
      return op.kind;
  }
}

/** A live record with throttled progress reporting. */
export class TransferTracker {
  readonly record: TransferRecord;
  private lastProgress = 0;

  constructor(pairId: PairId, op: SyncOp, private readonly emit: (r: TransferRecord) => void) {
    const path = op.kind === 'move' ? op.from : op.path;
    this.record = {
      id: `${pairId}:${process.pid}:${++counter}`,
      pairId,
      kind: transferKindOf(op),
      path,
      status: 'active',
      size: op.kind === 'upload' ? op.size : 0,
      bytesDone: 0,
      bytesSent: 0,
      startedAt: Date.now(),
      finishedAt: null,
      error: null,
      direction: 'up',
    };
    if (op.kind === 'move') this.record.toPath = op.to;
    this.emit({ ...this.record });
  }

  /** Progress of an upload; reported at most every PROGRESS_EVERY_MS. */
  progress(bytesDone: number, bytesSent: number): void {
    this.record.bytesDone = bytesDone;
    this.record.bytesSent = bytesSent;
    const now = Date.now();
    if (now - this.lastProgress < PROGRESS_EVERY_MS) return;
    this.lastProgress = now;
    this.emit({ ...this.record });
  }

  /** The transfer finished; `size` is what was actually sent for uploads. */
  completed(size?: number): void {
    if (size !== undefined) {
      this.record.size = size;
      this.record.bytesDone = size;
    }
    this.finish('completed', null);
  }

  /** The transfer failed. */
  failed(error: FerryErrorInfo): void {
    this.finish('failed', error);
  }

  private finish(status: 'completed' | 'failed', error: FerryErrorInfo | null): void {
    this.record.status = status;
    this.record.error = error;
    this.record.finishedAt = Date.now();
    this.emit({ ...this.record });
  }
}

/** A download's record: the same life as an upload's, in the other direction. */
export class DownloadTracker extends TransferTracker {
  constructor(pairId: PairId, path: string, size: number, emit: (r: TransferRecord) => void) {
    super(pairId, { kind: 'upload', path, size, mtimeMs: 0, mode: 0 }, (r) => emit({ ...r, kind: 'download', direction: 'down' }));
  }
}

/** A record of a step that finished at once (a local delete or rename brought from the server). */
export function doneRecord(pairId: PairId, kind: TransferKind, path: string, direction: 'up' | 'down'): TransferRecord {
  const now = Date.now();
  return { id: `${pairId}:${process.pid}:${++counter}`, pairId, kind, path, status: 'completed', size: 0, bytesDone: 0, bytesSent: 0, startedAt: now, finishedAt: now, error: null, direction };
}
