/**
 * A stand-in for the `electron` module, just large enough to run src-main/app/main.ts under Node:
 * it records what the app asks of Electron so tests can check the wiring (no Electron binary runs here).
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';

type Listener = (...args: unknown[]) => unknown;
/** A tray/context menu entry as main.ts builds it. */
export interface FakeMenuItem { id?: string; label?: string; enabled?: boolean; checked?: boolean; click?: () => void; submenu?: FakeMenuItem[] }

/** Settings of the fake, set by a test before importing main.ts. */
export const control = { userDataRoot: '/nonexistent', lock: true, picked: '/home/ann/Picked' as string | null };

/** What the app did. */
export const record = {
  quitCalls: 0,
  exitCodes: [] as number[],
  errorBoxes: [] as [string, string][],
  openedPaths: [] as string[],
  notifications: [] as { title: string; body: string }[],
  loginItems: [] as unknown[],
  appMenu: undefined as unknown,
  headerHandler: null as null | ((details: { responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void),
  permissionHandler: null as null | Listener,
};

function preventable() {
  return { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
}

class FakeApp extends EventEmitter {
  isPackaged = false;
  requestSingleInstanceLock() { return control.lock; }
  setAppUserModelId() {}
  whenReady() { return Promise.resolve(); }
  isReady() { return true; }
  getVersion() { return '0.1.0'; }
  getPath(name: string) { return join(control.userDataRoot, name); }
  getLoginItemSettings() { return { wasOpenedAtLogin: false }; }
  setLoginItemSettings(s: unknown) { record.loginItems.push(s); }
  quit() {
    record.quitCalls += 1;
    this.emit('before-quit', preventable());
  }
  exit(code: number) { record.exitCodes.push(code); }
}
export const app = new FakeApp();

class FakeWebContents extends EventEmitter {
  static nextId = 1;
  id = FakeWebContents.nextId++;
  mainFrame = { url: '' };
  sent: unknown[][] = [];
  openHandler: Listener | null = null;
  send(...args: unknown[]) { this.sent.push(args); }
  setWindowOpenHandler(fn: Listener) { this.openHandler = fn; }
}

export class BrowserWindow extends EventEmitter {
  static all: BrowserWindow[] = [];
  static getAllWindows() { return BrowserWindow.all; }
  webContents = new FakeWebContents();
  visible = false;
  destroyed = false;
  url = '';
  constructor(readonly options: { title?: string; webPreferences?: Record<string, unknown> }) {
    super();
    BrowserWindow.all.push(this);
  }
  async loadURL(url: string) {
    this.url = url;
    this.webContents.mainFrame.url = url;
    setImmediate(() => this.emit('ready-to-show'));
  }
  show() { this.visible = true; }
  hide() { this.visible = false; }
  focus() {}
  restore() {}
  isVisible() { return this.visible; }
  isMinimized() { return false; }
  isDestroyed() { return this.destroyed; }
  /** What clicking the window's close button does. */
  close() {
    const e = preventable();
    this.emit('close', e);
    if (!e.defaultPrevented) this.destroyed = true;
  }
}

export class Tray extends EventEmitter {
  static all: Tray[] = [];
  image: unknown;
  tooltip = '';
  menu: { template: FakeMenuItem[] } | null = null;
  destroyed = false;
  constructor(image: unknown) {
    super();
    this.image = image;
    Tray.all.push(this);
  }
  setImage(image: unknown) { this.image = image; }
  setToolTip(t: string) { this.tooltip = t; }
  setContextMenu(m: { template: FakeMenuItem[] }) { this.menu = m; }
  destroy() { this.destroyed = true; }
}

export const Menu = {
  buildFromTemplate: (template: FakeMenuItem[]) => ({ template }),
  setApplicationMenu: (m: unknown) => { record.appMenu = m; },
};

export const nativeImage = { createFromPath: (path: string) => ({ path }) };

export class Notification extends EventEmitter {
  static isSupported() { return true; }
  constructor(readonly options: { title: string; body: string }) { super(); }
  show() { record.notifications.push({ title: this.options.title, body: this.options.body }); }
}

export const ipcMain = {
  handlers: new Map<string, Listener>(),
  handle(channel: string, fn: Listener) {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, fn);
  },
  removeHandler(channel: string) { this.handlers.delete(channel); },
};

export const dialog = {
  showOpenDialog: async () => (control.picked === null ? { canceled: true, filePaths: [] } : { canceled: false, filePaths: [control.picked] }),
  showErrorBox: (title: string, body: string) => { record.errorBoxes.push([title, body]); },
};

export const shell = {
  openPath: async (p: string) => { record.openedPaths.push(p); return ''; },
  openExternal: async () => {},
};

export const safeStorage = {
  isEncryptionAvailable: () => true,
  getSelectedStorageBackend: () => 'gnome_libsecret',
  encryptString: (s: string) => Buffer.from(`sealed:${s}`),
  decryptString: (b: Buffer) => b.toString().replace(/^sealed:/, ''),
};

export const session = {
  defaultSession: {
    webRequest: { onHeadersReceived: (fn: typeof record.headerHandler) => { record.headerHandler = fn; } },
    setPermissionRequestHandler: (fn: Listener) => { record.permissionHandler = fn; },
  },
};

export default { app, BrowserWindow, Tray, Menu, nativeImage, Notification, ipcMain, dialog, shell, safeStorage, session };
