/**
 * Throughput check of the net layer against raw TLS on loopback (not a test; prints ratios).
 * The receiver runs in a child process, as a real server would, so each side has its own event loop.
 * Run: npx tsx src-main/engine/net/throughput.bench.ts [MiB=256]
 */
import { fork } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import * as tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { connectTls } from './tls';
import { startTestServer, testIdentity } from './test-kit';

const MiB = 1024 * 1024;

/** Child: receive `total` bytes (raw) or payload bytes (framed), then answer once. */
async function serve(mode: string, total: number): Promise<void> {
  const id = await testIdentity();
  if (mode === 'raw') {
    const server = tls.createServer({ key: id.key, cert: id.cert, minVersion: 'TLSv1.3' }, (s) => {
      let got = 0;
      s.on('data', (d: Buffer) => {
        got += d.length;
        if (got >= total) s.write('x');
      });
    });
    server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port, fp: id.fingerprint }));
    return;
  }
  const srv = await startTestServer((c) => {
    let got = 0;
    c.onMessage(({ header: h, payload }) => {
      if (h.type === 'put') void c.send({ type: 'ok', id: h.id });
      got += payload.length;
      if (h.type === 'chunk' && got >= total) void c.send({ type: 'ok', id: 0 });
    });
  });
  process.send!({ port: srv.port, fp: srv.fingerprint });
}

async function withServer<T>(mode: string, total: number, run: (port: number, fp: string) => Promise<T>): Promise<T> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', mode, String(total)]);
  try {
    const { port, fp } = await new Promise<{ port: number; fp: string }>((r) => child.once('message', r as never));
    return await run(port, fp);
  } finally {
    child.kill();
  }
}

async function rawTls(total: number, block: number): Promise<number> {
  return withServer('raw', total, async (port) => {
    const c = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
    await new Promise((r) => c.once('secureConnect', r));
    c.setNoDelay(true);
    const done = new Promise((r) => c.once('data', r));
    const buf = Buffer.alloc(block, 1);
    const t0 = performance.now();
    for (let sent = 0; sent < total; sent += block) if (!c.write(buf)) await new Promise((r) => c.once('drain', r));
    await done;
    const secs = (performance.now() - t0) / 1000;
    c.destroy();
    return total / MiB / secs;
  });
}

async function framed(total: number, block: number): Promise<number> {
  return withServer('framed', total, async (port, fingerprint) => {
    const c = await connectTls({ host: '127.0.0.1', port, fingerprint });
    const done = new Promise((r) => c.onMessage(r));
    const buf = Buffer.alloc(block, 1);
    const t0 = performance.now();
    for (let sent = 0, i = 0; sent < total; sent += block, i++) await c.send({ type: 'chunk', id: 0, transfer: 1, index: i }, buf);
    await done;
    const secs = (performance.now() - t0) / 1000;
    c.close();
    return total / MiB / secs;
  });
}

async function smallPuts(count: number, size: number, window: number): Promise<number> {
  return withServer('framed', Number.MAX_SAFE_INTEGER, async (port, fingerprint) => {
    const c = await connectTls({ host: '127.0.0.1', port, fingerprint });
    const payload = Buffer.alloc(size, 2);
    const hash = 'a'.repeat(64);
    let next = 0;
    const t0 = performance.now();
    const worker = async (): Promise<void> => {
      while (next < count) {
        next++;
        await c.request({ type: 'put', path: `dir/file-${next}.txt`, size, mtimeMs: 1, mode: 0o644, hash, base: null }, payload);
      }
    };
    await Promise.all(Array.from({ length: window }, worker));
    const secs = (performance.now() - t0) / 1000;
    c.close();
    return count / secs;
  });
}

if (process.argv[2] === '--serve') {
  await serve(process.argv[3]!, Number(process.argv[4]));
} else {
  const total = Number(process.argv[2] ?? 256) * MiB;
  const raw = await rawTls(total, MiB);
  console.log(`raw TLS, 1 MiB writes:     ${raw.toFixed(0)} MiB/s`);
  for (const block of [MiB, 64 * 1024]) {
    const f = await framed(total, block);
    console.log(`framed ${String(block / 1024).padStart(4)} KiB chunks:  ${f.toFixed(0)} MiB/s (${((f / raw) * 100).toFixed(0)} % of raw)`);
  }
  console.log(`20,000 puts of 4 KiB, 256 in flight: ${(await smallPuts(20_000, 4096, 256)).toFixed(0)} req/s`);
}
