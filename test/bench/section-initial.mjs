// Sections 1 and 2: initial sync of many small files and of a few large files into a fresh, never-used
// target, Ferry and rsync interleaved, plus this machine's raw TLS loopback throughput (section 2).
import path from 'node:path';
import { startFerryServer, ferrySyncOnce } from './ferry-procs.mjs';
import { startRsyncd, rsyncPush } from './rsync-daemon.mjs';
import { verifyTree, warmRead, flushDisk, machineBusySeconds, processCpuSeconds, median, sleep } from './measure.mjs';
import { measureTlsLoopback } from './tls-probe.mjs';
import { StepTimeout } from './procs.mjs';
import { fmtSeconds, row } from './report.mjs';

const CONFIGS = [
  { key: 'ferry', tool: 'ferry', fsync: true, label: 'Ferry (durable: fsync per file, default)' },
  { key: 'rsync-fsync', tool: 'rsync', flags: ['--fsync'], label: 'rsync -a --fsync' },
  { key: 'ferry-nofsync', tool: 'ferry', fsync: false, label: 'Ferry, server --no-fsync' },
  { key: 'rsync', tool: 'rsync', flags: [], label: 'rsync -a' },
];

/** One initial sync of `src` into a fresh target with one configuration; never throws. */
async function runOne(ctx, cfg, src, name) {
  const target = ctx.fresh(`${name}-${cfg.key}`);
  const r = { config: cfg.key, target };
  let stop = async () => {};
  try {
    flushDisk();
    await warmRead(src);
    await sleep(ctx.pauseMs);
    const busy0 = machineBusySeconds();
    if (cfg.tool === 'ferry') {
      const server = await startFerryServer({ root: target, state: ctx.fresh(`${name}-${cfg.key}-sstate`), fsync: cfg.fsync });
      stop = server.stop;
      const cpu0 = processCpuSeconds(server.pid);
      const s = await ferrySyncOnce(server, { dir: src, state: ctx.fresh(`${name}-${cfg.key}-cstate`), timeoutMs: ctx.stepTimeoutMs });
      r.serverCpuSeconds = +(processCpuSeconds(server.pid) - cpu0).toFixed(2);
      Object.assign(r, { ms: s.ms, wireSent: s.summary.bytesSent, wireReceived: s.summary.bytesReceived, filesUploaded: s.summary.filesUploaded });
    } else {
      const d = await startRsyncd(target, ctx.fresh(`${name}-${cfg.key}-rsyncd`));
      stop = d.stop;
      const cpu0 = processCpuSeconds(d.pid);
      const s = await rsyncPush(src, d.port, cfg.flags, ctx.stepTimeoutMs);
      await sleep(100); // let the daemon reap its per-connection child, whose CPU then counts in its cutime
      r.serverCpuSeconds = +(processCpuSeconds(d.pid) - cpu0).toFixed(2);
      Object.assign(r, { ms: s.ms, wireSent: s.stats.sent, wireReceived: s.stats.received });
    }
    r.busyCpuSeconds = +(machineBusySeconds() - busy0).toFixed(2);
    await stop();
    stop = async () => {};
    const v = await verifyTree(src, target);
    r.verified = v.ok;
    if (!v.ok) r.problems = v.problems;
  } catch (err) {
    r.error = err instanceof StepTimeout ? 'timeout' : String(err.message ?? err);
  } finally {
    await stop();
  }
  ctx.log(`  ${name} ${cfg.key}: ${r.error ? r.error : `${fmtSeconds(r.ms)}${r.verified ? '' : ' NOT VERIFIED ' + (r.problems ?? []).join(', ')}`}` +
    (r.error ? '' : ` (server CPU ${r.serverCpuSeconds} s, machine busy CPU ${r.busyCpuSeconds} s)`));
  return r;
}

/**
 * Run every configuration ctx.runs times, interleaved, the order rotated by one each run so that no tool is
 * always the first (or the one right after another) on the disk; returns { [key]: { runs, ms (median), error } }.
 */
async function interleaved(ctx, src, name, configs) {
  const out = Object.fromEntries(configs.map((c) => [c.key, { runs: [] }]));
  for (let i = 0; i < ctx.runs; i++) {
    const order = [...configs.slice(i % configs.length), ...configs.slice(0, i % configs.length)];
    for (const c of order) out[c.key].runs.push(await runOne(ctx, c, src, `${name}${ctx.runs > 1 ? `-r${i + 1}` : ''}`));
  }
  for (const v of Object.values(out)) {
    const good = v.runs.filter((r) => !r.error && r.verified);
    v.ms = median(good.map((r) => r.ms));
    v.error = good.length ? null : (v.runs.find((r) => r.error)?.error ?? 'not verified');
  }
  return out;
}

function usable(ctx) {
  return CONFIGS.filter((c) => c.tool === 'ferry' || ctx.rsync);
}

