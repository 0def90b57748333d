/**
 * Path races and overlapping operations against a real server over TLS (issue 11, findings 1–3): a pipelined
 * `put r/x` + `move r` + `symlink r -> outside` must never touch anything outside the share; client mode bits
 * never include setuid/setgid/sticky; a failed folder flush never escapes as an unhandled rejection; two
 * concurrent overwrites of one file keep every previous content in versions.
 * Each attack prints "landed x/N": the figures of docs/reliability.md.
 */
import { lstat, mkdir, readdir, readFile, writeFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '../../../test/helpers/trees';
import { silentLogger } from '../log';
import { escapedRejections, installUnhandledGuard } from '../unhandled-guard';
import { pseudoRandom, sha256, startServerFixture, type RawClient, type ServerFixture } from './test-harness';

const fixtures: ServerFixture[] = [];
let removeGuard: () => void = () => undefined;
beforeAll(() => {
  removeGuard = installUnhandledGuard(silentLogger);
});
afterAll(() => removeGuard());
afterEach(async () => {
  for (const fx of fixtures.splice(0)) await fx.close();
  await cleanupTempDirs();
});

async function start(opts: Parameters<typeof startServerFixture>[1] = {}): Promise<{ fx: ServerFixture; base: string; root: string; outside: string }> {
  const base = await tempDir();
  const fx = await startServerFixture(base, opts);
  fixtures.push(fx);
  const outside = join(base, 'outside');
  await mkdir(outside);
  return { fx, base, root: fx.roots.main!, outside };
}

const T = 1_700_000_000_000;
const SECRET_MTIME = new Date(1_600_000_000_000);

/** Every file's content (hex hash) anywhere below `dir`, links not followed. */
async function hashesBelow(dir: string): Promise<Set<string>> {
  const out = new Set<string>();
  const visit = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, e.name);
      if (e.isDirectory()) await visit(p);
      else if (e.isFile()) out.add(sha256(await readFile(p)));
    }
  };
  await visit(dir);
  return out;
}

/**
 * One round of the link-swap attack on `r`: the share holds `r/x`, the outside folder holds `x` (a secret).
 * `first` sends the operation(s) on `r/…`; then `move r` away and `symlink r -> outside` follow in the same
 * write (or from `other`, another session). Returns true when anything outside changed or leaked into versions.
 */
async function attackRound(
  env: { root: string; outside: string }, c: RawClient, r: string, first: (r: string) => Promise<unknown>[], other: RawClient = c,
): Promise<boolean> {
  const out = join(env.outside, r);
  await mkdir(out);
  const secret = Buffer.from(`secret of ${r}`);
  await writeFile(join(out, 'x'), secret, { mode: 0o600 });
  await utimes(join(out, 'x'), SECRET_MTIME, SECRET_MTIME);
  await c.put(`${r}/x`, Buffer.from(`inside ${r}`));
  const ops = [...first(r), other.request({ type: 'move', from: r, to: `${r}-away` }), other.request({ type: 'symlink', path: r, target: out, mtimeMs: T })];
  await Promise.allSettled(ops);
  await c.request({ type: 'ping' });
  const names = (await readdir(out)).sort();
  const st = await lstat(join(out, 'x')).catch(() => undefined);
  const content = st ? await readFile(join(out, 'x')) : null;
  const changed = names.join() !== 'x' || st === undefined || (st.mode & 0o7777) !== 0o600 || st.mtimeMs !== SECRET_MTIME.getTime() || !content!.equals(secret);
  const leaked = (await hashesBelow(join(env.root, '.ferry/versions'))).has(sha256(secret));
  return changed || leaked;
}

async function runAttack(name: string, rounds: number, first: (c: RawClient, r: string) => Promise<unknown>[], twoSessions = false, opts = {}): Promise<number> {
  const env = await start(opts);
  const c = await env.fx.client();
  const other = twoSessions ? await env.fx.client() : c;
  let landed = 0;
  for (let i = 0; i < rounds; i++) if (await attackRound(env, c, `r${i}`, (r) => first(c, r), other)) landed++;
  console.log(`[path-races] ${name}: landed ${landed}/${rounds}`);
  return landed;
}

describe('link-swap attack: nothing outside the share is ever written, moved, chmod-ed or read', () => {
  const small = Buffer.from('attacker content');
  const big = pseudoRandom(2 * 1024 * 1024, 7);

  it('put (small file)', async () => {
    expect(await runAttack('put', 30, (c, r) => [c.put(`${r}/x`, small, { mode: 0o6755 })])).toBe(0);
  });

  it('put from one session, move + symlink from another', async () => {
    expect(await runAttack('put, two sessions', 30, (c, r) => [c.put(`${r}/x`, small, { mode: 0o6755 })], true)).toBe(0);
  });

  it('putBatch', async () => {
    const file = (r: string) => ({ path: `${r}/x`, size: small.length, mtimeMs: T, mode: 0o6755, hash: sha256(small), base: null });
    expect(await runAttack('putBatch', 30, (c, r) => [c.request({ type: 'putBatch', files: [file(r)] }, small)])).toBe(0);
  });

  it('begin/chunk/commit (2 MiB)', async () => {
    const landed = await runAttack('begin/chunk/commit', 6, (c, r) => {
      const commit = (async () => {
        const t = await c.begin(`${r}/x`, big, { mode: 0o6755 });
        await c.sendChunks(t, big);
        return c.request({ type: 'commit', transfer: t.transfer });
      })();
      return [commit];
    });
    expect(landed).toBe(0);
  });

  it('mkdir, setMeta, remove, symlink', async () => {
    expect(await runAttack('mkdir', 20, (c, r) => [c.request({ type: 'mkdir', path: `${r}/d`, mode: 0o7777, mtimeMs: T })])).toBe(0);
    expect(await runAttack('setMeta', 20, (c, r) => [c.request({ type: 'setMeta', path: `${r}/x`, mode: 0o6777, mtimeMs: T })])).toBe(0);
    expect(await runAttack('remove', 20, (c, r) => [c.request({ type: 'remove', path: `${r}/x` })])).toBe(0);
    expect(await runAttack('symlink', 20, (c, r) => [c.request({ type: 'symlink', path: `${r}/x`, target: 'elsewhere', mtimeMs: T })])).toBe(0);
  });
});

