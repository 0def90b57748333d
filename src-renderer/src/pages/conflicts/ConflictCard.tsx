/** One conflict: both versions side by side and the three ways to settle it. */
import type { ReactNode } from 'react';
import { ExternalLink, FileClock } from 'lucide-react';
import type { ConflictChoice, ConflictRecord, VersionInfo } from '../../../../src-shared/model';
import { ErrorNote } from '../../components/ErrorNote';
import { formatBytes, formatDateTime } from '../../lib/format';
import { useApi } from '../../state/ferry-context';
import { useAction } from '../../state/use-action';
import { useOpenVersions } from '../versions/versions-context';

function Side({ title, info, onOpen, openLabel, extra }: { title: string; info: VersionInfo | null; onOpen: (() => void) | null; openLabel: string; extra?: ReactNode }): ReactNode {
  return (
    <div className="conflict-side">
      <h4>{title}</h4>
      {info ? (
        <dl className="facts-compact">
          <dt>Size</dt><dd>{formatBytes(info.size)}</dd>
          <dt>Modified</dt><dd>{formatDateTime(info.mtimeMs)}</dd>
        </dl>
      ) : (
        <p className="muted">Deleted on this side.</p>
      )}
      {extra}
      {info && onOpen && (
        <button type="button" className="button small" aria-label={openLabel} onClick={onOpen}>
          <ExternalLink size={14} aria-hidden="true" /> Open
        </button>
      )}
    </div>
  );
}

/** A conflict card; resolved ones render compact and greyed by the page. */
export function ConflictCard({ conflict: c, pairName, canOpen }: { conflict: ConflictRecord; pairName: string; canOpen: boolean }): ReactNode {
  const api = useApi();
  const resolve = useAction((choice: ConflictChoice) => api.invoke('conflict:resolve', c.id, choice));
  const open = useAction((side: 'local' | 'server') => api.invoke('conflict:open', c.id, side));
  const openVersions = useOpenVersions();
  const titleId = `conflict-${c.id}`;
  // Two-way conflicts are between devices (both versions are files in the folder); mirror ones with the server.
  const otherDevice = c.copy && !c.copy.mine ? c.copy.device : c.copy ? 'the other device' : null;
  const other = otherDevice === null ? 'Server’s version' : c.copy && !c.copy.mine ? `${otherDevice}’s version` : 'The other version';
  return (
    <article className="card conflict" aria-labelledby={titleId}>
      <div className="conflict-head">
        <h3 id={titleId} className="mono">{c.path}</h3>
        <p className="muted">{pairName} · detected {formatDateTime(c.detectedAt)}</p>
      </div>
      <div className="conflict-sides">
        <Side
          title="Your version"
          info={c.local}
          openLabel={`Open your version of ${c.path}`}
          onOpen={canOpen ? () => void open.run('local') : null}
          extra={c.copy ? <p className="muted small">{c.copy.mine ? 'Now in' : 'At'} <span className="mono">{c.copy.mine ? c.copy.path : c.path}</span></p> : undefined}
        />
        <Side
          title={other}
          info={c.server}
          openLabel={`Open ${other.toLowerCase()} of ${c.path}`}
          onOpen={canOpen ? () => void open.run('server') : null}
          extra={<p className="muted small">{c.copy ? (c.copy.mine ? 'At' : 'Now in') : 'Kept as'} <span className="mono">{c.copy && c.copy.mine ? c.path : c.server.keptAs}</span></p>}
        />
      </div>
      <ErrorNote error={resolve.error ?? open.error} />
      <div className="conflict-actions" role="group" aria-label={`Resolve ${c.path}`}>
        <button type="button" className="button link-like" aria-label={`Versions of ${c.path}`} title="Every version the server kept of this file" onClick={() => openVersions(c.pairId, c.path)}>
          <FileClock size={15} aria-hidden="true" /> Versions
        </button>
        <button type="button" className="button" disabled={resolve.busy} onClick={() => void resolve.run('keepLocal')}>Keep mine</button>
        <button type="button" className="button" disabled={resolve.busy} onClick={() => void resolve.run('keepServer')}>{c.copy ? (c.copy.mine ? 'Keep the other' : `Keep ${c.copy.device}’s`) : 'Keep server’s'}</button>
        <button type="button" className="button primary" disabled={resolve.busy} onClick={() => void resolve.run('keepBoth')}>Keep both</button>
      </div>
    </article>
  );
}
