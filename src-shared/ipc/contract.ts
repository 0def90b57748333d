/**
 * The one contract between the UI and the engine host. Used by the Electron preload and
 * IPC handlers, by the daemon's WebSocket transport and by the renderer's bridge alike.
 */
import type {
  ConflictChoice, ConflictRecord, FolderPair, FolderPairInput, PairId, PairState,
  ServerState, TransferRecord, OverallStatus, ConnectionTarget, CreatedToken,
} from '../model';
import type { FerryErrorInfo } from '../protocol/error-codes';
import type { KeptVersionEntry } from '../protocol/messages';
import type { UiSettings, ServerSettings } from '../settings/schema';

/** Everything the UI shows, as one snapshot. Transfers are delivered separately (they are many). */
export interface AppState {
  overall: OverallStatus;
  pairs: FolderPair[];
  pairStates: Record<PairId, PairState>;
  conflicts: ConflictRecord[];
  server: ServerState;
  ui: UiSettings;
  /** 'desktop' (Electron) or 'web' (daemon + browser): the UI adapts pickers and "open" actions. */
  shell: 'desktop' | 'web';
  logDir: string;
}

/** Result of "Test connection". */
export type ConnectionTestResult =
  | { ok: true; serverName: string; share: string; latencyMs: number }
  | { ok: false; error: FerryErrorInfo };

/** A directory listing for the web GUI's folder browser. */
export interface DirListing {
  path: string;
  parent: string | null;
  dirs: string[];
}

/** The kept versions of a pair's share (or of one path in it), newest first, for the Versions view. */
export interface VersionsListing {
  /** Days the server keeps versions (0: forever). */
  retentionDays: number;
  versions: KeptVersionEntry[];
  /** This device's id, so versions it caused can say "This device". */
  thisDevice: string;
}

/** Where a restored version landed (pair-relative path). */
export interface RestoredVersion {
  path: string;
}

/** Commands: channel → signature. Every handler validates its arguments. */
export interface Commands {
  'state:get': () => Promise<AppState>;
  'transfers:recent': (limit: number) => Promise<TransferRecord[]>;
  'pair:add': (input: FolderPairInput) => Promise<FolderPair>;
  'pair:update': (id: PairId, input: FolderPairInput) => Promise<FolderPair>;
  'pair:remove': (id: PairId) => Promise<void>;
  'pair:pause': (id: PairId) => Promise<void>;
  'pair:resume': (id: PairId) => Promise<void>;
  'pair:test': (target: ConnectionTarget) => Promise<ConnectionTestResult>;
  'pair:openFolder': (id: PairId) => Promise<void>;
  'sync:pauseAll': () => Promise<void>;
  'sync:resumeAll': () => Promise<void>;
  'conflict:resolve': (id: string, choice: ConflictChoice) => Promise<void>;
  'conflict:open': (id: string, side: 'local' | 'server') => Promise<void>;
  /** Kept versions of the pair's share: all (path null), or of one file or folder and below. */
  'versions:list': (pairId: PairId, path: string | null) => Promise<VersionsListing>;
  /** Restore a kept version to its place or beside it ('name (restored yyyy-mm-dd hh.mm).ext'); it syncs like any change. */
  'versions:restore': (pairId: PairId, version: string, where: 'place' | 'beside') => Promise<RestoredVersion>;
  'server:setEnabled': (enabled: boolean) => Promise<ServerState>;
  /** Where and how the embedded server listens, and how many days it keeps versions (0: forever). */
  'server:configure': (settings: Pick<ServerSettings, 'root' | 'host' | 'port'> & Partial<Pick<ServerSettings, 'versionRetentionDays'>>) => Promise<ServerState>;
  /** A new token; with the server running, also an invite holding it ("New invite"). */
  'server:addToken': (label: string) => Promise<CreatedToken>;
  /** The first-start token with its invite, once (null when none waits or it was taken). */
  'server:takeInitialInvite': () => Promise<CreatedToken | null>;
  'server:revokeToken': (id: string) => Promise<void>;
  'settings:update': (patch: Partial<UiSettings>) => Promise<UiSettings>;
  'dialog:pickFolder': (current: string | null) => Promise<string | null>;
  'fs:listDirs': (path: string | null) => Promise<DirListing>;
  'logs:openFolder': () => Promise<void>;
}

/** Events pushed to the UI: name → payload. Past tense. */
export interface Events {
  stateChanged: AppState;
  /** Batched: each element is the latest version of a transfer record. */
  transfersUpdated: TransferRecord[];
}

export type CommandName = keyof Commands;
export type CommandArgs<C extends CommandName> = Parameters<Commands[C]>;
export type CommandResult<C extends CommandName> = Awaited<ReturnType<Commands[C]>>;
export type EventName = keyof Events;

/** The API the renderer sees, whatever the transport (preload or WebSocket). */
export interface FerryApi {
  invoke<C extends CommandName>(command: C, ...args: CommandArgs<C>): Promise<CommandResult<C>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}

/** Every command name, for transports that must allow-list channels. */
export const COMMAND_NAMES = [
  'state:get', 'transfers:recent', 'pair:add', 'pair:update', 'pair:remove', 'pair:pause', 'pair:resume',
  'pair:test', 'pair:openFolder', 'sync:pauseAll', 'sync:resumeAll', 'conflict:resolve', 'conflict:open', 'versions:list', 'versions:restore',
  'server:setEnabled', 'server:configure', 'server:addToken', 'server:takeInitialInvite', 'server:revokeToken', 'settings:update',
  'dialog:pickFolder', 'fs:listDirs', 'logs:openFolder',
] as const satisfies readonly CommandName[];

/** Every event name. */
export const EVENT_NAMES = ['stateChanged', 'transfersUpdated'] as const satisfies readonly EventName[];

/** Wire envelope of the web transport (WebSocket, JSON text frames). */
export type WireMessage =
  | { kind: 'invoke'; id: number; command: CommandName; args: unknown[] }
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: FerryErrorInfo }
  | { kind: 'event'; event: EventName; payload: unknown };
