/**
 * `listening.json` in a server's state folder: where a running `ferry serve` listens, so that
 * `ferry tokens add --state DIR` can make an invite with the real port (also one picked with --port 0).
 */
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Name of the file inside the state folder. */
export const ENDPOINT_FILE = 'listening.json';

/** What a running server records about where clients reach it. */
export interface ServerEndpoint {
  /** The address it is bound to (may be 0.0.0.0 or ::). */
  host: string;
  port: number;
  shares: string[];
  fingerprint: string;
  pid: number;
}

/** Record the endpoint of the server running now. */
export async function writeEndpoint(stateDir: string, endpoint: ServerEndpoint): Promise<void> {
  await writeFile(join(stateDir, ENDPOINT_FILE), JSON.stringify(endpoint, null, 2) + '\n', { mode: 0o600 });
}

/** Forget it when the server stops. */
export async function removeEndpoint(stateDir: string): Promise<void> {
  await rm(join(stateDir, ENDPOINT_FILE), { force: true });
}

/** The endpoint of a server on `stateDir` whose process still exists, else null. */
export function readEndpoint(stateDir: string): ServerEndpoint | null {
  let data: Partial<ServerEndpoint>;
  try {
    data = JSON.parse(readFileSync(join(stateDir, ENDPOINT_FILE), 'utf8')) as Partial<ServerEndpoint>;
  } catch {
    return null;
  }
  if (typeof data.host !== 'string' || typeof data.port !== 'number' || !Array.isArray(data.shares) || typeof data.pid !== 'number' || typeof data.fingerprint !== 'string') return null;
  // A server killed without cleaning up left the file: its port may now be anyone's.
  if (!processAlive(data.pid)) return null;
  return data as ServerEndpoint;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
