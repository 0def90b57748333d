/** One folder pair: where it syncs to, live status, pending work, last sync and last error. */
import { useState, type ReactNode } from 'react';
import { FileClock, FolderOpen, Pause, Pencil, Play, Trash2 } from 'lucide-react';
import type { FolderPair, PairState } from '../../../../src-shared/model';
import { Badge } from '../../components/Badge';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNote } from '../../components/ErrorNote';
import { baseName, formatAgo, formatBytes, formatDateTime, plural } from '../../lib/format';
import { pairStatusView } from '../../lib/status';
import { syncModeView } from '../../lib/sync-mode';
import { useApi, useAppState } from '../../state/ferry-context';
import { useAction } from '../../state/use-action';
import { useOpenVersions } from '../versions/versions-context';

interface PairCardProps {
  pair: FolderPair;
  state: PairState | undefined;
  now: number;
  onEdit: () => void;
}

/** A card in the Folders list; an <article> labelled by the folder name. */
export function PairCard({ pair, state, now, onEdit }: PairCardProps): ReactNode {
  const api = useApi();
  // The headless daemon has no desktop to open a folder on.
  const canOpen = useAppState()?.shell === 'desktop';
  const [confirming, setConfirming] = useState(false);
  const name = baseName(pair.localPath);
  const titleId = `pair-${pair.id}-title`;
  const status = pairStatusView(state?.status ?? (pair.paused ? 'paused' : 'connecting'));
  const mode = syncModeView(pair.mode);
  const ModeIcon = mode.icon;
  const RouteIcon = mode.routeIcon;
  const toggle = useAction(() => api.invoke(pair.paused ? 'pair:resume' : 'pair:pause', pair.id));
  const remove = useAction(() => api.invoke('pair:remove', pair.id));
  const open = useAction(() => api.invoke('pair:openFolder', pair.id));
  const openVersions = useOpenVersions();

  return (
    <article className="card pair" aria-labelledby={titleId}>
      <div className="pair-main">
        <div className="pair-title-row">
          <h3 id={titleId} className="pair-title">{name}</h3>
          <Badge tone={status.tone} label={`Status: ${status.label}`}>{status.label}</Badge>
        </div>
        <div className="pair-route">
          <span className="mono" title={pair.localPath}>{pair.localPath}</span>
          <RouteIcon size={14} aria-hidden="true" className="muted" />
          <span className="mono">{pair.host}:{pair.port}/{pair.share}</span>
        </div>
        <dl className="pair-facts">
          <div>
            <dt>Mode</dt>
            <dd className="pair-mode" title={mode.sentence}><ModeIcon size={14} aria-hidden="true" /> {mode.label}</dd>
          </div>
          <div>
            <dt>Pending</dt>
            <dd>{state && state.filesPending > 0 ? `${plural(state.filesPending, 'file')} · ${formatBytes(state.bytesPending)}` : 'Nothing'}</dd>
          </div>
          <div>
            <dt>Last synced</dt>
            <dd>{state?.lastSyncedAt ? <time dateTime={new Date(state.lastSyncedAt).toISOString()} title={formatDateTime(state.lastSyncedAt)}>{formatAgo(state.lastSyncedAt, now)}</time> : 'Never'}</dd>
          </div>
          <div>
            <dt>Connection</dt>
            <dd>{state?.connected ? 'Connected' : 'Not connected'}</dd>
          </div>
        </dl>
        {state?.lastError && <ErrorNote error={state.lastError} title="Last error:" />}
        <ErrorNote error={toggle.error ?? remove.error ?? open.error} />
      </div>
      <div className="pair-actions">
        <button type="button" className="button" disabled={toggle.busy} onClick={() => void toggle.run()} aria-label={`${pair.paused ? 'Resume' : 'Pause'} ${name}`}>
          {pair.paused ? <Play size={16} aria-hidden="true" /> : <Pause size={16} aria-hidden="true" />}
          {pair.paused ? 'Resume' : 'Pause'}
        </button>
        {canOpen && (
          <button type="button" className="icon-button" aria-label={`Open ${name} folder`} title="Open folder" onClick={() => void open.run()}>
            <FolderOpen size={16} aria-hidden="true" />
          </button>
        )}
        <button type="button" className="icon-button" aria-label={`Versions of ${name}`} title="Versions: restore replaced or deleted files" onClick={() => openVersions(pair.id, null)}>
          <FileClock size={16} aria-hidden="true" />
        </button>
        <button type="button" className="icon-button" aria-label={`Edit ${name}`} title="Edit" onClick={onEdit}>
          <Pencil size={16} aria-hidden="true" />
        </button>
        <button type="button" className="icon-button danger" aria-label={`Remove ${name}`} title="Remove" onClick={() => setConfirming(true)}>
          <Trash2 size={16} aria-hidden="true" />
        </button>
      </div>
      <ConfirmDialog
        title="Remove this folder?"
        open={confirming}
        confirmLabel="Remove"
        busy={remove.busy}
        onCancel={() => setConfirming(false)}
        onConfirm={() => void remove.run().then(() => setConfirming(false))}
      >
        <p>Ferry stops syncing <strong className="mono">{pair.localPath}</strong>. No files are deleted, neither here nor on the server.</p>
      </ConfirmDialog>
    </article>
  );
}
