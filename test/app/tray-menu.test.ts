import { describe, expect, it } from 'vitest';
import {
  RECENT_TRANSFERS_SHOWN, buildTrayMenu, formatBytes, statusLine, trayIconFor, transferText,
  type MenuItemSpec, type TrayModelInput,
} from '../../src-main/app/tray-menu';
import type { ConflictRecord, FolderPair, PairState, TransferRecord } from '../../src-shared/model';

function pair(id: string, localPath: string, paused = false): FolderPair {
  return {
    id, localPath, paused, host: 'nas.local', port: 7443, share: 'default', fingerprint: 'AB', token: 't',
    ignore: [], rescanIntervalSec: 300, allowEmptyRoot: false, mode: 'two-way', allowForeignChanges: false,
  };
}

function pairState(id: string, patch: Partial<PairState> = {}): PairState {
  return { id, status: 'watching', connected: true, filesPending: 0, bytesPending: 0, lastSyncedAt: 1, lastError: null, ...patch };
}

function transfer(id: string, patch: Partial<TransferRecord> = {}): TransferRecord {
  return {
    id, pairId: 'p1', kind: 'upload', path: `docs/${id}.txt`, status: 'completed', size: 100, bytesDone: 100,
    bytesSent: 100, startedAt: 1000, finishedAt: 2000, error: null, ...patch,
  };
}

function conflict(id: string, resolved = false): ConflictRecord {
  return {
    id, pairId: 'p1', path: `a/${id}.txt`, detectedAt: 1, local: { size: 1, mtimeMs: 1 },
    server: { size: 2, mtimeMs: 2, keptAs: `a/${id}.server.txt` }, resolved,
  };
}

function input(patch: Partial<TrayModelInput> = {}): TrayModelInput {
  return {
    overall: 'idle', pairs: [pair('p1', '/home/ann/Documents')], pairStates: { p1: pairState('p1') }, conflicts: [],
    serverEnabled: false, serverError: null, recentTransfers: [], ...patch,
  };
}

function find(items: MenuItemSpec[], id: string): MenuItemSpec {
  const item = items.find((i) => i.kind !== 'separator' && i.id === id);
  if (!item) throw new Error(`no menu item ${id}`);
  return item;
}

describe('statusLine', () => {
  it('says up to date when idle', () => {
    expect(statusLine(input())).toBe('Up to date');
  });

  it('says there is nothing set up on a fresh install', () => {
    expect(statusLine(input({ pairs: [], pairStates: {} }))).toBe('No folders set up yet');
    expect(statusLine(input({ pairs: [], pairStates: {}, serverEnabled: true }))).toBe('Serving files');
  });

  it('sums pending files and bytes over all pairs while syncing', () => {
    const state = input({
      overall: 'syncing',
      pairs: [pair('p1', '/a'), pair('p2', '/b')],
      pairStates: { p1: pairState('p1', { filesPending: 2, bytesPending: 10_000_000 }), p2: pairState('p2', { filesPending: 1, bytesPending: 2_000_000 }) },
    });
    expect(statusLine(state)).toBe('Syncing 3 files (12 MB)…');
  });

  it('uses the singular for one file and stays honest with no count', () => {
    expect(statusLine(input({ overall: 'syncing', pairStates: { p1: pairState('p1', { filesPending: 1, bytesPending: 1500 }) } })))
      .toBe('Syncing 1 file (1.5 KB)…');
    expect(statusLine(input({ overall: 'syncing' }))).toBe('Syncing…');
  });

  it('says paused', () => {
    expect(statusLine(input({ overall: 'paused' }))).toBe('Paused');
  });

  it('names the first pair error and the file it concerns', () => {
    const state = input({
      overall: 'error',
      pairStates: { p1: pairState('p1', { status: 'error', lastError: { code: 'DISK_FULL', message: 'Disk full', path: 'x/big.iso' } }) },
    });
    expect(statusLine(state)).toBe('Error: Disk full (big.iso)');
  });

  it('falls back to the server error, then to a generic sentence', () => {
    expect(statusLine(input({ overall: 'error', serverError: 'Port 7443 is in use' }))).toBe('Error: Port 7443 is in use');
    expect(statusLine(input({ overall: 'error' }))).toBe('Error: something went wrong');
  });

  it('truncates a long error to fit a menu', () => {
    const message = 'x'.repeat(200);
    const line = statusLine(input({ overall: 'error', serverError: message }));
    expect(line.length).toBe(48);
    expect(line.endsWith('…')).toBe(true);
  });

  it('counts only open conflicts, with grammar', () => {
    expect(statusLine(input({ overall: 'conflict', conflicts: [conflict('a'), conflict('b'), conflict('c', true)] })))
      .toBe('2 conflicts need a look');
    expect(statusLine(input({ overall: 'conflict', conflicts: [conflict('a')] }))).toBe('1 conflict needs a look');
    expect(statusLine(input({ overall: 'conflict' }))).toBe('Conflicts need a look');
  });
});

