/** Fixtures for two-way tests: one real server (TLS on 127.0.0.1) and several devices, each a folder with its own state. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createPairSession, type PairSession, type PairSessionOptions } from '../../src-main/engine/client/pair-session';
import { FerryServer } from '../../src-main/engine/server/ferry-server';
import type { ConflictRecord, ConnectionTarget, SyncMode, TransferRecord } from '../../src-shared/model/index';
import { tempDir, waitFor } from '../helpers/trees';

/** One device: a folder and the sessions run for it. */
export interface Device {
  name: string;
  dir: string;
  state: string;
  transfers: TransferRecord[];
  conflicts: ConflictRecord[];
  /** A session for this device (runOnce or start it). */
  session(mode?: SyncMode, extra?: Partial<PairSessionOptions>): PairSession;
}

/** A server with one share and devices pointed at it. */
export interface TwoWayWorld {
  server: FerryServer;
  share: string;
  target: ConnectionTarget;
  device(name: string): Promise<Device>;
  restartServer(): Promise<void>;
  close(): Promise<void>;
}

/** Start the server (durable off: tests do not measure flushes). */
export async function startTwoWayWorld(): Promise<TwoWayWorld> {
  const base = await tempDir('ferry-2way-');
  const share = join(base, 'share');
  const serverState = join(base, 'server-state');
  await mkdir(share);
  const make = () => FerryServer.create({ host: '127.0.0.1', port: 0, stateDir: serverState, shares: { default: share }, durability: 'none' });
  let server = await make();
  const { port } = await server.listen();
  const { token } = await server.tokens.add('two-way tests');
  const target: ConnectionTarget = { host: '127.0.0.1', port, share: 'default', fingerprint: server.fingerprint, token };
  const sessions: PairSession[] = [];
  const world: TwoWayWorld = {
    server,
    share,
    target,
    async device(name) {
      const dir = join(base, `dev-${name}`);
      const state = join(base, `state-${name}`);
      await mkdir(dir, { recursive: true });
      const d: Device = {
        name, dir, state, transfers: [], conflicts: [],
        session(mode = 'two-way', extra = {}) {
          const s = createPairSession({ pairId: 'p', localPath: dir, target, clientId: `id-${name}`, clientName: name, stateDir: state, rescanIntervalSec: 0, mode, ...extra });
          s.on('transferUpdated', (t) => d.transfers.push(t));
          s.on('conflictDetected', (c) => d.conflicts.push(c));
          sessions.push(s);
          return s;
        },
      };
      return d;
    },
    async restartServer() {
      await server.close();
      server = await FerryServer.create({ host: '127.0.0.1', port, stateDir: serverState, shares: { default: share }, durability: 'none' });
      await server.listen();
      world.server = server;
    },
    async close() {
      await Promise.all(sessions.map((s) => s.stop().catch(() => undefined)));
      await server.close();
    },
  };
  return world;
}

/** Wait until a live session says it is up to date. */
export async function waitWatching(s: PairSession, timeoutMs = 20_000): Promise<void> {
  await waitFor(() => s.state.status === 'watching', `watching (now ${s.state.status}, ${JSON.stringify(s.state.lastError)})`, timeoutMs, 20);
}
