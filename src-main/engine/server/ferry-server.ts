/**
 * The Ferry server: TLS listener, one ServerSession per client, several named shares, tokens,
 * background indexing and periodic housekeeping (version pruning, expiry of staged chunks).
 */
import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo, Socket } from 'node:net';
import { hostname } from 'node:os';
import type { Server } from 'node:tls';
import type { ConnectedClient } from '../../../src-shared/model';
import type { FerryErrorInfo } from '../../../src-shared/protocol/error-codes';
import type { ConflictInfo } from '../../../src-shared/protocol/messages';
import { FerryError, toFerryError } from '../errors';
import type { Durability } from '../fs/atomic-writer';
import { silentLogger, type Logger } from '../log';
import { loadOrCreateIdentity } from '../net/identity';
import { createTlsServer } from '../net/tls';
import { PRE_AUTH_LIMITS } from '../net/connection';
import { AuthThrottle } from './auth-throttle';
import { LogLimiter } from './log-limiter';
import { PreAuthGate, socketId } from './pre-auth-gate';
import { resolveServerLimits, type ServerLimits } from './server-limits';
import { ServerSession, type SessionHost } from './session';
import type { ChangeFeedOptions } from './share-changes';
import { ShareStore } from './share-store';
import { TokenStore } from './token-store';
import type { KeptVersion } from './versions-store';
import { expireOldFiles } from '../fs/expire-old-files';

/** Options of a server; `shares` maps share names to root folders (created when missing). */
export interface ServerOptions {
  host: string;
  port: number;
  stateDir: string;
  shares: Record<string, string>;
  serverName?: string;
  /** Days to keep overwritten/deleted versions; 0 keeps them forever. Default 30. */
  versionRetentionDays?: number;
  durability?: Durability;
  log?: Logger;
  transferLog?: Logger;
  /** How often versions are pruned and stale staged chunks expire. Default 1 h. */
  maintenanceIntervalMs?: number;
  /** Age after which staged chunks of an abandoned transfer are deleted. Default 24 h. */
  stagedChunkTtlMs?: number;
  /** Limits against hostile or careless peers (server/server-limits.ts); unset fields take the defaults. */
  limits?: Partial<ServerLimits>;
  /** Change feed of each share: watcher, rescan interval, settle time, tombstone retention (server/share-changes.ts). */
  changeFeed?: ChangeFeedOptions;
}

/** One connection as the limits see it (for tests and figures). */
export interface ConnectionStat {
  sessionId: string;
  remoteAddress: string;
  authenticated: boolean;
  /** Bytes read for `get` answers and not yet written out, now and at most. */
  queuedWriteBytes: number;
  peakQueuedWriteBytes: number;
}

/** Events of a server, named in the past tense. */
export type ServerEvents = {
  clientConnected: [ConnectedClient];
  clientDisconnected: [ConnectedClient];
  clientUpdated: [ConnectedClient];
  fileChanged: [{ share: string; path: string; kind: 'write' | 'delete' | 'move' | 'mkdir'; sessionId: string }];
  conflictDetected: [{ share: string; info: ConflictInfo; sessionId: string }];
  sessionError: [{ sessionId: string; error: FerryErrorInfo }];
};

const HOUR_MS = 60 * 60 * 1000;

/** A running (or ready to run) Ferry server. */
export class FerryServer extends EventEmitter<ServerEvents> {
  /** The token created on a very first start (to print once), else undefined. */
  readonly initialToken: string | undefined;
  private readonly sessions = new Set<ServerSession>();
  private server: Server | null = null;
  private timer: NodeJS.Timeout | null = null;
  private maintaining: Promise<void> | null = null;
  private readonly log: Logger;
  private readonly host: SessionHost;
  /** The limits in force (defaults filled in). */
  readonly limits: ServerLimits;
  /** Unauthenticated connections: hello deadline and caps. */
  readonly preAuth: PreAuthGate;
  /** Per-address delays of token checks. */
  readonly authThrottle: AuthThrottle;
  private readonly refusals: LogLimiter;

