/**
 * The FerryApi the preload exposes, built over a minimal ipcRenderer so it is testable without Electron.
 * Only contract commands may be invoked and only contract events listened to.
 */
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import type { CommandArgs, CommandName, CommandResult, EventName, Events, FerryApi } from '../../src-shared/ipc';
import type { FerryErrorInfo } from '../../src-shared/protocol/error-codes';
import { EVENT_CHANNEL, isCommandName, isEventName, type InvokeReply } from './channels';

/** The slice of ipcRenderer the API uses. */
export type IpcLike = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

/**
 * Build the API. `invoke` rejects with a plain FerryErrorInfo ({ code, message, path? }): contextBridge
 * strips custom fields from Error objects, and the code is what the UI needs.
 */
export function createFerryApi(ipc: IpcLike): FerryApi {
  return {
    invoke<C extends CommandName>(command: C, ...args: CommandArgs<C>): Promise<CommandResult<C>> {
      if (!isCommandName(command)) throw new TypeError(`ferry.invoke: unknown command ${String(command)}`);
      return ipc.invoke(command, ...args).then((reply: unknown) => unwrap(command, reply) as CommandResult<C>);
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
      if (!isEventName(event)) throw new TypeError(`ferry.on: unknown event ${String(event)}`);
      if (typeof listener !== 'function') throw new TypeError('ferry.on: listener must be a function');
      // The IpcRendererEvent (and its `sender`) never reaches the page: only the payload does.
      const wrapper = (_e: IpcRendererEvent, name: unknown, payload: unknown) => {
        if (name === event) listener(payload as Events[E]);
      };
      ipc.on(EVENT_CHANNEL, wrapper);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        ipc.removeListener(EVENT_CHANNEL, wrapper);
      };
    },
  };
}

function unwrap(command: CommandName, reply: unknown): unknown {
  if (reply && typeof reply === 'object' && 'ok' in reply) {
    const r = reply as InvokeReply;
    if (r.ok) return r.value;
    throw errorValue(r.error);
  }
  throw errorValue({ code: 'INTERNAL', message: `Malformed reply to ${command}` });
}

function errorValue(info: FerryErrorInfo): FerryErrorInfo {
  return info.path === undefined ? { code: info.code, message: info.message } : { code: info.code, message: info.message, path: info.path };
}
