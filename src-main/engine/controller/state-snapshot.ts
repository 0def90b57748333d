/** Assembling the AppState snapshot the UI renders. */
import type { AppState } from '../../../src-shared/ipc';
import type { ConflictRecord, FolderPair, PairId, PairState, ServerState } from '../../../src-shared/model';
import type { UiSettings } from '../../../src-shared/settings';
import { overallStatus } from './overall-status';

/** The parts a snapshot is made of. */
export interface SnapshotParts {
  pairs: FolderPair[];
  pairStates: Record<PairId, PairState>;
  conflicts: ConflictRecord[];
  server: ServerState;
  ui: UiSettings;
  shell: 'desktop' | 'web';
  logDir: string;
}

/** A snapshot with `overall` derived from its parts. */
export function buildAppState(parts: SnapshotParts): AppState {
  return {
    overall: overallStatus({ pairStates: Object.values(parts.pairStates), conflicts: parts.conflicts, server: parts.server }),
    ...parts,
  };
}
