/**
 * An interrupted large upload resumes: the server keeps the chunks it staged (docs/protocol.md, Resumption),
 * so a 1 GiB transfer cut at about half-way and started again sends well under the whole file again.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCappedRelay } from '../helpers/capped-relay';
import { cleanupTempDirs } from '../helpers/trees';
import { startWorld, type ClientWorld } from './client-fixture';
import { fileHash, payloadSent, startRelay, writeRandomFile, type Relay } from './delta-relay';

const GiB = 1024 * 1024 * 1024;

let w: ClientWorld;
let relay: Relay;
beforeEach(async () => {
  w = await startWorld();
  relay = await startRelay(w.port);
});
afterEach(async () => {
  await w.close();
  await relay.close();
});
afterAll(cleanupTempDirs);

describe('resuming an interrupted upload', () => {
  it('a 1 GiB upload stopped at about half-way sends less than 60 % of the file when started again', async () => {
    const size = 1 * GiB;
    await writeRandomFile(join(w.client, 'huge.bin'), size, 4);
    const target = { ...w.target, port: relay.port };

    // First try: the client reaches the server through a relay that lets through 55 % of the file and then
    // holds, so the cut is at about half-way by construction, whatever the machine's speed. Stop it there.
    const capped = await startCappedRelay(w.port, 0.55 * size);
    const first = w.session({ target: { ...w.target, port: capped.port } });
    await first.s.start();
    await capped.capped;
    await first.s.stop();
    await capped.close();
    expect(first.transfers.some((t) => t.path === 'huge.bin' && t.status === 'completed')).toBe(false);
    const sentAtCut = capped.forwarded();

    // Second try: a new session (as after a restart of the client) asks the server what it still needs.
    relay.reset();
    const second = w.session({ target });
    const summary = await second.s.runOnce();
    expect(summary.errors).toEqual([]);
    const resent = payloadSent(second.transfers, 'huge.bin');
    if (process.env.DELTA_PRINT) console.info('resume', JSON.stringify({ sentAtCut, resent, wire: relay.up + relay.down }));
    expect(resent).toBeGreaterThan(0);
    expect(resent).toBeLessThan(0.6 * size);
    expect(relay.up + relay.down).toBeLessThan(0.6 * size + 2 * 1024 * 1024);
    expect((await stat(join(w.share, 'huge.bin'))).size).toBe(size);
    expect(await fileHash(join(w.share, 'huge.bin'))).toBe(await fileHash(join(w.client, 'huge.bin')));
  }, 240_000);
});
