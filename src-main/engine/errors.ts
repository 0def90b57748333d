/** The engine's error type: a stable code from src-shared plus one sentence, added context once. */
import type { ErrorCode, FerryErrorInfo } from '../../src-shared/protocol/error-codes';

/** An error with a stable code; what crosses the wire, the CLI and the UI. */
export class FerryError extends Error {
  readonly code: ErrorCode;
  readonly path: string | undefined;
  constructor(code: ErrorCode, message: string, opts: { path?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'FerryError';
    this.code = code;
    this.path = opts.path;
  }
  /** Plain-data form for events, the wire and JSON output. */
  toInfo(): FerryErrorInfo {
    return this.path === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, path: this.path };
  }
}

/** Map any thrown value to a FerryError (Node fs errors get meaningful codes). */
export function toFerryError(err: unknown, path?: string): FerryError {
  if (err instanceof FerryError) return err;
  const e = err as NodeJS.ErrnoException | undefined;
  const where = path === undefined ? {} : { path };
  switch (e?.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new FerryError('DISK_FULL', `No space left on the device${path ? ` while writing ${path}` : ''}`, { ...where, cause: err });
    case 'ENOENT':
      return new FerryError('NOT_FOUND', `${path ?? 'file'} does not exist`, { ...where, cause: err });
    case 'ECONNREFUSED':
    case 'EHOSTUNREACH':
    case 'ENOTFOUND':
    case 'ECONNRESET':
      return new FerryError('CONNECT_FAILED', e.message, { ...where, cause: err });
    default:
      if (e && typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) {
        return new FerryError('IO_ERROR', e.message, { ...where, cause: err });
      }
      return new FerryError('INTERNAL', err instanceof Error ? err.message : String(err), { ...where, cause: err });
  }
}
