/** Shows a control's new value at once while the engine applies it, so toggles do not snap back. */
import { useCallback, useEffect, useRef, useState } from 'react';

/** How long to wait for the engine's state to reflect a change before showing its value again. */
const SETTLE_MS = 3_000;

/** `[shown, apply]`: `apply(v, work)` shows `v` until `actual` changes, `work` fails, or SETTLE_MS pass. */
export function usePendingValue<T>(actual: T): [T, (value: T, work: () => Promise<unknown>) => void] {
  const [pending, setPending] = useState<{ value: T } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => setPending(null), [actual]);
  useEffect(() => () => clearTimeout(timer.current), []);
  const apply = useCallback((value: T, work: () => Promise<unknown>) => {
    setPending({ value });
    clearTimeout(timer.current);
    void work().then(
      (result) => {
        // useAction resolves undefined on failure: show the engine's value again straight away.
        if (result === undefined) setPending(null);
        else timer.current = setTimeout(() => setPending(null), SETTLE_MS);
      },
      () => setPending(null),
    );
  }, []);
  return [pending ? pending.value : actual, apply];
}
