import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createFerryApi, type IpcLike } from '../../src-main/preload/ferry-api';
import type { FerryApi } from '../../src-shared/ipc';

/** An ipcRenderer stand-in: `invoke` answers from a table, events are emitted by the test. */
function fakeIpc(replies: Record<string, unknown>) {
  const emitter = new EventEmitter();
  const invoked: unknown[][] = [];
  const ipc = {
    invoke: async (channel: string, ...args: unknown[]) => {
      invoked.push([channel, ...args]);
      return replies[channel];
    },
    on: (channel: string, l: (...a: unknown[]) => void) => emitter.on(channel, l),
    removeListener: (channel: string, l: (...a: unknown[]) => void) => emitter.removeListener(channel, l),
  };
  return { ipc: ipc as unknown as IpcLike, emitter, invoked };
}

describe('createFerryApi', () => {
  it('invokes a contract command on its own channel and unwraps the value', async () => {
    const { ipc, invoked } = fakeIpc({ 'dialog:pickFolder': { ok: true, value: '/home/ann/Docs' } });
    const api = createFerryApi(ipc);
    await expect(api.invoke('dialog:pickFolder', null)).resolves.toBe('/home/ann/Docs');
    expect(invoked).toEqual([['dialog:pickFolder', null]]);
  });

  it('rejects with the error value, code included', async () => {
    const { ipc } = fakeIpc({ 'pair:pause': { ok: false, error: { code: 'NOT_FOUND', message: 'no pair p9' } } });
    await expect(createFerryApi(ipc).invoke('pair:pause', 'p9')).rejects.toEqual({ code: 'NOT_FOUND', message: 'no pair p9' });
  });

  it('rejects on a malformed reply', async () => {
    const { ipc } = fakeIpc({ 'state:get': 'garbage' });
    await expect(createFerryApi(ipc).invoke('state:get')).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('throws for a command outside the contract without touching IPC', () => {
    const { ipc, invoked } = fakeIpc({});
    const api = createFerryApi(ipc) as unknown as { invoke: (c: string) => Promise<unknown> };
    expect(() => api.invoke('shell:openExternal')).toThrow(/unknown command/);
    expect(invoked).toEqual([]);
  });

  it('delivers only the subscribed event, payload only, until unsubscribed', () => {
    const { ipc, emitter } = fakeIpc({});
    const api: FerryApi = createFerryApi(ipc);
    const got: unknown[][] = [];
    const off = api.on('transfersUpdated', (...args: unknown[]) => got.push(args));
    emitter.emit('ferry:event', { sender: 'secret' }, 'transfersUpdated', [{ id: 't1' }]);
    emitter.emit('ferry:event', { sender: 'secret' }, 'stateChanged', { overall: 'idle' });
    off();
    off();
    emitter.emit('ferry:event', { sender: 'secret' }, 'transfersUpdated', [{ id: 't2' }]);
    expect(got).toEqual([[[{ id: 't1' }]]]);
    expect(emitter.listenerCount('ferry:event')).toBe(0);
  });

  it('refuses events outside the contract', () => {
    const { ipc } = fakeIpc({});
    const api = createFerryApi(ipc) as unknown as { on: (e: string, l: () => void) => () => void };
    expect(() => api.on('ipc-message', () => {})).toThrow(/unknown event/);
  });
});
