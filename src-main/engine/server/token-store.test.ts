import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir, waitFor } from '../../../test/helpers/trees';
import { TOKENS_FILE, TokenStore } from './token-store';

describe('TokenStore', () => {
  afterAll(cleanupTempDirs);

  it('creates one "initial" token on first start, shown once, stored only hashed with mode 0600', async () => {
    const dir = await tempDir();
    const store = await TokenStore.open(dir);
    const token = store.takeInitialToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
    expect(store.takeInitialToken()).toBeUndefined();
    expect(store.list()).toHaveLength(1);
    expect(store.list()[0]).toMatchObject({ label: 'initial', preview: `${token!.slice(0, 6)}…` });
    expect(store.verify(token!)).toBe(true);
    const raw = await readFile(join(dir, TOKENS_FILE), 'utf8');
    expect(raw).not.toContain(token!);
    expect((await stat(join(dir, TOKENS_FILE))).mode & 0o777).toBe(0o600);

    const again = await TokenStore.open(dir);
    expect(again.takeInitialToken()).toBeUndefined();
    expect(again.verify(token!)).toBe(true);
  });

  it('adds, verifies and revokes tokens; wrong tokens fail', async () => {
    const dir = await tempDir();
    const store = await TokenStore.open(dir);
    const { token, info } = await store.add('laptop');
    expect(store.identify(token)).toBe(info.id);
    expect(store.verify(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'))).toBe(false);
    expect(store.verify('')).toBe(false);
    const revoked: string[] = [];
    store.on('revoked', (id) => revoked.push(id));
    await store.revoke(info.id);
    expect(revoked).toEqual([info.id]);
    expect(store.verify(token)).toBe(false);
    expect((await TokenStore.open(dir)).verify(token)).toBe(false);
    await expect(store.revoke(info.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('concurrent adds all persist', async () => {
    const dir = await tempDir();
    const store = await TokenStore.open(dir);
    const made = await Promise.all(Array.from({ length: 8 }, (_, i) => store.add(`t${i}`)));
    const reopened = await TokenStore.open(dir);
    for (const m of made) expect(reopened.verify(m.token)).toBe(true);
  });

  it('refuses a corrupt token file instead of starting open', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, TOKENS_FILE), '{not json');
    await expect(TokenStore.open(dir)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('TokenStore shared by processes', () => {
  afterAll(cleanupTempDirs);

  it('records "last used" on a successful check and saves it without a write per check', async () => {
    const dir = await tempDir();
    const store = await TokenStore.open(dir, { createInitial: false });
    expect(store.takeInitialToken()).toBeUndefined();
    const { token, info } = await store.add('laptop');
    expect(store.list()[0]!.lastUsedAt).toBeNull();
    const before = Date.now();
    expect(store.identify(token)).toBe(info.id);
    expect(store.list()[0]!.lastUsedAt).toBeGreaterThanOrEqual(before);
    await waitFor(async () => (await readSaved(dir))[0]?.lastUsedAt !== null, 'the first use saved');
    const saved = await stat(join(dir, TOKENS_FILE));
    for (let i = 0; i < 50; i++) store.identify(token);
    // Changes run in order: a save queued by the checks above would be done once this failed revoke is.
    await expect(store.revoke('no-such-id')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Every write replaces the file (new inode): the 50 checks within a minute of the saved use wrote nothing.
    expect((await stat(join(dir, TOKENS_FILE))).ino).toBe(saved.ino);
    await store.close();
    const reopened = await TokenStore.open(dir);
    expect(reopened.list()[0]!.lastUsedAt).toBeGreaterThanOrEqual(before);
  });

  it('sees tokens added and revoked by another process at the next check, and tells listeners', async () => {
    const dir = await tempDir();
    const server = await TokenStore.open(dir, { watch: true });
    const initial = server.takeInitialToken()!;
    const cli = await TokenStore.open(dir);
    const { token, info } = await cli.add('phone');
    expect(server.identify(token)).toBe(info.id); // no wait needed: the check itself looks at the file
    const revoked: string[] = [];
    server.on('revoked', (id) => revoked.push(id));
    await cli.revoke(info.id);
    expect(server.identify(token)).toBeUndefined();
    expect(revoked).toEqual([info.id]);
    expect(server.verify(initial)).toBe(true);
    await server.close();
    await cli.close();
  });

  it('a watching store hears a revoke by another process without any check', async () => {
    const dir = await tempDir();
    const server = await TokenStore.open(dir, { watch: true, createInitial: false });
    const cli = await TokenStore.open(dir, { createInitial: false });
    const { info } = await cli.add('tablet');
    await waitFor(() => server.list().some((t) => t.id === info.id), 'the add seen through the watch');
    const heard = new Promise<string>((r) => server.once('revoked', r));
    await cli.revoke(info.id);
    expect(await heard).toBe(info.id);
    await server.close();
  });

  it('changes by two stores at once all persist (re-read under the lock file)', async () => {
    const dir = await tempDir();
    const a = await TokenStore.open(dir, { createInitial: false });
    const b = await TokenStore.open(dir, { createInitial: false });
    const made = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).add(`t${i}`)));
    const reopened = await TokenStore.open(dir);
    for (const m of made) expect(reopened.verify(m.token)).toBe(true);
    expect(reopened.list()).toHaveLength(6);
    await expect(stat(join(dir, `${TOKENS_FILE}.lock`))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('takes over a lock file left by a process that died', async () => {
    const dir = await tempDir();
    const store = await TokenStore.open(dir, { createInitial: false });
    const lock = join(dir, `${TOKENS_FILE}.lock`);
    await writeFile(lock, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    await store.add('after crash');
    expect((await TokenStore.open(dir)).list().map((t) => t.label)).toEqual(['after crash']);
  });
});

async function readSaved(dir: string): Promise<Array<{ label: string; lastUsedAt: number | null }>> {
  return (JSON.parse(await readFile(join(dir, TOKENS_FILE), 'utf8')) as { tokens: Array<{ label: string; lastUsedAt: number | null }> }).tokens;
}
