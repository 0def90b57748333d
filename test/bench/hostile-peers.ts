/**
 * Figures of issue 11's server limits, against a real `ferry serve` process (from source, through tsx):
 *   node --import tsx test/bench/hostile-peers.ts [--unbounded]
 * --unbounded sets every limit so high that it never acts (the server as it was before the limits).
 * Prints one line per scenario; server RSS is read from /proc. Each scenario is bounded in time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'node:net';
import { PROTOCOL_VERSION } from '../../src-shared/protocol/limits';
import { connectTls } from '../../src-main/engine/net/tls';
import { RawPeer, idleTcp, rawFrame } from '../../src-main/engine/server/raw-peer';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const MiB = 1024 * 1024;
const unbounded = process.argv.includes('--unbounded');
/** Limits that never act (authentication delays of 1 ms: the least the config accepts). */
const HUGE = {
  limits: {
    helloTimeoutMs: 100_000_000, maxUnauthenticated: 1_000_000, maxUnauthenticatedPerAddress: 1_000_000, maxQueuedWriteBytes: 2 ** 50,
    authDelayBaseMs: 1, authDelayMaxMs: 1, authLogIntervalMs: 1,
  },
};

interface Serve {
  child: ChildProcess;
  port: number;
  fingerprint: string;
  token: string;
  state: string;
  root: string;
}

async function serve(fdLimit?: number): Promise<Serve> {
  const base = await mkdtemp(join(tmpdir(), 'ferry-hostile-'));
  const root = join(base, 'root');
  const state = join(base, 'state');
  const config = join(base, 'config.json');
  await writeFile(config, JSON.stringify(unbounded ? HUGE : {}));
  const args = ['--import', 'tsx', join(REPO, 'src-main/cli/main.ts'), 'serve', '--root', root, '--state', state, '--config', config, '--host', '127.0.0.1', '--port', '0', '--json', '--no-fsync'];
  const cmd = fdLimit === undefined ? process.execPath : 'sh';
  const argv = fdLimit === undefined ? args : ['-c', `ulimit -n ${fdLimit} && exec "$0" "$@"`, process.execPath, ...args];
  const child = spawn(cmd, argv, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const ev = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no listening line within 60 s')), 60_000);
    lines.on('line', (l) => {
      const o = JSON.parse(l) as Record<string, unknown>;
      if (o.event === 'listening') {
        clearTimeout(t);
        resolve(o);
      }
    });
  });
  return { child, port: ev.port as number, fingerprint: ev.fingerprint as string, token: ev.token as string, state, root };
}

