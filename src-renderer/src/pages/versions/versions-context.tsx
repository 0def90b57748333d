/** One Versions view for the whole app: any page opens it for a pair (and maybe one path) through `useOpenVersions`. */
import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';
import type { AppState } from '../../../../src-shared/ipc/contract';
import type { PairId } from '../../../../src-shared/model';
import { VersionsDialog } from './VersionsDialog';

type Open = (pairId: PairId, path: string | null) => void;

const OpenVersions = createContext<Open>(() => undefined);

/** Hosts the Versions view; renders it while one is open and its pair still exists. */
export function VersionsProvider({ state, children }: { state: AppState; children: ReactNode }): ReactNode {
  const [target, setTarget] = useState<{ pairId: PairId; path: string | null } | null>(null);
  const pair = target ? state.pairs.find((p) => p.id === target.pairId) : undefined;
  // Stable, so memoised rows that open the view do not re-render with every state change.
  const open = useCallback<Open>((pairId, path) => setTarget({ pairId, path }), []);
  return (
    <OpenVersions.Provider value={open}>
      {children}
      {target && pair && (
        <VersionsDialog
          key={`${target.pairId}:${target.path ?? ''}`} pair={pair} path={target.path}
          syncMark={state.pairStates[pair.id]?.lastSyncedAt ?? null} onClose={() => setTarget(null)}
        />
      )}
    </OpenVersions.Provider>
  );
}

/** Opens the Versions view of a pair (path null: everything), or of one file or folder in it. */
export function useOpenVersions(): Open {
  return useContext(OpenVersions);
}
