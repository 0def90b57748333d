// Measuring helpers: a byte-counting TCP relay (the "wire" both tools are measured on), warm-cache
// reads, tree verification, machine CPU, /proc memory figures, percentiles and free ports.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

/** A free TCP port on 127.0.0.1 (bound and released; the small race is acceptable on loopback). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** Wait until something accepts connections on 127.0.0.1:port. */
export async function waitPort(port, timeoutMs) {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

/**
 * A TCP relay 127.0.0.1:port → 127.0.0.1:targetPort counting the payload bytes of every connection in
 * each direction: `up` = client → server, `down` = server → client. These are the bytes the tools put
 * on the wire (TLS records for Ferry, rsync's protocol stream for rsync), without TCP/IP headers.
 */
export async function startCountingProxy(targetPort) {
  const counts = { up: 0, down: 0, connections: 0, lastActivity: performance.now() };
  const sockets = new Set();
  const server = net.createServer((client) => {
    counts.connections += 1;
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => { client.destroy(); upstream.destroy(); }); }
    client.on('data', (d) => { counts.up += d.length; counts.lastActivity = performance.now(); });
    upstream.on('data', (d) => { counts.down += d.length; counts.lastActivity = performance.now(); });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    counts,
    snapshot: () => ({ up: counts.up, down: counts.down }),
    since: (s) => ({ up: counts.up - s.up, down: counts.down - s.down, total: counts.up - s.up + counts.down - s.down }),
    /** Wait until no byte moved for quietMs (bounded by maxMs). */
    async quiet(quietMs, maxMs) {
      const end = performance.now() + maxMs;
      while (performance.now() < end && performance.now() - counts.lastActivity < quietMs) await sleep(50);
    },
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

/** Every regular file under dir: [{ rel, size }]; `skipTop` names top-level entries to ignore. */
export async function listFiles(dir, skipTop = []) {
  const out = [];
  async function walk(d, rel) {
    for (const e of await fsp.readdir(d, { withFileTypes: true })) {
      if (!rel && skipTop.includes(e.name)) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(d, e.name), r);
      else if (e.isFile()) out.push({ rel: r, size: (await fsp.stat(path.join(d, e.name))).size });
    }
  }
  await walk(dir, '');
  return out;
}

async function mapLimit(items, limit, fn) {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (i < items.length) { const k = i++; await fn(items[k]); }
  }));
}

/** Read every file under dir once (so the source is in the page cache: warm-cache protocol). */
export async function warmRead(dir) {
  const files = await listFiles(dir);
  const buf = Buffer.alloc(1 << 20);
  await mapLimit(files, 1, async (f) => {
    const fd = await fsp.open(path.join(dir, f.rel), 'r');
    try { while ((await fd.read(buf, 0, buf.length, null)).bytesRead > 0) { /* discard */ } } finally { await fd.close(); }
  });
}

async function sameContent(a, b) {
  const [fa, fb] = await Promise.all([fsp.open(a, 'r'), fsp.open(b, 'r')]);
  const ba = Buffer.alloc(1 << 20);
  const bb = Buffer.alloc(1 << 20);
  try {
    for (;;) {
      const [ra, rb] = await Promise.all([fa.read(ba, 0, ba.length, null), fb.read(bb, 0, bb.length, null)]);
      if (ra.bytesRead !== rb.bytesRead) return false;
      if (ra.bytesRead === 0) return true;
      if (!ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead))) return false;
    }
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}

/**
 * Compare a target tree with its source: same set of files (Ferry's `.ferry` folder in the share root
 * is ignored), same sizes, same bytes. Returns { ok, problems }.
 */
export async function verifyTree(src, dst) {
  const [a, b] = await Promise.all([listFiles(src), listFiles(dst, ['.ferry'])]);
  const problems = [];
  const bm = new Map(b.map((f) => [f.rel, f.size]));
  for (const f of a) {
    if (!bm.has(f.rel)) problems.push(`missing ${f.rel}`);
    else if (bm.get(f.rel) !== f.size) problems.push(`size ${f.rel}`);
    bm.delete(f.rel);
  }
  for (const rel of bm.keys()) problems.push(`extra ${rel}`);
  if (problems.length === 0) {
    await mapLimit(a, 8, async (f) => {
      if (!(await sameContent(path.join(src, f.rel), path.join(dst, f.rel)))) problems.push(`content ${f.rel}`);
    });
  }
  return { ok: problems.length === 0, problems: problems.slice(0, 5), files: a.length };
}

/** True when `file` exists with exactly `expected` bytes. */
export function fileIs(file, expected) {
  try {
    const st = fs.statSync(file);
    return st.size === expected.length && fs.readFileSync(file).equals(expected);
  } catch {
    return false;
  }
}

/** Flush dirty pages of earlier steps so they do not land inside the next measurement. */
export function flushDisk() {
  spawnSync('sync');
}

/** Busy CPU seconds of the whole machine so far (all cores; /proc/stat, USER_HZ = 100). */
export function machineBusySeconds() {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / 100;
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + system, plus those of reaped children) a process has used so far, from /proc/PID/stat. */
export function processCpuSeconds(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return NaN;
  }
}

/** VmHWM / VmRSS of a process in bytes (null when it is gone). */
export function processMemory(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number((s.match(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm')) ?? [])[1]) * 1024;
    return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
  } catch {
    return null;
  }
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
}

/** Median of numbers (lower middle for even counts). */
export function median(values) {
  const s = values.filter((v) => Number.isFinite(v)).sort((x, y) => x - y);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : null;
}

const CLEANUP_MARK = 'last-cleanup.json';
/** ext4 without a journal avoids reusing inodes freed in the last 5 minutes, which slows file creation. */
export const SETTLE_MS = 300_000;

/** Record that bench targets under `tmp` were just deleted (tens of thousands of inodes freed). */
export function markCleanup(tmp) {
  fs.writeFileSync(path.join(tmp, CLEANUP_MARK), JSON.stringify({ at: Date.now() }));
}

/** How long until the last mass deletion under `tmp` is SETTLE_MS old (0 when it is, or when none is on record). */
export function msUntilSettled(tmp) {
  try {
    const { at } = JSON.parse(fs.readFileSync(path.join(tmp, CLEANUP_MARK), 'utf8'));
    return Math.max(0, Math.min(SETTLE_MS, at + SETTLE_MS - Date.now()));
  } catch {
    return 0;
  }
}
