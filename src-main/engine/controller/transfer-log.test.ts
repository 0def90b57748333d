import { describe, expect, it } from 'vitest';
import type { TransferRecord } from '../../../src-shared/model';
import { TransferLog } from './transfer-log';
import { waitFor } from '../../../test/helpers/trees';

const rec = (id: string, status: TransferRecord['status'] = 'queued', pairId = 'p1'): TransferRecord => ({
  id,
  pairId,
  kind: 'upload',
  path: `${id}.txt`,
  status,
  size: 10,
  bytesDone: status === 'completed' ? 10 : 0,
  bytesSent: 0,
  startedAt: 1,
  finishedAt: null,
  error: null,
});

describe('TransferLog', () => {
  it('keeps only the newest records up to its capacity, updating known ids in place', () => {
    const log = new TransferLog(() => {}, 3, 60_000);
    for (const id of ['a', 'b', 'c']) log.update(rec(id));
    log.update(rec('a', 'completed'));
    expect(log.recent(10).map((r) => [r.id, r.status])).toEqual([
      ['a', 'completed'],
      ['b', 'queued'],
      ['c', 'queued'],
    ]);
    log.update(rec('d'));
    expect(log.recent(10).map((r) => r.id)).toEqual(['b', 'c', 'd']);
    expect(log.recent(2).map((r) => r.id)).toEqual(['c', 'd']);
    log.close();
  });

  it('batches updates: one batch per flush, latest version of each record, in order of last change', () => {
    const batches: TransferRecord[][] = [];
    const log = new TransferLog((b) => batches.push(b), 100, 60_000);
    log.update(rec('a'));
    log.update(rec('b'));
    log.update(rec('a', 'completed'));
    expect(batches).toEqual([]);
    log.flush();
    expect(batches.map((b) => b.map((r) => `${r.id}:${r.status}`))).toEqual([['b:queued', 'a:completed']]);
    log.flush();
    expect(batches).toHaveLength(1);
  });

  it('sends a batch by itself after the batch interval', async () => {
    const batches: TransferRecord[][] = [];
    const log = new TransferLog((b) => batches.push(b), 100, 5);
    log.update(rec('a'));
    await waitFor(() => batches.length > 0, 'the timed batch');
    expect(batches).toHaveLength(1);
    log.close();
  });

  it('forgets the records of a removed pair', () => {
    const batches: TransferRecord[][] = [];
    const log = new TransferLog((b) => batches.push(b), 100, 60_000);
    log.update(rec('a', 'queued', 'p1'));
    log.update(rec('b', 'queued', 'p2'));
    log.dropPair('p1');
    expect(log.recent(10).map((r) => r.id)).toEqual(['b']);
    log.flush();
    expect(batches[0]!.map((r) => r.id)).toEqual(['b']);
  });
});
