/** Runs an async command with busy and error state, so buttons disable and errors show inline. */
import { useCallback, useState } from 'react';
import type { FerryErrorInfo } from '../../../src-shared/protocol/error-codes';
import { toErrorInfo } from '../lib/errors';

/** State of one async action. */
export interface ActionState<A extends unknown[], R> {
  run: (...args: A) => Promise<R | undefined>;
  busy: boolean;
  error: FerryErrorInfo | null;
  clearError: () => void;
}

/** Wraps `fn`; errors are caught into `error` rather than thrown. */
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>): ActionState<A, R> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FerryErrorInfo | null>(null);
  const run = useCallback(
    async (...args: A) => {
      setBusy(true);
      setError(null);
      try {
        return await fn(...args);
      } catch (e) {
        setError(toErrorInfo(e));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [fn],
  );
  return { run, busy, error, clearError: useCallback(() => setError(null), []) };
}
