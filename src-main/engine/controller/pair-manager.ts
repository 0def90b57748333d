/** The folder pairs: persisted in settings, one running session (of the pair's mode) per pair that is not paused. */
import { createHash, randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ConflictRecord, FolderPair, FolderPairInput, PairId, PairState, TransferRecord } from '../../../src-shared/model';
import { FerryError, toFerryError } from '../errors';
import type { Logger } from '../log';
import { createPairSession, type PairSession } from './engine-deps';
import type { SettingsAccess } from './settings-access';

/** What the pair manager needs from the engine around it. */
export interface PairManagerDeps {
  settings: SettingsAccess;
  stateDir: string;
  clientId: string;
  clientName: string;
  log: Logger;
  transferLog: Logger;
  onStateChanged(): void;
  onTransfer(record: TransferRecord): void;
  onConflict(record: ConflictRecord): void;
  /** A two-way pair's conflict copy is gone (its conflict is settled). */
  onConflictCopyGone?(pairId: string, copyPath: string): void;
}

/** Owns pair settings and their sessions. */
export class PairManager {
  private readonly sessions = new Map<PairId, PairSession>();
  /** Last state of each pair whose session is gone or failed to start (paused, error). */
  private readonly idleStates = new Map<PairId, PairState>();
  /** Changes run one at a time: a pause racing a removal must not restart a removed pair. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly deps: PairManagerDeps) {}

  /** Every pair, in settings order. */
  list(): FolderPair[] {
    return this.deps.settings.get().pairs;
  }

  /** The pair with this id; NOT_FOUND otherwise. */
  get(id: PairId): FolderPair {
    const pair = this.list().find((p) => p.id === id);
    if (!pair) throw new FerryError('NOT_FOUND', `No folder pair with id ${id}`);
    return pair;
  }

  /** Live state of every pair. */
  states(): Record<PairId, PairState> {
    const out: Record<PairId, PairState> = {};
    for (const p of this.list()) out[p.id] = this.sessions.get(p.id)?.state ?? this.idleStates.get(p.id) ?? idleState(p);
    return out;
  }

  /** Start a session for every pair that is not paused. */
  startAll(): void {
    for (const p of this.list()) if (!p.paused) this.startSession(p);
  }

  /** Stop every session for good (settings unchanged); waits for a change in progress first. */
  stopAll(): Promise<void> {
    return this.serial(async () => {
      this.closed = true;
      await Promise.all([...this.sessions.keys()].map((id) => this.stopSession(id)));
    });
  }

  /** Add a pair and start it unless it is added paused. */
  add(input: FolderPairInput): Promise<FolderPair> {
    return this.serial(() => this.addNow(input));
  }

  /** Replace a pair's settings; its session restarts with them. */
  update(id: PairId, input: FolderPairInput): Promise<FolderPair> {
    return this.serial(() => this.updateNow(id, input));
  }

  /** Stop and forget a pair (its local folder is left alone). */
  remove(id: PairId): Promise<void> {
    return this.serial(() => this.removeNow(id));
  }

  /** Pause or resume pairs (all when `ids` is null); the choice is saved, so it survives a restart. */
  setPaused(ids: PairId[] | null, paused: boolean): Promise<void> {
    return this.serial(() => this.setPausedNow(ids, paused));
  }

  private async addNow(input: FolderPairInput): Promise<FolderPair> {
    const pair: FolderPair = { ...input, localPath: resolve(input.localPath), id: randomUUID() };
    await this.checkLocalPath(pair);
    this.deps.settings.update((s) => ({ ...s, pairs: [...s.pairs, pair] }));
    if (!pair.paused) this.startSession(pair);
    this.deps.onStateChanged();
    return pair;
  }

  private async updateNow(id: PairId, input: FolderPairInput): Promise<FolderPair> {
    this.get(id);
    const pair: FolderPair = { ...input, localPath: resolve(input.localPath), id };
    await this.checkLocalPath(pair);
    await this.stopSession(id);
    this.deps.settings.update((s) => ({ ...s, pairs: s.pairs.map((p) => (p.id === id ? pair : p)) }));
    if (!pair.paused) this.startSession(pair);
    this.deps.onStateChanged();
    return pair;
  }

  private async removeNow(id: PairId): Promise<void> {
    this.get(id);
    await this.stopSession(id);
    this.deps.settings.update((s) => ({ ...s, pairs: s.pairs.filter((p) => p.id !== id) }));
    this.deps.onStateChanged();
  }

