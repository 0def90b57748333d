/**
 * Electron main process: one instance, one window, a tray, and the shared engine behind typed IPC.
 * Everything here is wiring; the decisions live in pure modules (tray-menu, ipc-handlers, notification-*,
 * settings-secrets) that are unit-tested without Electron.
 */
import { homedir, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, dialog, ipcMain, Menu, safeStorage, session, shell, type BrowserWindow } from 'electron';
import type { AppState } from '../../src-shared/ipc';
import type { TransferRecord } from '../../src-shared/model';
import { createEngine, type Engine } from '../engine/create-engine';
import { loadOrCreateClientId } from '../engine/controller/paths';
import { FerryError, toFerryError } from '../engine/errors';
import { createLoggers, type Loggers } from '../engine/log';
import { withCsp } from './content-security-policy';
import { DesktopNotifier } from './desktop-notifier';
import { forwardEngineEvents, registerIpcHandlers } from './ipc-handlers';
import { applyLinuxAutostart, HIDDEN_ARG } from './login-item';
import type { Encryptor } from './settings-secrets';
import { openElectronSettingsPort } from './settings-store';
import { TrayController } from './tray';
import type { TrayAction, TrayModelInput } from './tray-menu';
import { createMainWindow, showWindow } from './window';

// dist/app/main.js → dist/app (preload), dist/renderer (UI), assets/ (icons) — the same inside the asar.
const APP_DIR = dirname(fileURLToPath(import.meta.url));
const PRELOAD = join(APP_DIR, 'preload.cjs');
const RENDERER_URL = pathToFileURL(join(APP_DIR, '..', 'renderer', 'index.html')).href;
const ASSETS = join(APP_DIR, '..', '..', 'assets');
const RECENT_KEPT = 50;

if (!app.requestSingleInstanceLock()) {
  // Another Ferry runs: it shows its window (second-instance below) and this one leaves.
  app.quit();
} else {
  app.setAppUserModelId('dev.ferry.app');
  void app.whenReady().then(start).catch((err: unknown) => {
    const e = toFerryError(err);
    dialog.showErrorBox(e.code === 'CONFIG_INVALID' ? 'Ferry cannot read its settings' : 'Ferry could not start', e.message);
    app.exit(1);
  });
}

