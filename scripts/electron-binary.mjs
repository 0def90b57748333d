// Is there a runnable Electron here? Answers without requiring the `electron` package, because since
// Electron 42 that require downloads the binary on first use (no network here: it would hang or fail).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Path of the Electron executable installed under `root`/node_modules/electron, or the reason there is none.
 * Mirrors electron/index.js: path.txt names the executable inside dist/ (or ELECTRON_OVERRIDE_DIST_PATH).
 * @returns {{ ok: true, path: string } | { ok: false, reason: string }}
 */
export function findElectron(root, env = process.env) {
  const pkg = join(root, 'node_modules', 'electron');
  if (!existsSync(join(pkg, 'package.json'))) return { ok: false, reason: 'the electron package is not installed' };
  const pathFile = join(pkg, 'path.txt');
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const exe = join(env.ELECTRON_OVERRIDE_DIST_PATH, name || 'electron');
    return existsSync(exe) ? { ok: true, path: exe } : { ok: false, reason: `ELECTRON_OVERRIDE_DIST_PATH has no ${name || 'electron'}` };
  }
  if (name === null) return { ok: false, reason: 'node_modules/electron has no downloaded binary (no path.txt; Electron downloads it lazily and this machine cannot)' };
  const exe = join(pkg, 'dist', name);
  return existsSync(exe) ? { ok: true, path: exe } : { ok: false, reason: `the Electron binary ${exe} is missing` };
}

/** Whether a GUI can be shown: always on macOS and Windows, with an X11 or Wayland display elsewhere. */
export function hasDisplay(env = process.env, platform = process.platform) {
  return platform === 'darwin' || platform === 'win32' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}
