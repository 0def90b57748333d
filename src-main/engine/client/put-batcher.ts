/**
 * Small files share frames: whole-file puts started in the same turn of the event loop leave as one `putBatch`
 * (one header, one TLS write, one answer, and on the server one shared flush) instead of one round trip each.
 * Callers still get one result each, as if they had sent their own `put`.
 */
import { PUT_BATCH_MAX_BYTES, PUT_BATCH_MAX_FILES } from '../../../src-shared/protocol/limits';

/**
 * A batch leaves at this many files even if more are coming: with the session's 256 operations in flight that
 * keeps ~4 batches on the way, so the server writes one while the next is read and sent.
 */
const BATCH_FILES = Math.min(64, PUT_BATCH_MAX_FILES);
/** …or at this many bytes (the protocol allows PUT_BATCH_MAX_BYTES). */
const BATCH_BYTES = Math.min(1024 * 1024, PUT_BATCH_MAX_BYTES);
import type { BatchResult, ConflictInfo, PutBatchFile } from '../../../src-shared/protocol/messages';
import { isErrorCode } from '../../../src-shared/protocol/error-codes';
import { FerryError, toFerryError } from '../errors';
import type { Connection } from '../net/connection';

interface Waiting {
  file: PutBatchFile;
  data: Buffer;
  resolve: (r: { conflict?: ConflictInfo }) => void;
  reject: (e: FerryError) => void;
}

/** Collects puts for one connection and sends them in batches. */
export class PutBatcher {
  private open: Waiting[] = [];
  private openBytes = 0;
  private scheduled = false;

  constructor(private readonly conn: Connection) {}

  /** Send `file` with its bytes; resolves with the server's answer for this file alone (rejects with its error). */
  put(file: PutBatchFile, data: Buffer): Promise<{ conflict?: ConflictInfo }> {
    return new Promise((resolve, reject) => {
      if (this.open.length > 0 && this.openBytes + data.length > BATCH_BYTES) this.flush();
      this.open.push({ file, data, resolve, reject });
      this.openBytes += data.length;
      if (this.open.length >= BATCH_FILES) this.flush();
      else if (!this.scheduled) {
        // setImmediate, not a microtask: the reads of the other files started by the same queue pump finish first.
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    const batch = this.open;
    if (batch.length === 0) return;
    this.open = [];
    this.openBytes = 0;
    const payload = batch.length === 1 ? batch[0]!.data : Buffer.concat(batch.map((w) => w.data));
    this.conn.request({ type: 'putBatch', files: batch.map((w) => w.file) }, payload).then(
      (f) => {
        const results = f.header.type === 'batchOk' ? f.header.results : null;
        if (results === null || results.length !== batch.length) {
          const e = new FerryError('BAD_FRAME', `Expected batchOk with ${batch.length} results, got ${f.header.type}`);
          for (const w of batch) w.reject(e);
          return;
        }
        batch.forEach((w, i) => settle(w, results[i]!));
      },
      (err: unknown) => {
        // The whole frame failed (connection lost, frame refused): every file in it failed the same way.
        const e = toFerryError(err);
        for (const w of batch) w.reject(new FerryError(e.code, e.message, { path: w.file.path, cause: e }));
      },
    );
  }
}

function settle(w: Waiting, r: BatchResult): void {
  if (r.ok) w.resolve(r.conflict ? { conflict: r.conflict } : {});
  else w.reject(new FerryError(isErrorCode(r.code) ? r.code : 'INTERNAL', r.message, { path: w.file.path }));
}

const batchers = new WeakMap<Connection, PutBatcher>();

/** The batcher of `conn` (one per connection, made on first use). */
export function putBatcherFor(conn: Connection): PutBatcher {
  let b = batchers.get(conn);
  if (b === undefined) {
    b = new PutBatcher(conn);
    batchers.set(conn, b);
  }
  return b;
}
