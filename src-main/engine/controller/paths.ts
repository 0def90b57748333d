/** Where a headless Ferry keeps its state, and the stable id this machine presents to servers. */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** `$XDG_STATE_HOME/ferry`, or `~/.local/state/ferry` when XDG_STATE_HOME is unset or not absolute (per the XDG spec). */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const xdg = env.XDG_STATE_HOME;
  return xdg && isAbsolute(xdg) ? join(xdg, 'ferry') : join(home, '.local', 'state', 'ferry');
}

const CLIENT_ID_FILE = 'client-id';

/** The client id stored in `stateDir` (created once): servers use it to tell this machine's sessions apart. */
export function loadOrCreateClientId(stateDir: string): string {
  const file = join(stateDir, CLIENT_ID_FILE);
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (/^[A-Za-z0-9-]{8,64}$/.test(id)) return id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const id = randomUUID();
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${id}\n`, { mode: 0o600 });
  return id;
}
