/** Assembling the AppState snapshot the UI renders. */
import type { AppState } from '../../../src-shared/ipc';
import { overallStatus } from './overall-status';

/** The parts a snapshot is made of. */
export type SnapshotParts = Omit<AppState, 'overall'>;

/** A snapshot with `overall` derived from its parts. */
export function buildAppState(parts: SnapshotParts): AppState {
  return {
    overall: overallStatus({ pairStates: Object.values(parts.pairStates), conflicts: parts.conflicts, server: parts.server }),
    ...parts,
  };
}
