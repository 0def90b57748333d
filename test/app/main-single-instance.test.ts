/** A second Ferry must leave at once (the first one shows its window): main.ts under a fake `electron`. */
import { expect, it, vi } from 'vitest';
import { waitFor } from '../helpers/trees';
import * as fake from './helpers/fake-electron';

vi.mock('electron', async () => await import('./helpers/fake-electron'));
vi.mock('electron-store', () => ({ default: class {} }));

it('quits without a window or tray when the single-instance lock is taken', async () => {
  fake.control.lock = false;
  await import('../../src-main/app/main');
  // main.ts asks for the lock at start-up, asynchronously: wait for the quit it leads to, not for a fixed time.
  await waitFor(() => fake.record.quitCalls > 0, 'app.quit()');
  expect(fake.record.quitCalls).toBe(1);
  expect(fake.BrowserWindow.all).toHaveLength(0);
  expect(fake.Tray.all).toHaveLength(0);
  expect(fake.ipcMain.handlers.size).toBe(0);
});
