/**
 * Sandboxed preload: exposes `window.ferry`, a FerryApi limited to the contract's commands and events.
 * ipcRenderer itself never reaches the page. Bundled to CommonJS (sandboxed preloads cannot load ESM).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createFerryApi } from './ferry-api';

contextBridge.exposeInMainWorld('ferry', createFerryApi(ipcRenderer));