describe('buildTrayMenu', () => {
  it('has the items in order, status first and quit last', () => {
    const menu = buildTrayMenu(input());
    const ids = menu.map((i) => (i.kind === 'separator' ? '-' : i.id));
    expect(ids).toEqual(['status', '-', 'open', 'pause-resume', 'server-mode', '-', 'open-folder', 'recent', '-', 'quit']);
    expect(find(menu, 'status')).toEqual({ kind: 'label', id: 'status', label: 'Up to date' });
    expect(find(menu, 'quit')).toMatchObject({ kind: 'action', action: { type: 'quit' } });
    expect(find(menu, 'open')).toMatchObject({ label: 'Open Ferry', action: { type: 'openWindow' }, enabled: true });
  });

  it('offers pause while something syncs and resume when everything is paused', () => {
    expect(find(buildTrayMenu(input()), 'pause-resume')).toMatchObject({ label: 'Pause syncing', action: { type: 'pauseAll' }, enabled: true });
    const paused = input({ overall: 'paused', pairs: [pair('p1', '/a', true), pair('p2', '/b')], pairStates: { p2: pairState('p2', { status: 'paused' }) } });
    expect(find(buildTrayMenu(paused), 'pause-resume')).toMatchObject({ label: 'Resume syncing', action: { type: 'resumeAll' } });
    const half = input({ pairs: [pair('p1', '/a', true), pair('p2', '/b')], pairStates: { p2: pairState('p2') } });
    expect(find(buildTrayMenu(half), 'pause-resume')).toMatchObject({ label: 'Pause syncing' });
  });

  it('disables pause when there is nothing to pause', () => {
    expect(find(buildTrayMenu(input({ pairs: [], pairStates: {} })), 'pause-resume')).toMatchObject({ label: 'Pause syncing', enabled: false });
  });

  it('shows server mode as a checkbox that toggles', () => {
    expect(find(buildTrayMenu(input()), 'server-mode')).toEqual({
      kind: 'checkbox', id: 'server-mode', label: 'Server mode', checked: false, action: { type: 'setServerMode', enabled: true },
    });
    expect(find(buildTrayMenu(input({ serverEnabled: true })), 'server-mode')).toMatchObject({
      checked: true, action: { type: 'setServerMode', enabled: false },
    });
  });

  it('opens the only folder directly, disables it with none', () => {
    expect(find(buildTrayMenu(input()), 'open-folder')).toMatchObject({ kind: 'action', action: { type: 'openFolder', pairId: 'p1' }, enabled: true });
    expect(find(buildTrayMenu(input({ pairs: [], pairStates: {} })), 'open-folder')).toMatchObject({ kind: 'action', enabled: false });
  });

  it('lists several folders in a submenu, with full paths where names clash', () => {
    const menu = buildTrayMenu(input({ pairs: [pair('p1', '/home/ann/Documents'), pair('p2', '/mnt/usb/Documents'), pair('p3', '/home/ann/Photos/')] }));
    const item = find(menu, 'open-folder');
    if (item.kind !== 'submenu') throw new Error('expected a submenu');
    expect(item.items.map((i) => (i.kind === 'action' ? [i.label, i.action] : null))).toEqual([
      ['/home/ann/Documents', { type: 'openFolder', pairId: 'p1' }],
      ['/mnt/usb/Documents', { type: 'openFolder', pairId: 'p2' }],
      ['Photos', { type: 'openFolder', pairId: 'p3' }],
    ]);
  });

  it('shows at most the ten latest transfers, newest first, with kind and status', () => {
    const transfers = Array.from({ length: 15 }, (_, i) => transfer(`f${i}`, { startedAt: i * 10, finishedAt: i * 10 + 5 }));
    transfers.push(transfer('live', { status: 'active', size: 1000, bytesDone: 250, startedAt: 500, finishedAt: null }));
    const item = find(buildTrayMenu(input({ recentTransfers: transfers })), 'recent');
    if (item.kind !== 'submenu') throw new Error('expected a submenu');
    expect(item.items).toHaveLength(RECENT_TRANSFERS_SHOWN);
    expect(item.items.map((i) => (i.kind === 'action' ? i.label : ''))).toEqual([
      'live.txt — uploading 25%',
      ...[14, 13, 12, 11, 10, 9, 8, 7, 6].map((n) => `f${n}.txt — uploaded`),
    ]);
  });

  it('says so when there are no transfers yet', () => {
    const item = find(buildTrayMenu(input()), 'recent');
    expect(item).toEqual({ kind: 'submenu', id: 'recent', label: 'Recent transfers', items: [{ kind: 'label', id: 'transfers:none', label: 'No transfers yet' }] });
  });

  it('names both ends of a move', () => {
    const item = find(buildTrayMenu(input({ recentTransfers: [transfer('m', { kind: 'move', path: 'a/old.txt', toPath: 'b/new.txt' })] })), 'recent');
    if (item.kind !== 'submenu') throw new Error('expected a submenu');
    expect(item.items[0]).toMatchObject({ label: 'old.txt → new.txt — moved' });
  });
});

