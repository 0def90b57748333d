/** The controller's server mode, tokens, connection test and folder browser, against a real FerryServer. */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppState, ConnectionTestResult } from '../../src-shared/ipc';
import type { ConnectionTarget, ServerState } from '../../src-shared/model';
import { FerryServer } from '../../src-main/engine/server/ferry-server';
import { cleanupTempDirs, tempDir, waitFor } from '../helpers/trees';
import { startTestEngine, type EngineFixture } from './controller-fixture';

let fx: EngineFixture;
let states: AppState[];

beforeAll(async () => {
  fx = await startTestEngine();
  states = [];
  fx.engine.on('stateChanged', (s) => states.push(s));
});

afterAll(async () => {
  await fx?.engine.stop();
  await cleanupTempDirs();
});

const serverState = () => fx.engine.handle('state:get', []).then((s) => s.server);

describe('server mode', () => {
  it('manages tokens while the server is stopped, without leaving an unseen token behind', async () => {
    expect((await serverState()).running).toBe(false);
    const { token, info } = await fx.engine.handle('server:addToken', ['laptop']);
    expect(token.length).toBeGreaterThan(20);
    expect(info).toMatchObject({ label: 'laptop' });
    expect((await serverState()).tokens.map((t) => t.label)).toEqual(['laptop']);
    await fx.engine.handle('server:revokeToken', [info.id]);
    expect((await serverState()).tokens).toEqual([]);
    await expect(fx.engine.handle('server:revokeToken', [info.id])).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('starts on server:setEnabled(true), saves the choice and reports itself in the state', async () => {
    const server: ServerState = await fx.engine.handle('server:setEnabled', [true]);
    expect(server).toMatchObject({ enabled: true, running: true, lastError: null });
    expect(server.port).toBeGreaterThan(0);
    expect(server.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(fx.current().server.enabled).toBe(true);
    await waitFor(() => states.some((s) => s.server.running), 'a stateChanged event with the server running');
  });

  it('tests a connection: right fingerprint and token succeed, a wrong fingerprint or token fails', async () => {
    const { token } = await fx.engine.handle('server:addToken', ['tester']);
    const s = await serverState();
    const target: ConnectionTarget = { host: '127.0.0.1', port: s.port, share: 'default', fingerprint: s.fingerprint!, token };
    const good: ConnectionTestResult = await fx.engine.handle('pair:test', [target]);
    expect(good).toMatchObject({ ok: true, share: 'default' });

    const wrongFp = await fx.engine.handle('pair:test', [{ ...target, fingerprint: '00'.repeat(32) }]);
    expect(wrongFp).toMatchObject({ ok: false, error: { code: 'FINGERPRINT_MISMATCH' } });
    const wrongToken = await fx.engine.handle('pair:test', [{ ...target, token: 'not-a-token' }]);
    expect(wrongToken).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
  });

  it('revoking a token while running makes it unusable at once', async () => {
    const { token, info } = await fx.engine.handle('server:addToken', ['temporary']);
    const s = await serverState();
    const target: ConnectionTarget = { host: '127.0.0.1', port: s.port, share: 'default', fingerprint: s.fingerprint!, token };
    expect((await fx.engine.handle('pair:test', [target])).ok).toBe(true);
    await fx.engine.handle('server:revokeToken', [info.id]);
    expect((await serverState()).tokens.map((t) => t.label)).not.toContain('temporary');
    expect(await fx.engine.handle('pair:test', [target])).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
  });

  it('reports a port conflict as lastError (and overall error) instead of throwing, and recovers on configure', async () => {
    const blockerState = await tempDir('ferry-blocker-');
    const blocker = await FerryServer.create({ host: '127.0.0.1', port: 0, stateDir: blockerState, shares: { default: blockerState } });
    const taken = (await blocker.listen()).port;
    try {
      const root = (await serverState()).root;
      const failed = await fx.engine.handle('server:configure', [{ root, host: '127.0.0.1', port: taken }]);
      expect(failed).toMatchObject({ enabled: true, running: false });
      expect(failed.lastError).not.toBeNull();
      expect((await fx.engine.handle('state:get', [])).overall).toBe('error');
    } finally {
      await blocker.close();
    }
    const root = (await serverState()).root;
    const recovered = await fx.engine.handle('server:configure', [{ root, host: '127.0.0.1', port: taken }]);
    expect(recovered).toMatchObject({ running: true, port: taken, lastError: null });
    expect(fx.current().server.port).toBe(taken);
  });

  it('stops on server:setEnabled(false), keeping tokens', async () => {
    const before = (await serverState()).tokens.length;
    const s = await fx.engine.handle('server:setEnabled', [false]);
    expect(s).toMatchObject({ enabled: false, running: false });
    expect(s.tokens).toHaveLength(before);
    expect(fx.current().server.enabled).toBe(false);
  });
});

describe('fs:listDirs', () => {
  it('lists visible subfolders (links to folders too), sorted, with the parent', async () => {
    const root = await tempDir('ferry-browse-');
    await mkdir(join(root, 'Music'));
    await mkdir(join(root, 'Documents', 'deep'), { recursive: true });
    await mkdir(join(root, '.hidden'));
    await writeFile(join(root, 'file.txt'), 'not a folder');
    await symlink(join(root, 'Music'), join(root, 'Songs'));
    await symlink(join(root, 'nowhere'), join(root, 'Dangling'));
    const listing = await fx.engine.handle('fs:listDirs', [root]);
    expect(listing).toEqual({ path: root, parent: join(root, '..'), dirs: ['Documents', 'Music', 'Songs'] });
    expect((await fx.engine.handle('fs:listDirs', ['/'])).parent).toBeNull();
    expect((await fx.engine.handle('fs:listDirs', [null])).path).toMatch(/^\//);
  });

  it('reports a missing folder or a file as an error value', async () => {
    const root = await tempDir('ferry-browse-');
    await writeFile(join(root, 'file.txt'), 'x');
    await expect(fx.engine.handle('fs:listDirs', [join(root, 'missing')])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(fx.engine.handle('fs:listDirs', [join(root, 'file.txt')])).rejects.toMatchObject({ code: 'PATH_INVALID' });
    await expect(fx.engine.handle('fs:listDirs', ['relative/path'])).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
