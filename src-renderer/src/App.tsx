/** The application shell: sidebar, status header, connection banner and the current page. */
import { useState, type ReactNode } from 'react';
import { LoaderCircle } from 'lucide-react';
import { ConnectionBanner } from './components/ConnectionBanner';
import { Sidebar, type PageId } from './components/Sidebar';
import { StatusHeader } from './components/StatusHeader';
import { assertNever } from './lib/status';
import { ActivityPage } from './pages/activity/ActivityPage';
import { ConflictsPage } from './pages/conflicts/ConflictsPage';
import { FoldersPage } from './pages/folders/FoldersPage';
import { ServerPage } from './pages/server/ServerPage';
import { SettingsPage } from './pages/settings/SettingsPage';
import { VersionsProvider } from './pages/versions/versions-context';
import { useActivity, useAppState, useConnection, useLoadError } from './state/ferry-context';
import type { AppState } from '../../src-shared/ipc/contract';

const PAGE_KEY = 'ferry.page';
const PAGES: readonly PageId[] = ['folders', 'activity', 'conflicts', 'server', 'settings'];

function initialPage(): PageId {
  const saved = sessionStorage.getItem(PAGE_KEY);
  return PAGES.find((p) => p === saved) ?? 'folders';
}

function Page({ page, state }: { page: PageId; state: AppState }): ReactNode {
  switch (page) {
    case 'folders': return <FoldersPage state={state} />;
    case 'activity': return <ActivityPage state={state} />;
    case 'conflicts': return <ConflictsPage state={state} />;
    case 'server': return <ServerPage state={state} />;
    case 'settings': return <SettingsPage state={state} />;
    default: return assertNever(page);
  }
}

/** Root component. */
export function App(): ReactNode {
  const state = useAppState();
  const loadError = useLoadError();
  const connected = useConnection().phase === 'open';
  const { store, version } = useActivity();
  const [page, setPage] = useState<PageId>(initialPage);
  const navigate = (p: PageId): void => {
    setPage(p);
    sessionStorage.setItem(PAGE_KEY, p);
  };
  // Cheap enough per batch: counts() is one pass over the map and only runs when the store changes.
  const active = version >= 0 && state ? store.counts().active : 0;

  return (
    <div className="app">
      <Sidebar
        page={page}
        onNavigate={navigate}
        conflicts={state?.conflicts.filter((c) => !c.resolved).length ?? 0}
        activeTransfers={active}
        serverRunning={state?.server.running ?? false}
      />
      <div className="main">
        <ConnectionBanner />
        {state ? (
          <>
            <StatusHeader state={state} connected={connected} />
            {/* While disconnected the last state stays readable but not actionable: commands would only queue. */}
            <main className={`content${connected ? '' : ' stale'}`} inert={!connected}>
              <VersionsProvider state={state}>
                <Page page={page} state={state} />
              </VersionsProvider>
            </main>
          </>
        ) : (
          <main className="content loading">
            {loadError ? <p role="alert">Could not load Ferry’s state: {loadError}</p> : (
              <p className="muted"><LoaderCircle className="spin" size={18} aria-hidden="true" /> Loading…</p>
            )}
          </main>
        )}
      </div>
    </div>
  );
}
