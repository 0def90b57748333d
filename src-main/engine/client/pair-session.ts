/** One folder pair's session, whatever its mode: the mirror session or the two-way/receive session behind one face. */
import type { EventEmitter } from 'node:events';
import type { PairState, SyncMode } from '../../../src-shared/model/index';
import { TwoWaySession } from './two-way-session';
import { SyncSession, type SessionEvents, type SyncOptions, type SyncSummary } from './sync-session';

/** What every pair session offers its owner (pair manager, CLI). */
export interface PairSession extends EventEmitter<SessionEvents> {
  runOnce(): Promise<SyncSummary>;
  start(): Promise<void>;
  stop(): Promise<void>;
  pause(): void;
  resume(): void;
  readonly state: PairState;
}

/** Options of any pair session: the mirror session's plus the mode. */
export interface PairSessionOptions extends SyncOptions {
  mode: SyncMode;
  /** mirror only: overwrite a share that other devices have written since this pair last synced (off: halt). */
  allowForeignChanges?: boolean;
}

/** The session for a pair's mode. */
export function createPairSession(opts: PairSessionOptions): PairSession {
  switch (opts.mode) {
    case 'mirror':
      return new SyncSession(opts);
    case 'two-way':
    case 'receive':
      return new TwoWaySession(opts);
  }
}
