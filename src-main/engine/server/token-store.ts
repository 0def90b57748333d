/**
 * Access tokens of a server: `tokens.json` (mode 0600) in the state folder holds only SHA-256 digests,
 * so a leaked state folder does not leak usable secrets. The secret is shown once, when created.
 *
 * Several processes may use one file (a running `ferry serve` and `ferry tokens add|revoke`): every change
 * re-reads the file under a lock file and writes it whole by rename, and the server notices changes made by
 * others (a watch on the folder, and a stat before each check of a token, so a revoke counts at once).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { chmod, mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TokenInfo } from '../../../src-shared/model';
import { FerryError, toFerryError } from '../errors';

/** Name of the token file inside the state folder. */
export const TOKENS_FILE = 'tokens.json';

interface StoredToken extends TokenInfo {
  /** SHA-256 of the token, hex. */
  sha256: string;
}

interface TokensFile {
  version: 1;
  tokens: StoredToken[];
}

/** Events of a token store. */
export type TokenStoreEvents = { changed: []; revoked: [id: string] };

/** Options of `TokenStore.open`. */
export interface TokenStoreOptions {
  /** Make an "initial" token when no token file exists (default true: `ferry serve`'s first start). */
  createInitial?: boolean;
  /** Watch the file for changes by other processes (a server: revoked tokens end their sessions at once). */
  watch?: boolean;
}

/** A token's "last used" time is saved when the saved one is older than this: not a write per hello. */
export const LAST_USED_SAVE_MS = 60_000;
/** A lock file older than this was left by a process that died while writing. */
const STALE_LOCK_MS = 10_000;
const LOCK_TRIES = 1000;

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The tokens a server accepts. */
export class TokenStore extends EventEmitter<TokenStoreEvents> {
  private initial: string | undefined;
  /** Identity of the file version `tokens` was read from (inode, size, mtime): a change means re-read. */
  private stamp = '';
  /** Authentications not saved yet: token id → time. */
  private readonly used = new Map<string, number>();
  private watcher: FSWatcher | null = null;

  private constructor(
    private readonly file: string,
    private tokens: StoredToken[],
    /** Taken before the file was read: a change in between shows as a different stamp at the next check. */
    stamp: string,
  ) {
    super();
    this.stamp = stamp;
  }

  /**
   * Load `tokens.json` from `stateDir` (created 0700 if missing). On the very first start one token
   * labelled "initial" is created (unless `createInitial` is false); its secret is available once through
   * `takeInitialToken()`.
   */
  static async open(stateDir: string, opts: TokenStoreOptions = {}): Promise<TokenStore> {
    const store = await TokenStore.load(stateDir, opts.createInitial ?? true);
    if (opts.watch) store.startWatching(stateDir);
    return store;
  }

  private static async load(stateDir: string, createInitial: boolean): Promise<TokenStore> {
    const file = join(stateDir, TOKENS_FILE);
    await mkdir(stateDir, { recursive: true, mode: 0o700 }).catch((err: unknown) => {
      throw toFerryError(err, stateDir);
    });
    let raw: string | undefined;
    const stamp = fileStamp(file);
    try {
      raw = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw toFerryError(err, file);
    }
    if (raw === undefined) {
      const store = new TokenStore(file, [], stamp);
      if (createInitial) store.initial = (await store.add('initial')).token;
      return store;
    }
    return new TokenStore(file, parseTokens(raw, file), stamp);
  }

  /** Stop watching, finish writes in progress and save pending "last used" times. */
  async close(): Promise<void> {
    this.watcher?.close();
    this.watcher = null;
    await this.saving;
    if (this.used.size > 0) await this.saveUse().catch(() => undefined);
  }

  /** The secret of the token created by this `open` on a first start, once; later calls return undefined. */
  takeInitialToken(): string | undefined {
    const t = this.initial;
    this.initial = undefined;
    return t;
  }

  /** Tokens without their secrets (with authentications not yet saved counted as used). */
  list(): TokenInfo[] {
    return this.tokens.map(({ id, label, createdAt, preview, lastUsedAt }) => ({
      id, label, createdAt, preview, lastUsedAt: Math.max(lastUsedAt ?? 0, this.used.get(id) ?? 0) || null,
    }));
  }

  /** Create a token; the returned secret is never stored and cannot be shown again. */
  async add(label: string): Promise<{ token: string; info: TokenInfo }> {
    const token = randomBytes(32).toString('base64url');
    const info: TokenInfo = { id: randomBytes(6).toString('hex'), label, createdAt: Date.now(), preview: `${token.slice(0, 6)}…`, lastUsedAt: null };
    await this.change((list) => [...list, { ...info, sha256: digest(token).toString('hex') }]);
    return { token, info };
  }

  /** Revoke a token by id (NOT_FOUND when unknown). The owner of sessions using it hears `revoked`. */
  async revoke(id: string): Promise<void> {
    await this.change((list) => {
      if (!list.some((t) => t.id === id)) throw new FerryError('NOT_FOUND', `No token with id ${id}`);
      return list.filter((t) => t.id !== id);
    });
  }

  /** True when `token` is a valid, unrevoked token (not counted as a use). */
  verify(token: string): boolean {
    return this.match(token) !== undefined;
  }

