/** `ferry sync --mode`: the three modes on the command line and in a config file, refused clearly when wrong. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir, writeTree } from '../helpers/trees';
import { killAllFerry, spawnFerry, startServe, syncArgs, syncOnce } from '../helpers/ferry-procs';

afterAll(async () => {
  await killAllFerry();
  await cleanupTempDirs();
});

/** Run `ferry ARGS` to its exit: code and stderr. */
async function ferry(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = spawnFerry(args);
  const code = await p.exited;
  return { code, stdout: p.lines.map((l) => JSON.stringify(l)).join('\n'), stderr: p.stderr() };
}

describe('ferry sync --mode', () => {
  it('explains the three modes and the config keys in --help', async () => {
    const p = spawnFerry(['sync', '--help']);
    let out = '';
    p.proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    expect(await p.exited).toBe(0);
    expect(out).toMatch(/--mode <MODE>.*default: two-way/s);
    expect(out).toContain('choices: "two-way", "mirror", "receive"');
    expect(out).toMatch(/two-way +changes on any device show up everywhere/);
    expect(out).toMatch(/mirror +the share becomes an exact copy of this folder/);
    expect(out).toMatch(/receive +this folder follows the share/);
    expect(out).toContain('--allow-foreign-changes');
    expect(out).toMatch(/Config file keys.*mode.*allowForeignChanges/s);
  });

  it('refuses an unknown mode, naming the choices, before connecting anywhere', async () => {
    const r = await ferry(['sync', '--dir', '/nonexistent', '--server', '127.0.0.1:1', '--mode', 'sideways']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("argument 'sideways' is invalid. Allowed choices are two-way, mirror, receive.");
  });

  it('refuses --allow-foreign-changes outside mirror, from flags and from a config file', async () => {
    const dir = await tempDir();
    const base = ['--dir', dir, '--server', '127.0.0.1:1', '--fingerprint', 'ab'.repeat(32), '--token', 't', '--state', await tempDir(), '--json'];
    const flagged = await ferry(['sync', ...base, '--allow-foreign-changes']);
    expect(flagged.code).toBe(1);
    expect(flagged.stdout).toContain('CONFIG_INVALID');
    expect(flagged.stdout).toContain('--allow-foreign-changes applies to --mode mirror only (this run is two-way)');

    const config = join(await tempDir(), 'sync.json');
    await writeFile(config, JSON.stringify({ mode: 'receive', allowForeignChanges: true }));
    const filed = await ferry(['sync', ...base, '--config', config]);
    expect(filed.code).toBe(1);
    expect(filed.stdout).toContain('(this run is receive)');

    await writeFile(config, JSON.stringify({ mode: 'both-ways' }));
    const badKey = await ferry(['sync', ...base, '--config', config]);
    expect(badKey.code).toBe(1);
    expect(badKey.stdout).toMatch(/CONFIG_INVALID.*mode/);
  });

  it('takes the mode from a config file, and a flag overrides it', async () => {
    const [share, state, client] = await Promise.all([tempDir(), tempDir(), tempDir()]);
    await writeTree(client, { 'a.txt': 'mirrored by the config file\n' });
    const server = await startServe(share, state);
    const config = join(await tempDir(), 'sync.json');
    // The file says mirror, syncArgs' own `--mode mirror` is dropped: only the file decides.
    await writeFile(config, JSON.stringify({ mode: 'mirror', allowForeignChanges: true }));
    const args = syncArgs(client, server, await tempDir(), ['--once', '--config', config]);
    const at = args.indexOf('--mode');
    args.splice(at, 2);
    const p = spawnFerry(args);
    expect(await p.exited, p.stderr()).toBe(0);
    expect(p.lines.find((l) => l.event === 'summary')).toMatchObject({ ok: true, filesUploaded: 1 });

    // A --mode flag wins over the file: receive is refused here with a clear reason while --allow-foreign-changes is set.
    const overridden = await syncOnce(client, server, await tempDir(), ['--config', config, '--mode', 'receive']);
    expect(overridden.code).toBe(1);
    expect(JSON.stringify(overridden.lines)).toContain('(this run is receive)');
  });
});
