/** Server mode: the embedded FerryServer sharing one folder as `default`, its tokens and its clients. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FerryErrorInfo } from '../../../src-shared/protocol/error-codes';
import type { ConnectedClient, CreatedToken, RecentClient, ServerState, TokenInfo } from '../../../src-shared/model';
import { encodeInvite } from '../../../src-shared/invite';
import type { ServerSettings } from '../../../src-shared/settings';
import { toFerryError } from '../errors';
import type { Logger } from '../log';
import { FerryServer, TokenStore, TOKENS_FILE } from './engine-deps';
import type { SettingsAccess } from './settings-access';
import { pathExists } from '../fs/path-exists';
import { reachableAddresses } from '../server/reachable-addresses';

/** How many clients that have left the Server page still lists with "last seen". */
export const RECENT_CLIENTS_KEPT = 20;

/** Name of the one share the embedded server offers. */
export const EMBEDDED_SHARE = 'default';

/** What server mode needs from the engine around it. */
export interface ServerModeDeps {
  settings: SettingsAccess;
  /** The server's own state folder (identity, tokens, versions index). */
  stateDir: string;
  log: Logger;
  transferLog: Logger;
  onStateChanged(): void;
}

/** Starts, stops and reconfigures the embedded server; manages tokens whether or not it runs. */
export class ServerMode {
  private server: FerryServer | null = null;
  private boundPort: number | null = null;
  private fingerprint: string | null = null;
  private lastError: FerryErrorInfo | null = null;
  private clients: ConnectedClient[] = [];
  private recent: RecentClient[] = [];
  private addresses: string[] = [];
  private tokens: TokenInfo[] = [];
  /** The first-start token, until the user has seen it once (`takeInitialInvite`). */
  private initial: { token: string; info: TokenInfo } | null = null;
  /** Store used while the server is stopped; dropped when it starts, so only one instance ever writes. */
  private standaloneTokens: TokenStore | null = null;
  /** Undoes the listeners `watch` put on the running server's token store. */
  private unwatch: () => void = () => {};
  /** Start/stop/reconfigure run one at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ServerModeDeps) {}

  /** Snapshot for AppState. */
  state(): ServerState {
    const s = this.deps.settings.get().server;
    return {
      enabled: s.enabled,
      running: this.server !== null,
      root: s.root,
      host: s.host,
      port: this.boundPort ?? s.port,
      fingerprint: this.fingerprint,
      tokens: this.tokens,
      clients: this.clients,
      recentClients: this.recent,
      addresses: this.addresses,
      initialInviteWaiting: this.initial !== null,
      versionRetentionDays: s.versionRetentionDays,
      lastError: this.lastError,
    };
  }

  /** At engine start: load the token list if a store exists, and start the server if enabled. */
  async init(): Promise<void> {
    if (await pathExists(join(this.deps.stateDir, TOKENS_FILE))) await this.tokenStore().catch(() => undefined);
    if (this.deps.settings.get().server.enabled) await this.serial(() => this.start());
  }

  /** Turn server mode on or off (saved). Start failures are reported in `lastError`, not thrown. */
  setEnabled(enabled: boolean): Promise<ServerState> {
    this.deps.settings.update((s) => ({ ...s, server: { ...s.server, enabled } }));
    return this.serial(async () => {
      if (enabled) await this.start();
      else await this.stop();
      return this.state();
    });
  }

  /** Change root, host, port or version retention (saved); when enabled, the server (re)starts with them, also after a failed start. */
  configure(patch: Pick<ServerSettings, 'root' | 'host' | 'port'> & Partial<Pick<ServerSettings, 'versionRetentionDays'>>): Promise<ServerState> {
    const next = this.deps.settings.update((s) => ({ ...s, server: { ...s.server, ...patch } }));
    return this.serial(async () => {
      await this.stop();
      if (next.server.enabled) await this.start();
      return this.state();
    });
  }

  /** Create a token; its secret is returned once, with an invite holding it while the server runs. */
  async addToken(label: string): Promise<CreatedToken> {
    const store = await this.tokenStore();
    const created = await store.add(label);
    this.refreshTokens(store);
    return { ...created, invite: this.inviteFor(created.token) };
  }

  /** The token made at the server's very first start, with its invite: once, then never again. */
  takeInitialInvite(): Promise<CreatedToken | null> {
    const initial = this.initial;
    if (!initial) return Promise.resolve(null);
    this.initial = null;
    this.deps.onStateChanged();
    return Promise.resolve({ ...initial, invite: this.inviteFor(initial.token) });
  }

