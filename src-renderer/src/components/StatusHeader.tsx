/** Top bar: the overall status in words, with what it is made of. */
import type { ReactNode } from 'react';
import { CircleAlert, CircleCheck, CirclePause, RefreshCw, TriangleAlert, WifiOff } from 'lucide-react';
import type { AppState } from '../../../src-shared/ipc/contract';
import type { OverallStatus } from '../../../src-shared/model';
import { formatBytes, plural } from '../lib/format';
import { assertNever, overallStatusView } from '../lib/status';

function StatusIcon({ status }: { status: OverallStatus }): ReactNode {
  const p = { size: 18, 'aria-hidden': true } as const;
  switch (status) {
    case 'idle': return <CircleCheck {...p} />;
    case 'syncing': return <RefreshCw {...p} className="spin" />;
    case 'paused': return <CirclePause {...p} />;
    case 'error': return <CircleAlert {...p} />;
    case 'conflict': return <TriangleAlert {...p} />;
    default: return assertNever(status);
  }
}

/** Header with the overall status (role=status so screen readers hear changes). */
export function StatusHeader({ state, connected }: { state: AppState; connected: boolean }): ReactNode {
  const view = connected ? overallStatusView(state.overall) : { label: 'Not connected', tone: 'muted' as const };
  const pending = Object.values(state.pairStates).reduce((acc, s) => ({ files: acc.files + s.filesPending, bytes: acc.bytes + s.bytesPending }), { files: 0, bytes: 0 });
  const openConflicts = state.conflicts.filter((c) => !c.resolved).length;
  const errors = Object.values(state.pairStates).filter((s) => s.status === 'error' || s.status === 'halted').length;
  const details: string[] = [];
  if (state.pairs.length === 0) details.push('No folders yet');
  else details.push(plural(state.pairs.length, 'folder'));
  if (pending.files > 0) details.push(`${plural(pending.files, 'file')} · ${formatBytes(pending.bytes)} to send`);
  if (errors > 0) details.push(`${plural(errors, 'folder')} with errors`);
  if (openConflicts > 0) details.push(plural(openConflicts, 'conflict'));
  if (state.server.running) details.push(`Server on :${state.server.port}`);
  return (
    <header className="topbar">
      <div className={`overall tone-${view.tone}`} role="status" aria-label={`Overall status: ${view.label}`}>
        {connected ? <StatusIcon status={state.overall} /> : <WifiOff size={18} aria-hidden="true" />}
        <span className="overall-label">{view.label}</span>
      </div>
      <div className="topbar-details muted">{connected ? details.join(' · ') : 'Showing the last known state'}</div>
    </header>
  );
}
