/**
 * Delta transfer over a real FerryServer and TLS, bytes counted by a relay on the wire: an edited large file
 * costs about the changed chunks plus its recipe; a renamed file costs no data; a copied file is found in the
 * server's chunk index; a chunk that no longer matches its recipe is caught and sent again, never committed.
 */
import { copyFile, mkdir, open, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RECIPE_ENTRY_BYTES } from '../../src-shared/protocol/limits';
import { cleanupTempDirs, waitFor } from '../helpers/trees';
import { startWorld, waitForStatus, type ClientWorld, type Recorder } from './client-fixture';
import { fileHash, payloadSent, startRelay, writeRandomFile, type Relay } from './delta-relay';

const MiB = 1024 * 1024;
/** FastCDC's maximum chunk length (docs/chunking.md): one edit re-sends at most a couple of these. */
const MAX_CHUNK = 128 * 1024;

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

/** A session that reaches the server through the counting relay. */
function viaRelay(extra: Parameters<ClientWorld['session']>[0] = {}): Recorder {
  return w.session({ target: { ...w.target, port: relay.port }, ...extra });
}

/** One `runOnce` through the relay: its payload bytes and wire bytes (both directions). */
async function syncMeasured(): Promise<{ payload: number; wire: number; up: number; down: number }> {
  relay.reset();
  const r = viaRelay();
  const summary = await r.s.runOnce();
  expect(summary.errors).toEqual([]);
  const m = { payload: payloadSent(r.transfers), wire: relay.up + relay.down, up: relay.up, down: relay.down };
  if (process.env.DELTA_PRINT) console.info('delta', JSON.stringify(m));
  return m;
}

async function expectSameFile(rel: string): Promise<void> {
  const [a, b] = await Promise.all([stat(join(w.client, rel)), stat(join(w.share, rel))]);
  expect(b.size).toBe(a.size);
  expect(Math.floor(b.mtimeMs)).toBe(Math.floor(a.mtimeMs));
  expect(await fileHash(join(w.share, rel))).toBe(await fileHash(join(w.client, rel)));
}

/** Rewrite `rel` through `edit`, then give it a new mtime (so the scan sees a change even at equal size). */
async function editFile(rel: string, edit: (abs: string) => Promise<void>, mtimeSec: number): Promise<void> {
  const abs = join(w.client, rel);
  await edit(abs);
  await utimes(abs, mtimeSec, mtimeSec);
}

describe('delta transfer of a synced 64 MiB file', () => {
  it('an insert at the start, an append and an overwrite in the middle each cost a few chunks plus the recipe', async () => {
    const size = 64 * MiB;
    await writeRandomFile(join(w.client, 'big.bin'), size);
    const first = await syncMeasured();
    expect(first.payload).toBe(size);
    const recipeBytes = Math.ceil(size / (32 * 1024)) * RECIPE_ENTRY_BYTES * 1.5; // avg 32 KiB chunks, generous

    // 100 bytes inserted at the start: DESIGN §4 wants ≤ 2 × rsync's ~90 KB on the wire, both directions.
    await editFile('big.bin', async (abs) => {
      const old = await readAll(abs);
      await writeFile(abs, Buffer.concat([Buffer.alloc(100, 7), old]));
    }, 1_700_000_001);
    const insert = await syncMeasured();
    await expectSameFile('big.bin');
    expect(insert.payload).toBeGreaterThan(0);
    expect(insert.payload).toBeLessThan(0.01 * size);
    expect(insert.payload).toBeLessThanOrEqual(2 * MAX_CHUNK);
    expect(insert.wire, `up ${insert.up} down ${insert.down}`).toBeLessThanOrEqual(180_000);

    // 1 MiB appended: the appended bytes and the re-cut last chunk.
    await editFile('big.bin', (abs) => appendRandom(abs, MiB), 1_700_000_002);
    const append = await syncMeasured();
    await expectSameFile('big.bin');
    expect(append.payload).toBeGreaterThanOrEqual(MiB);
    expect(append.payload).toBeLessThanOrEqual(MiB + 2 * MAX_CHUNK);
    expect(append.wire).toBeLessThan(MiB + 2 * MAX_CHUNK + recipeBytes + 64 * 1024);

    // 4 KiB overwritten in the middle (same size): one or two chunks.
    await editFile('big.bin', async (abs) => {
      const fh = await open(abs, 'r+');
      await fh.write(Buffer.alloc(4096, 0x5a), 0, 4096, 32 * MiB + 12345);
      await fh.close();
    }, 1_700_000_003);
    const overwrite = await syncMeasured();
    await expectSameFile('big.bin');
    expect(overwrite.payload).toBeGreaterThan(0);
    expect(overwrite.payload).toBeLessThanOrEqual(2 * MAX_CHUNK + 4096);
    expect(overwrite.wire).toBeLessThan(0.01 * size + recipeBytes);
  }, 120_000);
});

