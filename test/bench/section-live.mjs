// Sections 5 and 6: live propagation latency, and client memory while watching 100,000 files.
import fs from 'node:fs';
import path from 'node:path';
import { startFerryServer, startFerryLive } from './ferry-procs.mjs';
import { fileIs, listFiles, percentile, processMemory, sleep } from './measure.mjs';
import { makeByteStream } from './dataset.mjs';
import { StepTimeout } from './procs.mjs';
import { row } from './report.mjs';

const errText = (err) => (err instanceof StepTimeout ? 'timeout' : String(err.message ?? err));
const POLL_MS = 5;

/**
 * Section 5: with `ferry sync` watching, write a new 4 KiB file straight into the watched folder (one
 * writeFileSync: open, write, close — no temp + rename) and poll the server folder every 5 ms until a
 * file of that name has the full size and identical bytes. 50 samples (quick: 8), 1 s apart.
 */
export async function sectionLatency(ctx) {
  const reps = ctx.quick ? 8 : 50;
  const gapMs = ctx.quick ? 300 : 1000;
  const src = ctx.fresh('latency-src');
  const root = ctx.fresh('latency-root');
  const bytes = makeByteStream(ctx.seed, 'latency');
  const samples = [];
  const failures = [];
  let server = null;
  let live = null;
  let error = null;
  try {
    server = await startFerryServer({ root, state: ctx.fresh('latency-sstate') });
    live = await startFerryLive(server, { dir: src, state: ctx.fresh('latency-cstate'), timeoutMs: ctx.stepTimeoutMs });
    await sleep(500);
    for (let i = 0; i < reps; i++) {
      const name = `lat_${String(i).padStart(3, '0')}.bin`;
      const data = bytes(4096);
      const target = path.join(root, name);
      const t0 = performance.now();
      fs.writeFileSync(path.join(src, name), data);
      let ok = false;
      while (performance.now() - t0 < 10_000) {
        if (fileIs(target, data)) { ok = true; break; }
        await sleep(POLL_MS);
      }
      const ms = performance.now() - t0;
      if (ok) samples.push(+ms.toFixed(1)); else failures.push(i);
      if (live.exit) throw new Error(`ferry sync exited (${live.exit.code ?? live.exit.signal}): ${live.stderr.trim().split('\n').slice(-2).join(' | ')}`);
      await sleep(gapMs);
    }
  } catch (err) {
    error = errText(err);
  } finally {
    await live?.stop();
    await server?.stop();
  }
  const s = samples.slice().sort((a, b) => a - b);
  const p50 = percentile(s, 50);
  const p95 = percentile(s, 95);
  ctx.log(`  latency: ${samples.length}/${reps} ok, p50 ${p50} ms, p95 ${p95} ms${error ? ` (${error})` : ''}`);
  const failNote = `${samples.length}/${reps} samples arrived (10 s limit each)${error ? `; ${error}` : ''}`;
  const peer = 'rsync: not measured here (RESULTS.md: lsyncd delay=0 + rsync daemon p50 81 / p95 90 ms)';
  const rows = [
    row({ id: '5a', what: 'change → visible on the server, new 4 KiB file, p50', ferry: p50 == null ? { text: error ?? 'no samples', value: null } : { text: `${p50} ms`, value: p50 },
      rsync: { text: '–', value: null }, target: 'p50 ≤ 50 ms', check: (f) => f <= 50 && failures.length === 0, note: `${failNote}; ${peer}` }),
    row({ id: '5b', what: 'change → visible on the server, new 4 KiB file, p95', ferry: p95 == null ? { text: error ?? 'no samples', value: null } : { text: `${p95} ms`, value: p95 },
      rsync: { text: '–', value: null }, target: 'p95 ≤ 150 ms', check: (f) => f <= 150 && failures.length === 0, note: `min ${s[0] ?? '–'} / max ${s[s.length - 1] ?? '–'} ms` }),
  ];
  return { rows, raw: { reps, gapMs, pollMs: POLL_MS, samples, failures, error, p50, p95 } };
}