  /** An invite for `token` to the running server's share, or null when it is not running. */
  private inviteFor(token: string): string | null {
    if (!this.server || this.boundPort === null || !this.fingerprint || this.addresses.length === 0) return null;
    return encodeInvite({ hosts: this.addresses, port: this.boundPort, share: EMBEDDED_SHARE, fingerprint: this.fingerprint, token });
  }

  /** Revoke a token (NOT_FOUND if unknown). */
  async revokeToken(id: string): Promise<void> {
    const store = await this.tokenStore();
    await store.revoke(id);
    this.refreshTokens(store);
  }

  /** Stop the server at engine shutdown (settings unchanged). */
  shutdown(): Promise<void> {
    return this.serial(() => this.stop());
  }

  private async start(): Promise<void> {
    if (this.server) return;
    const s = this.deps.settings.get().server;
    this.lastError = null;
    this.standaloneTokens = null;
    let server: FerryServer | null = null;
    try {
      await mkdir(s.root, { recursive: true });
      server = await FerryServer.create({
        host: s.host,
        port: s.port,
        stateDir: this.deps.stateDir,
        shares: { [EMBEDDED_SHARE]: s.root },
        versionRetentionDays: s.versionRetentionDays,
        log: this.deps.log,
        transferLog: this.deps.transferLog,
      });
      const bound = await server.listen();
      this.watch(server);
      this.server = server;
      this.boundPort = bound.port;
      this.fingerprint = server.fingerprint;
      this.addresses = reachableAddresses(s.host);
      this.recent = [];
      this.keepInitialToken(server.tokens, server.initialToken);
      this.refreshTokens(server.tokens);
      this.deps.log.info({ host: bound.host, port: bound.port }, 'server mode listening');
    } catch (err) {
      this.lastError = toFerryError(err).toInfo();
      this.deps.log.warn({ err }, 'server mode failed to start');
      await server?.close().catch(() => undefined);
    }
    this.deps.onStateChanged();
  }

  private async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.boundPort = null;
    this.clients = [];
    this.addresses = [];
    this.lastError = null;
    if (server) {
      await this.forgetUnseenInitialToken(server.tokens);
      this.unwatch();
      server.removeAllListeners();
      await server.close().catch((err: unknown) => this.deps.log.warn({ err }, 'server mode did not stop cleanly'));
    }
    this.deps.onStateChanged();
  }

  private watch(server: FerryServer): void {
    const refresh = () => {
      if (this.server !== server) return;
      this.clients = server.clients();
      this.deps.onStateChanged();
    };
    const sameClient = (a: RecentClient, b: ConnectedClient) => a.clientId === b.clientId && a.share === b.share;
    server.on('clientConnected', (c) => {
      this.recent = this.recent.filter((r) => !sameClient(r, c));
      refresh();
    });
    server.on('clientDisconnected', (c) => {
      // Listed while no other session of the same client (and share) is still connected.
      const stillHere = server.clients().some((o) => o.clientId === c.clientId && o.share === c.share);
      const seen: RecentClient = { clientId: c.clientId, clientName: c.clientName, share: c.share, remoteAddress: c.remoteAddress, lastSeenAt: Date.now() };
      const others = this.recent.filter((r) => !sameClient(r, c));
      this.recent = stillHere ? others : [seen, ...others].slice(0, RECENT_CLIENTS_KEPT);
      refresh();
    });
    server.on('clientUpdated', refresh);
    server.on('sessionError', ({ sessionId, error }) => this.deps.log.warn({ sessionId, error }, 'server session failed'));
    const onTokens = () => this.refreshTokens(server.tokens);
    server.tokens.on('changed', onTokens);
    this.unwatch = () => server.tokens.off('changed', onTokens);
  }

  private async tokenStore(): Promise<TokenStore> {
    if (this.server) return this.server.tokens;
    if (!this.standaloneTokens) {
      // No "initial" token here: the user is adding one, and sees that one.
      const store = await TokenStore.open(this.deps.stateDir, { createInitial: false });
      this.standaloneTokens = store;
      this.refreshTokens(store);
    }
    return this.standaloneTokens;
  }

  /** A fresh token store makes an "initial" token: kept until the Server page has shown it once. */
  private keepInitialToken(store: TokenStore, initialSecret: string | undefined): void {
    if (initialSecret === undefined) return;
    const info = store.list().find((t) => t.label === 'initial');
    if (info) this.initial = { token: initialSecret, info };
  }

  /** A credential nobody was ever shown is revoked when the server stops, rather than left usable. */
  private async forgetUnseenInitialToken(store: TokenStore): Promise<void> {
    const initial = this.initial;
    this.initial = null;
    if (initial) await store.revoke(initial.info.id).catch(() => undefined);
  }

  private refreshTokens(store: TokenStore): void {
    this.tokens = store.list();
    this.deps.onStateChanged();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

