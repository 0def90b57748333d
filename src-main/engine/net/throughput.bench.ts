/**
 * Throughput check of the net layer against raw TLS on loopback (not a test; prints ratios).
 * Run: npx tsx src-main/engine/net/throughput.bench.ts [MiB=256]
 */
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import * as tls from 'node:tls';
import type { Connection } from './connection';
import { testIdentity, startTestServer } from './test-kit';

const MiB = 1024 * 1024;
const total = Number(process.argv[2] ?? 256) * MiB;

async function rawTls(block: number): Promise<number> {
  const id = await testIdentity();
  let got = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const server = tls.createServer({ key: id.key, cert: id.cert, minVersion: 'TLSv1.3' }, (s) =>
    s.on('data', (d: Buffer) => {
      got += d.length;
      if (got >= total) done();
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const c = tls.connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', rejectUnauthorized: false });
  await new Promise((r) => c.once('secureConnect', r));
  c.setNoDelay(true);
  const buf = Buffer.alloc(block, 1);
  const t0 = performance.now();
  for (let sent = 0; sent < total; sent += block) {
    if (!c.write(buf)) await new Promise((r) => c.once('drain', r));
  }
  await finished;
  const secs = (performance.now() - t0) / 1000;
  c.destroy();
  server.close();
  return total / MiB / secs;
}

async function framed(block: number): Promise<number> {
  let got = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const srv = await startTestServer((c) =>
    c.onMessage(({ payload }) => {
      got += payload.length;
      if (got >= total) done();
    }),
  );
  const client = await srv.connect();
  const buf = Buffer.alloc(block, 1);
  const t0 = performance.now();
  for (let sent = 0, i = 0; sent < total; sent += block, i++) await client.send({ type: 'chunk', id: 0, transfer: 1, index: i }, buf);
  await finished;
  const secs = (performance.now() - t0) / 1000;
  await srv.close();
  return total / MiB / secs;
}

async function smallRequests(count: number, size: number, window: number): Promise<number> {
  const srv = await startTestServer((c) => c.onMessage(({ header: h }) => void c.send({ type: 'ok', id: h.id })));
  const client: Connection = await srv.connect();
  const payload = Buffer.alloc(size, 2);
  const hash = 'a'.repeat(64);
  const t0 = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      await client.request({ type: 'put', path: `dir/file-${next}.txt`, size, mtimeMs: 1, mode: 0o644, hash, base: null }, payload);
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
  const secs = (performance.now() - t0) / 1000;
  await srv.close();
  return count / secs;
}

const raw = await rawTls(MiB);
const fr = await framed(MiB);
console.log(`raw TLS 1 MiB writes: ${raw.toFixed(0)} MiB/s`);
console.log(`framed 1 MiB chunks:  ${fr.toFixed(0)} MiB/s (${((fr / raw) * 100).toFixed(0)} % of raw)`);
const fr64 = await framed(64 * 1024);
console.log(`framed 64 KiB chunks: ${fr64.toFixed(0)} MiB/s (${((fr64 / raw) * 100).toFixed(0)} % of raw)`);
console.log(`20,000 puts of 4 KiB, 256 in flight: ${(await smallRequests(20_000, 4096, 256)).toFixed(0)} req/s`);
console.log(`20,000 puts of 100 B, 256 in flight: ${(await smallRequests(20_000, 100, 256)).toFixed(0)} req/s`);
