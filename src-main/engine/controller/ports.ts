/** What a shell hands the engine (settings storage, folders, OS integration) and what it gets back. */
import type { AppState, CommandArgs, CommandName, CommandResult, EventName, Events } from '../../../src-shared/ipc';
import type { Settings } from '../../../src-shared/settings';
import type { Logger } from '../log';

/** Where the settings document lives: electron-store in the desktop app, conf in the daemon. */
export interface SettingsPort {
  load(): Settings;
  save(settings: Settings): void;
}

/** The shell's side of the engine. */
export interface EnginePorts {
  settings: SettingsPort;
  /** Per-machine state: pair caches under `pairs/`, the embedded server's identity and tokens under `server/`. */
  stateDir: string;
  logDir: string;
  shell: 'desktop' | 'web';
  /** Open a file or folder with the desktop's default application (headless: log or no-op). */
  openPath(path: string): Promise<void>;
  /** Native folder picker; the web shell returns null (its UI browses with `fs:listDirs`). */
  pickFolder(current: string | null): Promise<string | null>;
  log: { debug: Logger; transfer: Logger };
  clientId: string;
  clientName: string;
}

/** The controller both shells wrap. */
export interface Engine {
  /** Start the embedded server (if enabled) and a session per active pair. */
  start(): Promise<void>;
  /** Stop every session and the server; flushes pending events. Idempotent. */
  stop(): Promise<void>;
  /** Run a command from a transport: validates name and arguments first (FerryError BAD_FRAME / CONFIG_INVALID). */
  handle<C extends CommandName>(command: C, args: CommandArgs<C>): Promise<CommandResult<C>>;
  handle(command: string, args: unknown[]): Promise<unknown>;
  /** Subscribe to an event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
  /** The current snapshot. */
  state(): AppState;
}
