import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '../../../test/helpers/trees';
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
