/** Activity: the live transfer log, filterable and virtualised so 100,000 entries stay fast. */
import { useDeferredValue, useMemo, useRef, useState, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Activity, Search } from 'lucide-react';
import type { AppState } from '../../../../src-shared/ipc/contract';
import type { TransferKind } from '../../../../src-shared/model';
import { EmptyState } from '../../components/EmptyState';
import { baseName, plural } from '../../lib/format';
import { TRANSFER_KINDS, transferKindLabel } from '../../lib/status';
import type { ActivityFilter } from '../../state/activity-store';
import { useActivity, useNow } from '../../state/ferry-context';
import { TransferRow } from './TransferRow';

const ROW_HEIGHT = 64;

/** The Activity page. */
export function ActivityPage({ state }: { state: AppState }): ReactNode {
  const { store, version } = useActivity();
  const now = useNow(1000);
  const [filter, setFilter] = useState<ActivityFilter>({ pairId: 'all', kind: 'all', text: '' });
  // Typing stays responsive while a 100k-row filter runs at lower priority.
  const deferred = useDeferredValue(filter);
  const rows = useMemo(() => store.query(deferred), [store, version, deferred]);
  const counts = useMemo(() => store.counts(), [store, version]);
  const names = useMemo(() => new Map(state.pairs.map((p) => [p.id, baseName(p.localPath)])), [state.pairs]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });

  return (
    <section className="page page-fill" aria-labelledby="activity-title">
      <header className="page-header">
        <div>
          <h1 id="activity-title">Activity</h1>
          <p className="page-sub">
            {plural(counts.total, 'transfer')}
            {counts.active > 0 && ` · ${counts.active.toLocaleString()} in progress`}
            {counts.failed > 0 && ` · ${counts.failed.toLocaleString()} failed`}
          </p>
        </div>
      </header>
      <div className="filters" role="search" aria-label="Filter transfers">
        <div className="field inline">
          <label htmlFor="activity-folder">Folder</label>
          <select id="activity-folder" value={filter.pairId} onChange={(e) => setFilter({ ...filter, pairId: e.target.value })}>
            <option value="all">All folders</option>
            {state.pairs.map((p) => <option key={p.id} value={p.id}>{names.get(p.id)}</option>)}
          </select>
        </div>
        <div className="field inline">
          <label htmlFor="activity-kind">Kind</label>
          <select id="activity-kind" value={filter.kind} onChange={(e) => setFilter({ ...filter, kind: e.target.value as TransferKind | 'all' })}>
            <option value="all">All kinds</option>
            {TRANSFER_KINDS.map((k) => <option key={k} value={k}>{transferKindLabel(k)}</option>)}
          </select>
        </div>
        <div className="field inline grow search-field">
          <label htmlFor="activity-text">Path contains</label>
          <div className="input-icon">
            <Search size={14} aria-hidden="true" />
            <input id="activity-text" type="search" value={filter.text} placeholder="Filter by path" onChange={(e) => setFilter({ ...filter, text: e.target.value })} />
          </div>
        </div>
        <span className="muted filter-count" aria-live="polite">{rows.length === counts.total ? '' : `${rows.length.toLocaleString()} shown`}</span>
      </div>
      {counts.total === 0 ? (
        <EmptyState icon={<Activity size={40} />} title="No transfers yet">
          <p>{state.pairs.length === 0 ? 'Add a folder on the Folders page; its uploads show up here as they happen.' : 'Change a file in one of your folders and it shows up here within a moment.'}</p>
        </EmptyState>
      ) : rows.length === 0 ? (
        <EmptyState icon={<Search size={40} />} title="Nothing matches these filters">
          <button type="button" className="button" onClick={() => setFilter({ pairId: 'all', kind: 'all', text: '' })}>Clear filters</button>
        </EmptyState>
      ) : (
        <div ref={scrollRef} className="log" tabIndex={0} role="region" aria-label="Transfer log">
          <div role="list" aria-label="Transfers" className="log-inner" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const r = rows[item.index];
              if (!r) return null;
              return (
                <div key={r.id} className="log-slot" style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}>
                  <TransferRow record={r} pairName={names.get(r.pairId) ?? r.pairId} now={r.status === 'active' ? now : 0} />
                </div>
              );
            })}
          </div>
        </div>
      )}
    </section>
  );
}