async function stop(s: Serve): Promise<void> {
  const done = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  const t = setTimeout(() => s.child.kill('SIGKILL'), 10_000);
  await done;
  clearTimeout(t);
  await rm(join(s.state, '..'), { recursive: true, force: true });
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hello = (token: string, id = 1) => rawFrame({ type: 'hello', id, protocolVersion: PROTOCOL_VERSION, clientId: 'bench', share: 'default', token });

/** A real client: hello, list, put; true when all three succeed within 30 s. */
async function realClient(s: Serve): Promise<boolean> {
  try {
    const conn = await connectTls({ host: '127.0.0.1', port: s.port, fingerprint: s.fingerprint, timeoutMs: 30_000 });
    try {
      const work = (async () => {
        await conn.request({ type: 'hello', protocolVersion: PROTOCOL_VERSION, clientId: 'real', share: 'default', token: s.token });
        await conn.request({ type: 'list' }, undefined, (f) => f.header.type === 'listPage' && !f.header.done);
        const data = Buffer.from('real client');
        const { createHash } = await import('node:crypto');
        await conn.request({ type: 'put', path: 'real.txt', size: data.length, mtimeMs: 1, mode: 0o644, hash: createHash('sha256').update(data).digest('hex'), base: null }, data);
      })();
      await Promise.race([work, sleep(30_000).then(() => Promise.reject(new Error('timeout')))]);
      return true;
    } finally {
      conn.close();
    }
  } catch {
    return false;
  }
}

/** Finding 5: 96 pipelined 16 MiB gets, never read; server RSS peak over 10 s. */
async function unreadGets(): Promise<string> {
  const s = await serve();
  try {
    await writeFile(join(s.root, 'big.bin'), Buffer.alloc(16 * MiB, 7));
    const before = await rssMiB(s.child.pid!);
    const peer = await RawPeer.open(s.port);
    peer.write(hello(s.token));
    await peer.until(() => peer.frames.length > 0, 'helloOk');
    peer.socket.pause();
    peer.write(...Array.from({ length: 96 }, (_, i) => rawFrame({ type: 'get', id: 10 + i, path: 'big.bin', area: 'share', offset: 0, length: 16 * MiB })));
    let peak = before;
    for (let i = 0; i < 50; i++) {
      await sleep(200);
      peak = Math.max(peak, await rssMiB(s.child.pid!));
    }
    const ok = await realClient(s);
    peer.destroy();
    return `96 unread 16 MiB gets: server RSS ${before} MiB before, peak ${peak} MiB over 10 s; another client served: ${ok}`;
  } finally {
    await stop(s);
  }
}

/** Finding 6: 1,100 idle TLS/TCP connections against a server limited to 1,024 file descriptors. */
async function idleConnections(): Promise<string> {
  const s = await serve(1024);
  const held: Socket[] = [];
  try {
    const before = await rssMiB(s.child.pid!);
    const t0 = performance.now();
    for (let i = 0; i < 1100; i++) {
      const from = `127.0.0.${2 + (i % 50)}`;
      // Every tenth never starts TLS; the rest finish the handshake and ping (pings do not count as hello).
      if (i % 10 === 0) held.push(await idleTcp(s.port, from).catch(() => null as never));
      else {
        const p = await RawPeer.open(s.port, from).catch(() => null);
        if (p) {
          p.write(rawFrame({ type: 'ping', id: 1 }));
          held.push(p.socket);
        }
      }
    }
    await sleep(500);
    const during = await rssMiB(s.child.pid!);
    const ok = await realClient(s);
    const open = held.filter((x) => x !== null && !x.destroyed).length;
    return `1,100 idle connections from 50 addresses (server ulimit -n 1024), opened in ${((performance.now() - t0) / 1000).toFixed(1)} s: real client hello+list+put: ${ok}; ${open} still open client-side; server RSS ${before} → ${during} MiB`;
  } finally {
    for (const h of held) h?.destroy();
    await stop(s);
  }
}

/** Finding 7: wrong tokens from one address for 10 s, one at a time; log lines about them. */
async function wrongTokens(): Promise<string> {
  const s = await serve();
  try {
    let tries = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 10_000) {
      const p = await RawPeer.open(s.port, '127.0.0.7');
      p.write(hello('not-the-token'));
      await p.untilClosed();
      tries++;
    }
    const secs = (performance.now() - t0) / 1000;
    await sleep(300);
    const log = await readFile(join(s.state, 'logs', 'ferry.log'), 'utf8').catch(() => '');
    const lines = log.split('\n').filter((l) => l.includes('127.0.0.7')).length;
    return `wrong tokens from one address: ${tries} checked in ${secs.toFixed(1)} s (${(tries / secs).toFixed(1)}/s); log lines naming the address: ${lines}`;
  } finally {
    await stop(s);
  }
}

/** Item 3: a connection that only pings: how long the server keeps it (bounded at 30 s). */
async function pingOnly(): Promise<string> {
  const s = await serve();
  try {
    const p = await RawPeer.open(s.port);
    const t0 = performance.now();
    for (let i = 0; i < 60 && !p.closed; i++) {
      p.write(rawFrame({ type: 'ping', id: i + 1 }));
      await Promise.race([p.untilClosed(), sleep(500)]);
    }
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    p.destroy();
    return `a connection pinging every 0.5 s and never saying hello: ${p.closed ? `dropped after ${secs} s` : `still open after ${secs} s`}`;
  } finally {
    await stop(s);
  }
}

console.log(`server limits: ${unbounded ? 'UNBOUNDED (as before the limits)' : 'defaults'}`);
for (const scenario of [unreadGets, idleConnections, wrongTokens, pingOnly]) console.log(`- ${await scenario()}`);
