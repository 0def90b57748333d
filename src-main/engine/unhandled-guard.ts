/**
 * Process-level guard for long-running processes (`ferry serve`, the daemon): a promise rejection that escaped
 * every handler is logged and counted instead of ending the process (Node's default). It is a last line of
 * defence, not a way to ignore failures: each one is a bug, logged at error level and visible in the counter.
 */
import type { Logger } from './log';

/** Kept on globalThis so that two copies of this module (bundled CLI + a test's import) share one count. */
const state: { escaped: number; current: Logger | null; handler: ((reason: unknown) => void) | null } =
  ((globalThis as Record<symbol, unknown>)[Symbol.for('ferry.unhandledGuard')] as typeof state | undefined) ??
  ((globalThis as Record<symbol, unknown>)[Symbol.for('ferry.unhandledGuard')] = { escaped: 0, current: null, handler: null } as typeof state);

/** Install the guard (once per process; a second call only swaps the logger). Returns a function that removes it. */
export function installUnhandledGuard(log: Logger): () => void {
  state.current = log;
  if (state.handler === null) {
    state.handler = (reason: unknown) => {
      state.escaped++;
      const err = reason instanceof Error ? { message: reason.message, stack: reason.stack, code: (reason as { code?: unknown }).code } : { value: String(reason) };
      state.current?.error({ err, escapedRejections: state.escaped }, 'unhandled promise rejection (a bug: please report it)');
    };
    process.on('unhandledRejection', state.handler);
  }
  return () => {
    if (state.handler !== null) process.off('unhandledRejection', state.handler);
    state.handler = null;
    state.current = null;
  };
}

/** Rejections the guard has caught since the process started (for status and tests; should stay 0). */
export function escapedRejections(): number {
  return state.escaped;
}
