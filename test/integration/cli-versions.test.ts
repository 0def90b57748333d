/** `ferry versions list|restore` as real processes against a real `ferry serve`, after `ferry sync` overwrote and deleted files. */
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killAllFerry, spawnFerry, startServe, syncOnce, type JsonLine } from '../helpers/ferry-procs';
import { cleanupTempDirs, tempDir, writeTree } from '../helpers/trees';

afterAll(async () => {
  await killAllFerry();
  await cleanupTempDirs();
});

/** Run a `ferry versions …` command to its end. */
async function versions(args: string[]): Promise<{ code: number | null; lines: JsonLine[]; stderr: string }> {
  const p = spawnFerry(['versions', ...args]);
  const code = await Promise.race([p.exited, new Promise<null>((r) => setTimeout(() => r(null), 60_000))]);
  if (code === null) await p.stop('SIGKILL');
  return { code, lines: p.lines, stderr: p.stderr() };
}

describe('ferry versions', () => {
  it('lists what a sync overwrote or deleted (with the device), restores to place and beside, refuses a hostile id', async () => {
    const [client, share, state, cstate] = await Promise.all([tempDir(), tempDir(), tempDir(), tempDir()]);
    await writeTree(client, { 'docs/plan.txt': 'plan v1', 'old.txt': 'to be deleted' });
    const server = await startServe(share, state);
    const laptop = ['--device-name', 'Laptop'];
    const first = await syncOnce(client, server, cstate, laptop);
    expect(first.code, first.stderr).toBe(0);
    await writeFile(join(client, 'docs/plan.txt'), 'plan v2, longer');
    await rm(join(client, 'old.txt'));
    const second = await syncOnce(client, server, cstate, laptop);
    expect(second.code, second.stderr).toBe(0);

    const conn = ['--server', `127.0.0.1:${server.port}`, '--fingerprint', server.fingerprint, '--token', server.token, '--state', cstate, '--json'];
    const list = await versions(['list', ...conn]);
    expect(list.code, list.stderr).toBe(0);
    const listed = list.lines.find((l) => l.event === 'versions')!;
    expect(listed.retentionDays).toBe(30);
    const vs = listed.versions as { id: string; original: string; size: number; deleted: boolean; device?: string; deviceName?: string }[];
    const clientId = (await readFile(join(cstate, 'client-id'), 'utf8').catch(() => '')).trim();
    const plan = vs.find((v) => v.original === 'docs/plan.txt')!;
    const old = vs.find((v) => v.original === 'old.txt')!;
    expect(plan).toMatchObject({ size: 7, deleted: false, deviceName: 'Laptop' });
    expect(old).toMatchObject({ size: 13, deleted: true, deviceName: 'Laptop' });
    expect(clientId).not.toBe('');
    expect(old.device).toBe(clientId);
    const filtered = await versions(['list', ...conn, '--path', 'docs']);
    expect((filtered.lines.find((l) => l.event === 'versions')!.versions as { original: string }[]).map((v) => v.original)).toEqual(['docs/plan.txt']);

    const restored = await versions(['restore', old.id, ...conn]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.lines.find((l) => l.event === 'restored')).toMatchObject({ path: 'old.txt', version: old.id });
    expect(await readFile(join(share, 'old.txt'), 'utf8')).toBe('to be deleted');

    const beside = await versions(['restore', plan.id, '--beside', ...conn]);
    expect(beside.code, beside.stderr).toBe(0);
    const besidePath = String(beside.lines.find((l) => l.event === 'restored')!.path);
    expect(besidePath).toMatch(/^docs\/plan \(restored \d{4}-\d\d-\d\d \d\d\.\d\d\)\.txt$/);
    expect(await readFile(join(share, besidePath), 'utf8')).toBe('plan v1');
    expect(await readFile(join(share, 'docs/plan.txt'), 'utf8')).toBe('plan v2, longer');

    const hostile = await versions(['restore', '../../etc/passwd~20261204T120000Z', ...conn]);
    expect(hostile.code).toBe(1);
    expect(hostile.stderr).toContain('PATH_INVALID');
    // A human listing: the table a person reads.
    const human = spawnFerry(['versions', 'list', ...conn.filter((a) => a !== '--json')]);
    let text = '';
    human.proc.stdout!.on('data', (d: Buffer) => (text += d.toString()));
    expect(await human.exited).toBe(0);
    expect(text).toMatch(/kept versions on share "default" \(kept 30 days\)/);
    expect(text).toMatch(/replaced .*this device .*docs\/plan.txt~/);
    expect(await readdir(share)).toContain('old.txt');
    await server.proc.stop();
  });
});
