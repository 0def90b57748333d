/** Turning whatever a transport rejects with into the contract's error value. */
import { isErrorCode, type FerryErrorInfo } from '../../../src-shared/protocol/error-codes';

/** An invoke that the engine host answered with an error value. */
export class FerryCallError extends Error {
  constructor(readonly info: FerryErrorInfo) {
    super(info.message);
    this.name = 'FerryCallError';
  }
}

/** Best-effort FerryErrorInfo from anything thrown (our error, a serialized one, an IPC Error). */
export function toErrorInfo(error: unknown): FerryErrorInfo {
  if (error instanceof FerryCallError) return error.info;
  if (typeof error === 'object' && error !== null) {
    const e = error as { code?: unknown; message?: unknown; path?: unknown };
    const message = typeof e.message === 'string' ? e.message : String(error);
    if (isErrorCode(e.code)) return { code: e.code, message, ...(typeof e.path === 'string' ? { path: e.path } : {}) };
    // Electron's ipcRenderer.invoke flattens errors into "Error invoking remote method 'x': CODE: msg".
    const m = /([A-Z_]{4,}):\s*(.*)$/.exec(message);
    if (m && isErrorCode(m[1])) return { code: m[1], message: m[2] || message };
    return { code: 'INTERNAL', message };
  }
  return { code: 'INTERNAL', message: String(error) };
}
