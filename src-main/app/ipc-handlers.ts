/**
 * Electron IPC → engine. Every command channel checks that the sender is our own window showing our
 * own file:// renderer, then hands the raw arguments to the engine (which validates them) and replies
 * with a value or a FerryErrorInfo. The decision is the pure `handleIpcInvoke`; `registerIpcHandlers`
 * only wires it to ipcMain.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { COMMAND_NAMES, EVENT_NAMES, type CommandName, type EventName, type Events } from '../../src-shared/ipc';
import type { FerryErrorInfo } from '../../src-shared/protocol/error-codes';
import { toFerryError } from '../engine/errors';
import { EVENT_CHANNEL, isCommandName, type InvokeReply } from '../preload/channels';

/** The part of the engine controller the IPC layer needs. */
export interface CommandHandler {
  /** Validates `args` for `command` and runs it; throws FerryError on invalid input or failure. */
  handle(command: CommandName, args: unknown[]): Promise<unknown>;
}

/** The part of the engine controller the event forwarding needs. */
export interface EventSource {
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): unknown;
}

/** Who sent an invoke: the frame's URL (null when the frame is gone) and whether it is our window's webContents. */
export interface IpcSender {
  url: string | null;
  fromOurWindow: boolean;
}

/** What handleIpcInvoke needs. */
export interface IpcDeps {
  engine: CommandHandler;
  /** file:// URL of dist/renderer/index.html. */
  rendererUrl: string;
  /** Told about refused senders, so an attack attempt leaves a trace in the log. */
  onRejected?: (reason: string, command: unknown, sender: IpcSender) => void;
}

/** Check the sender, then dispatch; never throws. */
export async function handleIpcInvoke(deps: IpcDeps, sender: IpcSender, command: unknown, args: unknown): Promise<InvokeReply> {
  const refusal = refuse(deps.rendererUrl, sender, command, args);
  if (refusal !== null) {
    deps.onRejected?.(refusal.message, command, sender);
    return { ok: false, error: refusal };
  }
  try {
    const value = await deps.engine.handle(command as CommandName, args as unknown[]);
    return { ok: true, value };
  } catch (err) {
    return { ok: false, error: toFerryError(err).toInfo() };
  }
}

function refuse(rendererUrl: string, sender: IpcSender, command: unknown, args: unknown): FerryErrorInfo | null {
  if (!sender.fromOurWindow) return { code: 'NOT_AUTHENTICATED', message: 'IPC refused: the sender is not the Ferry window' };
  if (sender.url === null || !isSameDocument(sender.url, rendererUrl)) {
    return { code: 'NOT_AUTHENTICATED', message: `IPC refused: the sender page ${sender.url ?? '(gone)'} is not Ferry's UI` };
  }
  if (!isCommandName(command)) return { code: 'BAD_FRAME', message: `Unknown command ${String(command)}` };
  if (!Array.isArray(args)) return { code: 'BAD_FRAME', message: `Arguments of ${command} must be a list` };
  return null;
}

/** Same file:// document, ignoring the #fragment and ?query a client-side router may add. */
export function isSameDocument(url: string, expected: string): boolean {
  let a: URL;
  let b: URL;
  try {
    a = new URL(url);
    b = new URL(expected);
  } catch {
    return false;
  }
  return a.protocol === 'file:' && b.protocol === 'file:' && a.host === b.host && decodeURI(a.pathname) === decodeURI(b.pathname);
}

/** Register one ipcMain.handle per command; returns a function removing them all. */
export function registerIpcHandlers(ipcMain: IpcMain, deps: IpcDeps, ourWebContents: () => WebContents | null): () => void {
  for (const command of COMMAND_NAMES) {
    ipcMain.handle(command, (event: IpcMainInvokeEvent, ...args: unknown[]) => {
      const sender: IpcSender = {
        url: event.senderFrame?.url ?? null,
        // The main frame only: a sub-frame (iframe) never gets to speak for the UI.
        fromOurWindow: event.sender === ourWebContents() && event.senderFrame === event.sender.mainFrame,
      };
      return handleIpcInvoke(deps, sender, command, args);
    });
  }
  return () => {
    for (const command of COMMAND_NAMES) ipcMain.removeHandler(command);
  };
}

/** Forward every engine event to the window as (EVENT_CHANNEL, name, payload). */
export function forwardEngineEvents(engine: EventSource, send: (channel: string, name: EventName, payload: unknown) => void): void {
  for (const name of EVENT_NAMES) engine.on(name, (payload) => send(EVENT_CHANNEL, name, payload));
}