  private async setPausedNow(ids: PairId[] | null, paused: boolean): Promise<void> {
    for (const id of ids ?? []) this.get(id);
    const hit = (p: FolderPair) => ids === null || ids.includes(p.id);
    // Resuming also retries a pair that is stuck (halted, failed to start): that is what the user asks for.
    const targets = this.list().filter((p) => hit(p) && (paused ? this.sessions.has(p.id) : this.needsStart(p.id)));
    this.deps.settings.update((s) => ({ ...s, pairs: s.pairs.map((p) => (hit(p) ? { ...p, paused } : p)) }));
    for (const p of targets) {
      await this.stopSession(p.id);
      if (!paused) this.startSession({ ...p, paused });
    }
    if (paused) for (const p of this.list()) if (hit(p)) this.idleStates.delete(p.id);
    this.deps.onStateChanged();
  }

  /** No session, or one that gave up (halted by a safety check, or in error). */
  private needsStart(id: PairId): boolean {
    const status = this.sessions.get(id)?.state.status;
    return status === undefined || status === 'halted' || status === 'error';
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async checkLocalPath(pair: FolderPair): Promise<void> {
    const st = await stat(pair.localPath).catch((err: unknown) => {
      throw new FerryError('CONFIG_INVALID', `Local folder ${pair.localPath} cannot be used: ${toFerryError(err, pair.localPath).message}`, {
        path: pair.localPath,
      });
    });
    if (!st.isDirectory()) throw new FerryError('CONFIG_INVALID', `${pair.localPath} is not a folder`, { path: pair.localPath });
    const twin = this.list().find((p) => p.id !== pair.id && p.localPath === pair.localPath);
    if (twin) throw new FerryError('CONFIG_INVALID', `${pair.localPath} is already synced by another folder pair`, { path: pair.localPath });
  }

  private startSession(pair: FolderPair): void {
    const { deps } = this;
    if (this.closed) return;
    this.idleStates.delete(pair.id);
    let session: PairSession;
    try {
      session = createPairSession({
        mode: pair.mode,
        allowForeignChanges: pair.allowForeignChanges,
        pairId: pair.id,
        localPath: pair.localPath,
        target: { host: pair.host, port: pair.port, share: pair.share, fingerprint: pair.fingerprint, token: pair.token },
        ignore: pair.ignore,
        rescanIntervalSec: pair.rescanIntervalSec,
        allowEmptyRoot: pair.allowEmptyRoot,
        clientId: deps.clientId,
        clientName: deps.clientName,
        stateDir: join(deps.stateDir, 'pairs', safeDirName(pair.id)),
        log: deps.log.child({ pair: pair.id }),
        transferLog: deps.transferLog.child({ pair: pair.id }),
      });
    } catch (err) {
      this.idleStates.set(pair.id, { ...idleState(pair), status: 'error', lastError: toFerryError(err).toInfo() });
      deps.onStateChanged();
      return;
    }
    // Events of a session that was already replaced or stopped must not leak into the state.
    const current = () => this.sessions.get(pair.id) === session;
    session.on('stateChanged', () => current() && deps.onStateChanged());
    session.on('transferUpdated', (r) => current() && deps.onTransfer(r));
    session.on('conflictDetected', (c) => current() && deps.onConflict(c));
    session.on('conflictCopyGone', (id, p) => current() && deps.onConflictCopyGone?.(id, p));
    this.sessions.set(pair.id, session);
    session.start().catch((err: unknown) => {
      // start() is documented not to throw after starting; a throw here means it never got going.
      if (!current()) return;
      this.sessions.delete(pair.id);
      this.idleStates.set(pair.id, { ...idleState(pair), status: 'error', lastError: toFerryError(err).toInfo() });
      deps.log.warn({ pair: pair.id, err }, 'folder pair failed to start');
      deps.onStateChanged();
    });
  }

  private async stopSession(id: PairId): Promise<void> {
    this.idleStates.delete(id);
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    await session.stop().catch((err: unknown) => this.deps.log.warn({ pair: id, err }, 'folder pair did not stop cleanly'));
  }
}

function idleState(pair: FolderPair): PairState {
  return {
    id: pair.id,
    status: pair.paused ? 'paused' : 'connecting',
    connected: false,
    filesPending: 0,
    bytesPending: 0,
    lastSyncedAt: null,
    lastError: null,
  };
}

/** Pair ids come from settings files too: anything unusual as a folder name is hashed. */
function safeDirName(id: string): string {
  return /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/.test(id) ? id : createHash('sha256').update(id).digest('hex').slice(0, 32);
}
