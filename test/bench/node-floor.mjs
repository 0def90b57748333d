// The floor under Ferry's small-file rows (1a, 1b): the least a Node client and server must do per file for
// Ferry's guarantees, with no engine around it — TLS 1.3, SHA-256 of every file checked by the server, a temp
// file (create, write, chmod, utimes, close) renamed into place, and durable: one syncfs before the renames
// and one after, shared by concurrent batches (the same sh helper as Ferry). 64 files / 1 MiB per frame,
// 16 frames in flight. Interleaved with rsync to its daemon on the same data, so the ratio says how far any
// Node implementation of this protocol can get on this machine.
//   node test/bench/node-floor.mjs [--runs N]   (data: the bench's small set, made by `npm run bench`)
//   child modes: node-floor.mjs server ROOT fsync|nofsync KEY CERT / node-floor.mjs client DIR PORT
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import crypto from 'node:crypto';
import readline from 'node:readline';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const REPO = path.resolve(path.dirname(SELF), '../..');

function frameOf(obj) {
  const b = Buffer.from(JSON.stringify(obj));
  const h = Buffer.alloc(4);
  h.writeUInt32LE(b.length);
  return Buffer.concat([h, b]);
}

function runServer(root, durable, keyFile, certFile) {
  fs.mkdirSync(path.join(root, '.st'), { recursive: true });
  const sh = spawn('sh', ['-c', 'while IFS= read -r _; do sync -f "$1"; echo ok; done', 'floor-syncfs', root], { stdio: ['pipe', 'pipe', 'inherit'] });
  const answered = [];
  readline.createInterface({ input: sh.stdout }).on('line', () => answered.shift()());
  const syncfs = () => new Promise((r) => { answered.push(r); sh.stdin.write('\n'); });
  let running = null;
  let next = null;
  const flush = () => {
    if (running === null) return (running = syncfs().finally(() => { running = null; }));
    return (next ??= running.then(() => { next = null; return flush(); }));
  };
  let tmpN = 0;
  const dirs = new Set();
  async function apply(sock, h, payload) {
    let off = 0;
    const staged = [];
    for (const f of h.files) {
      const data = payload.subarray(off, (off += f.size));
      if (crypto.createHash('sha256').update(data).digest('hex') !== f.hash) throw new Error(`hash mismatch: ${f.path}`);
      const tmp = path.join(root, '.st', `t${tmpN++}`);
      const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
      fs.writeSync(fd, data);
      fs.fchmodSync(fd, f.mode);
      fs.futimesSync(fd, f.mtimeMs / 1000, f.mtimeMs / 1000);
      fs.closeSync(fd);
      staged.push([tmp, f.path]);
    }
    if (durable) await flush();
    for (const [tmp, rel] of staged) {
      const dir = path.dirname(rel);
      if (dir !== '.' && !dirs.has(dir)) {
        fs.mkdirSync(path.join(root, dir), { recursive: true });
        dirs.add(dir);
      }
      fs.lstatSync(path.join(root, rel), { throwIfNoEntry: false }); // what is there goes to versions first
      fs.renameSync(tmp, path.join(root, rel));
    }
    if (durable) await flush();
    sock.write(frameOf({ id: h.id, ok: h.files.length }));
  }
  const srv = tls.createServer({ key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile), minVersion: 'TLSv1.3' }, (sock) => {
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      while (buf.length >= 8) {
        const hl = buf.readUInt32LE(0);
        const pl = buf.readUInt32LE(4);
        if (buf.length < 8 + hl + pl) break;
        const h = JSON.parse(buf.toString('utf8', 8, 8 + hl));
        const payload = buf.subarray(8 + hl, 8 + hl + pl);
        buf = buf.subarray(8 + hl + pl);
        apply(sock, h, payload).catch((err) => { console.error(err); process.exit(1); });
      }
    });
  });
  srv.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: srv.address().port })));
}

