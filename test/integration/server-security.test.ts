/** Authentication and path confinement of the server, over real TLS with raw protocol messages. */
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../src-shared/protocol/limits';
import { pseudoRandom, sha256, startServerFixture, type ServerFixture } from '../../src-main/engine/server/test-harness';
import { cleanupTempDirs, tempDir } from '../helpers/trees';

let fx: ServerFixture;
let base: string;
let root: string;

beforeAll(async () => {
  base = await tempDir();
  fx = await startServerFixture(base);
  root = fx.roots.main!;
  await mkdir(join(base, 'outside'));
  await symlink(join(base, 'outside'), join(root, 'escape'));
  await writeFile(join(base, 'outside', 'secret.txt'), 'secret');
});
afterAll(async () => {
  await fx.close();
  await cleanupTempDirs();
});

/** Everything in the share's parent folder and the outside folder, to prove nothing was written there. */
async function outsideListing(): Promise<string[]> {
  return [...(await readdir(dirname(root))).sort(), ...(await readdir(join(base, 'outside'))).sort()];
}

describe('authentication', () => {
  it('wrong token → AUTH_FAILED, connection closed, pipelined writes ignored', async () => {
    const c = await fx.client({ hello: false });
    const hello = c.hello('main', 'not-a-token');
    // Pipelined right behind the hello: must never be executed.
    const put = c.put('pwned.txt', Buffer.from('x'));
    await expect(hello).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    await expect(put).rejects.toBeDefined();
    expect(await c.conn.closed).not.toBeNull();
    expect(await readdir(root)).not.toContain('pwned.txt');
  });

  it('any message before hello → NOT_AUTHENTICATED and close', async () => {
    const c = await fx.client({ hello: false });
    await expect(c.request({ type: 'list' })).rejects.toMatchObject({ code: 'NOT_AUTHENTICATED' });
    await c.conn.closed;
    const c2 = await fx.client({ hello: false });
    await expect(c2.put('early.txt', Buffer.from('x'))).rejects.toMatchObject({ code: 'NOT_AUTHENTICATED' });
    expect(await readdir(root)).not.toContain('early.txt');
  });

  it('unknown share and wrong protocol version are refused', async () => {
    const c = await fx.client({ hello: false });
    await expect(c.hello('nope', fx.token)).rejects.toMatchObject({ code: 'UNKNOWN_SHARE' });
    const c2 = await fx.client({ hello: false });
    await expect(
      c2.request({ type: 'hello', protocolVersion: PROTOCOL_VERSION + 1, clientId: 'x', share: 'main', token: fx.token }),
    ).rejects.toMatchObject({ code: 'PROTOCOL_VERSION' });
  });

  it('a revoked token ends its sessions and cannot authenticate again', async () => {
    const { token, info } = await fx.server.tokens.add('temp');
    const c = await fx.client({ token });
    await fx.server.tokens.revoke(info.id);
    expect(await c.conn.closed).not.toBeNull();
    const c2 = await fx.client({ hello: false });
    await expect(c2.hello('main', token)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  });

  it('the right token works, and a second hello is refused without ending the session', async () => {
    const c = await fx.client();
    await expect(c.hello('main', fx.token)).rejects.toMatchObject({ code: 'BAD_FRAME' });
    expect((await c.request({ type: 'ping' })).header.type).toBe('pong');
  });
});

describe('path confinement', () => {
  it.each([
    ['../evil.txt', 'PATH_INVALID'],
    ['a/../../evil.txt', 'PATH_INVALID'],
    ['/tmp/evil.txt', 'PATH_INVALID'],
    ['C:/evil.txt', 'PATH_INVALID'],
    ['a\\..\\evil.txt', 'PATH_INVALID'],
    ['.ferry/versions/evil.txt', 'PATH_INVALID'],
    ['escape/evil.txt', 'PATH_OUTSIDE_SHARE'],
  ])('put %j → %s, nothing written', async (path, code) => {
    const before = await outsideListing();
    const c = await fx.client();
    expect(await c.errorCode({ type: 'put', path, size: 1, mtimeMs: 1, mode: 0o644, hash: sha256(Buffer.from('x')), base: null }, Buffer.from('x'))).toBe(code);
    expect(await outsideListing()).toEqual(before);
    // The session survives a refused path.
    expect((await c.request({ type: 'ping' })).header.type).toBe('pong');
  });

  it('every writing operation refuses a symlink that leaves the share', async () => {
    const before = await outsideListing();
    const c = await fx.client();
    await c.put('inside.txt', Buffer.from('in'));
    expect(await c.errorCode({ type: 'mkdir', path: 'escape/dir', mode: 0o755, mtimeMs: 1 })).toBe('PATH_OUTSIDE_SHARE');
    expect(await c.errorCode({ type: 'move', from: 'inside.txt', to: 'escape/moved.txt' })).toBe('PATH_OUTSIDE_SHARE');
    expect(await c.errorCode({ type: 'move', from: 'escape/secret.txt', to: 'stolen.txt' })).toBe('PATH_OUTSIDE_SHARE');
    expect(await c.errorCode({ type: 'symlink', path: 'escape/l', target: 'x', mtimeMs: 1 })).toBe('PATH_OUTSIDE_SHARE');
    expect(await c.errorCode({ type: 'setMeta', path: 'escape/secret.txt', mode: 0o777, mtimeMs: 1 })).toBe('PATH_OUTSIDE_SHARE');
    expect(await c.errorCode({ type: 'remove', path: 'escape/secret.txt' })).toBe('PATH_OUTSIDE_SHARE');
    expect(await c.errorCode({ type: 'get', path: 'escape/secret.txt', area: 'share', offset: 0, length: 100 })).toBe('PATH_OUTSIDE_SHARE');
    expect(await c.errorCode({ type: 'get', path: 'escape', area: 'share', offset: 0, length: 100 })).toBe('PATH_INVALID');
    expect(await c.errorCode({ type: 'get', path: '../../x', area: 'versions', offset: 0, length: 100 })).toBe('PATH_INVALID');
    const big = pseudoRandom(300 * 1024, 7);
    await expect(c.begin('escape/big.bin', big)).rejects.toMatchObject({ code: 'PATH_OUTSIDE_SHARE' });
    expect(await outsideListing()).toEqual(before);
  });

  it('a synced symlink is stored as text and never followed by later writes', async () => {
    const before = await outsideListing();
    const c = await fx.client();
    await c.request({ type: 'symlink', path: 'to-outside', target: join(base, 'outside'), mtimeMs: 1_600_000_000_000 });
    expect(await c.errorCode({ type: 'put', path: 'to-outside/x.txt', size: 1, mtimeMs: 1, mode: 0o644, hash: sha256(Buffer.from('x')), base: null }, Buffer.from('x'))).toBe('PATH_OUTSIDE_SHARE');
    // Replacing the link with a file replaces the link itself, not what it points to.
    await c.put('to-outside', Buffer.from('now a file'));
    expect(await outsideListing()).toEqual(before);
    const entries = await c.list();
    expect(entries.find((e) => e.path === 'to-outside')).toMatchObject({ kind: 'file', size: 10 });
  });

  it('a malformed frame closes only that connection', async () => {
    const good = await fx.client();
    const bad = await fx.client();
    await expect(bad.request({ type: 'mkdir', path: 'x' /* no mode/mtime */ })).rejects.toMatchObject({ code: 'BAD_FRAME' });
    await bad.conn.closed;
    expect((await good.request({ type: 'ping' })).header.type).toBe('pong');
  });
});
