/** Test fixtures for the server: a real FerryServer on loopback and a raw protocol client. Not used by production code. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PROTOCOL_VERSION } from '../../../src-shared/protocol/limits';
import type { Entry, ServerMessage } from '../../../src-shared/protocol/messages';
import { encodeRecipe, recipeOfBuffer, type FileRecipe } from '../chunking/recipe';
import type { Connection } from '../net/connection';
import type { Frame } from '../net/frame-codec';
import { connectTls } from '../net/tls';
import { FerryServer, type ServerOptions } from './ferry-server';

/** A running test server. */
export interface ServerFixture {
  server: FerryServer;
  port: number;
  token: string;
  /** Root folder of each share by name. */
  roots: Record<string, string>;
  stateDir: string;
  /** A connected raw client, hello already done unless `hello: false`. */
  client(opts?: { share?: string; token?: string; hello?: boolean }): Promise<RawClient>;
  close(): Promise<void>;
}

/** Start a FerryServer on 127.0.0.1:0 with shares in `base` (default one share "main"). */
export async function startServerFixture(base: string, opts: Partial<ServerOptions> & { shareNames?: string[] } = {}): Promise<ServerFixture> {
  const roots: Record<string, string> = {};
  for (const name of opts.shareNames ?? ['main']) {
    roots[name] = join(base, `share-${name}`);
    await mkdir(roots[name]!, { recursive: true });
  }
  const stateDir = join(base, 'state');
  const server = await FerryServer.create({ host: '127.0.0.1', port: 0, stateDir, shares: roots, durability: 'none', ...opts });
  const { port } = await server.listen();
  const token = server.initialToken!;
  const clients: RawClient[] = [];
  return {
    server, port, token, roots, stateDir,
    async client(o = {}) {
      const conn = await connectTls({ host: '127.0.0.1', port, fingerprint: server.fingerprint });
      const c = new RawClient(conn);
      clients.push(c);
      if (o.hello !== false) await c.hello(o.share ?? Object.keys(roots)[0]!, o.token ?? token);
      return c;
    },
    async close() {
      for (const c of clients) c.conn.close();
      await server.close();
    },
  };
}

/** SHA-256 hex of a buffer. */
export function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** Deterministic pseudo-random bytes (so chunk boundaries are reproducible). */
export function pseudoRandom(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let block = createHash('sha256').update(`seed-${seed}`).digest();
  for (let p = 0; p < size; p += 32) {
    block.copy(out, p, 0, Math.min(32, size - p));
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

/** A client speaking raw protocol messages over a real TLS Connection. */
export class RawClient {
  constructor(readonly conn: Connection) {}

  /** `hello`; resolves with helloOk or rejects with the error code. */
  hello(share: string, token: string): Promise<Frame<ServerMessage>> {
    return this.conn.request({ type: 'hello', protocolVersion: PROTOCOL_VERSION, clientId: `test-${randomBytes(3).toString('hex')}`, share, token });
  }

  /** Send a request; resolves with the response frame. */
  request(header: object, payload?: Buffer): Promise<Frame<ServerMessage>> {
    return this.conn.request(header, payload);
  }

  /** Send a request expected to fail; resolves with the error code (throws if it succeeded). */
  async errorCode(header: object, payload?: Buffer): Promise<string> {
    try {
      await this.conn.request(header, payload);
    } catch (err) {
      return (err as { code: string }).code;
    }
    throw new Error(`${(header as { type: string }).type} unexpectedly succeeded`);
  }

  /** Upload a small file with `put`. */
  put(path: string, data: Buffer, o: { mtimeMs?: number; mode?: number; base?: { size: number; mtimeMs: number } | null; hash?: string } = {}) {
    return this.request(
      { type: 'put', path, size: data.length, mtimeMs: o.mtimeMs ?? 1_700_000_000_000, mode: o.mode ?? 0o644, hash: o.hash ?? sha256(data), base: o.base ?? null },
      data,
    );
  }

  /** `begin` a chunked upload; returns the transfer id, the recipe and the `need` ranges. */
  async begin(path: string, data: Buffer, o: { mtimeMs?: number; mode?: number; base?: { size: number; mtimeMs: number } | null } = {}) {
    const recipe = recipeOfBuffer(data);
    const header = {
      type: 'begin', path, size: data.length, mtimeMs: o.mtimeMs ?? 1_700_000_000_000, mode: o.mode ?? 0o644,
      hash: recipe.hash, base: o.base ?? null, chunkCount: recipe.chunks.length,
    };
    const res = await this.request(header, encodeRecipe(recipe.chunks));
    const need = res.header as Extract<ServerMessage, { type: 'need' }>;
    return { transfer: (header as unknown as { id: number }).id, recipe, missing: need.missing };
  }

  /** Send the asked chunks of a begun transfer (optionally only the first `limit` of them). */
  async sendChunks(t: { transfer: number; recipe: FileRecipe; missing: [number, number][] }, data: Buffer, limit = Infinity): Promise<number> {
    let sent = 0;
    for (const [s, e] of t.missing) {
      for (let i = s; i < e && sent < limit; i++, sent++) {
        const c = t.recipe.chunks[i]!;
        await this.conn.send({ type: 'chunk', id: this.conn.nextId(), transfer: t.transfer, index: i }, data.subarray(c.offset, c.offset + c.length));
      }
    }
    return sent;
  }

  /** Whole chunked upload: begin, send what is missing, commit. */
  async upload(path: string, data: Buffer, o: { mtimeMs?: number; mode?: number; base?: { size: number; mtimeMs: number } | null } = {}) {
    const t = await this.begin(path, data, o);
    await this.sendChunks(t, data);
    const ok = await this.request({ type: 'commit', transfer: t.transfer });
    return { ...t, ok: ok.header as Extract<ServerMessage, { type: 'ok' }> };
  }

  /** All entries of `list`. */
  async list(): Promise<Entry[]> {
    const entries: Entry[] = [];
    await this.conn.request({ type: 'list' }, undefined, (f) => {
      if (f.header.type !== 'listPage') return false;
      entries.push(...f.header.entries);
      return !f.header.done;
    });
    return entries;
  }
}

/** Count of needed chunks in `need` ranges. */
export function countMissing(missing: [number, number][]): number {
  return missing.reduce((n, [s, e]) => n + (e - s), 0);
}
