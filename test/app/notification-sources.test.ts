import { describe, expect, it } from 'vitest';
import { NotificationSources } from '../../src-main/app/notification-sources';
import type { AppState } from '../../src-shared/ipc';
import type { ConflictRecord, TransferRecord } from '../../src-shared/model';
import type { FerryErrorInfo } from '../../src-shared/protocol/error-codes';

function state(patch: { conflicts?: ConflictRecord[]; pairError?: FerryErrorInfo | null; serverError?: FerryErrorInfo | null } = {}): AppState {
  return {
    overall: 'idle',
    pairs: [{ id: 'p1', localPath: '/home/ann/Docs', host: 'h', port: 1, share: 's', fingerprint: '', token: '', paused: false, ignore: [], rescanIntervalSec: 0, allowEmptyRoot: false, mode: 'two-way', allowForeignChanges: false }],
    pairStates: { p1: { id: 'p1', status: 'watching', connected: true, filesPending: 0, bytesPending: 0, lastSyncedAt: null, lastError: patch.pairError ?? null } },
    conflicts: patch.conflicts ?? [],
    server: { enabled: false, running: false, root: '/srv', host: '0.0.0.0', port: 7443, fingerprint: null, tokens: [], clients: [], recentClients: [], addresses: [], initialInviteWaiting: false, lastError: patch.serverError ?? null },
    ui: { startAtLogin: false, notifications: true, logLevel: 'info' },
    shell: 'desktop',
    logDir: '/tmp',
  };
}

const conflict = (id: string, resolved = false): ConflictRecord => ({
  id, pairId: 'p1', path: `notes/${id}.md`, detectedAt: 1, local: null, server: { size: 1, mtimeMs: 1, keptAs: 'x' }, resolved,
});

const transfer = (id: string, patch: Partial<TransferRecord>): TransferRecord => ({
  id, pairId: 'p1', kind: 'upload', path: `docs/${id}`, status: 'completed', size: 1, bytesDone: 1, bytesSent: 1,
  startedAt: 1, finishedAt: 2, error: null, ...patch,
});

describe('NotificationSources.fromState', () => {
  it('stays quiet about the state found at startup', () => {
    const s = new NotificationSources();
    expect(s.fromState(state({ conflicts: [conflict('a')], pairError: { code: 'AUTH_FAILED', message: 'bad token' } }))).toEqual([]);
  });

  it('reports each new open conflict once', () => {
    const s = new NotificationSources();
    s.fromState(state({ conflicts: [conflict('a')] }));
    expect(s.fromState(state({ conflicts: [conflict('a'), conflict('b'), conflict('c', true)] }))).toEqual([{ kind: 'conflict', path: 'notes/b.md' }]);
    expect(s.fromState(state({ conflicts: [conflict('a'), conflict('b')] }))).toEqual([]);
  });

  it('reports a pair error when it appears or changes, not while it persists', () => {
    const s = new NotificationSources();
    s.fromState(state());
    const err = { code: 'CONNECT_FAILED', message: 'nas.local refused the connection' } as const;
    expect(s.fromState(state({ pairError: err }))).toEqual([{ kind: 'error', path: '/home/ann/Docs', detail: err.message }]);
    expect(s.fromState(state({ pairError: { ...err } }))).toEqual([]);
    expect(s.fromState(state({ pairError: { code: 'DISK_FULL', message: 'full', path: 'big.iso' } }))).toEqual([{ kind: 'error', path: 'big.iso', detail: 'full' }]);
  });

  it('reports a new server error', () => {
    const s = new NotificationSources();
    s.fromState(state());
    expect(s.fromState(state({ serverError: { code: 'IO_ERROR', message: 'port in use' } }))).toEqual([{ kind: 'error', path: 'Server mode', detail: 'port in use' }]);
  });
});

describe('NotificationSources.fromTransfers', () => {
  it('reports finished deletions and failures once, ignores the rest', () => {
    const s = new NotificationSources();
    const batch = [
      transfer('d1', { kind: 'delete', path: 'old/a.txt' }),
      transfer('d2', { kind: 'delete', status: 'active' }),
      transfer('u1', {}),
      transfer('f1', { status: 'failed', path: 'locked.db', error: { code: 'IO_ERROR', message: 'EBUSY: locked.db is busy' } }),
    ];
    expect(s.fromTransfers(batch)).toEqual([
      { kind: 'deletedOnServer', path: 'old/a.txt' },
      { kind: 'error', path: 'locked.db', detail: 'EBUSY: locked.db is busy' },
    ]);
    expect(s.fromTransfers(batch)).toEqual([]);
  });
});
