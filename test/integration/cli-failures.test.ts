/** Failure paths of the real processes: bad credentials, wrong pins, plaintext peers, kills mid-transfer, safety halts. */
import { randomBytes } from 'node:crypto';
import { rm, writeFile, mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, diffSnapshots, snapshotTree, tempDir, waitFor, writeTree } from '../helpers/trees';
import { startCappedRelay } from '../helpers/capped-relay';
import { killAllFerry, spawnFerry, startServe, syncArgs, syncOnce } from '../helpers/ferry-procs';

afterAll(async () => {
  await killAllFerry();
  await cleanupTempDirs();
});

/** Every file visible under its real name on the server is a complete copy of the client's. */
async function expectNoPartialFiles(client: string, share: string): Promise<void> {
  const local = await snapshotTree(client);
  for (const [p, e] of Object.entries(await snapshotTree(share))) {
    if (e.kind === 'file') expect(local[p]?.sha256, `partial file visible on the server: ${p}`).toBe(e.sha256);
  }
}

const codeOf = (r: { lines: { event: string; code?: unknown }[] }) => r.lines.find((l) => l.event === 'error')?.code;

describe('credentials and trust', () => {
  it('a wrong token gets AUTH_FAILED, a wrong fingerprint FINGERPRINT_MISMATCH, plaintext is dropped; nothing is written and the server keeps serving', async () => {
    const [client, share, state, cstate] = await Promise.all([tempDir(), tempDir(), tempDir(), tempDir()]);
    await writeTree(client, { 'a.txt': 'a' });
    await writeTree(share, { 'precious.txt': 'keep me' });
    const server = await startServe(share, state);
    const before = await snapshotTree(share);

    const badToken = await syncOnce(client, { ...server, token: 'not-the-token' }, cstate);
    expect(badToken.code).not.toBe(0);
    expect(codeOf(badToken)).toBe('AUTH_FAILED');
    expect(badToken.stderr).toMatch(/AUTH_FAILED/);

    const wrongFp = server.fingerprint.replace(/^../, server.fingerprint.startsWith('00') ? '11' : '00');
    const badPin = await syncOnce(client, { ...server, fingerprint: wrongFp }, cstate);
    expect(badPin.code).not.toBe(0);
    expect(codeOf(badPin)).toBe('FINGERPRINT_MISMATCH');

    // A plaintext client speaking our framing without TLS gets no answer and is disconnected.
    const plain = await new Promise<string>((resolve) => {
      const sock = connect(server.port, '127.0.0.1', () => {
        const hdr = Buffer.from(JSON.stringify({ type: 'hello', id: 1, protocolVersion: 1, clientId: 'x', share: 'default', token: server.token }));
        const len = Buffer.alloc(4);
        len.writeUInt32BE(hdr.length);
        sock.write(Buffer.concat([len, hdr]));
      });
      let got = '';
      sock.on('data', (d) => (got += d.toString('latin1')));
      sock.on('close', () => resolve(got));
      sock.on('error', () => undefined);
      setTimeout(() => sock.destroy(), 5000);
    });
    expect(plain).not.toContain('helloOk');
    expect(await snapshotTree(share)).toEqual(before);

    // ...and the server still serves a good client.
    const good = await syncOnce(client, server, cstate);
    expect(good.code, good.stderr).toBe(0);
    expect(diffSnapshots(await snapshotTree(client), await snapshotTree(share))).toEqual([]);
    await server.proc.stop();
  });
});

describe('safety', () => {
  it('halts instead of emptying the share when the client folder is empty or missing', async () => {
    const [client, share, state, cstate] = await Promise.all([tempDir(), tempDir(), tempDir(), tempDir()]);
    await writeTree(share, { 'precious/1.txt': 'one', 'precious/2.txt': 'two' });
    const server = await startServe(share, state);
    const before = await snapshotTree(share);

    const empty = await syncOnce(client, server, cstate);
    expect(empty.code).not.toBe(0);
    expect(codeOf(empty)).toBe('SAFETY_HALT');
    const missing = await syncOnce(join(client, 'not-there'), server, cstate);
    expect(missing.code).not.toBe(0);
    expect(codeOf(missing)).toBe('SAFETY_HALT');
    expect(await snapshotTree(share)).toEqual(before);

    // Live: emptying a watched folder halts too and the server keeps its files.
    await writeTree(client, { 'precious/1.txt': 'one', 'precious/2.txt': 'two' });
    const live = spawnFerry(syncArgs(client, server, cstate));
    await live.waitForLine((l) => l.event === 'watching', 30_000);
    await rm(join(client, 'precious'), { recursive: true });
    await live.waitForLine((l) => l.event === 'status' && l.status === 'halted', 20_000);
    const after = await snapshotTree(share);
    expect(Object.keys(after).filter((k) => k.startsWith('precious/'))).toHaveLength(2);
    await live.stop();

    // The explicit flag allows it.
    const allowed = await syncOnce(client, server, cstate, ['--allow-empty']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(await snapshotTree(share)).toEqual({});
    await server.proc.stop();
  });
});

describe('killed mid-transfer', () => {
  it('leaves no partial file under a real name, and the next run converges', async () => {
    const [client, share, state, cstate] = await Promise.all([tempDir(), tempDir(), tempDir(), tempDir()]);
    const fileSize = 24 * 1024 * 1024;
    await mkdir(join(client, 'big'), { recursive: true });
    for (let i = 0; i < 4; i++) await writeFile(join(client, 'big', `f${i}.bin`), randomBytes(fileSize));
    const complete = async () => Object.keys(await snapshotTree(share)).filter((p) => p.startsWith('big/f')).length;

    // Mid-transfer is a state set up, not a moment raced: the client reaches the server through a relay
    // that lets through 1.5 files' worth of bytes and then holds, so the upload cannot finish at any speed.
    let server = await startServe(share, state);
    const relay1 = await startCappedRelay(server.port, fileSize * 1.5);
    const c1 = spawnFerry(syncArgs(client, { ...server, port: relay1.port }, cstate, ['--once']));
    await Promise.race([relay1.capped, c1.exited.then((code) => Promise.reject(new Error(`ferry exited (${code}) before sending 1.5 files; ${c1.stderr()}`)))]);
    await c1.stop('SIGKILL');
    await relay1.close();
    expect(await complete(), 'the kill must land mid-transfer').toBeLessThan(4);
    await expectNoPartialFiles(client, share);

    // Kill the server mid-way through the rest: at most 1.5 files reached it, the next 0.5 file's worth is let
    // through, and then the server dies while the client still has files to send.
    const relay2 = await startCappedRelay(server.port, fileSize * 0.5);
    const c2 = spawnFerry(syncArgs(client, { ...server, port: relay2.port }, cstate, ['--once']));
    await Promise.race([relay2.capped, c2.exited.then((code) => Promise.reject(new Error(`ferry exited (${code}) before sending half a file; ${c2.stderr()}`)))]);
    await server.proc.stop('SIGKILL');
    await c2.stop('SIGKILL');
    await relay2.close();
    expect(await complete(), 'the server kill must land mid-transfer').toBeLessThan(4);
    await expectNoPartialFiles(client, share);

    // Restart: converges.
    // The token is printed only on the first start of a state folder: keep using the first one.
    const token = server.token;
    server = { ...(await startServe(share, state)), token };
    const done = await syncOnce(client, server, cstate);
    expect(done.code, done.stderr).toBe(0);
    await waitFor(async () => diffSnapshots(await snapshotTree(client), await snapshotTree(share)).length === 0, 'convergence');
    await server.proc.stop();
  });
});
