/** Types of electron-binary.mjs (used by the Electron e2e spec). */
export type ElectronLookup = { ok: true; path: string } | { ok: false; reason: string };
/** Path of the Electron executable under `root`/node_modules/electron, or why there is none; never downloads. */
export function findElectron(root: string, env?: NodeJS.ProcessEnv): ElectronLookup;
/** Whether a GUI can be shown (macOS, Windows, or DISPLAY / WAYLAND_DISPLAY set). */
export function hasDisplay(env?: NodeJS.ProcessEnv, platform?: NodeJS.Platform): boolean;