  /** Id of the token matching `token`, or undefined; a match counts as a use ("last used"). */
  identify(token: string): string | undefined {
    const found = this.match(token);
    if (found) this.noteUse(found);
    return found?.id;
  }

  /** The stored token matching `token`. Compares against every stored digest in constant time. */
  private match(token: string): StoredToken | undefined {
    // One stat per check (and a read only when another process changed the file): a token revoked by
    // `ferry tokens revoke` is refused from the very next hello, whether or not the watch has fired yet.
    this.reloadIfChanged();
    const d = digest(token);
    let found: StoredToken | undefined;
    // No early exit: the time taken does not depend on which token (if any) matched.
    for (const t of this.tokens) {
      if (timingSafeEqual(d, Buffer.from(t.sha256, 'hex')) && found === undefined) found = t;
    }
    return found;
  }

  private noteUse(t: StoredToken): void {
    const now = Date.now();
    this.used.set(t.id, now);
    if (t.lastUsedAt === null || t.lastUsedAt === undefined || now - t.lastUsedAt >= LAST_USED_SAVE_MS) {
      void this.saveUse().catch(() => undefined); // a lost "last used" is harmless; the next use tries again
    }
  }

  /** Write the pending "last used" times (merged into the file as it is now). */
  private saveUse(): Promise<void> {
    return this.change((list) => {
      const used = new Map(this.used);
      this.used.clear();
      return list.map((t) => (used.has(t.id) ? { ...t, lastUsedAt: Math.max(t.lastUsedAt ?? 0, used.get(t.id)!) } : t));
    });
  }

  /** Changes run one after another in this process, and under the lock file across processes. */
  private saving: Promise<void> = Promise.resolve();

  /** Re-read the file, apply `edit`, write the result: another process's change in between is never lost. */
  private change(edit: (list: StoredToken[]) => StoredToken[]): Promise<void> {
    const run = this.saving.then(() =>
      withLock(`${this.file}.lock`, async () => {
        this.reloadIfChanged();
        const next = edit(this.tokens);
        await this.write(next);
        this.replace(next);
      }),
    );
    this.saving = run.catch(() => undefined);
    return run;
  }

  private async write(tokens: StoredToken[]): Promise<void> {
    const body: TokensFile = { version: 1, tokens };
    const tmp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
      await chmod(tmp, 0o600); // the umask may have narrowed it; never wider
      await rename(tmp, this.file);
    } catch (err) {
      throw toFerryError(err, this.file);
    }
    this.stamp = fileStamp(this.file);
  }

  /** Read the file again when another process changed it. A file that cannot be read keeps the list in memory. */
  private reloadIfChanged(): void {
    const now = fileStamp(this.file);
    if (now === this.stamp || now === '') return;
    try {
      const next = parseTokens(readFileSync(this.file, 'utf8'), this.file);
      this.stamp = now;
      this.replace(next);
    } catch {
      // Never half-written (writers rename into place); a hand-edited broken file is refused at the next open.
    }
  }

  /** Take `next` as the list; tell listeners about revoked tokens and any change. */
  private replace(next: StoredToken[]): void {
    const before = this.tokens;
    this.tokens = next;
    const ids = new Set(next.map((t) => t.id));
    for (const t of before) if (!ids.has(t.id)) this.emit('revoked', t.id);
    if (JSON.stringify(before) !== JSON.stringify(next)) this.emit('changed');
  }

  private startWatching(stateDir: string): void {
    try {
      // The folder, not the file: every write replaces the file by rename, which ends a watch on the file.
      this.watcher = watch(stateDir, { persistent: false }, (_event, name) => {
        if (name === TOKENS_FILE) this.reloadIfChanged();
      });
      this.watcher.on('error', () => undefined);
    } catch {
      // Without a watch, changes still count at the next hello.
    }
  }
}

function fileStamp(file: string): string {
  try {
    const s = statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return '';
  }
}

/** Run `fn` holding `lockFile` (created exclusively); a lock left by a dead process is taken over after a while. */
async function withLock<T>(lockFile: string, fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      const h = await open(lockFile, 'wx', 0o600);
      await h.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw toFerryError(err, lockFile);
      const age = await stat(lockFile).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > STALE_LOCK_MS) await unlink(lockFile).catch(() => undefined);
      else if (i >= LOCK_TRIES) throw new FerryError('IO_ERROR', `${lockFile} is held by another process; remove it if no Ferry process is running`);
      else await new Promise((r) => setTimeout(r, 10));
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(lockFile).catch(() => undefined);
  }
}

function parseTokens(raw: string, file: string): StoredToken[] {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (err) {
    throw new FerryError('CONFIG_INVALID', `${file} is not valid JSON`, { cause: err });
  }
  const list = (data as Partial<TokensFile> | null)?.tokens;
  if (!Array.isArray(list)) throw new FerryError('CONFIG_INVALID', `${file} has no "tokens" list`);
  return list
    .filter(
      (t): t is StoredToken =>
        typeof t === 'object' && t !== null &&
        typeof t.id === 'string' && typeof t.label === 'string' && typeof t.createdAt === 'number' &&
        typeof t.preview === 'string' && typeof t.sha256 === 'string' && /^[0-9a-f]{64}$/.test(t.sha256),
    )
    // Files written before "last used" existed lack it.
    .map((t) => ({ ...t, lastUsedAt: typeof t.lastUsedAt === 'number' ? t.lastUsedAt : null }));
}
