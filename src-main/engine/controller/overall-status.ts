/** The one-word summary the tray icon and the window title show. */
import type { ConflictRecord, OverallStatus, PairState, PairStatus, ServerState } from '../../../src-shared/model';

/** What the summary is derived from. */
export interface OverallInput {
  pairStates: readonly PairState[];
  conflicts: readonly Pick<ConflictRecord, 'resolved'>[];
  server: Pick<ServerState, 'enabled' | 'lastError'>;
}

type PairWeight = 'error' | 'syncing' | 'paused' | 'idle';

function weigh(status: PairStatus): PairWeight {
  switch (status) {
    case 'error':
    case 'halted':
      return 'error';
    case 'connecting':
    case 'scanning':
    case 'syncing':
      return 'syncing';
    case 'paused':
      return 'paused';
    case 'watching':
      return 'idle';
  }
}

/**
 * conflict > error > syncing > paused > idle. An open conflict wins because only the user can settle it;
 * "paused" needs every pair paused: one paused pair among working ones would otherwise hide their state.
 */
export function overallStatus(input: OverallInput): OverallStatus {
  if (input.conflicts.some((c) => !c.resolved)) return 'conflict';
  const weights = input.pairStates.map((p) => weigh(p.status));
  if (weights.includes('error') || (input.server.enabled && input.server.lastError !== null)) return 'error';
  if (weights.includes('syncing')) return 'syncing';
  if (weights.length > 0 && weights.every((w) => w === 'paused')) return 'paused';
  return 'idle';
}
