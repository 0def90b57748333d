/**
 * The Versions view: what the server kept when sync replaced or deleted something, for a whole folder pair or for
 * one file, grouped by day with who did it, and a one-click restore (to its place, or beside the current file).
 */
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { CircleCheck, CopyPlus, FileClock, FileX, FolderClock, FolderX, RotateCcw, Search } from 'lucide-react';
import type { RestoredVersion, VersionsListing } from '../../../../src-shared/ipc/contract';
import type { FolderPair } from '../../../../src-shared/model';
import type { FerryErrorInfo } from '../../../../src-shared/protocol/error-codes';
import type { KeptVersionEntry } from '../../../../src-shared/protocol/messages';
import { Dialog } from '../../components/Dialog';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNote } from '../../components/ErrorNote';
import { toErrorInfo } from '../../lib/errors';
import { baseName, formatBytes, formatDateTime, plural } from '../../lib/format';
import { useApi } from '../../state/ferry-context';
import {
  changeLabel, deviceLabel, filterVersions, groupByDay, MAX_SHOWN, retentionText, splitPath, timeOfDay, type VersionsFilter,
} from './versions-model';
import '../../styles/versions.css';

interface VersionsDialogProps {
  pair: FolderPair;
  /** One file or folder of the pair; null: everything the server kept for the pair's share. */
  path: string | null;
  /** Changes whenever the pair finishes syncing something: the list is asked for again (a restore shows as synced). */
  syncMark: number | null;
  onClose: () => void;
}

const FILTERS: readonly { id: VersionsFilter; label: string }[] = [
  { id: 'all', label: 'All' },
  { id: 'deleted', label: 'Deleted' },
  { id: 'replaced', label: 'Replaced' },
];

/** The modal Versions view of one pair (open while mounted). */
export function VersionsDialog({ pair, path: initialPath, syncMark, onClose }: VersionsDialogProps): ReactNode {
  const api = useApi();
  const [path, setPath] = useState(initialPath);
  const [listing, setListing] = useState<VersionsListing | null>(null);
  const [loadError, setLoadError] = useState<FerryErrorInfo | null>(null);
  const [text, setText] = useState('');
  const [which, setWhich] = useState<VersionsFilter>('all');
  const [busy, setBusy] = useState<string | null>(null);
  const [restored, setRestored] = useState<Record<string, RestoredVersion & { at: number }>>({});
  const [restoreError, setRestoreError] = useState<{ id: string; error: FerryErrorInfo } | null>(null);

  const load = useCallback(async () => {
    try {
      setListing(await api.invoke('versions:list', pair.id, path));
      setLoadError(null);
    } catch (e) {
      setLoadError(toErrorInfo(e));
    }
  }, [api, pair.id, path]);
  useEffect(() => {
    setListing(null);
    void load();
  }, [load]);
  // After a sync (e.g. a mirror pair sending a restored file) the server's view changed: refresh in place.
  const firstMark = useRef(syncMark);
  useEffect(() => {
    if (syncMark !== firstMark.current) void load();
  }, [syncMark, load]);

  const restore = async (v: KeptVersionEntry, where: 'place' | 'beside') => {
    setBusy(v.id);
    setRestoreError(null);
    try {
      const r = await api.invoke('versions:restore', pair.id, v.id, where);
      setRestored((m) => ({ ...m, [v.id]: { ...r, at: Date.now() } }));
      await load(); // the restore is a change like any other: a deleted file is no longer deleted
    } catch (e) {
      setRestoreError({ id: v.id, error: toErrorInfo(e) });
    } finally {
      setBusy(null);
    }
  };

  const shown = useMemo(() => (listing ? filterVersions(listing.versions, text, which) : []), [listing, text, which]);
  const groups = useMemo(() => groupByDay(shown.slice(0, MAX_SHOWN), Date.now()), [shown]);
  const deletedCount = listing?.versions.filter((v) => v.deleted).length ?? 0;
  const pairName = baseName(pair.localPath);
  const lastRestore = Object.values(restored).sort((a, b) => b.at - a.at)[0];

  return (
    <Dialog title={path ? `Versions of ${baseName(path)}` : `Versions · ${pairName}`} open onClose={onClose} wide>
      <div className="versions">
        <p className="versions-intro">
          When sync replaces or deletes a file on <span className="mono">{pair.host}/{pair.share}</span>, the server keeps the old one.
          {listing && <> <strong>{retentionText(listing.retentionDays)}.</strong></>} Restoring never loses anything: what is there now is kept too.
        </p>
        {path && (
          <div className="versions-scope">
            <span>Showing <span className="mono">{path}</span></span>
            <button type="button" className="link-button" onClick={() => setPath(null)}>Show everything in {pairName}</button>
          </div>
        )}
        <div className="versions-toolbar">
          <label className="versions-search">
            <Search size={15} aria-hidden="true" />
            <input type="search" placeholder="Filter by name, folder or device" aria-label="Filter versions" value={text} onChange={(e) => setText(e.target.value)} />
          </label>
          <div className="segmented" role="group" aria-label="Show">
            {FILTERS.map((f) => (
              <button key={f.id} type="button" aria-pressed={which === f.id} onClick={() => setWhich(f.id)}>
                {f.label}{f.id === 'deleted' && deletedCount > 0 ? ` (${deletedCount})` : ''}
              </button>
            ))}
          </div>
        </div>
        <div className="sr-only" role="status" aria-live="polite">{lastRestore ? `Restored to ${lastRestore.path}` : ''}</div>
        <ErrorNote error={loadError} title="Could not list versions:" />
        {!listing && !loadError && <p className="muted versions-loading">Asking the server…</p>}
        {listing && listing.versions.length === 0 && (
          <EmptyState icon={<FileClock size={36} />} title={path ? 'No kept versions of this file' : 'Nothing kept yet'}>
            <p>When sync replaces or deletes a file on the server, the old version shows up here, ready to restore.</p>
          </EmptyState>
        )}
        {listing && listing.versions.length > 0 && shown.length === 0 && <p className="muted versions-none">No versions match this filter.</p>}
        {groups.length > 0 && (
          <div className="versions-list" role="list" aria-label="Kept versions">
            {groups.map((g) => (
              <section key={g.key} className="versions-day" aria-label={g.label}>
                <h3 className="versions-day-title">{g.label}</h3>
                {g.versions.map((v) => (
                  <VersionRow
                    key={v.id} v={v} thisDevice={listing!.thisDevice} busy={busy === v.id} disabled={busy !== null}
                    restored={restored[v.id] ?? null} error={restoreError?.id === v.id ? restoreError.error : null}
                    mirrorFolder={pair.mode === 'mirror' && v.kind !== 'file'} onRestore={(where) => void restore(v, where)}
                  />
                ))}
              </section>
            ))}
          </div>
        )}
        {shown.length > MAX_SHOWN && <p className="muted versions-more">Showing the newest {MAX_SHOWN} of {plural(shown.length, 'version')}: type in the filter to find older ones.</p>}
      </div>
    </Dialog>
  );
}