describe('renames and copies of large files', () => {
  it('a live rename of a 256 MiB file is a move (no file data); a copy inside the folder is found in the chunk index', async () => {
    const size = 256 * MiB;
    await mkdir(join(w.client, 'sub'));
    await writeRandomFile(join(w.client, 'big.bin'), size, 2);
    const live = viaRelay();
    await live.s.start();
    await waitForStatus(live, 'watching', 90_000);
    await expectSameFile('big.bin');

    relay.reset();
    await rename(join(w.client, 'big.bin'), join(w.client, 'sub', 'renamed.bin'));
    await waitFor(async () => (await exists(join(w.share, 'sub', 'renamed.bin'))) && !(await exists(join(w.share, 'big.bin'))), 'the rename on the server', 15_000);
    await waitForStatus(live, 'watching');
    const renameWire = relay.up + relay.down;
    if (process.env.DELTA_PRINT) console.info('rename wire', renameWire);
    expect(renameWire).toBeLessThan(0.01 * size);
    expect(live.transfers.some((t) => t.kind === 'move' && t.status === 'completed' && t.toPath === 'sub/renamed.bin')).toBe(true);
    expect(payloadSent(live.transfers, 'sub/renamed.bin')).toBe(0);
    await expectSameFile('sub/renamed.bin');
    await live.s.stop();

    // A copy made while no client runs, then one sync: the server already holds every chunk.
    await copyFile(join(w.client, 'sub', 'renamed.bin'), join(w.client, 'copy.bin'));
    const copy = await syncMeasured();
    await expectSameFile('copy.bin');
    expect(copy.payload).toBe(0);
    expect(copy.wire).toBeLessThan(0.01 * size);
  }, 180_000);
});

describe('a chunk that no longer matches its recipe', () => {
  it('is caught before it is committed; the file is read again and the server ends with exactly what is on disk', async () => {
    const size = 24 * MiB;
    const abs = join(w.client, 'moving.bin');
    await writeRandomFile(abs, size, 3);
    const before = await stat(abs);
    // Paced at 8 MiB/s so that the change below lands between the recipe and the sending of the chunks it touches.
    const r = viaRelay({ bandwidthLimit: 8 * MiB });
    let changed = false;
    const changing = new Promise<void>((resolve, reject) => {
      r.s.on('transferUpdated', (t) => {
        if (changed || t.path !== 'moving.bin' || t.bytesSent === 0) return;
        changed = true;
        // Same size, same inode, and the mtime put back: only the chunk hashes can tell.
        void (async () => {
          const fh = await open(abs, 'r+');
          await fh.write(Buffer.alloc(8192, 0xee), 0, 8192, 20 * MiB);
          await fh.close();
          await utimes(abs, before.atime, before.mtime);
        })().then(resolve, reject);
      });
    });
    const summary = await r.s.runOnce();
    await changing;
    expect(changed).toBe(true);
    expect(summary.errors).toEqual([]);
    expect(r.transfers.filter((t) => t.status === 'failed')).toEqual([]);
    // The server holds the new bytes (if the stale chunk had been committed, the hashes would differ).
    await expectSameFile('moving.bin');
    expect(payloadSent(r.transfers)).toBeGreaterThan(0);
  }, 60_000);
});

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

async function readAll(abs: string): Promise<Buffer> {
  const fh = await open(abs, 'r');
  try {
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

async function appendRandom(abs: string, n: number): Promise<void> {
  const tmp = `${abs}.tail`;
  await writeRandomFile(tmp, n, 99);
  const fh = await open(abs, 'a');
  try {
    await fh.write(await readAll(tmp));
  } finally {
    await fh.close();
  }
  await rm(tmp);
}
