/**
 * "Start at login". macOS and Windows have app.setLoginItemSettings; Linux has no such API, so there
 * an XDG autostart entry (~/.config/autostart/dev.ferry.app.desktop) is written or removed instead.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Argument telling Ferry it was started by the session, so the window stays hidden in the tray. */
export const HIDDEN_ARG = '--hidden';

/** The XDG autostart file name. */
export const AUTOSTART_FILE = 'dev.ferry.app.desktop';

/** Contents of the Linux autostart entry launching `exec` hidden; the path is quoted per the Desktop Entry spec. */
export function autostartEntry(exec: string): string {
  const quoted = `"${exec.replace(/(["`$\\])/g, '\\$1')}"`;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Ferry',
    'Comment=Folder sync with your own server',
    `Exec=${quoted} ${HIDDEN_ARG}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Write or remove the Linux autostart entry in `configHome` (normally ~/.config). */
export function applyLinuxAutostart(enabled: boolean, configHome: string, exec: string): void {
  const dir = join(configHome, 'autostart');
  const file = join(dir, AUTOSTART_FILE);
  if (!enabled) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, autostartEntry(exec));
}
