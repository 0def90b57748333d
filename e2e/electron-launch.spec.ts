// The real desktop app under Playwright's Electron driver: the window opens, is titled Ferry, is
// isolated from Node and reaches the engine through window.ferry. Skipped, with the reason, where no
// Electron binary can run (Electron ≥ 42 downloads it lazily; machines without network have none).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test } from '@playwright/test';
import { findElectron, hasDisplay } from '../scripts/electron-binary.mjs';
import type { FerryApi } from '../src-shared/ipc';

declare global {
  interface Window {
    ferry?: FerryApi;
  }
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

test('the desktop app opens one isolated window titled Ferry', async () => {
  const found = findElectron(ROOT);
  test.skip(!found.ok, `No Electron binary on this machine: ${found.ok ? '' : found.reason}`);
  test.skip(!hasDisplay(), 'No display for Electron here: run under xvfb-run or set DISPLAY');
  if (!found.ok) return;

  // A throwaway profile: settings, state and logs of the test never touch the user's.
  const home = mkdtempSync(join(tmpdir(), 'ferry-electron-e2e-'));
  const app = await electron.launch({
    executablePath: found.path,
    args: [ROOT, `--user-data-dir=${join(home, 'user-data')}`],
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), ELECTRON_ENABLE_LOGGING: '1' },
    timeout: 60_000,
  });
  try {
    const win = await app.firstWindow();
    await expect(win).toHaveTitle('Ferry');
    expect(app.windows()).toHaveLength(1);
    // Sandboxed and isolated: no Node in the page, only the contract's API.
    expect(await win.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await win.evaluate(() => Object.keys(window.ferry ?? {}).sort())).toEqual(['invoke', 'on']);
    const state = await win.evaluate(() => window.ferry!.invoke('state:get'));
    expect(state.shell).toBe('desktop');
    // Commands outside the contract never reach IPC.
    expect(await win.evaluate(() => {
      try {
        (window.ferry as unknown as { invoke(c: string): unknown }).invoke('shell:exec');
        return 'sent';
      } catch (e) {
        return (e as Error).message;
      }
    })).toMatch(/unknown command/);
    // Closing the window keeps Ferry running in the tray: the window is hidden, not destroyed.
    const afterClose = await app.evaluate(({ BrowserWindow }) => {
      const w = BrowserWindow.getAllWindows()[0];
      w?.close();
      return { windows: BrowserWindow.getAllWindows().length, visible: w?.isVisible() ?? null };
    });
    expect(afterClose).toEqual({ windows: 1, visible: false });
  } finally {
    await app.evaluate(({ app: a }) => a.quit()).catch(() => undefined);
    await app.close().catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  }
});
