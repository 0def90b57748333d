/**
 * The tray menu as plain data, derived from the engine's state. Pure: no electron import, so every
 * label and enabled flag is unit-tested; tray.ts only maps these specs onto Electron's Menu.
 */
import type {
  ConflictRecord, FolderPair, OverallStatus, PairId, PairState, TransferKind, TransferRecord, TransferStatus,
} from '../../src-shared/model';

/** What the tray needs to know; a subset of AppState plus the latest transfers. */
export interface TrayModelInput {
  overall: OverallStatus;
  pairs: FolderPair[];
  pairStates: Record<PairId, PairState>;
  conflicts: ConflictRecord[];
  serverEnabled: boolean;
  /** Server-side problem (server mode), shown when no pair has an error of its own. */
  serverError: string | null;
  recentTransfers: TransferRecord[];
}

/** What clicking a menu item asks the shell to do. */
export type TrayAction =
  | { type: 'openWindow' }
  | { type: 'pauseAll' }
  | { type: 'resumeAll' }
  | { type: 'setServerMode'; enabled: boolean }
  | { type: 'openFolder'; pairId: PairId }
  | { type: 'quit' };

/** One menu entry as data. */
export type MenuItemSpec =
  | { kind: 'label'; id: string; label: string }
  | { kind: 'action'; id: string; label: string; action: TrayAction; enabled: boolean }
  | { kind: 'checkbox'; id: string; label: string; checked: boolean; action: TrayAction }
  | { kind: 'submenu'; id: string; label: string; items: MenuItemSpec[] }
  | { kind: 'separator' };

/** Tray icon state: the overall status, with conflicts shown unless something is broken. */
export type TrayIconState = 'idle' | 'syncing' | 'paused' | 'error' | 'conflict';

/** How many transfers the "Recent transfers" submenu lists. */
export const RECENT_TRANSFERS_SHOWN = 10;

const MAX_LABEL = 48;

/** Build the whole tray menu for the given state. */
export function buildTrayMenu(state: TrayModelInput): MenuItemSpec[] {
  const allPaused = state.pairs.length > 0 && state.pairs.every((p) => p.paused || state.pairStates[p.id]?.status === 'paused');
  return [
    { kind: 'label', id: 'status', label: statusLine(state) },
    { kind: 'separator' },
    { kind: 'action', id: 'open', label: 'Open Ferry', action: { type: 'openWindow' }, enabled: true },
    allPaused
      ? { kind: 'action', id: 'pause-resume', label: 'Resume syncing', action: { type: 'resumeAll' }, enabled: true }
      : { kind: 'action', id: 'pause-resume', label: 'Pause syncing', action: { type: 'pauseAll' }, enabled: state.pairs.length > 0 },
    {
      kind: 'checkbox', id: 'server-mode', label: 'Server mode', checked: state.serverEnabled,
      action: { type: 'setServerMode', enabled: !state.serverEnabled },
    },
    { kind: 'separator' },
    openFolderItem(state.pairs),
    recentTransfersItem(state.recentTransfers),
    { kind: 'separator' },
    { kind: 'action', id: 'quit', label: 'Quit Ferry', action: { type: 'quit' }, enabled: true },
  ];
}

/** The one-line summary shown at the top of the menu (and as the tray tooltip). */
export function statusLine(state: TrayModelInput): string {
  const open = state.conflicts.filter((c) => !c.resolved).length;
  switch (state.overall) {
    case 'error':
      return truncate(`Error: ${firstError(state) ?? 'something went wrong'}`);
    case 'conflict':
      // The engine may report 'conflict' a moment before the record arrives: still say something true.
      return open === 0 ? 'Conflicts need a look' : `${open} ${open === 1 ? 'conflict needs' : 'conflicts need'} a look`;
    case 'syncing': {
      let files = 0;
      let bytes = 0;
      for (const p of state.pairs) {
        files += state.pairStates[p.id]?.filesPending ?? 0;
        bytes += state.pairStates[p.id]?.bytesPending ?? 0;
      }
      if (files === 0) return 'Syncing…';
      return `Syncing ${files} ${files === 1 ? 'file' : 'files'} (${formatBytes(bytes)})…`;
    }
    case 'paused':
      return 'Paused';
    case 'idle':
      if (state.pairs.length === 0) return state.serverEnabled ? 'Serving files' : 'No folders set up yet';
      return 'Up to date';
  }
}