async function runClient(dir, port) {
  const files = [];
  const walk = (abs, rel) => {
    for (const name of fs.readdirSync(abs)) {
      const p = path.join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = fs.lstatSync(p);
      if (st.isDirectory()) walk(p, r);
      else if (st.isFile()) files.push({ p, r, st });
    }
  };
  walk(dir, '');
  const sock = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
  await new Promise((r) => sock.once('secureConnect', r));
  let inFlight = 0;
  let nextFile = 0;
  let done = 0;
  let id = 0;
  let finished;
  const all = new Promise((r) => (finished = r));
  const pump = () => {
    while (inFlight < 16 && nextFile < files.length) {
      const meta = [];
      const datas = [];
      let bytes = 0;
      while (nextFile < files.length && meta.length < 64 && bytes < 1 << 20) {
        const f = files[nextFile++];
        const fd = fs.openSync(f.p, 'r');
        const buf = Buffer.allocUnsafe(f.st.size + 1);
        const got = fs.readSync(fd, buf, 0, buf.length, 0);
        fs.fstatSync(fd); // the stat after the read: did the file change while it was read?
        fs.closeSync(fd);
        const data = buf.subarray(0, got);
        meta.push({ path: f.r, size: got, mode: f.st.mode & 0o7777, mtimeMs: Math.floor(f.st.mtimeMs), hash: crypto.createHash('sha256').update(data).digest('hex') });
        datas.push(data);
        bytes += got;
      }
      const h = Buffer.from(JSON.stringify({ id: id++, files: meta }));
      const payload = Buffer.concat(datas);
      const pre = Buffer.alloc(8);
      pre.writeUInt32LE(h.length, 0);
      pre.writeUInt32LE(payload.length, 4);
      sock.write(Buffer.concat([pre, h]));
      sock.write(payload);
      inFlight++;
    }
  };
  let rb = Buffer.alloc(0);
  sock.on('data', (d) => {
    rb = rb.length === 0 ? d : Buffer.concat([rb, d]);
    while (rb.length >= 4 && rb.length >= 4 + rb.readUInt32LE(0)) {
      const len = rb.readUInt32LE(0);
      done += JSON.parse(rb.toString('utf8', 4, 4 + len)).ok;
      rb = rb.subarray(4 + len);
      inFlight--;
      if (done === files.length) finished();
      else pump();
    }
  });
  pump();
  await all;
  sock.end();
  console.log(JSON.stringify({ files: done }));
}

async function main() {
  const at = process.argv.indexOf('--runs');
  const runs = at < 0 ? 3 : Math.max(1, Number(process.argv[at + 1]) | 0);
  const { startRsyncd, rsyncPush } = await import('./rsync-daemon.mjs');
  const { markCleanup, msUntilSettled } = await import('./measure.mjs');
  const { default: selfsigned } = await import('selfsigned');
  const tmp = process.env.BENCH_TMP ?? path.join(REPO, '.bench-tmp');
  const data = path.join(tmp, 'data', 'small-20000');
  if (!fs.existsSync(`${data}.done.json`)) throw new Error(`${data} is missing: run \`npm run bench -- --only small\` once to generate it`);
  const settle = msUntilSettled(tmp);
  if (settle > 0) {
    console.log(`a bench deleted its targets recently: waiting ${(settle / 1000).toFixed(0)} s (ext4 without a journal creates files slowly meanwhile)`);
    await new Promise((r) => setTimeout(r, settle));
  }
  const base = fs.mkdtempSync(path.join(tmp, 'floor-'));
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' });
  fs.writeFileSync(path.join(base, 'key.pem'), pems.private);
  fs.writeFileSync(path.join(base, 'cert.pem'), pems.cert);
  const times = { 'node floor, durable': [], 'rsync --fsync': [], 'node floor, no flush': [], 'rsync -a': [] };
  let n = 0;
  const fresh = () => { const d = path.join(base, `t${n++}`); fs.mkdirSync(d); return d; };
  for (let run = 0; run < runs; run++) {
    for (const durable of [true, false]) {
      const root = fresh();
      const srv = spawn(process.execPath, [SELF, 'server', root, durable ? 'fsync' : 'nofsync', path.join(base, 'key.pem'), path.join(base, 'cert.pem')], { stdio: ['ignore', 'pipe', 'inherit'] });
      const port = await new Promise((r) => readline.createInterface({ input: srv.stdout }).once('line', (l) => r(JSON.parse(l).port)));
      const t0 = performance.now();
      const c = spawnSync(process.execPath, [SELF, 'client', data, String(port)], { encoding: 'utf8' });
      const ms = performance.now() - t0;
      srv.kill();
      if (c.status !== 0) throw new Error(`floor client failed: ${c.stderr}`);
      times[durable ? 'node floor, durable' : 'node floor, no flush'].push(ms);
      const d = await startRsyncd(fresh(), path.join(base, `rsyncd${n}`));
      try {
        times[durable ? 'rsync --fsync' : 'rsync -a'].push((await rsyncPush(data, d.port, durable ? ['--fsync'] : [], 600_000)).ms);
      } finally {
        await d.stop();
      }
    }
  }
  const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  for (const [k, v] of Object.entries(times)) console.log(`${k.padEnd(22)} median ${(med(v) / 1000).toFixed(2)} s  (${v.map((x) => (x / 1000).toFixed(2)).join(', ')})`);
  console.log(`durable: floor / rsync --fsync = ${(med(times['node floor, durable']) / med(times['rsync --fsync'])).toFixed(2)}×`);
  console.log(`no flush: floor / rsync -a = ${(med(times['node floor, no flush']) / med(times['rsync -a'])).toFixed(2)}×`);
  fs.rmSync(base, { recursive: true, force: true });
  markCleanup(tmp);
}

if (process.argv[2] === 'server') runServer(process.argv[3], process.argv[4] === 'fsync', process.argv[5], process.argv[6]);
else if (process.argv[2] === 'client') await runClient(process.argv[3], Number(process.argv[4]));
else await main();
