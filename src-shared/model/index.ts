/** Domain types shared by engine, shells and UI. Pure data: no behaviour, no I/O. */
import type { FerryErrorInfo } from '../protocol/error-codes';

/** Stable id of a folder pair. */
export type PairId = string;

/** Lifecycle of one folder pair; every switch over it is exhaustive. */
export type PairStatus = 'connecting' | 'scanning' | 'syncing' | 'watching' | 'paused' | 'error' | 'halted';

/**
 * How a folder pair syncs: `two-way` keeps every device on the share in step both ways; `mirror` makes the share
 * follow this folder exactly (and halts rather than delete what other devices wrote); `receive` makes the folder
 * follow the share (local changes are not sent).
 */
export type SyncMode = 'two-way' | 'mirror' | 'receive';

/** Every sync mode, in the order a UI offers them. */
export const SYNC_MODES: readonly SyncMode[] = ['two-way', 'mirror', 'receive'];

/** Where a local folder is mirrored to. */
export interface ConnectionTarget {
  host: string;
  port: number;
  share: string;
  /** SHA-256 of the server certificate, hex, colons optional. */
  fingerprint: string;
  token: string;
}

/** A local folder kept in sync with a share on a server. */
export interface FolderPair extends ConnectionTarget {
  id: PairId;
  localPath: string;
  /** Paused pairs keep their settings but do not sync. */
  paused: boolean;
  /** Extra gitignore-style patterns on top of the folder's .ferryignore. */
  ignore: string[];
  /** Full rescan period in seconds (0 disables), catches what the watcher missed. */
  rescanIntervalSec: number;
  /** Allow mirroring an empty folder over a non-empty share (off: halt instead). */
  allowEmptyRoot: boolean;
  /** How this pair syncs; new pairs are two-way, pairs from before modes existed stay mirror. */
  mode: SyncMode;
  /** mirror only: overwrite a share that other devices wrote since this pair last synced (off: halt instead). */
  allowForeignChanges: boolean;
}

/** What the UI may edit on a pair. */
export type FolderPairInput = Omit<FolderPair, 'id'>;

/** Live view of a pair. */
export interface PairState {
  id: PairId;
  status: PairStatus;
  connected: boolean;
  /** Files and bytes still to send in the current sync. */
  filesPending: number;
  bytesPending: number;
  lastSyncedAt: number | null;
  lastError: FerryErrorInfo | null;
}

/** What a transfer did to the server. */
export type TransferKind = 'upload' | 'delete' | 'move' | 'mkdir' | 'symlink' | 'download';

/** Lifecycle of one transfer. */
export type TransferStatus = 'queued' | 'active' | 'completed' | 'failed';

/** One entry of the activity log. */
export interface TransferRecord {
  id: string;
  pairId: PairId;
  kind: TransferKind;
  path: string;
  /** Destination of a move. */
  toPath?: string;
  status: TransferStatus;
  /** Size of the file (0 for non-file operations). */
  size: number;
  /** Bytes of this file processed so far (of `size`). */
  bytesDone: number;
  /** File data actually sent on the wire (less than size when chunks were reused). */
  bytesSent: number;
  startedAt: number;
  finishedAt: number | null;
  error: FerryErrorInfo | null;
  /** up: this device to the server; down: the server to this device (two-way and receive pairs). */
  direction?: 'up' | 'down';
}

/** Metadata of one side of a conflict. */
export interface VersionInfo {
  size: number;
  mtimeMs: number;
}

/** A version on the server was overwritten or deleted though it changed behind this client's back. */
export interface ConflictRecord {
  id: string;
  pairId: PairId;
  path: string;
  detectedAt: number;
  local: VersionInfo | null;
  server: VersionInfo & { keptAs: string };
  resolved: boolean;
  /**
   * Two-way and receive pairs: the conflict copy that holds the version which lost the path (a file in the folder,
   * synced to every device) and the device that made that version. `path` holds the other version.
   */
  copy?: { path: string; device: string; mine: boolean };
}

/** How a conflict is settled. */
export type ConflictChoice = 'keepLocal' | 'keepServer' | 'keepBoth';

/** An access token as shown in the UI (the secret itself only once, at creation). */
export interface TokenInfo {
  id: string;
  label: string;
  createdAt: number;
  /** First characters, so a user can tell tokens apart. */
  preview: string;
  /** When a client last authenticated with it (saved at most about once a minute), or null if never. */
  lastUsedAt: number | null;
}

/** A token just created: its secret (shown once) and, when the server's address is known, an invite holding it. */
export interface CreatedToken {
  token: string;
  info: TokenInfo;
  /** `ferry1:…` string with addresses, port, share, fingerprint and this token (see src-shared/invite.ts). */
  invite: string | null;
}

/** A client that was connected to this machine's server and has left. */
export interface RecentClient {
  clientId: string;
  clientName: string;
  share: string;
  remoteAddress: string;
  lastSeenAt: number;
}

/** A client connected to this machine's server right now. */
export interface ConnectedClient {
  sessionId: string;
  clientId: string;
  clientName: string;
  share: string;
  remoteAddress: string;
  connectedAt: number;
  bytesReceived: number;
  filesReceived: number;
}

/** State of the embedded server (server mode). */
export interface ServerState {
  enabled: boolean;
  running: boolean;
  root: string;
  host: string;
  port: number;
  fingerprint: string | null;
  tokens: TokenInfo[];
  clients: ConnectedClient[];
  /** Clients seen since the server started that are not connected now, latest first (bounded). */
  recentClients: RecentClient[];
  /** Addresses clients can reach the running server on, best first (never 0.0.0.0); empty when stopped. */
  addresses: string[];
  /** A first-start token's secret waits to be shown once (`server:takeInitialInvite`). */
  initialInviteWaiting: boolean;
  /** Days replaced and deleted files are kept as versions (0: forever); set by the engine, absent in old snapshots. */
  versionRetentionDays?: number;
  lastError: FerryErrorInfo | null;
}

/** Overall tray/status summary, derived from pairs, server and conflicts. */
export type OverallStatus = 'idle' | 'syncing' | 'paused' | 'error' | 'conflict';
