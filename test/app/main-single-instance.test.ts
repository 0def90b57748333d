/** A second Ferry must leave at once (the first one shows its window): main.ts under a fake `electron`. */
import { expect, it, vi } from 'vitest';
import * as fake from './helpers/fake-electron';

vi.mock('electron', async () => await import('./helpers/fake-electron'));
vi.mock('electron-store', () => ({ default: class {} }));

it('quits without a window or tray when the single-instance lock is taken', async () => {
  fake.control.lock = false;
  await import('../../src-main/app/main');
  await new Promise((r) => setTimeout(r, 200));
  expect(fake.record.quitCalls).toBe(1);
  expect(fake.BrowserWindow.all).toHaveLength(0);
  expect(fake.Tray.all).toHaveLength(0);
  expect(fake.ipcMain.handlers.size).toBe(0);
});
