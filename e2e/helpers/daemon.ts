/** Starts the real `ferry daemon --gui` (and finds free ports) for the daemon e2e project. */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { spawnFerry, type FerryProc } from '../../test/helpers/ferry-procs';

/** A running daemon and the web GUI addresses it printed. */
export interface DaemonInfo {
  /** `http://127.0.0.1:PORT/`: the same for every start on the same port. */
  url: string;
  /** `http://127.0.0.1:PORT/login?once=…`: this start's one-time login link. */
  loginUrl: string;
  proc: FerryProc;
}

/**
 * `ferry daemon --config DIR/settings.json --state DIR/state --gui 127.0.0.1:PORT --json`, with HOME set
 * to `dir` so defaults (server root, logs) never touch the real home folder. The same `dir` and `port`
 * restart the same daemon.
 */
export async function startDaemon(dir: string, port: number): Promise<DaemonInfo> {
  const proc = spawnFerry(
    ['daemon', '--config', join(dir, 'settings.json'), '--state', join(dir, 'state'), '--gui', `127.0.0.1:${port}`, '--json'],
    { HOME: dir, XDG_STATE_HOME: join(dir, 'xdg-state'), XDG_CONFIG_HOME: join(dir, 'xdg-config') },
  );
  const line = await proc.waitForLine((l) => l.event === 'guiListening', 30_000);
  return { url: String(line.url), loginUrl: String(line.loginUrl), proc };
}

/** A TCP port free right now on 127.0.0.1 (for the server-mode port typed into the UI). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}
