/**
 * What one authenticated peer can make the server hold: list pages stay far below the frame limit whatever the
 * path lengths (finding 4 of issue 11), and answers to reads the peer never takes stay within a per-connection
 * budget while other clients are served (finding 5).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../../src-shared/protocol/limits';
import { cleanupTempDirs, tempDir } from '../../../test/helpers/trees';
import { until } from '../net/test-kit';
import { RawPeer, rawFrame } from './raw-peer';
import { DEFAULT_SERVER_LIMITS } from './server-limits';
import { startServerFixture, type ServerFixture } from './test-harness';

const MiB = 1024 * 1024;
let fx: ServerFixture;
beforeAll(async () => {
  fx = await startServerFixture(await tempDir());
});
afterAll(async () => {
  await fx.close();
  await cleanupTempDirs();
});

describe('list pages', () => {
  it('2,100 files with ~530-byte paths list completely (pages are capped in bytes, not only in entries)', async () => {
    // Two 250-byte folder names and a 25-byte file name: 2,000 such entries were ~1.3 MB, over the 1 MiB header limit.
    const dir = join(fx.roots.main!, 'd'.repeat(250), 'e'.repeat(250));
    await mkdir(dir, { recursive: true });
    for (let i = 0; i < 2100; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, k) => writeFile(join(dir, `f${String(i + k).padStart(5, '0')}`.padEnd(25, 'x')), 'x')));
    }
    const c = await fx.client();
    const entries = await c.list();
    expect(entries.filter((e) => e.kind === 'file' && e.path.length >= 527)).toHaveLength(2100);
  });
});

describe('answers a peer never reads', () => {
  it('96 pipelined 16 MiB reads hold at most the per-connection budget, and another client is served meanwhile', async () => {
    await writeFile(join(fx.roots.main!, 'big.bin'), Buffer.alloc(16 * MiB, 7));
    const rssBefore = process.memoryUsage().rss;
    const peer = await RawPeer.open(fx.port);
    peer.write(rawFrame({ type: 'hello', id: 1, protocolVersion: PROTOCOL_VERSION, clientId: 'hog', share: 'main', token: fx.token }));
    await peer.until(() => peer.frames.length > 0, 'helloOk');
    peer.socket.pause(); // from now on nothing is read: the server's answers pile up on its side
    const gets = Array.from({ length: 96 }, (_, i) => rawFrame({ type: 'get', id: 10 + i, path: 'big.bin', area: 'share', offset: 0, length: 16 * MiB }));
    peer.write(...gets);
    const limit = DEFAULT_SERVER_LIMITS.maxQueuedWriteBytes;
    const hogId = peer.frames[0]!.sessionId; // from its helloOk
    const hog = () => fx.server.connectionStats().find((s) => s.sessionId === hogId);
    // The server reads as much as the budget allows and then waits for the peer (which never reads).
    await until(() => (hog()?.queuedWriteBytes ?? 0) >= limit, 'the budget spent', 60_000);
    const rssHeld = process.memoryUsage().rss;

    const other = await fx.client();
    expect((await other.put('other.txt', Buffer.from('served'))).header.type).toBe('ok');
    const f = await other.request({ type: 'get', path: 'big.bin', area: 'share', offset: 16 * MiB - 10, length: 100 });
    expect(f.payload.length).toBe(10);
    expect((await other.list()).some((e) => e.path === 'other.txt')).toBe(true);

    expect(hog()!.peakQueuedWriteBytes).toBeLessThanOrEqual(limit);
    console.info(`96 unread 16 MiB gets: server+test RSS ${Math.round(rssBefore / MiB)} → ${Math.round(rssHeld / MiB)} MiB (budget ${limit / MiB} MiB)`);
    peer.destroy();
    await until(() => hog() === undefined, 'the hog session ended', 60_000);
  });
});
