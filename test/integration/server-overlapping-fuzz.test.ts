/**
 * Bounded fuzz of overlapping operations (issue 11, scope item 2): several sessions pipeline random operations
 * (put, putBatch, begin/chunk/commit, mkdir, remove, move, symlink, setMeta) on a few overlapping paths, against
 * a real `ferry serve` child process over TLS with durable writes. Asserted: the process survives with no
 * escaped rejection; nothing outside the share is written (a sentinel folder, also the target of the links the
 * clients make); every content ever acknowledged is still in the share or in .ferry/versions (by hash: a
 * `move` may have carried it to another path); every session still answers.
 * The seed is printed; FERRY_FUZZ_SEED=N replays its operations (rounds: FERRY_FUZZ_ROUNDS, default 25). The
 * server interleaves concurrent requests as they arrive, so which of them succeed may differ between replays.
 */
import { lstat, mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectTls } from '../../src-main/engine/net/tls';
import { pseudoRandom, RawClient, sha256 } from '../../src-main/engine/server/test-harness';
import { killAllFerry, startServe } from '../helpers/ferry-procs';
import { cleanupTempDirs, tempDir } from '../helpers/trees';

afterAll(async () => {
  await killAllFerry();
  await cleanupTempDirs();
});

const SEED = Number(process.env.FERRY_FUZZ_SEED ?? 11);
const ROUNDS = Number(process.env.FERRY_FUZZ_ROUNDS ?? 25);
const SESSIONS = 4;
const OPS_PER_ROUND = 8;
/** Few names, nested in each other: almost every pair of operations overlaps. */
const PATHS = ['a', 'a/x', 'a/b', 'a/b/y', 'a/b/c', 'c', 'c/z', 'x'];
const T = 1_700_000_000_000;

/** Deterministic choices from the seed (pseudoRandom bytes read as 32-bit numbers). */
function chooser(seed: number): (n: number) => number {
  const bytes = pseudoRandom(1 << 16, seed);
  let at = 0;
  return (n) => {
    at = (at + 4) % (bytes.length - 4);
    return bytes.readUInt32BE(at) % n;
  };
}

/** Content hash of every regular file below `dir` (links not followed), except the staging folder. */
async function hashesBelow(dir: string): Promise<Set<string>> {
  const out = new Set<string>();
  const visit = async (d: string, depth: number): Promise<void> => {
    if (depth > 64) return;
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, e.name);
      if (e.isDirectory() && e.name !== 'staging') await visit(p, depth + 1);
      else if (e.isFile()) out.add(sha256(await readFile(p)));
    }
  };
  await visit(dir, 0);
  return out;
}

