/**
 * Pairing in one step with the real processes: `ferry serve` prints an invite, `ferry tokens add` makes
 * another while it runs, `ferry sync --invite` syncs a folder with it, `ferry tokens revoke` shuts it out.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeInvite } from '../../src-shared/invite';
import { cleanupTempDirs, tempDir, waitFor, waitForTreesEqual, writeTree } from '../helpers/trees';
import { killAllFerry, spawnFerry, type JsonLine } from '../helpers/ferry-procs';

const bin = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url));
const run = promisify(execFile);

afterAll(async () => {
  await killAllFerry();
  await cleanupTempDirs();
});

/** Run `ferry ARGS` to the end: exit code, stdout, stderr. */
async function ferry(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [bin, ...args], { timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** The JSON line of `event` in a `--json` run's stdout. */
function jsonEvent(stdout: string, event: string): JsonLine {
  const line = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as JsonLine).find((l) => l.event === event);
  if (!line) throw new Error(`no "${event}" line in: ${stdout}`);
  return line;
}

let modeArgs: string[] | null = null;
/**
 * Plain mirroring where the sync command has modes: this test is about pairing, not about sync modes, so it
 * does not depend on how a mode treats changes it attributes to other devices.
 */
async function mirrorMode(): Promise<string[]> {
  if (modeArgs === null) {
    const help = (await ferry(['sync', '--help'])).stdout;
    modeArgs = [...(help.includes('--mode') ? ['--mode', 'mirror'] : []), ...(help.includes('--allow-foreign-changes') ? ['--allow-foreign-changes'] : [])];
  }
  return modeArgs;
}

describe('invites', () => {
  it('serve prints one; tokens add makes another while it runs; sync --invite syncs with it; revoke shuts it out', async () => {
    const [share, state, client, cstate] = await Promise.all([tempDir(), tempDir(), tempDir(), tempDir()]);
    await writeTree(client, { 'notes/today.md': '# invite test\n', 'photo.bin': Buffer.alloc(70_000, 7) });
    // Bound to every interface: the invite must name addresses a client can use, never 0.0.0.0.
    const serve = spawnFerry(['serve', '--root', share, '--state', state, '--host', '0.0.0.0', '--port', '0', '--json']);
    const listening = await serve.waitForLine((l) => l.event === 'listening');
    const first = decodeInvite(String(listening.invite));
    expect(first.ok, JSON.stringify(first)).toBe(true);
    if (!first.ok) return;
    expect(first.invite).toMatchObject({ port: listening.port, share: 'default', fingerprint: listening.fingerprint, token: listening.token });
    expect(first.invite.hosts).not.toContain('0.0.0.0');
    expect(first.invite.hosts.at(-1)).toBe('127.0.0.1');
    expect(listening.addresses).toEqual(first.invite.hosts);

    // Human output: the invite on its own line, and a QR code drawn with half blocks.
    const human = await ferry(['tokens', 'add', '--label', 'spare', '--state', state]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^ {2}ferry1:[A-Za-z0-9_-]+$/m);
    expect(human.stdout).toContain('▄');

    const added = await ferry(['tokens', 'add', '--label', 'laptop', '--state', state, '--json']);
    expect(added.code, added.stderr).toBe(0);
    const created = jsonEvent(added.stdout, 'tokenAdded');
    const decoded = decodeInvite(String(created.invite));
    expect(decoded.ok && decoded.invite).toMatchObject({ port: listening.port, fingerprint: listening.fingerprint, token: created.token, share: 'default' });

    const before = Date.now();
    const synced = await ferry(['sync', '--once', '--dir', client, '--invite', String(created.invite), '--state', cstate, '--json', ...(await mirrorMode())]);
    expect(synced.code, synced.stderr).toBe(0);
    await waitForTreesEqual(client, share);

    // "Last used" reaches the file shortly after the hello (written by the server, not by this test).
    let laptop: { lastUsedAt: number | null; label: string } | undefined;
    await waitFor(async () => {
      const listed = await ferry(['tokens', 'list', '--state', state, '--json']);
      laptop = (jsonEvent(listed.stdout, 'tokens').tokens as Array<{ label: string; lastUsedAt: number | null }>).find((t) => t.label === 'laptop');
      return (laptop?.lastUsedAt ?? 0) >= before - 1000;
    }, 'tokens list to show when "laptop" was last used');
    const table = await ferry(['tokens', 'list', '--state', state]);
    expect(table.stdout).toMatch(/^ID\s+LABEL\s+CREATED\s+LAST USED$/m);
    expect(table.stdout).toMatch(/spare\s+\S+ \S+\s+never/);

    const revoked = await ferry(['tokens', 'revoke', 'laptop', '--state', state]);
    expect(revoked.code, revoked.stderr).toBe(0);
    // The running server re-reads the token file at the next hello: no waiting for a watch event.
    const refused = await ferry(['sync', '--once', '--dir', client, '--invite', String(created.invite), '--state', cstate, ...(await mirrorMode())]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('AUTH_FAILED');

    // The first-start token from `ferry serve` still works; explicit flags override the invite's fields.
    const wrongShare = await ferry(['sync', '--once', '--dir', client, '--invite', String(listening.invite), '--share', 'nope', '--state', cstate, ...(await mirrorMode())]);
    expect(wrongShare.stderr).toContain('UNKNOWN_SHARE');
    await serve.stop();
  });

  it('a revoke from the command line ends the live sessions of that token on the running server', async () => {
    const [share, state, client, cstate] = await Promise.all([tempDir(), tempDir(), tempDir(), tempDir()]);
    const serve = spawnFerry(['serve', '--root', share, '--state', state, '--host', '127.0.0.1', '--port', '0', '--json']);
    await serve.waitForLine((l) => l.event === 'listening');
    const created = jsonEvent((await ferry(['tokens', 'add', '--label', 'desk', '--state', state, '--json'])).stdout, 'tokenAdded');
    const live = spawnFerry(['sync', '--dir', client, '--invite', String(created.invite), '--state', cstate, '--json', ...(await mirrorMode())]);
    const connected = await serve.waitForLine((l) => l.event === 'clientConnected');
    const revoked = await ferry(['tokens', 'revoke', String(created.id), '--state', state]);
    expect(revoked.code, revoked.stderr).toBe(0);
    // No new hello is needed: the server watches tokens.json and closes the session itself.
    await serve.waitForLine((l) => l.event === 'clientDisconnected' && l.sessionId === connected.sessionId);
    await live.stop();
    await serve.stop();
  });

  it('refuses a damaged invite with a clear message before connecting anywhere', async () => {
    const [client, cstate] = await Promise.all([tempDir(), tempDir()]);
    const r = await ferry(['sync', '--once', '--dir', client, '--invite', 'ferry1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '--state', cstate]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CONFIG_INVALID: --invite: The invite is damaged or incomplete/);
    const notAnInvite = await ferry(['sync', '--once', '--dir', client, '--invite', 'nas.local:7443', '--state', cstate]);
    expect(notAnInvite.stderr).toMatch(/not a Ferry invite/);
  });
});
