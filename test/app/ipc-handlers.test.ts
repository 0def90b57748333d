import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { forwardEngineEvents, handleIpcInvoke, isSameDocument, type CommandHandler, type IpcDeps } from '../../src-main/app/ipc-handlers';
import { FerryError } from '../../src-main/engine/errors';
import type { CommandName } from '../../src-shared/ipc';

const RENDERER = 'file:///opt/Ferry/resources/app.asar/dist/renderer/index.html';
const OURS = { url: RENDERER, fromOurWindow: true };

/** A tiny engine-like controller: validates like the real one would and records calls. */
function fakeEngine() {
  const calls: [CommandName, unknown[]][] = [];
  const engine: CommandHandler = {
    async handle(command, args) {
      calls.push([command, args]);
      switch (command) {
        case 'pair:pause':
          if (typeof args[0] !== 'string') throw new FerryError('CONFIG_INVALID', 'pair id must be a string');
          return undefined;
        case 'settings:update':
          return { startAtLogin: true, notifications: true, logLevel: 'info' };
        case 'fs:listDirs':
          throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
        default:
          throw new Error(`boom in ${command}`);
      }
    },
  };
  return { engine, calls };
}

function deps(engine: CommandHandler, rejected: string[] = []): IpcDeps {
  return { engine, rendererUrl: RENDERER, onRejected: (reason) => rejected.push(reason) };
}

describe('handleIpcInvoke', () => {
  it('dispatches a command from our window to the engine and returns its value', async () => {
    const { engine, calls } = fakeEngine();
    const reply = await handleIpcInvoke(deps(engine), OURS, 'settings:update', [{ startAtLogin: true }]);
    expect(reply).toEqual({ ok: true, value: { startAtLogin: true, notifications: true, logLevel: 'info' } });
    expect(calls).toEqual([['settings:update', [{ startAtLogin: true }]]]);
  });

  it('accepts the renderer URL with a router fragment or query', async () => {
    const { engine } = fakeEngine();
    const reply = await handleIpcInvoke(deps(engine), { url: `${RENDERER}?x=1#/settings`, fromOurWindow: true }, 'pair:pause', ['p1']);
    expect(reply).toEqual({ ok: true, value: undefined });
  });

  it('returns the engine validation error as a value with its code', async () => {
    const { engine } = fakeEngine();
    expect(await handleIpcInvoke(deps(engine), OURS, 'pair:pause', [42])).toEqual({
      ok: false, error: { code: 'CONFIG_INVALID', message: 'pair id must be a string' },
    });
  });

  it('maps other thrown errors to stable codes', async () => {
    const { engine } = fakeEngine();
    expect(await handleIpcInvoke(deps(engine), OURS, 'fs:listDirs', ['/root'])).toMatchObject({ ok: false, error: { code: 'IO_ERROR' } });
    expect(await handleIpcInvoke(deps(engine), OURS, 'pair:remove', ['p1'])).toEqual({
      ok: false, error: { code: 'INTERNAL', message: 'boom in pair:remove' },
    });
  });

  it.each([
    ['another webContents', { url: RENDERER, fromOurWindow: false }],
    ['a web page', { url: 'https://evil.example/index.html', fromOurWindow: true }],
    ['another local file', { url: 'file:///tmp/evil.html', fromOurWindow: true }],
    ['a file on another host', { url: 'file://evil/opt/Ferry/resources/app.asar/dist/renderer/index.html', fromOurWindow: true }],
    ['a destroyed frame', { url: null, fromOurWindow: true }],
    ['a malformed URL', { url: 'not a url', fromOurWindow: true }],
  ])('refuses %s without calling the engine', async (_name, sender) => {
    const { engine, calls } = fakeEngine();
    const rejected: string[] = [];
    const reply = await handleIpcInvoke(deps(engine, rejected), sender, 'pair:pause', ['p1']);
    expect(reply).toMatchObject({ ok: false, error: { code: 'NOT_AUTHENTICATED' } });
    expect(calls).toEqual([]);
    expect(rejected).toHaveLength(1);
  });

  it('refuses unknown commands and non-list arguments', async () => {
    const { engine, calls } = fakeEngine();
    expect(await handleIpcInvoke(deps(engine), OURS, 'shell:exec', ['rm -rf /'])).toMatchObject({ ok: false, error: { code: 'BAD_FRAME' } });
    expect(await handleIpcInvoke(deps(engine), OURS, 'pair:pause', 'p1')).toMatchObject({ ok: false, error: { code: 'BAD_FRAME' } });
    expect(calls).toEqual([]);
  });
});

describe('isSameDocument', () => {
  it('compares decoded paths so spaces in install folders match', () => {
    expect(isSameDocument('file:///C:/Program%20Files/Ferry/index.html', 'file:///C:/Program Files/Ferry/index.html')).toBe(true);
    expect(isSameDocument('file:///a/index.html', 'file:///a/other.html')).toBe(false);
  });
});

describe('forwardEngineEvents', () => {
  it('sends every contract event on the event channel with its name', () => {
    const emitter = new EventEmitter();
    const sent: unknown[][] = [];
    forwardEngineEvents(emitter as never, (...a) => sent.push(a));
    emitter.emit('stateChanged', { overall: 'idle' });
    emitter.emit('transfersUpdated', [{ id: 't1' }]);
    emitter.emit('somethingElse', 1);
    expect(sent).toEqual([
      ['ferry:event', 'stateChanged', { overall: 'idle' }],
      ['ferry:event', 'transfersUpdated', [{ id: 't1' }]],
    ]);
  });
});
