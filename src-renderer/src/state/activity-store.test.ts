import { describe, expect, it, vi } from 'vitest';
import type { TransferRecord } from '../../../src-shared/model';
import { ActivityStore } from './activity-store';

function rec(id: string, over: Partial<TransferRecord> = {}): TransferRecord {
  return { id, pairId: 'p1', kind: 'upload', path: `dir/${id}.txt`, status: 'completed', size: 10, bytesDone: 10, bytesSent: 10, startedAt: 0, finishedAt: 1, error: null, ...over };
}

describe('ActivityStore', () => {
  it('keeps the latest version of each record, newest first', () => {
    const s = new ActivityStore();
    s.upsert([rec('a', { status: 'active' }), rec('b')]);
    s.upsert([rec('a', { status: 'completed' })]);
    const all = s.query({ pairId: 'all', kind: 'all', text: '' });
    expect(all.map((r) => r.id)).toEqual(['b', 'a']);
    expect(all[1]?.status).toBe('completed');
    expect(s.size).toBe(2);
  });

  it('filters by folder, kind and path text (case-insensitive, move targets too)', () => {
    const s = new ActivityStore();
    s.upsert([
      rec('a', { pairId: 'p1', kind: 'upload', path: 'Photos/Beach.JPG' }),
      rec('b', { pairId: 'p2', kind: 'delete', path: 'old/notes.md' }),
      rec('c', { pairId: 'p1', kind: 'move', path: 'x.txt', toPath: 'archive/beach-notes.txt' }),
    ]);
    expect(s.query({ pairId: 'p1', kind: 'all', text: '' }).map((r) => r.id)).toEqual(['c', 'a']);
    expect(s.query({ pairId: 'all', kind: 'delete', text: '' }).map((r) => r.id)).toEqual(['b']);
    expect(s.query({ pairId: 'all', kind: 'all', text: ' beach ' }).map((r) => r.id)).toEqual(['c', 'a']);
    expect(s.query({ pairId: 'p2', kind: 'upload', text: '' })).toEqual([]);
  });

  it('evicts the oldest records beyond the cap', () => {
    const s = new ActivityStore(3);
    s.upsert([rec('1'), rec('2'), rec('3')]);
    s.upsert([rec('2', { status: 'failed' }), rec('4'), rec('5')]);
    expect(s.size).toBe(3);
    expect(s.query({ pairId: 'all', kind: 'all', text: '' }).map((r) => r.id)).toEqual(['5', '4', '3']);
    expect(s.get('1')).toBeUndefined();
  });

  it('counts active and failed records and notifies once per batch', () => {
    const s = new ActivityStore();
    const listener = vi.fn();
    s.subscribe(listener);
    const v0 = s.getVersion();
    s.upsert([rec('a', { status: 'active' }), rec('b', { status: 'failed' }), rec('c')]);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(s.getVersion()).not.toBe(v0);
    expect(s.counts()).toEqual({ total: 3, active: 1, failed: 1 });
    s.upsert([]);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('reset replaces everything and notifies even when empty', () => {
    const s = new ActivityStore();
    s.upsert([rec('a')]);
    const listener = vi.fn();
    s.subscribe(listener);
    s.reset([]);
    expect(s.size).toBe(0);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  // Correctness at scale only: speed is measured, not asserted (a loaded machine must not fail a test).
  it('handles 100,000 records and filters them', () => {
    const s = new ActivityStore();
    const batch: TransferRecord[] = [];
    for (let i = 0; i < 100_000; i++) batch.push(rec(String(i), { path: `folder-${i % 100}/file-${i}.bin` }));
    s.upsert(batch);
    const hits = s.query({ pairId: 'all', kind: 'all', text: 'file-9999' });
    expect(hits.map((r) => r.id)).toEqual(['99999', '99998', '99997', '99996', '99995', '99994', '99993', '99992', '99991', '99990', '9999']);
  });
});
