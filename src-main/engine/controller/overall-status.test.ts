import { describe, expect, it } from 'vitest';
import type { PairState, PairStatus } from '../../../src-shared/model';
import { overallStatus, type OverallInput } from './overall-status';

const pair = (status: PairStatus, id: string = status): PairState => ({
  id,
  status,
  connected: status !== 'paused',
  filesPending: 0,
  bytesPending: 0,
  lastSyncedAt: null,
  lastError: null,
});
const serverOff = { enabled: false, lastError: null };
const input = (statuses: PairStatus[], extra: Partial<OverallInput> = {}): OverallInput => ({
  pairStates: statuses.map((s, i) => pair(s, `p${i}`)),
  conflicts: [],
  server: serverOff,
  ...extra,
});

describe('overallStatus', () => {
  it('is idle with nothing configured and with every pair watching', () => {
    expect(overallStatus(input([]))).toBe('idle');
    expect(overallStatus(input(['watching', 'watching']))).toBe('idle');
  });

  it.each<[PairStatus, string]>([
    ['connecting', 'syncing'],
    ['scanning', 'syncing'],
    ['syncing', 'syncing'],
    ['watching', 'idle'],
    ['paused', 'paused'],
    ['error', 'error'],
    ['halted', 'error'],
  ])('maps a single pair that is %s to %s', (status, expected) => {
    expect(overallStatus(input([status]))).toBe(expected);
  });

  it('says paused only when every pair is paused', () => {
    expect(overallStatus(input(['paused', 'paused']))).toBe('paused');
    expect(overallStatus(input(['paused', 'watching']))).toBe('idle');
    expect(overallStatus(input(['paused', 'syncing']))).toBe('syncing');
  });

  it('ranks conflict > error > syncing > paused > idle', () => {
    const openConflict = { conflicts: [{ resolved: false }] };
    expect(overallStatus(input(['error', 'syncing', 'paused'], openConflict))).toBe('conflict');
    expect(overallStatus(input(['syncing', 'halted', 'watching']))).toBe('error');
    expect(overallStatus(input(['watching', 'scanning', 'paused']))).toBe('syncing');
  });

  it('ignores settled conflicts', () => {
    expect(overallStatus(input(['watching'], { conflicts: [{ resolved: true }, { resolved: true }] }))).toBe('idle');
    expect(overallStatus(input(['watching'], { conflicts: [{ resolved: true }, { resolved: false }] }))).toBe('conflict');
  });

  it('reports a failed server mode as an error, but only while it is enabled', () => {
    const lastError = { code: 'IO_ERROR' as const, message: 'port in use' };
    expect(overallStatus(input(['watching'], { server: { enabled: true, lastError } }))).toBe('error');
    expect(overallStatus(input([], { server: { enabled: true, lastError } }))).toBe('error');
    expect(overallStatus(input(['watching'], { server: { enabled: false, lastError } }))).toBe('idle');
    expect(overallStatus(input(['paused'], { server: { enabled: true, lastError: null } }))).toBe('paused');
  });
});
