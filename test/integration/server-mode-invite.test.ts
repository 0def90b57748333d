/** Server mode's invites against a real embedded server: the first-start invite once, reachable addresses, "last used", recently seen clients. */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeInvite } from '../../src-shared/invite';
import type { ConnectionTarget } from '../../src-shared/model';
import { TokenStore } from '../../src-main/engine/server/token-store';
import { cleanupTempDirs, waitFor } from '../helpers/trees';
import { startTestEngine, type EngineFixture } from './controller-fixture';

const engines: EngineFixture[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.engine.stop()));
  await cleanupTempDirs();
});

async function engine(): Promise<EngineFixture> {
  const fx = await startTestEngine();
  engines.push(fx);
  return fx;
}

function targetOf(invite: string | null): ConnectionTarget {
  const r = decodeInvite(invite ?? '');
  if (!r.ok) throw new Error(r.error);
  return { host: r.invite.hosts[0]!, port: r.invite.port, share: r.invite.share, fingerprint: r.invite.fingerprint, token: r.invite.token };
}

describe('server mode invites', () => {
  it('shows the first-start token once as an invite that connects; records last use and recently seen clients', async () => {
    const fx = await engine();
    const started = await fx.engine.handle('server:setEnabled', [true]);
    expect(started).toMatchObject({ running: true, initialInviteWaiting: true, addresses: ['127.0.0.1'] });

    const first = await fx.engine.handle('server:takeInitialInvite', []);
    expect(first?.info.label).toBe('initial');
    const decoded = decodeInvite(first?.invite ?? '');
    expect(decoded.ok && decoded.invite).toEqual({ hosts: ['127.0.0.1'], port: started.port, share: 'default', fingerprint: started.fingerprint, token: first!.token });
    expect(await fx.engine.handle('server:takeInitialInvite', [])).toBeNull();
    expect(fx.engine.state().server.initialInviteWaiting).toBe(false);

    const before = Date.now();
    expect(await fx.engine.handle('pair:test', [targetOf(first!.invite)])).toMatchObject({ ok: true, share: 'default' });
    await waitFor(() => (fx.engine.state().server.tokens.find((t) => t.label === 'initial')?.lastUsedAt ?? 0) >= before, '"last used" of the initial token');
    // The test connection has closed: the client stays listed with when it was last seen.
    await waitFor(() => fx.engine.state().server.recentClients.length === 1, 'a recently seen client');
    expect(fx.engine.state().server.recentClients[0]).toMatchObject({ share: 'default', remoteAddress: expect.stringContaining('127.0.0.1') });
    expect(fx.engine.state().server.recentClients[0]!.lastSeenAt).toBeGreaterThanOrEqual(before);
    expect(fx.engine.state().server.clients).toEqual([]);
  });

  it('New invite connects; a revoke by another process (ferry tokens revoke) reaches the running server', async () => {
    const fx = await engine();
    await fx.engine.handle('server:setEnabled', [true]);
    const created = await fx.engine.handle('server:addToken', ['phone']);
    const target = targetOf(created.invite);
    expect(target.token).toBe(created.token);
    expect((await fx.engine.handle('pair:test', [target])).ok).toBe(true);

    const cli = await TokenStore.open(join(fx.stateDir, 'server'), { createInitial: false });
    await cli.revoke(created.info.id);
    await cli.close();
    expect(await fx.engine.handle('pair:test', [target])).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
    await waitFor(() => !fx.engine.state().server.tokens.some((t) => t.label === 'phone'), 'the revoked token gone from the state');
  });

  it('revokes a first-start token nobody was shown when the server stops; no invite while stopped', async () => {
    const fx = await engine();
    expect((await fx.engine.handle('server:setEnabled', [true])).initialInviteWaiting).toBe(true);
    const stopped = await fx.engine.handle('server:setEnabled', [false]);
    expect(stopped).toMatchObject({ running: false, initialInviteWaiting: false, addresses: [] });
    expect(stopped.tokens.map((t) => t.label)).not.toContain('initial');
    const offline = await fx.engine.handle('server:addToken', ['later']);
    expect(offline.invite).toBeNull();
  });
});