/** inotify watches held by a process (lines "inotify wd:" in the fdinfo of its inotify descriptors). */
function inotifyWatches(pid) {
  let n = 0;
  try {
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      let link = '';
      try { link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { continue; }
      if (!link.includes('inotify')) continue;
      n += fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').split('\n').filter((l) => l.startsWith('inotify wd:')).length;
    }
  } catch {
    return null;
  }
  return n;
}

/**
 * Section 6: start a live `ferry sync` on 100,000 tiny files in ~1,000 folders (quick: 5,000), wait for
 * its `watching` line, let it settle 3 s, then read VmHWM (peak RSS) and VmRSS of the client process.
 */
export async function sectionMemory(ctx) {
  const ds = ctx.dataset('many');
  const root = ctx.fresh('memory-root');
  let server = null;
  let live = null;
  const r = { files: ds.files, dirs: ds.dirs, inotifyMaxUserWatches: readNum('/proc/sys/fs/inotify/max_user_watches') };
  try {
    server = await startFerryServer({ root, state: ctx.fresh('memory-sstate'), fsync: false });
    const t0 = performance.now();
    // RSS every 250 ms from spawn on, to tell the watcher's share (before the initial sync) from the sync's.
    let sampler = null;
    const samples = [];
    const onSpawn = (h) => {
      sampler = setInterval(() => { const m = processMemory(h.pid); if (m) samples.push({ ms: Math.round(performance.now() - h.t0), rss: m.rss }); }, 250);
    };
    try {
      live = await startFerryLive(server, { dir: ds.dir, state: ctx.fresh('memory-cstate'), timeoutMs: ctx.quick ? 120_000 : 900_000, onSpawn });
    } finally {
      clearInterval(sampler);
    }
    const before = samples.filter((x) => x.ms <= live.watchingLineMs);
    r.rssAtWatcherUp = before.length ? before[before.length - 1].rss : null;
    r.rssSamples = samples.filter((_, i) => i % 4 === 0);
    r.watchingAfterMs = Math.round(performance.now() - t0);
    r.watchingLineAfterMs = Math.round(live.watchingLineMs);
    r.serverFilesAtWatching = (await listFiles(root, ['.ferry'])).length;
    r.atWatching = processMemory(live.pid);
    await sleep(3000);
    r.settled = processMemory(live.pid);
    r.inotifyWatches = inotifyWatches(live.pid);
    r.serverFilesAfter = (await listFiles(root, ['.ferry'])).length;
  } catch (err) {
    r.error = errText(err);
  } finally {
    await live?.stop();
    await server?.stop();
  }
  const hwm = r.settled?.hwm ?? r.atWatching?.hwm ?? null;
  const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  ctx.log(`  memory: ${r.error ?? `VmHWM ${mib(hwm)}, VmRSS ${mib(r.settled?.rss ?? 0)}, ${r.inotifyWatches} inotify watches, initial sync done after ${(r.watchingAfterMs / 1000).toFixed(1)} s, ${r.serverFilesAtWatching}/${ds.files} files on the server`}`);
  const rows = [
    row({ id: '6', what: `client peak memory (VmHWM) watching ${ds.files.toLocaleString('en-US')} files in ${ds.dirs.toLocaleString('en-US')} folders`,
      ferry: hwm ? { text: `${mib(hwm)} (${(hwm / 1e6).toFixed(0)} MB)`, value: hwm } : { text: r.error ?? 'n/a', value: null },
      rsync: { text: '–', value: null }, target: '≤ 300 MB', check: (f) => f <= 300e6,
      note: r.error ? '' : `VmRSS 3 s later: ${mib(r.settled?.rss ?? 0)}; RSS when the watcher was up (before the initial sync): ${r.rssAtWatcherUp ? mib(r.rssAtWatcherUp) : '?'}; watcher up after ${(r.watchingLineAfterMs / 1000).toFixed(1)} s, initial sync done (status watching) after ${(r.watchingAfterMs / 1000).toFixed(1)} s with ` +
        `${r.serverFilesAtWatching}/${ds.files} files on the server; inotify watches held: ${r.inotifyWatches} (limit fs.inotify.max_user_watches = ${r.inotifyMaxUserWatches}, shared by all processes of the user)` }),
  ];
  return { rows, raw: { dataset: ds, ...r } };
}

function readNum(p) {
  try { return Number(fs.readFileSync(p, 'utf8').trim()); } catch { return null; }
}