  private constructor(
    private readonly opts: ServerOptions,
    /** SHA-256 fingerprint of the server certificate (`AB:CD:…`). */
    readonly fingerprint: string,
    private readonly identity: Awaited<ReturnType<typeof loadOrCreateIdentity>>,
    readonly tokens: TokenStore,
    private readonly shares: Map<string, ShareStore>,
  ) {
    super();
    this.log = opts.log ?? silentLogger;
    this.limits = resolveServerLimits(opts.limits);
    this.preAuth = new PreAuthGate(this.limits, this.log);
    this.authThrottle = new AuthThrottle(this.limits, this.log);
    this.refusals = new LogLimiter(this.limits.authLogIntervalMs);
    this.host = this.makeHost();
    this.initialToken = tokens.takeInitialToken();
    tokens.on('revoked', (id) => {
      for (const s of this.sessions) if (s.tokenId === id) void s.close(new FerryError('AUTH_FAILED', 'The token of this session was revoked'));
    });
  }

  /** Load or create the TLS identity and tokens in `stateDir`, open every share (creating its state folders). */
  static async create(opts: ServerOptions): Promise<FerryServer> {
    const names = Object.keys(opts.shares);
    resolveServerLimits(opts.limits); // CONFIG_INVALID before anything is created
    if (names.length === 0) throw new FerryError('CONFIG_INVALID', 'A server needs at least one share');
    await mkdir(opts.stateDir, { recursive: true, mode: 0o700 }).catch((err: unknown) => {
      throw toFerryError(err, opts.stateDir);
    });
    const identity = await loadOrCreateIdentity(opts.stateDir);
    // Watched: a token revoked by `ferry tokens revoke` ends its sessions at once.
    const tokens = await TokenStore.open(opts.stateDir, { watch: true });
    const shares = new Map<string, ShareStore>();
    for (const name of names) {
      if (!/^[\w.-]{1,128}$/.test(name)) throw new FerryError('CONFIG_INVALID', `Share name "${name}" may use only letters, digits, "_", "." and "-"`);
      const dir = opts.shares[name]!;
      await mkdir(dir, { recursive: true }).catch((err: unknown) => {
        throw toFerryError(err, dir);
      });
      shares.set(name, await ShareStore.open(name, dir, { durability: opts.durability ?? 'fsync', log: opts.log ?? silentLogger, changeFeed: opts.changeFeed }));
    }
    const roots = [...shares.values()].map((s) => s.root.root);
    for (const a of roots) {
      for (const b of roots) {
        // A share inside another would be synced (state folder included) as part of the outer one.
        if (a !== b && (b + '/').startsWith(a + '/')) throw new FerryError('CONFIG_INVALID', `Share folders overlap: ${a} and ${b}`);
        if (a === b && roots.indexOf(a) !== roots.lastIndexOf(a)) throw new FerryError('CONFIG_INVALID', `Two shares use the same folder ${a}`);
      }
    }
    return new FerryServer(opts, identity.fingerprint, identity, tokens, shares);
  }