/** Icon file name (in assets/) for a status; `size` is the 1x pixel size, Electron finds the @2x file itself. */
export function trayIconFor(overall: OverallStatus, conflicts: number, size: 16 | 32 = 16): string {
  const state = trayIconState(overall, conflicts);
  return size === 16 ? `tray-${state}.png` : `tray-${state}-${size}.png`;
}

/** Which icon state wins: an error hides everything; open conflicts show over syncing/paused/idle. */
export function trayIconState(overall: OverallStatus, conflicts: number): TrayIconState {
  switch (overall) {
    case 'error':
      return 'error';
    case 'conflict':
      return 'conflict';
    case 'syncing':
    case 'paused':
    case 'idle':
      return conflicts > 0 ? 'conflict' : overall;
  }
}

/** Human size with one decimal below 10 units: 0 B, 900 B, 1.5 KB, 12 MB, 3.2 GB. Decimal units, like file managers. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const shown = unit === 0 || value >= 10 ? Math.round(value).toString() : value.toFixed(1).replace(/\.0$/, '');
  return `${shown} ${units[unit]}`;
}

function firstError(state: TrayModelInput): string | null {
  for (const p of state.pairs) {
    const err = state.pairStates[p.id]?.lastError;
    if (err) return err.path ? `${err.message} (${baseName(err.path)})` : err.message;
  }
  return state.serverError;
}

function openFolderItem(pairs: FolderPair[]): MenuItemSpec {
  const label = 'Open synced folder';
  const first = pairs[0];
  if (!first) return { kind: 'action', id: 'open-folder', label, action: { type: 'openWindow' }, enabled: false };
  if (pairs.length === 1) return { kind: 'action', id: 'open-folder', label, action: { type: 'openFolder', pairId: first.id }, enabled: true };
  const names = pairs.map((p) => baseName(p.localPath) || p.localPath);
  return {
    kind: 'submenu', id: 'open-folder', label,
    items: pairs.map((p, i) => {
      const name = names[i] ?? p.localPath;
      // Two folders called "Documents" must stay distinguishable: fall back to the full path.
      const shown = names.filter((n) => n === name).length > 1 ? p.localPath : name;
      return { kind: 'action', id: `open-folder:${p.id}`, label: truncate(shown), action: { type: 'openFolder', pairId: p.id }, enabled: true };
    }),
  };
}

function recentTransfersItem(transfers: TransferRecord[]): MenuItemSpec {
  const latest = [...transfers]
    .sort((a, b) => (b.finishedAt ?? b.startedAt) - (a.finishedAt ?? a.startedAt))
    .slice(0, RECENT_TRANSFERS_SHOWN);
  const items: MenuItemSpec[] = latest.length === 0
    ? [{ kind: 'label', id: 'transfers:none', label: 'No transfers yet' }]
    : latest.map((t) => ({
        kind: 'action', id: `transfer:${t.id}`, label: `${truncate(transferName(t), 32)} — ${transferText(t)}`,
        action: { type: 'openWindow' }, enabled: true,
      }));
  return { kind: 'submenu', id: 'recent', label: 'Recent transfers', items };
}

function transferName(t: TransferRecord): string {
  return t.kind === 'move' && t.toPath ? `${baseName(t.path)} → ${baseName(t.toPath)}` : baseName(t.path);
}

/** "uploaded", "uploading 40%", "delete failed"… */
export function transferText(t: Pick<TransferRecord, 'kind' | 'status' | 'size' | 'bytesDone'>): string {
  const [doing, done, noun] = verbs(t.kind);
  const status: TransferStatus = t.status;
  switch (status) {
    case 'queued':
      return `waiting to ${noun}`;
    case 'active':
      return t.size > 0 ? `${doing} ${Math.min(100, Math.floor((t.bytesDone / t.size) * 100))}%` : doing;
    case 'completed':
      return done;
    case 'failed':
      return `${noun} failed`;
  }
}

function verbs(kind: TransferKind): [doing: string, done: string, noun: string] {
  switch (kind) {
    case 'upload':
      return ['uploading', 'uploaded', 'upload'];
    case 'download':
      return ['downloading', 'downloaded', 'download'];
    case 'delete':
      return ['deleting', 'deleted on the server', 'delete'];
    case 'move':
      return ['moving', 'moved', 'move'];
    case 'mkdir':
      return ['creating folder', 'folder created', 'create folder'];
    case 'symlink':
      return ['linking', 'link created', 'create link'];
  }
}

function baseName(p: string): string {
  const trimmed = p.replace(/[\\/]+$/, '');
  return trimmed.slice(Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\')) + 1);
}

function truncate(text: string, max = MAX_LABEL): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
