// `npm start`: build, then run the desktop app when Electron can run here; otherwise run the same
// engine headless with the web GUI (the daemon prints the URL to open).
import { spawn, spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectron, hasDisplay } from './electron-binary.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const electron = findElectron(root);
const display = hasDisplay();
let child;
if (electron.ok && display) {
  child = spawn(electron.path, ['.', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
} else {
  const why = electron.ok ? 'no display' : electron.reason;
  console.log(`No Electron binary here (or no display): starting Ferry headless with the web GUI (${why})`);
  child = spawn(process.execPath, ['bin/ferry.js', 'daemon', '--config', userConfigFile(), '--gui', '127.0.0.1:7780', ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
  });
}
// Ctrl-C reaches the child through the terminal's process group; exit with its code once it is done.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

/** The headless settings file: $XDG_CONFIG_HOME/ferry/settings.json (~/.config/… when unset), per-user app data elsewhere. */
function userConfigFile() {
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Ferry', 'daemon-settings.json');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Ferry', 'daemon-settings.json');
  const xdg = process.env.XDG_CONFIG_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.config'), 'ferry', 'settings.json');
}
