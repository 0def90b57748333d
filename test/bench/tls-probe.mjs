// This machine's raw TLS 1.3 loopback throughput, measured in the same run as Ferry: a node:tls sink in a
// child process (so sender and receiver each get a core, like Ferry's client and server) and a sender
// here pushing `bytes` in 1 MiB writes honouring backpressure. The clock starts after the handshake and
// stops when the sink acknowledges the last byte. Default cipher suite, ECDSA P-256 certificate.
//   child mode: node tls-probe.mjs sink  (reads TLS_PROBE_KEY / TLS_PROBE_CERT, prints the port)
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import selfsigned from 'selfsigned';
import { startProc } from './procs.mjs';

const MiB = 1024 * 1024;

async function makeCert(dir) {
  const key = path.join(dir, 'tls-probe-key.pem');
  const cert = path.join(dir, 'tls-probe-cert.pem');
  if (!fs.existsSync(cert)) {
    fs.mkdirSync(dir, { recursive: true });
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' });
    fs.writeFileSync(key, pems.private);
    fs.writeFileSync(cert, pems.cert);
  }
  return { key, cert };
}

function runSink() {
  const srv = tls.createServer({
    key: fs.readFileSync(process.env.TLS_PROBE_KEY), cert: fs.readFileSync(process.env.TLS_PROBE_CERT), minVersion: 'TLSv1.3',
  }, (sock) => {
    let got = 0;
    let total = -1;
    let header = Buffer.alloc(0);
    sock.on('data', (d) => {
      if (total < 0) {
        header = Buffer.concat([header, d]);
        if (header.length < 8) return;
        total = Number(header.readBigUInt64BE(0));
        d = header.subarray(8);
      }
      got += d.length;
      if (got >= total) sock.end('k');
    });
    sock.on('error', () => {});
  });
  srv.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ event: 'ready', port: srv.address().port }) + '\n'));
}

async function pushOnce(port, bytes) {
  const buf = crypto.randomBytes(MiB);
  return new Promise((resolve, reject) => {
    let t0;
    const sock = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
    sock.once('secureConnect', () => {
      t0 = performance.now();
      const head = Buffer.alloc(8);
      head.writeBigUInt64BE(BigInt(bytes));
      sock.write(head);
      let sent = 0;
      const pump = () => {
        while (sent < bytes) {
          sent += buf.length;
          if (!sock.write(buf)) { sock.once('drain', pump); return; }
        }
      };
      pump();
    });
    sock.once('data', () => {
      const s = (performance.now() - t0) / 1000;
      resolve({ seconds: s, MBps: bytes / s / 1e6, cipher: sock.getCipher().name });
      sock.destroy();
    });
    sock.on('error', reject);
  });
}

/** Push `bytes` (a multiple of 1 MiB) `runs` times; returns { runs: [...], medianMBps, bestMBps, cipher }. */
export async function measureTlsLoopback({ bytes, runs, workDir }) {
  const { key, cert } = await makeCert(workDir);
  const sink = startProc(process.execPath, [fileURLToPath(import.meta.url), 'sink'], {
    env: { ...process.env, TLS_PROBE_KEY: key, TLS_PROBE_CERT: cert }, label: 'tls sink',
  });
  try {
    const { port } = await sink.waitFor((o) => o.event === 'ready', 10_000, 'tls sink ready');
    const all = [];
    for (let i = 0; i < runs; i++) all.push(await pushOnce(port, bytes));
    const sorted = all.map((r) => r.MBps).sort((a, b) => a - b);
    return { bytes, runs: all, medianMBps: sorted[Math.floor((sorted.length - 1) / 2)], bestMBps: sorted[sorted.length - 1], cipher: all[0].cipher };
  } finally {
    await sink.stop(1000);
  }
}

if (process.argv[2] === 'sink') runSink();
