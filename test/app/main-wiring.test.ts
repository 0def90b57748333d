/**
 * Runs the real src-main/app/main.ts (and the real engine) against a fake `electron` module: no Electron
 * binary can run here, so this is how the shell's wiring is exercised end to end.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { COMMAND_NAMES } from '../../src-shared/ipc';
import { SETTINGS_VERSION } from '../../src-shared/settings';
import * as fake from './helpers/fake-electron';

vi.mock('electron', async () => await import('./helpers/fake-electron'));
vi.mock('electron-store', async () => await import('./helpers/fake-electron-store'));

const root = mkdtempSync(join(tmpdir(), 'ferry-main-'));
type Reply = { ok: boolean; value?: unknown; error?: { code: string } };
let win: fake.BrowserWindow;

/** Call an IPC command the way Electron does for a message from `sender`'s main frame (showing `frameUrl`). */
async function invoke(command: string, args: unknown[], sender = win.webContents, frameUrl?: string): Promise<Reply> {
  const handler = fake.ipcMain.handlers.get(command);
  if (!handler) throw new Error(`no handler for ${command}`);
  const frame = sender.mainFrame;
  const shown = frame.url;
  if (frameUrl !== undefined) frame.url = frameUrl;
  try {
    return (await handler({ sender, senderFrame: frame }, ...args)) as Reply;
  } finally {
    frame.url = shown;
  }
}

function trayItem(id: string): fake.FakeMenuItem | undefined {
  const menu = fake.Tray.all[0]?.menu?.template ?? [];
  return menu.find((i) => i.id === id);
}

beforeAll(async () => {
  fake.control.userDataRoot = root;
  await import('../../src-main/app/main');
  await vi.waitFor(() => {
    expect(fake.BrowserWindow.all).toHaveLength(1);
    expect(fake.Tray.all).toHaveLength(1);
  }, { timeout: 20_000 });
  win = fake.BrowserWindow.all[0]!;
  await vi.waitFor(() => expect(win.visible).toBe(true));
});

afterAll(async () => {
  fake.app.quit();
  await vi.waitFor(() => expect(fake.record.quitCalls).toBe(2), { timeout: 10_000 });
  rmSync(root, { recursive: true, force: true });
});

describe('Electron main, wired to the real engine', () => {
  it('opens one hardened window on our file:// renderer', () => {
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(win.options.webPreferences?.preload).toMatch(/preload\.cjs$/);
    expect(win.url).toMatch(/^file:\/\/.*\/renderer\/index\.html$/);
    expect(win.options.title).toBe('Ferry');
  });

  it('registers exactly one handler per contract command', () => {
    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual([...COMMAND_NAMES].sort());
  });

  it('answers our window with the engine state', async () => {
    const reply = await invoke('state:get', []);
    expect(reply).toMatchObject({ ok: true, value: { shell: 'desktop', pairs: [], overall: 'idle' } });
    expect((reply.value as { logDir: string }).logDir).toBe(join(root, 'logs'));
  });

  it('refuses another page and another webContents', async () => {
    expect(await invoke('state:get', [], win.webContents, 'https://evil.example/')).toMatchObject({ ok: false, error: { code: 'NOT_AUTHENTICATED' } });
    const other = new fake.BrowserWindow({}).webContents;
    fake.BrowserWindow.all.pop();
    expect(await invoke('state:get', [], other, win.url)).toMatchObject({ ok: false, error: { code: 'NOT_AUTHENTICATED' } });
  });

  it('refuses a sub-frame of our window, even one showing our page', async () => {
    const handler = fake.ipcMain.handlers.get('state:get');
    if (!handler) throw new Error('no handler');
    expect(await handler({ sender: win.webContents, senderFrame: { url: win.url } })).toMatchObject({ ok: false, error: { code: 'NOT_AUTHENTICATED' } });
  });

  it('returns engine validation errors as values', async () => {
    expect(await invoke('pair:pause', [42])).toMatchObject({ ok: false, error: { code: expect.any(String) } });
  });

  it('uses the native folder dialog for dialog:pickFolder', async () => {
    expect(await invoke('dialog:pickFolder', [null])).toEqual({ ok: true, value: '/home/ann/Picked' });
  });

  it('adds a pair, seals its token on disk, and offers its folder in the tray', async () => {
    const local = mkdtempSync(join(root, 'docs-'));
    const added = await invoke('pair:add', [{
      localPath: local, host: '127.0.0.1', port: 1, share: 'default', fingerprint: 'AB'.repeat(32), token: 'tok-secret',
      paused: true, ignore: [], rescanIntervalSec: 0, allowEmptyRoot: false, mode: 'two-way', allowForeignChanges: false,
    }]);
    expect(added).toMatchObject({ ok: true, value: { localPath: local } });
    const onDisk = JSON.parse(readFileSync(join(root, 'userData', 'settings.json'), 'utf8'));
    expect(onDisk.version).toBe(SETTINGS_VERSION);
    expect(onDisk.pairs[0].token).toBe(`enc:${Buffer.from('sealed:tok-secret').toString('base64')}`);
    await vi.waitFor(() => expect(trayItem('open-folder')?.enabled).toBe(true));
    trayItem('open-folder')?.click?.();
    await vi.waitFor(() => expect(fake.record.openedPaths).toContain(local));
  });

  it('pushes engine events to the window on the event channel', async () => {
    await vi.waitFor(() => expect(win.webContents.sent.some((m) => m[0] === 'ferry:event' && m[1] === 'stateChanged')).toBe(true));
  });

  it('hides the window on close instead of quitting', () => {
    win.close();
    expect(win.isDestroyed()).toBe(false);
    expect(win.isVisible()).toBe(false);
    expect(fake.record.quitCalls).toBe(0);
  });

  it('sets the CSP header on responses and denies permissions', () => {
    let headers: { responseHeaders: Record<string, string[]> } | undefined;
    fake.record.headerHandler?.({ responseHeaders: { 'content-security-policy': ['default-src *'] } }, (r) => { headers = r as typeof headers; });
    expect(headers?.responseHeaders['Content-Security-Policy']?.[0]).toContain("script-src 'self'");
    expect(headers?.responseHeaders['content-security-policy']).toBeUndefined();
    let granted: boolean | undefined;
    fake.record.permissionHandler?.(null, 'media', (ok: boolean) => { granted = ok; });
    expect(granted).toBe(false);
  });

  it('denies window.open, sending https links to the browser', () => {
    expect(win.webContents.openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
  });

  it('blocks navigation away from the UI', () => {
    const away = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    win.webContents.emit('will-navigate', away, 'https://evil.example/');
    expect(away.defaultPrevented).toBe(true);
    const same = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    win.webContents.emit('will-navigate', same, `${win.url}#/settings`);
    expect(same.defaultPrevented).toBe(false);
  });

  it('shows a tray status line and writes its logs under the logs path', () => {
    expect(fake.Tray.all[0]?.tooltip).toMatch(/^Ferry — /);
    expect(existsSync(join(root, 'logs', 'ferry.log'))).toBe(true);
  });
});