  /** Start listening (port 0: an ephemeral port); indexing and housekeeping start in the background. */
  async listen(): Promise<{ host: string; port: number }> {
    if (this.server) throw new FerryError('INTERNAL', 'Server already listening');
    const server = createTlsServer({
      identity: this.identity,
      onConnection: (c) => this.accept(new ServerSession(c, this.host)),
      onError: (e, remote) => {
        const count = this.refusals.hit(`tls ${remote ?? '?'}`);
        if (count > 0) this.log.info({ err: e.message, remote, count }, 'TLS handshake failed');
      },
      connection: { log: this.log, preAuthLimits: PRE_AUTH_LIMITS },
    });
    this.server = server;
    // Counted from the TCP connect: a peer stalling the TLS handshake holds a slot like one that never says hello.
    server.on('connection', (raw: Socket) => this.preAuth.admit(raw));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new FerryError('CONFIG_INVALID', `Cannot listen on ${this.opts.host}:${this.opts.port}: ${err.message}`, { cause: err })));
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    server.on('error', (err) => this.log.error({ err }, 'listener error'));
    for (const s of this.shares.values()) void s.index.build();
    for (const s of this.shares.values()) void s.changes.start().catch((err: unknown) => this.log.warn({ err, share: s.name }, 'change feed watcher failed'));
    this.timer = setInterval(() => void this.maintain(), this.opts.maintenanceIntervalMs ?? HOUR_MS);
    this.timer.unref();
    void this.maintain();
    const addr = server.address() as AddressInfo;
    this.log.info({ host: addr.address, port: addr.port, shares: Object.keys(this.opts.shares) }, 'listening');
    return { host: addr.address, port: addr.port };
  }

  /** Stop listening, end every session (waiting for operations in progress), flush indexes. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.preAuth.close();
    const server = this.server;
    this.server = null;
    const closing = server ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
    await Promise.all([...this.sessions].map((s) => s.close()));
    await closing;
    await this.maintaining;
    await Promise.all([...this.shares.values()].map((s) => s.close()));
    await this.tokens.close();
  }

  /** Authenticated clients connected now. */
  clients(): ConnectedClient[] {
    return [...this.sessions].map((s) => s.info()).filter((c): c is ConnectedClient => c !== null);
  }

  /** Every open connection (authenticated or not yet) as the limits see it. */
  connectionStats(): ConnectionStat[] {
    return [...this.sessions].map((s) => ({
      sessionId: s.id,
      remoteAddress: s.conn.remoteAddress,
      authenticated: s.shareName !== null,
      queuedWriteBytes: s.writeBudget.queued,
      peakQueuedWriteBytes: s.writeBudget.peak,
    }));
  }

  /** Names of the served shares. */
  shareNames(): string[] {
    return [...this.shares.keys()];
  }

  /** The store of a share (for the shells and tests). */
  share(name: string): ShareStore | undefined {
    return this.shares.get(name);
  }

  /** Kept versions of a share, newest first (NOT_FOUND for an unknown share). */
  async listVersions(share: string): Promise<KeptVersion[]> {
    const s = this.shares.get(share);
    if (!s) throw new FerryError('NOT_FOUND', `No share named "${share}"`);
    return s.versions.list();
  }

  /** Prune old versions and expire abandoned staged chunks now (also runs periodically). */
  maintain(): Promise<void> {
    this.maintaining ??= this.runMaintenance().finally(() => {
      this.maintaining = null;
    });
    return this.maintaining;
  }

  private async runMaintenance(): Promise<void> {
    const days = this.opts.versionRetentionDays ?? 30;
    for (const s of this.shares.values()) {
      try {
        const pruned = await s.versions.prune(days);
        for (const abs of pruned) s.index.dropPrefix(abs);
        const expired = await expireOldFiles(s.partsDir, this.opts.stagedChunkTtlMs ?? 24 * HOUR_MS);
        if (pruned.length + expired > 0) this.log.info({ share: s.name, versionsPruned: pruned.length, chunksExpired: expired }, 'housekeeping');
      } catch (err) {
        this.log.warn({ err, share: s.name }, 'housekeeping failed');
      }
    }
  }

  private accept(session: ServerSession): void {
    this.sessions.add(session);
    void session.done.then(() => {
      this.sessions.delete(session);
      const info = session.info();
      if (info) this.emit('clientDisconnected', info);
    });
  }

  private makeHost(): SessionHost {
    return {
      serverName: this.opts.serverName ?? hostname(),
      shares: this.shares,
      tokens: this.tokens,
      log: this.opts.log ?? silentLogger,
      transferLog: this.opts.transferLog ?? silentLogger,
      maxQueuedWriteBytes: this.limits.maxQueuedWriteBytes,
      versionRetentionDays: this.opts.versionRetentionDays ?? 30,
      helloArrived: (s) => {
        this.preAuth.helloReceived(socketId(s.conn.remoteAddress, s.conn.remotePort));
        return this.authThrottle.reserve(s.conn.remoteAddress);
      },
      tokenChecked: (s, ok) => (ok ? this.authThrottle.succeeded(s.conn.remoteAddress) : this.authThrottle.failed(s.conn.remoteAddress)),
      refused: (s, code) => {
        // AUTH_FAILED has its own line (auth-throttle.ts); the rest are rate-limited here.
        if (code === 'AUTH_FAILED') return;
        const count = this.refusals.hit(`${code} ${s.conn.remoteAddress}`);
        if (count > 0) this.log.info({ remote: s.conn.remoteAddress, code, count }, 'client refused');
      },
      authenticated: (s) => {
        this.preAuth.authenticated(socketId(s.conn.remoteAddress, s.conn.remotePort));
        const info = s.info();
        if (info) this.emit('clientConnected', info);
      },
      updated: (s) => {
        const info = s.info();
        if (info) this.emit('clientUpdated', info);
      },
      changed: (s, c) => this.emit('fileChanged', { share: s.shareName ?? '', path: c.path, kind: c.kind, sessionId: s.id }),
      conflict: (s, info) => this.emit('conflictDetected', { share: s.shareName ?? '', info, sessionId: s.id }),
      failed: (s, error) => this.emit('sessionError', { sessionId: s.id, error }),
    };
  }
}
