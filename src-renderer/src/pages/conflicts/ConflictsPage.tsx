/** Conflicts: versions that changed on both sides; nothing is lost until the user chooses. */
import type { ReactNode } from 'react';
import { CircleCheck } from 'lucide-react';
import type { AppState } from '../../../../src-shared/ipc/contract';
import { EmptyState } from '../../components/EmptyState';
import { baseName, formatDateTime, plural } from '../../lib/format';
import { ConflictCard } from './ConflictCard';

/** The Conflicts page. */
export function ConflictsPage({ state }: { state: AppState }): ReactNode {
  const names = new Map(state.pairs.map((p) => [p.id, baseName(p.localPath)]));
  const open = state.conflicts.filter((c) => !c.resolved).sort((a, b) => b.detectedAt - a.detectedAt);
  const resolved = state.conflicts.filter((c) => c.resolved).sort((a, b) => b.detectedAt - a.detectedAt);
  return (
    <section className="page" aria-labelledby="conflicts-title">
      <header className="page-header">
        <div>
          <h1 id="conflicts-title">Conflicts</h1>
          <p className="page-sub">{open.length > 0 ? `${plural(open.length, 'file')} changed both here and on the server. Both versions are kept until you choose.` : 'Files that changed both here and on the server show up here.'}</p>
        </div>
      </header>
      {open.length === 0 ? (
        <EmptyState icon={<CircleCheck size={40} />} title="No conflicts">
          <p>When a file is edited on the server and here before they sync, Ferry keeps both versions and asks you here.</p>
        </EmptyState>
      ) : (
        <div className="stack" role="list" aria-label="Open conflicts">
          {open.map((c) => (
            <div role="listitem" key={c.id}>
              <ConflictCard conflict={c} pairName={names.get(c.pairId) ?? c.pairId} canOpen={state.shell === 'desktop'} />
            </div>
          ))}
        </div>
      )}
      {resolved.length > 0 && (
        <details className="resolved">
          <summary>{plural(resolved.length, 'resolved conflict')}</summary>
          <ul className="resolved-list" aria-label="Resolved conflicts">
            {resolved.map((c) => (
              <li key={c.id}>
                <span className="mono">{c.path}</span>
                <span className="muted">{names.get(c.pairId) ?? c.pairId} · {formatDateTime(c.detectedAt)}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
