/** The one Ferry window: sandboxed, isolated, our own file:// page only; closing it hides it in the tray. */
import { BrowserWindow, shell } from 'electron';
import { isSameDocument } from './ipc-handlers';

/** Where the window's pieces live. */
export interface WindowOptions {
  preload: string;
  /** file:// URL of dist/renderer/index.html. */
  rendererUrl: string;
  icon: string;
  show: boolean;
  /** False while the app runs: closing only hides. Set to true before quitting. */
  isQuitting: () => boolean;
  onProblem: (message: string, details?: object) => void;
}

/** Create the window and load the UI. */
export function createMainWindow(opts: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1040,
    height: 700,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Ferry',
    icon: opts.icon,
    autoHideMenuBar: true,
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });

  // New windows: never inside Ferry. Plain https links (help pages) go to the user's browser.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    else opts.onProblem('blocked window.open', { url });
    return { action: 'deny' };
  });
  // Navigation away from our page (a dropped file, a crafted link) is refused.
  const guard = (event: { preventDefault(): void }, url: string) => {
    if (isSameDocument(url, opts.rendererUrl)) return;
    event.preventDefault();
    opts.onProblem('blocked navigation', { url });
  };
  win.webContents.on('will-navigate', guard);
  win.webContents.on('will-redirect', guard);
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.webContents.on('render-process-gone', (_event, details) => {
    opts.onProblem('renderer process gone; reloading', details);
    if (details.reason !== 'clean-exit' && !win.isDestroyed()) void win.loadURL(opts.rendererUrl);
  });

  win.on('close', (event) => {
    if (opts.isQuitting()) return;
    event.preventDefault();
    win.hide();
  });
  if (opts.show) win.once('ready-to-show', () => win.show());
  void win.loadURL(opts.rendererUrl);
  return win;
}

/** Bring the window to the front (restoring it when minimised). */
export function showWindow(win: BrowserWindow | null): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