interface RowProps {
  v: KeptVersionEntry;
  thisDevice: string;
  busy: boolean;
  disabled: boolean;
  restored: RestoredVersion | null;
  error: FerryErrorInfo | null;
  /** A mirror pair restores files only (it downloads them into its folder). */
  mirrorFolder: boolean;
  onRestore: (where: 'place' | 'beside') => void;
}

function VersionRow({ v, thisDevice, busy, disabled, restored, error, mirrorFolder, onRestore }: RowProps): ReactNode {
  const [dir, name] = splitPath(v.original);
  const Icon = v.kind === 'dir' ? (v.deleted ? FolderX : FolderClock) : v.deleted ? FileX : FileClock;
  const change = changeLabel(v);
  const who = deviceLabel(v, thisDevice);
  const placeHint = v.deleted ? `Put it back at ${v.original}` : `Replace the current ${v.original} with this version (the current one is kept)`;
  return (
    <div className={`version-row${v.deleted ? ' is-deleted' : ''}`} role="listitem" aria-label={`${v.original}, ${change.toLowerCase()} by ${who} at ${formatDateTime(v.keptAt)}`}>
      <span className="version-icon" aria-hidden="true"><Icon size={18} /></span>
      <div className="version-main">
        <div className="version-name">
          <span className="version-file">{name}</span>
          {dir && <span className="version-dir" title={dir}>in {dir.slice(0, -1)}</span>}
        </div>
        <div className="version-meta">
          <span className={`version-change${v.deleted ? ' text-bad' : ''}`}>{change}</span>
          <span aria-hidden="true">·</span>
          <span>by {who}</span>
          <span aria-hidden="true">·</span>
          <time dateTime={new Date(v.keptAt).toISOString()} title={formatDateTime(v.keptAt)}>{timeOfDay(v.keptAt)}</time>
          {v.kind !== 'dir' && (
            <>
              <span aria-hidden="true">·</span>
              <span>{formatBytes(v.size)}</span>
            </>
          )}
        </div>
        {restored && (
          <p className="version-done"><CircleCheck size={14} aria-hidden="true" /> <span>Restored to <span className="mono">{restored.path}</span></span></p>
        )}
        {error && <ErrorNote error={error} title="Restore failed:" />}
        {mirrorFolder && <p className="hint">A mirror folder restores files one at a time; use <span className="mono">ferry versions restore</span> for a whole folder.</p>}
      </div>
      <div className="version-actions">
        <button type="button" className={`button small${v.deleted ? ' primary' : ''}`} disabled={disabled || mirrorFolder} title={placeHint} aria-label={`Restore ${v.original}`} onClick={() => onRestore('place')}>
          <RotateCcw size={14} aria-hidden="true" /> {busy ? 'Restoring…' : 'Restore'}
        </button>
        <button type="button" className="button small" disabled={disabled || mirrorFolder} title={`Restore as a copy next to ${name}, leaving the current one as it is`} aria-label={`Restore ${v.original} beside it`} onClick={() => onRestore('beside')}>
          <CopyPlus size={14} aria-hidden="true" /> Restore beside
        </button>
      </div>
    </div>
  );
}
