/** Where the CLI keeps its state, and the stable id of this client. */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Per-user state folder: $XDG_STATE_HOME/ferry/<part> or ~/.local/state/ferry/<part>. */
export function cliStateDir(part: 'client' | 'server'): string {
  const base = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'ferry', part);
}

/** A random id made once per state folder, so the server can tell clients apart across restarts. */
export async function readOrCreateClientId(stateDir: string): Promise<string> {
  const file = join(stateDir, 'client-id');
  try {
    const id = (await readFile(file, 'utf8')).trim();
    if (id) return id;
  } catch {
    // first run: fall through and create it
  }
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const id = randomUUID();
  await writeFile(file, id + '\n', { mode: 0o600 });
  return id;
}
