/** IPC channel names shared by the preload and the main process's handlers. */
import { COMMAND_NAMES, EVENT_NAMES, type CommandName, type EventName } from '../../src-shared/ipc';
import type { FerryErrorInfo } from '../../src-shared/protocol/error-codes';

/** Channel carrying every engine event to the renderer as (name, payload). */
export const EVENT_CHANNEL = 'ferry:event';

/** What an invoke channel answers: errors travel as values because Electron drops custom error fields. */
export type InvokeReply = { ok: true; value: unknown } | { ok: false; error: FerryErrorInfo };

/** True when `name` is a command of the contract (each command is its own invoke channel). */
export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && (COMMAND_NAMES as readonly string[]).includes(name);
}

/** True when `name` is an event of the contract. */
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name);
}
