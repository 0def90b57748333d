/** Fixtures for client integration tests: a real FerryServer on 127.0.0.1 and SyncSessions pointed at it. */
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { FerryServer } from '../../src-main/engine/server/ferry-server';
import { SyncSession, type SyncOptions } from '../../src-main/engine/client/sync-session';
import type { ConflictRecord, ConnectionTarget, PairState, TransferRecord } from '../../src-shared/model/index';
import { tempDir, waitFor } from '../helpers/trees';

/** A running server with one share "default", plus a client folder. */
export interface ClientWorld {
  server: FerryServer;
  port: number;
  share: string;
  client: string;
  stateDir: string;
  target: ConnectionTarget;
  session(extra?: Partial<SyncOptions>): Recorder;
  restart(): Promise<void>;
  stopServer(): Promise<void>;
  close(): Promise<void>;
}

/** A session and everything it reported. */
export interface Recorder {
  s: SyncSession;
  states: PairState[];
  transfers: TransferRecord[];
  conflicts: ConflictRecord[];
  /** Upload records that finished (completed). */
  uploads(): TransferRecord[];
}

/** Start a server on an ephemeral port; `restart` brings it back on the same port (same state, same token). */
export async function startWorld(): Promise<ClientWorld> {
  const base = await tempDir('ferry-client-');
  const share = join(base, 'share');
  const client = join(base, 'client');
  const serverState = join(base, 'server-state');
  await mkdir(share);
  await mkdir(client);
  let server = await FerryServer.create({ host: '127.0.0.1', port: 0, stateDir: serverState, shares: { default: share }, durability: 'none' });
  const { port } = await server.listen();
  const { token } = await server.tokens.add('client tests');
  const target: ConnectionTarget = { host: '127.0.0.1', port, share: 'default', fingerprint: server.fingerprint, token };
  const sessions: SyncSession[] = [];
  let running = true;
  const world: ClientWorld = {
    server, port, share, client, stateDir: join(base, 'client-state'), target,
    session(extra = {}) {
      const s = new SyncSession({ pairId: 'p1', localPath: client, target, clientId: 'test-client', stateDir: join(base, 'client-state'), rescanIntervalSec: 0, ...extra });
      sessions.push(s);
      const rec: Recorder = {
        s, states: [], transfers: [], conflicts: [],
        uploads: () => rec.transfers.filter((t) => t.kind === 'upload' && t.status === 'completed'),
      };
      s.on('stateChanged', (st) => rec.states.push(st));
      s.on('transferUpdated', (t) => rec.transfers.push(t));
      s.on('conflictDetected', (c) => rec.conflicts.push(c));
      return rec;
    },
    async stopServer() {
      if (!running) return;
      running = false;
      await server.close();
    },
    async restart() {
      await world.stopServer();
      server = await FerryServer.create({ host: '127.0.0.1', port, stateDir: serverState, shares: { default: share }, durability: 'none' });
      await server.listen();
      world.server = server;
      running = true;
    },
    async close() {
      await Promise.all(sessions.map((s) => s.stop().catch(() => {})));
      await world.stopServer();
    },
  };
  return world;
}

/** Wait until the session reports `status`. */
export async function waitForStatus(r: Recorder, status: PairState['status'], timeoutMs = 15_000): Promise<void> {
  await waitFor(() => r.s.state.status === status, `status ${status} (now ${r.s.state.status}, last error ${JSON.stringify(r.s.state.lastError)})`, timeoutMs, 20);
}
