import { describe, expect, it } from 'vitest';
import type { KeptVersionEntry } from '../../../../src-shared/protocol/messages';
import { changeLabel, deviceLabel, filterVersions, groupByDay, retentionText, splitPath } from './versions-model';

const at = (d: string) => new Date(d).getTime();
const v = (original: string, keptAt: number, extra: Partial<KeptVersionEntry> = {}): KeptVersionEntry => ({
  id: `${original}~20261204T120000Z`, original, keptAt, kind: 'file', size: 10, mtimeMs: keptAt, deleted: false, ...extra,
});

describe('versions model', () => {
  const list = [
    v('docs/report.txt', at('2026-12-04T14:00:00'), { device: 'd1', deviceName: 'Office desktop' }),
    v('notes.md', at('2026-12-04T09:00:00'), { deleted: true, device: 'me' }),
    v('photos', at('2026-12-03T20:00:00'), { kind: 'dir', deleted: true }),
    v('old/plan.txt', at('2026-11-20T10:00:00'), { device: 'd2' }),
  ];

  it('filters by text (path or device) and by kind of change', () => {
    expect(filterVersions(list, 'REPORT', 'all').map((x) => x.original)).toEqual(['docs/report.txt']);
    expect(filterVersions(list, 'office', 'all').map((x) => x.original)).toEqual(['docs/report.txt']);
    expect(filterVersions(list, '', 'deleted').map((x) => x.original)).toEqual(['notes.md', 'photos']);
    expect(filterVersions(list, ' ', 'replaced').map((x) => x.original)).toEqual(['docs/report.txt', 'old/plan.txt']);
  });

  it('groups by local day: Today, Yesterday, then dates', () => {
    const groups = groupByDay(list, at('2026-12-04T18:00:00'));
    expect(groups.map((g) => [g.label === 'Today' || g.label === 'Yesterday' ? g.label : 'date', g.versions.length])).toEqual([['Today', 2], ['Yesterday', 1], ['date', 1]]);
  });

  it('names devices and changes', () => {
    expect(list.map((x) => deviceLabel(x, 'me'))).toEqual(['Office desktop', 'This device', 'Unknown device', 'd2']);
    expect(list.map(changeLabel)).toEqual(['Replaced', 'Deleted', 'Folder deleted', 'Replaced']);
    expect(splitPath('a/b/c.txt')).toEqual(['a/b/', 'c.txt']);
    expect(splitPath('c.txt')).toEqual(['', 'c.txt']);
    expect(retentionText(30)).toBe('Kept for 30 days');
    expect(retentionText(0)).toBe('Kept until you delete them');
  });
});
