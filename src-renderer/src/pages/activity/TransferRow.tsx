/** One line of the activity log: kind icon, path, folder, status, progress, bytes and rate. */
import { memo, type ReactNode } from 'react';
import { ArrowRight, Download, FolderPlus, Link2, MoveRight, Trash2, Upload } from 'lucide-react';
import type { TransferKind, TransferRecord } from '../../../../src-shared/model';
import { Badge } from '../../components/Badge';
import { formatBytes, formatDateTime, formatRate, savedRatio } from '../../lib/format';
import { assertNever, transferKindLabel, transferStatusView } from '../../lib/status';
import { useOpenVersions } from '../versions/versions-context';

function KindIcon({ kind }: { kind: TransferKind }): ReactNode {
  const props = { size: 16, 'aria-hidden': true } as const;
  switch (kind) {
    case 'upload': return <Upload {...props} />;
    case 'download': return <Download {...props} />;
    case 'delete': return <Trash2 {...props} />;
    case 'move': return <MoveRight {...props} />;
    case 'mkdir': return <FolderPlus {...props} />;
    case 'symlink': return <Link2 {...props} />;
    default: return assertNever(kind);
  }
}

/** Bytes column: "1.2 MB of 4 MB" while running; "sent 40 KB of 4 MB · 99% reused" when chunks were reused. */
export function bytesText(r: TransferRecord): string {
  if (r.kind !== 'upload' && r.kind !== 'download') return '';
  if (r.status === 'completed') {
    const saved = savedRatio(r.size, r.bytesSent);
    return saved > 0 ? `${formatBytes(r.bytesSent)} sent of ${formatBytes(r.size)}` : formatBytes(r.size);
  }
  return `${formatBytes(r.bytesDone)} of ${formatBytes(r.size)}`;
}

interface RowProps {
  record: TransferRecord;
  pairName: string;
  now: number;
}

/** A memoised row: re-renders only when its record object (or the clock, for active ones) changes. */
export const TransferRow = memo(function TransferRow({ record: r, pairName, now }: RowProps): ReactNode {
  const status = transferStatusView(r.status);
  const isFile = r.kind === 'upload' || r.kind === 'download';
  const pct = r.size > 0 ? Math.min(100, (r.bytesDone / r.size) * 100) : r.status === 'completed' ? 100 : 0;
  const elapsed = (r.finishedAt ?? now) - r.startedAt;
  const saved = r.status === 'completed' ? savedRatio(r.size, r.bytesSent) : 0;
  const rate = isFile && r.status !== 'queued' ? formatRate(r.bytesSent || r.bytesDone, elapsed) : '';
  const openVersions = useOpenVersions();
  // What the server may have kept: the file an upload or a move replaced, or the one a delete removed.
  const versionsPath = r.status === 'completed' && (r.kind === 'upload' || r.kind === 'delete' || r.kind === 'move') ? (r.toPath ?? r.path) : null;
  return (
    <div className={`row status-${r.status}`} role="listitem" aria-label={`${transferKindLabel(r.kind)} ${r.path} ${status.label}`}>
      <span className={`kind kind-${r.kind}`} title={transferKindLabel(r.kind)}>
        <KindIcon kind={r.kind} />
      </span>
      <div className="row-path">
        <div className="path mono" title={r.toPath ? `${r.path} → ${r.toPath}` : r.path}>
          {r.path}
          {r.toPath && (
            <>
              {' '}<ArrowRight size={12} aria-hidden="true" /> {r.toPath}
            </>
          )}
        </div>
        <div className="row-sub">
          <span>{pairName}</span>
          <span aria-hidden="true">·</span>
          <time dateTime={new Date(r.startedAt).toISOString()}>{formatDateTime(r.startedAt)}</time>
          {r.error && <span className="text-bad">{r.error.code}: {r.error.message}</span>}
          {versionsPath && (
            <>
              <span aria-hidden="true">·</span>
              <button type="button" className="link-button row-versions" aria-label={`Versions of ${versionsPath}`} onClick={() => openVersions(r.pairId, versionsPath)}>Versions</button>
            </>
          )}
        </div>
      </div>
      <div className="row-progress">
        {isFile && (
          <div className="progress" role="progressbar" aria-label={`Progress of ${r.path}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)}>
            <div className="progress-fill" style={{ width: `${pct}%` }} />
          </div>
        )}
        <div className="row-bytes">
          <span>{bytesText(r)}</span>
          {saved > 0 && <span className="saved">saved {Math.round(saved * 100)}%</span>}
          {rate && <span className="muted">{rate}</span>}
        </div>
      </div>
      <Badge tone={status.tone}>{status.label}</Badge>
    </div>
  );
});
