/**
 * Access tokens of a server: `tokens.json` (mode 0600) in the state folder holds only SHA-256 digests,
 * so a leaked state folder does not leak usable secrets. The secret is shown once, when created.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
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

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The tokens a server accepts. */
export class TokenStore extends EventEmitter<TokenStoreEvents> {
  private initial: string | undefined;

  private constructor(
    private readonly file: string,
    private tokens: StoredToken[],
  ) {
    super();
  }

  /**
   * Load `tokens.json` from `stateDir` (created 0700 if missing). On the very first start one token
   * labelled "initial" is created; its secret is available once through `takeInitialToken()`.
   */
  static async open(stateDir: string): Promise<TokenStore> {
    const file = join(stateDir, TOKENS_FILE);
    await mkdir(stateDir, { recursive: true, mode: 0o700 }).catch((err: unknown) => {
      throw toFerryError(err, stateDir);
    });
    let raw: string | undefined;
    try {
      raw = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw toFerryError(err, file);
    }
    if (raw === undefined) {
      const store = new TokenStore(file, []);
      store.initial = (await store.add('initial')).token;
      return store;
    }
    return new TokenStore(file, parseTokens(raw, file));
  }

  /** The secret of the token created by this `open` on a first start, once; later calls return undefined. */
  takeInitialToken(): string | undefined {
    const t = this.initial;
    this.initial = undefined;
    return t;
  }

  /** Tokens without their secrets. */
  list(): TokenInfo[] {
    return this.tokens.map(({ id, label, createdAt, preview }) => ({ id, label, createdAt, preview }));
  }

  /** Create a token; the returned secret is never stored and cannot be shown again. */
  async add(label: string): Promise<{ token: string; info: TokenInfo }> {
    const token = randomBytes(32).toString('base64url');
    const info: TokenInfo = { id: randomBytes(6).toString('hex'), label, createdAt: Date.now(), preview: `${token.slice(0, 6)}…` };
    this.tokens = [...this.tokens, { ...info, sha256: digest(token).toString('hex') }];
    await this.save();
    this.emit('changed');
    return { token, info };
  }

  /** Revoke a token by id (NOT_FOUND when unknown). Sessions using it should be ended by the owner. */
  async revoke(id: string): Promise<void> {
    if (!this.tokens.some((t) => t.id === id)) throw new FerryError('NOT_FOUND', `No token with id ${id}`);
    this.tokens = this.tokens.filter((t) => t.id !== id);
    await this.save();
    this.emit('revoked', id);
    this.emit('changed');
  }

  /** True when `token` is a valid, unrevoked token. */
  verify(token: string): boolean {
    return this.identify(token) !== undefined;
  }

  /** Id of the token matching `token`, or undefined. Compares against every stored digest in constant time. */
  identify(token: string): string | undefined {
    const d = digest(token);
    let found: string | undefined;
    // No early exit: the time taken does not depend on which token (if any) matched.
    for (const t of this.tokens) {
      if (timingSafeEqual(d, Buffer.from(t.sha256, 'hex')) && found === undefined) found = t.id;
    }
    return found;
  }

  /** Saves run one after another, each writing the list as it is when it starts: the last one wins with the latest list. */
  private saving: Promise<void> = Promise.resolve();

  private save(): Promise<void> {
    const run = this.saving.then(() => this.write());
    this.saving = run.catch(() => undefined);
    return run;
  }

  private async write(): Promise<void> {
    const body: TokensFile = { version: 1, tokens: this.tokens };
    const tmp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
      await chmod(tmp, 0o600); // the umask may have narrowed it; never wider
      await rename(tmp, this.file);
    } catch (err) {
      throw toFerryError(err, this.file);
    }
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
  return list.filter(
    (t): t is StoredToken =>
      typeof t === 'object' && t !== null &&
      typeof t.id === 'string' && typeof t.label === 'string' && typeof t.createdAt === 'number' &&
      typeof t.preview === 'string' && typeof t.sha256 === 'string' && /^[0-9a-f]{64}$/.test(t.sha256),
  );
}