describe('link-swap attack on reads', () => {
  it('a pipelined get never returns the content of an outside file', async () => {
    const { fx, outside } = await start();
    const c = await fx.client();
    let leaked = 0;
    const rounds = 20;
    for (let i = 0; i < rounds; i++) {
      const r = `g${i}`;
      await mkdir(join(outside, r));
      const secret = Buffer.from(`secret ${r}`);
      await writeFile(join(outside, r, 'x'), secret);
      await c.put(`${r}/x`, Buffer.from(`inside ${r}`));
      const get = () => c.request({ type: 'get', path: `${r}/x`, area: 'share', offset: 0, length: 1024 });
      const ops = [get(), c.request({ type: 'move', from: r, to: `${r}-away` }), get(), c.request({ type: 'symlink', path: r, target: join(outside, r), mtimeMs: T }), get()];
      for (const res of await Promise.allSettled(ops)) if (res.status === 'fulfilled' && res.value.payload.equals(secret)) leaked++;
    }
    console.log(`[path-races] get: leaked ${leaked}/${rounds}`);
    expect(leaked).toBe(0);
  });
});

describe('mode bits from clients', () => {
  it('setuid, setgid and sticky bits are never applied (put, putBatch, begin/commit, mkdir, setMeta)', async () => {
    const { fx, root } = await start();
    const c = await fx.client();
    const data = Buffer.from('m');
    await c.put('p', data, { mode: 0o6755 });
    await c.request({ type: 'putBatch', files: [{ path: 'b', size: 1, mtimeMs: T, mode: 0o4711, hash: sha256(data), base: null }] }, data);
    await c.upload('u', pseudoRandom(300 * 1024, 3), { mode: 0o2750 });
    await c.request({ type: 'mkdir', path: 'd', mode: 0o1777, mtimeMs: T });
    await c.put('s', data);
    await c.request({ type: 'setMeta', path: 's', mode: 0o4777, mtimeMs: T });
    const mode = async (p: string) => (await lstat(join(root, p))).mode & 0o7777;
    expect([await mode('p'), await mode('b'), await mode('u'), await mode('d'), await mode('s')]).toEqual([0o755, 0o711, 0o750, 0o777, 0o777]);
  });
});

describe('overlapping operations', () => {
  it('30 pipelined puts into a folder plus a remove of it: no escaped rejection, the server keeps serving', async () => {
    const { fx, root } = await start({ durability: 'fsync' });
    const before = escapedRejections();
    const c = await fx.client();
    for (let round = 0; round < 3; round++) {
      const ops: Promise<unknown>[] = [];
      for (let i = 0; i < 30; i++) ops.push(c.put(`d${round}/f${i}`, Buffer.from(`file ${i}`)));
      ops.push(c.request({ type: 'remove', path: `d${round}` }));
      await Promise.allSettled(ops);
      await c.request({ type: 'ping' });
    }
    expect(escapedRejections() - before).toBe(0);
    const c2 = await fx.client();
    await c2.put('still/alive', Buffer.from('yes'));
    expect(await readFile(join(root, 'still/alive'), 'utf8')).toBe('yes');
  });

  it('two sessions overwriting one file at once: every previous content is at the path or in versions', async () => {
    const { fx, root } = await start();
    const [c1, c2] = [await fx.client(), await fx.client()];
    const rounds = 60;
    let lost = 0;
    for (let i = 0; i < rounds; i++) {
      const [v0, v1, v2] = [0, 1, 2].map((k) => Buffer.from(`round ${i} version ${k}`));
      await c1.put(`f${i}`, v0!);
      await Promise.all([c1.put(`f${i}`, v1!), c2.put(`f${i}`, v2!)]);
      const versions = join(root, '.ferry/versions');
      const names = (await readdir(versions)).filter((n) => n.startsWith(`f${i}~`));
      const all = new Set([sha256(await readFile(join(root, `f${i}`))), ...(await Promise.all(names.map(async (n) => sha256(await readFile(join(versions, n))))))]);
      if (![v0!, v1!, v2!].every((v) => all.has(sha256(v)))) lost++;
    }
    console.log(`[path-races] concurrent overwrite: content lost in ${lost}/${rounds} rounds`);
    expect(lost).toBe(0);
  });

  it('move a/sub -> a is refused cleanly with nothing touched', async () => {
    const { fx, root } = await start();
    const c = await fx.client();
    await c.put('a/sub/f', Buffer.from('f'));
    expect(await c.errorCode({ type: 'move', from: 'a/sub', to: 'a' })).toBe('PATH_INVALID');
    expect(await readFile(join(root, 'a/sub/f'), 'utf8')).toBe('f');
    expect(await readdir(join(root, '.ferry/versions'))).toEqual([]);
  });
});
