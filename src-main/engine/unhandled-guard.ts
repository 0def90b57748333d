/**
 * Process-level guard for long-running processes (`ferry serve`, the daemon): a promise rejection that escaped
 * every handler is logged and counted instead of ending the process (Node's default). It is a last line of
 * defence, not a way to ignore failures: each one is a bug, logged at error level and visible in the counter.
 */
import type { Logger } from './log';

/** Kept on globalThis so that two copies of this module (bundled CLI + a test's import) share one count. */
const state: { escaped: number; current: Logger | null; report: Reporter | null; handler: ((reason: unknown) => void) | null } =
  ((globalThis as Record<symbol, unknown>)[Symbol.for('ferry.unhandledGuard')] as typeof state | undefined) ??
  ((globalThis as Record<symbol, unknown>)[Symbol.for('ferry.unhandledGuard')] = { escaped: 0, current: null, report: null, handler: null } as typeof state);

/** Told of each escaped rejection (e.g. to print it as an event): the running count and the error's message. */
export type Reporter = (count: number, message: string) => void;

/** Install the guard (once per process; a second call only swaps logger and reporter). Returns a function that removes it. */
export function installUnhandledGuard(log: Logger, report: Reporter | null = null): () => void {
  state.current = log;
  state.report = report;
  if (state.handler === null) {
    state.handler = (reason: unknown) => {
      state.escaped++;
      const err = reason instanceof Error ? { message: reason.message, stack: reason.stack, code: (reason as { code?: unknown }).code } : { value: String(reason) };
      state.current?.error({ err, escapedRejections: state.escaped }, 'unhandled promise rejection (a bug: please report it)');
      try {
        state.report?.(state.escaped, reason instanceof Error ? reason.message : String(reason));
      } catch {
        // the reporter failing (stdout gone) must not turn the guard itself into a crash
      }
    };
    process.on('unhandledRejection', state.handler);
  }
  return () => {
    if (state.handler !== null) process.off('unhandledRejection', state.handler);
    state.handler = null;
    state.current = null;
    state.report = null;
  };
}

/** Rejections the guard has caught since the process started (for status and tests; should stay 0). */
export function escapedRejections(): number {
  return state.escaped;
}
