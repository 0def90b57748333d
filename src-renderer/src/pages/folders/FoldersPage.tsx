/** Folders: every folder pair with live status, and the way to add one. */
import { useState, type ReactNode } from 'react';
import { FolderPlus, FolderSync, Pause, Play } from 'lucide-react';
import type { AppState } from '../../../../src-shared/ipc/contract';
import type { FolderPair } from '../../../../src-shared/model';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNote } from '../../components/ErrorNote';
import { useApi, useNow } from '../../state/ferry-context';
import { useAction } from '../../state/use-action';
import { PairCard } from './PairCard';
import { PairDialog } from './PairDialog';

/** The Folders page. */
export function FoldersPage({ state }: { state: AppState }): ReactNode {
  const api = useApi();
  const now = useNow();
  const [editing, setEditing] = useState<FolderPair | 'new' | null>(null);
  const pauseAll = useAction(() => api.invoke('sync:pauseAll'));
  const resumeAll = useAction(() => api.invoke('sync:resumeAll'));
  const anyRunning = state.pairs.some((p) => !p.paused);
  const anyPaused = state.pairs.some((p) => p.paused);

  return (
    <section className="page" aria-labelledby="folders-title">
      <header className="page-header">
        <div>
          <h1 id="folders-title">Folders</h1>
          <p className="page-sub">Local folders kept in sync with a server.</p>
        </div>
        <div className="toolbar">
          {state.pairs.length > 0 && (
            <>
              <button type="button" className="button" disabled={!anyRunning || pauseAll.busy} onClick={() => void pauseAll.run()}>
                <Pause size={16} aria-hidden="true" /> Pause all
              </button>
              <button type="button" className="button" disabled={!anyPaused || resumeAll.busy} onClick={() => void resumeAll.run()}>
                <Play size={16} aria-hidden="true" /> Resume all
              </button>
            </>
          )}
          <button type="button" className="button primary" onClick={() => setEditing('new')}>
            <FolderPlus size={16} aria-hidden="true" /> Add folder
          </button>
        </div>
      </header>
      <ErrorNote error={pauseAll.error ?? resumeAll.error} />
      {state.pairs.length === 0 ? (
        <EmptyState icon={<FolderSync size={40} />} title="No folders yet">
          <p>Add a folder and the server to keep it on. You need the server’s address, its fingerprint and an access token — all shown on the server’s Server page or printed by <code>ferry serve</code>.</p>
          <button type="button" className="button primary" onClick={() => setEditing('new')}>
            <FolderPlus size={16} aria-hidden="true" /> Add your first folder
          </button>
        </EmptyState>
      ) : (
        <div className="stack" role="list" aria-label="Folder pairs">
          {state.pairs.map((p) => (
            <div role="listitem" key={p.id}>
              <PairCard pair={p} state={state.pairStates[p.id]} now={now} onEdit={() => setEditing(p)} />
            </div>
          ))}
        </div>
      )}
      <PairDialog open={editing !== null} pair={editing === 'new' || editing === null ? undefined : editing} onClose={() => setEditing(null)} />
    </section>
  );
}