describe('transferText', () => {
  it.each([
    [{ kind: 'upload', status: 'queued', size: 1, bytesDone: 0 }, 'waiting to upload'],
    [{ kind: 'upload', status: 'active', size: 0, bytesDone: 0 }, 'uploading'],
    [{ kind: 'download', status: 'active', size: 3, bytesDone: 1 }, 'downloading 33%'],
    [{ kind: 'delete', status: 'completed', size: 0, bytesDone: 0 }, 'deleted on the server'],
    [{ kind: 'delete', status: 'failed', size: 0, bytesDone: 0 }, 'delete failed'],
    [{ kind: 'mkdir', status: 'completed', size: 0, bytesDone: 0 }, 'folder created'],
    [{ kind: 'symlink', status: 'completed', size: 0, bytesDone: 0 }, 'link created'],
  ] as const)('%o → %s', (t, text) => {
    expect(transferText(t)).toBe(text);
  });
});

describe('trayIconFor', () => {
  it('maps each status to its icon', () => {
    expect(trayIconFor('idle', 0)).toBe('tray-idle.png');
    expect(trayIconFor('syncing', 0)).toBe('tray-syncing.png');
    expect(trayIconFor('paused', 0)).toBe('tray-paused.png');
    expect(trayIconFor('error', 0)).toBe('tray-error.png');
    expect(trayIconFor('conflict', 0)).toBe('tray-conflict.png');
  });

  it('shows open conflicts over calm states but never over an error', () => {
    expect(trayIconFor('idle', 2)).toBe('tray-conflict.png');
    expect(trayIconFor('syncing', 1)).toBe('tray-conflict.png');
    expect(trayIconFor('paused', 1)).toBe('tray-conflict.png');
    expect(trayIconFor('error', 3)).toBe('tray-error.png');
  });

  it('names the larger size variant', () => {
    expect(trayIconFor('syncing', 0, 32)).toBe('tray-syncing-32.png');
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'], [999, '999 B'], [1000, '1 KB'], [1500, '1.5 KB'], [12_000_000, '12 MB'], [12_400_000, '12 MB'],
    [3_250_000_000, '3.3 GB'], [-5, '0 B'],
  ])('%d → %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
});