async function start(): Promise<void> {
  const logDir = app.getPath('logs');
  const loggers: Loggers = createLoggers(logDir, 'info');
  loggers.debug.info({ version: app.getVersion(), electron: process.versions.electron, platform: process.platform }, 'Ferry desktop starting');

  const { port: settingsPort, settings } = await openSettings(loggers.debug);
  // Children copy their parent's level when created: set it before any is made.
  loggers.debug.level = settings.ui.logLevel;
  const log = loggers.debug.child({ part: 'app' });

  let win: BrowserWindow | null = null;
  let quitting = false;
  const stateDir = join(app.getPath('userData'), 'state');
  const engine: Engine = createEngine(
    {
      settings: settingsPort,
      stateDir,
      logDir,
      shell: 'desktop',
      openPath: async (path) => {
        const problem = await shell.openPath(path);
        if (problem) throw new FerryError('IO_ERROR', `Cannot open ${path}: ${problem}`, { path });
      },
      pickFolder: async (current) => {
        const options = { title: 'Choose a folder to sync', defaultPath: current ?? homedir(), properties: ['openDirectory', 'createDirectory'] as Array<'openDirectory' | 'createDirectory'> };
        const result = win && !win.isDestroyed() ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
        return result.canceled ? null : (result.filePaths[0] ?? null);
      },
      log: loggers,
      clientId: loadOrCreateClientId(stateDir),
      clientName: hostname(),
    },
    settings,
  );

  hardenSessions(log);
  const unregister = registerIpcHandlers(
    ipcMain,
    { engine, rendererUrl: RENDERER_URL, onRejected: (reason, command) => log.warn({ command: String(command) }, reason) },
    () => (win && !win.isDestroyed() ? win.webContents : null),
  );

  const startHidden = process.argv.includes(HIDDEN_ARG) || (process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin);
  win = createMainWindow({
    preload: PRELOAD,
    rendererUrl: RENDERER_URL,
    icon: join(ASSETS, 'icon-256.png'),
    show: !startHidden,
    isQuitting: () => quitting,
    onProblem: (message, details) => log.warn(details ?? {}, message),
  });
  forwardEngineEvents(engine, (channel, name, payload) => {
    if (win && !win.isDestroyed()) win.webContents.send(channel, name, payload);
  });
  if (process.platform !== 'darwin') Menu.setApplicationMenu(null);
  app.on('second-instance', () => showWindow(win));
  app.on('activate', () => showWindow(win));
  // The tray keeps Ferry alive without a window; quitting is explicit (tray menu, OS logout).
  app.on('window-all-closed', () => undefined);

  const recent = new Map<string, TransferRecord>();
  let state: AppState = engine.state();
  const trayInput = (): TrayModelInput => ({
    overall: state.overall,
    pairs: state.pairs,
    pairStates: state.pairStates,
    conflicts: state.conflicts,
    serverEnabled: state.server.enabled,
    serverError: state.server.lastError?.message ?? null,
    recentTransfers: [...recent.values()],
  });
  const run = (action: TrayAction): void => {
    const done = (p: Promise<unknown>) => void p.catch((err: unknown) => log.warn({ err: toFerryError(err).toInfo(), action }, 'tray action failed'));
    switch (action.type) {
      case 'openWindow':
        return showWindow(win);
      case 'pauseAll':
        return done(engine.handle('sync:pauseAll', []));
      case 'resumeAll':
        return done(engine.handle('sync:resumeAll', []));
      case 'setServerMode':
        return done(engine.handle('server:setEnabled', [action.enabled]));
      case 'openFolder':
        return done(engine.handle('pair:openFolder', [action.pairId]));
      case 'quit':
        return app.quit();
    }
  };
  const tray = new TrayController(ASSETS, run, trayInput());
  const notifier = new DesktopNotifier(join(ASSETS, 'icon-256.png'), () => showWindow(win));
  notifier.stateChanged(state);
  let loginItem = applyLoginItem(state.ui.startAtLogin, log, null);

  engine.on('stateChanged', (next) => {
    state = next;
    tray.update(trayInput());
    notifier.stateChanged(next);
    loginItem = applyLoginItem(next.ui.startAtLogin, log, loginItem);
  });
  engine.on('transfersUpdated', (batch) => {
    for (const r of batch) {
      recent.delete(r.id); // re-insert: the Map's order is "most recently updated last"
      recent.set(r.id, r);
    }
    while (recent.size > RECENT_KEPT) recent.delete(recent.keys().next().value as string);
    tray.update(trayInput());
    notifier.transfersUpdated(batch);
  });

  let stopped = false;
  let stopping: Promise<void> | null = null;
  app.on('before-quit', (event) => {
    quitting = true;
    if (stopped) return;
    // Stop the engine (flush transfers, close sockets) before Electron tears everything down.
    event.preventDefault();
    if (stopping) return;
    stopping = (async () => {
      notifier.close();
      unregister();
      await Promise.race([engine.stop(), new Promise((r) => setTimeout(r, 5000))]).catch((err: unknown) => log.error({ err }, 'engine stop failed'));
      log.info('Ferry desktop stopped');
      tray.destroy();
      await loggers.close();
    })().finally(() => {
      stopped = true;
      app.quit();
    });
  });

  await engine.start();
  for (const r of await engine.handle('transfers:recent', [RECENT_KEPT])) recent.set(r.id, r);
  tray.update(trayInput());
  log.info({ logDir, stateDir, hidden: startHidden }, 'Ferry desktop ready');
}

/** Settings through electron-store, tokens sealed by the OS keychain; a broken file throws CONFIG_INVALID (never overwritten). */
async function openSettings(log: Loggers['debug']) {
  const encryptor: Encryptor = {
    // Linux without a keyring falls back to a hard-coded key ("basic_text"): that is not encryption, say so instead.
    isEncryptionAvailable: () =>
      safeStorage.isEncryptionAvailable() && !(process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text'),
    encryptString: (plain) => safeStorage.encryptString(plain),
    decryptString: (sealed) => safeStorage.decryptString(sealed),
  };
  try {
    const { port, path } = await openElectronSettingsPort({ home: homedir(), encryptor, log });
    const settings = port.load();
    log.info({ file: path, keychain: encryptor.isEncryptionAvailable(), pairs: settings.pairs.length }, 'settings loaded');
    return { port, settings };
  } catch (err) {
    const e = toFerryError(err);
    log.error({ err: e.toInfo() }, 'settings unusable');
    throw e;
  }
}

/** CSP header on every response, and no permission (camera, notifications API, …) for any page. */
function hardenSessions(log: Loggers['debug']): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders) });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => {
    log.warn({ permission }, 'permission request denied');
    callback(false);
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

/** Follow the "start at login" setting; returns what is now applied so unchanged states cost nothing. */
function applyLoginItem(enabled: boolean, log: Loggers['debug'], applied: boolean | null): boolean | null {
  if (enabled === applied) return applied;
  try {
    if (process.platform === 'linux') {
      // Only a packaged app has a stable executable to start (an AppImage moves: use its own path).
      if (!app.isPackaged) {
        log.info({ enabled }, 'start at login: not applied when running from source');
        return enabled;
      }
      applyLinuxAutostart(enabled, app.getPath('appData'), process.env.APPIMAGE ?? process.execPath);
    } else {
      app.setLoginItemSettings({ openAtLogin: enabled, args: [HIDDEN_ARG] });
    }
    log.info({ enabled }, 'start at login updated');
    return enabled;
  } catch (err) {
    log.warn({ err: toFerryError(err).toInfo() }, 'start at login could not be changed');
    return applied;
  }
}