describe('overlapping operations from many sessions', () => {
  it(`random pipelined ops (seed ${SEED}, ${ROUNDS} rounds x ${SESSIONS} sessions x ${OPS_PER_ROUND} ops)`, async () => {
    console.log(`[overlap-fuzz] seed ${SEED} (replay: FERRY_FUZZ_SEED=${SEED} FERRY_FUZZ_ROUNDS=${ROUNDS})`);
    const base = await tempDir();
    const root = join(base, 'share');
    const outside = join(base, 'outside');
    await mkdir(root);
    await mkdir(outside);
    const sentinel = join(outside, 'sentinel.txt');
    await writeFile(sentinel, 'must stay as it is', { mode: 0o600 });
    await utimes(sentinel, new Date(T), new Date(T));
    const srv = await startServe(root, join(base, 'state'));
    const clients: RawClient[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const c = new RawClient(await connectTls({ host: '127.0.0.1', port: srv.port, fingerprint: srv.fingerprint }));
      await c.hello('default', srv.token);
      clients.push(c);
    }
    const rnd = chooser(SEED);
    const acked = new Map<string, string>(); // content hash → what acknowledged it
    let unique = 0;
    const content = (small: boolean): Buffer => {
      const n = unique++;
      const head = Buffer.from(`seed ${SEED} content ${n}:`);
      return Buffer.concat([head, pseudoRandom(small ? rnd(3000) : 140 * 1024 + rnd(120 * 1024), SEED * 100_000 + n)]);
    };
    const path = () => PATHS[rnd(PATHS.length)]!;
    const target = () => [outside, '../outside', '../../outside', 'x'][rnd(4)]!;
    const counts: Record<string, number> = {};
    const outcomes: Record<string, number> = {};

    const op = (c: RawClient): Promise<unknown> => {
      const kind = ['put', 'putBatch', 'chunked', 'mkdir', 'remove', 'move', 'symlink', 'setMeta'][rnd(8)]!;
      counts[kind] = (counts[kind] ?? 0) + 1;
      switch (kind) {
        case 'put': {
          const p = path();
          const data = content(true);
          return c.put(p, data, { mode: 0o6777 }).then(() => acked.set(sha256(data), `put ${p}`));
        }
        case 'putBatch': {
          const files = [path(), path()].map((p) => ({ p, data: content(true) }));
          const header = { type: 'putBatch', files: files.map(({ p, data }) => ({ path: p, size: data.length, mtimeMs: T, mode: 0o4755, hash: sha256(data), base: null })) };
          return c.request(header, Buffer.concat(files.map((f) => f.data))).then((f) => {
            const results = (f.header as unknown as { results: { ok: boolean }[] }).results;
            results.forEach((r, i) => r.ok && acked.set(sha256(files[i]!.data), `putBatch ${files[i]!.p}`));
          });
        }
        case 'chunked': {
          const p = path();
          const data = content(false);
          return c.upload(p, data, { mode: 0o2755 }).then(() => acked.set(sha256(data), `commit ${p}`));
        }
        case 'mkdir':
          return c.request({ type: 'mkdir', path: path(), mode: 0o7777, mtimeMs: T });
        case 'remove':
          return c.request({ type: 'remove', path: path() });
        case 'move':
          return c.request({ type: 'move', from: path(), to: path() });
        case 'symlink':
          return c.request({ type: 'symlink', path: path(), target: target(), mtimeMs: T });
        default:
          return c.request({ type: 'setMeta', path: path(), mode: 0o6777, mtimeMs: T });
      }
    };

    for (let round = 0; round < ROUNDS; round++) {
      const ops: Promise<unknown>[] = [];
      for (const c of clients) for (let i = 0; i < OPS_PER_ROUND; i++) ops.push(op(c));
      for (const r of await Promise.allSettled(ops)) {
        const code = r.status === 'fulfilled' ? 'ok' : String((r.reason as { code?: string }).code ?? (r.reason as Error).message);
        outcomes[code] = (outcomes[code] ?? 0) + 1;
      }
      expect(srv.proc.proc.exitCode, `server exited in round ${round} (seed ${SEED}): ${srv.proc.stderr()}`).toBeNull();
    }
    console.log(`[overlap-fuzz] ops ${JSON.stringify(counts)}, outcomes ${JSON.stringify(outcomes)}, contents acknowledged ${acked.size}`);

    // Every session still answers, the process is alive and caught nothing.
    for (const c of clients) {
      const answered = await c.request({ type: 'ping' }).then(() => true, () => false);
      if (!answered) {
        const code = await Promise.race([srv.proc.exited, new Promise((r) => setTimeout(() => r('still running'), 5000))]);
        expect.fail(`a session lost its server (exit: ${String(code)}, seed ${SEED}): ${srv.proc.stderr().slice(-2000)}`);
      }
    }
    expect(srv.proc.proc.exitCode).toBeNull();
    expect(srv.proc.lines.filter((l) => l.event === 'unhandledRejection')).toEqual([]);

    // Nothing outside the share changed.
    expect(await readdir(outside)).toEqual(['sentinel.txt']);
    const st = await lstat(sentinel);
    expect([st.mode & 0o7777, st.mtimeMs, await readFile(sentinel, 'utf8')]).toEqual([0o600, T, 'must stay as it is']);

    // Nothing acknowledged was lost, and no setuid/setgid/sticky bit was applied.
    const found = await hashesBelow(root);
    const lost = [...acked].filter(([h]) => !found.has(h)).map(([, what]) => what);
    expect(lost, `acknowledged contents missing (seed ${SEED})`).toEqual([]);
    const special: string[] = [];
    const visit = async (d: string): Promise<void> => {
      for (const e of await readdir(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        const s = await lstat(p);
        if (!s.isSymbolicLink() && (s.mode & 0o7000) !== 0) special.push(p);
        if (e.isDirectory()) await visit(p);
      }
    };
    await visit(root);
    expect(special).toEqual([]);

    expect(await srv.proc.stop()).toBe(0);
  }, 60_000 + ROUNDS * 4_000); // bounded by the rounds asked for (~1 s each here)
});