/** A figure cell: the median time, or what went wrong. */
function timeCell(v) {
  if (!v) return { text: 'skipped (no rsync)', value: null };
  if (v.ms == null) return { text: v.error ?? 'failed', value: null };
  return { text: fmtSeconds(v.ms), value: v.ms / 1000 };
}

/** Section 1: 20,000 files of 1–16 KiB in ~200 folders (quick: 500). */
export async function sectionSmall(ctx) {
  const ds = ctx.dataset('small');
  ctx.log(`initial sync of ${ds.files} files (${(ds.bytes / 1e6).toFixed(1)} MB) in ${ds.dirs} folders`);
  const res = await interleaved(ctx, ds.dir, 'small', usable(ctx));
  const per = (v) => (v?.ms ? `${Math.round(ds.files / (v.ms / 1000))} files/s` : '–');
  const rows = [
    row({
      id: '1a', what: `initial sync, ${ds.files} files of 1–16 KiB: durable (Ferry default vs rsync --fsync)`,
      ferry: timeCell(res.ferry), rsync: timeCell(res['rsync-fsync']),
      target: 'ratio ≤ 0.5', check: (f, r) => (r != null ? f / r <= 0.5 : f <= 10 * 0.5 * (ds.files / 20000)),
      note: `${per(res.ferry)} vs ${per(res['rsync-fsync'])}`,
    }),
    row({
      id: '1b', what: `initial sync, ${ds.files} files of 1–16 KiB: no per-file flush (Ferry --no-fsync vs rsync -a)`,
      ferry: timeCell(res['ferry-nofsync']), rsync: timeCell(res.rsync),
      target: 'ratio < 1', check: (f, r) => (r != null ? f / r < 1 : f < 2.1 * (ds.files / 20000)),
      note: `${per(res['ferry-nofsync'])} vs ${per(res.rsync)}`,
    }),
  ];
  return { rows, raw: { dataset: ds, results: res } };
}

/** Section 2: 4 files of 256 MiB (quick: 16 MiB) + raw TLS loopback throughput measured now. */
export async function sectionLarge(ctx) {
  const ds = ctx.dataset('large');
  const tlsBytes = ctx.quick ? 128 * 1024 * 1024 : 1024 * 1024 * 1024;
  ctx.log(`TLS loopback: ${tlsBytes / 2 ** 20} MiB in 1 MiB writes, ${ctx.quick ? 2 : 3} runs`);
  const tlsRes = await measureTlsLoopback({ bytes: tlsBytes, runs: ctx.quick ? 2 : 3, workDir: path.join(ctx.tmp, 'tls-probe') });
  ctx.log(`  TLS loopback median ${tlsRes.medianMBps.toFixed(0)} MB/s (best ${tlsRes.bestMBps.toFixed(0)}), ${tlsRes.cipher}`);
  ctx.log(`initial sync of ${ds.files} files of ${(ds.bytes / ds.files / 2 ** 20).toFixed(0)} MiB`);
  const res = await interleaved(ctx, ds.dir, 'large', usable(ctx));
  const mbps = (v) => (v?.ms ? ds.bytes / (v.ms / 1000) / 1e6 : null);
  const mbCell = (v) => (v?.ms ? { text: `${fmtSeconds(v.ms)}, ${mbps(v).toFixed(0)} MB/s`, value: v.ms / 1000 } : timeCell(v));
  const tlsPct = (v) => (mbps(v) != null ? (100 * mbps(v)) / tlsRes.medianMBps : null);
  const rows = [
    row({ id: '2a', what: `initial sync, ${ds.files} × ${(ds.bytes / ds.files / 2 ** 20).toFixed(0)} MiB: durable (Ferry default vs rsync --fsync)`,
      ferry: mbCell(res.ferry), rsync: mbCell(res['rsync-fsync']), target: '–', check: null }),
    row({ id: '2b', what: `initial sync, ${ds.files} × ${(ds.bytes / ds.files / 2 ** 20).toFixed(0)} MiB: no per-file flush (Ferry --no-fsync vs rsync -a)`,
      ferry: mbCell(res['ferry-nofsync']), rsync: mbCell(res.rsync), target: '–', check: null }),
    {
      id: '2c', what: `large files: Ferry (durable) as % of this machine's TLS 1.3 loopback (${tlsRes.medianMBps.toFixed(0)} MB/s, ${tlsRes.cipher})`,
      ferry: tlsPct(res.ferry) != null ? `${tlsPct(res.ferry).toFixed(0)} %` : (res.ferry.error ?? 'failed'),
      rsync: '–', ratio: '–', target: '≥ 70 %',
      result: tlsPct(res.ferry) == null ? 'n/a' : tlsPct(res.ferry) >= 70 ? 'PASS' : 'MISS',
      note: tlsPct(res['ferry-nofsync']) != null ? `--no-fsync: ${tlsPct(res['ferry-nofsync']).toFixed(0)} %` : '',
    },
  ];
  return { rows, raw: { dataset: ds, tls: tlsRes, results: res } };
}

