// Section 7 (`--only twoway`): two devices on one share, both `ferry sync --mode two-way` (issue 9).
// Each row stands beside the nearest peer measured in the same run (an rsync pull from its daemon), or,
// for live propagation, Syncthing's reference figure from ../shared/peers/RESULTS.md (not run here: its
// minimum rescan delay is 1 s, so its latency is that delay, not the machine).
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startFerryServer, ferrySyncOnce, startFerryLive } from './ferry-procs.mjs';
import { startRsyncd, rsyncPull } from './rsync-daemon.mjs';
import { startCountingProxy, fileIs, listFiles, percentile, processMemory, verifyTree, warmRead, flushDisk, median, sleep } from './measure.mjs';
import { copyWithMtime, makeByteStream, mutate } from './dataset.mjs';
import { StepTimeout } from './procs.mjs';
import { fmtBytes, fmtSeconds, row } from './report.mjs';

const errText = (err) => (err instanceof StepTimeout ? 'timeout' : String(err.message ?? err));
const POLL_MS = 5;
const TWO_WAY = 'two-way';
/** Syncthing 1.19.2, fsWatcherDelayS=1 (its minimum), new 4 KiB file: ../shared/peers/RESULTS.md, 2026-11-25. */
const SYNCTHING_1S = { p50: 1012, p95: 1017 };

/** `cp -a` (a real copy, mtimes kept): a device's folder that is then changed must not share inodes with the data. */
function copyTree(from, to) {
  const r = spawnSync('cp', ['-a', `${from}/.`, to]);
  if (r.status !== 0) throw new Error(`cp -a ${from} ${to}: ${r.stderr}`);
}

/**
 * One share that several devices sync with, each with its own folder, state and counting relay (so that each
 * device's bytes on the wire are its own; the relay's port stays the same for a device, as its state expects).
 */
async function share(ctx, name) {
  const root = ctx.fresh(`${name}-root`);
  const server = await startFerryServer({ root, state: ctx.fresh(`${name}-sstate`) });
  const proxies = new Map();
  const proxyOf = async (dev) => {
    if (!proxies.has(dev.name)) proxies.set(dev.name, await startCountingProxy(server.port));
    return proxies.get(dev.name);
  };
  return {
    root, server, proxyOf,
    /** `ferry sync --once --mode two-way` of device `dev` ({ dir, state, name }) through its relay. */
    async once(dev) {
      const proxy = await proxyOf(dev);
      const s0 = proxy.snapshot();
      const s = await ferrySyncOnce(server, { dir: dev.dir, state: dev.state, port: proxy.port, mode: TWO_WAY, deviceName: dev.name, timeoutMs: ctx.stepTimeoutMs, allowErrors: true });
      const errors = s.summary.errors ?? [];
      return { ms: s.ms, wire: proxy.since(s0), summary: s.summary, errors: errors.length, errorCodes: [...new Set(errors.map((e) => `${e.code}: ${e.message}`))].slice(0, 3) };
    },
    /** A live `ferry sync --mode two-way` of device `dev` through its relay, after its initial sync. */
    async live(dev) {
      const proxy = await proxyOf(dev);
      return startFerryLive(server, { dir: dev.dir, state: dev.state, port: proxy.port, mode: TWO_WAY, deviceName: dev.name, timeoutMs: ctx.stepTimeoutMs });
    },
    async close() { for (const p of proxies.values()) await p.close(); await server.stop(); },
  };
}

/** An rsync daemon serving `dir` as module dst, behind a counting relay; pull() downloads it. */
async function rsyncSource(ctx, name, dir) {
  const d = await startRsyncd(dir, ctx.fresh(`${name}-rsyncd`));
  const proxy = await startCountingProxy(d.port);
  return {
    async pull(dst, flags = []) {
      const s0 = proxy.snapshot();
      const s = await rsyncPull(dst, proxy.port, flags, ctx.stepTimeoutMs);
      return { ms: s.ms, wire: proxy.since(s0), stats: s.stats };
    },
    async close() { await proxy.close(); await d.stop(); },
  };
}

const device = (ctx, name) => ({ name, dir: ctx.fresh(`${name}-dir`), state: ctx.fresh(`${name}-cstate`) });
const bytesCell = (m) => (m?.wire ? { text: fmtBytes(m.wire.total), value: m.wire.total } : { text: m?.error ?? 'skipped (no rsync)', value: null });
const timeCell = (m) => (m?.ms != null ? { text: fmtSeconds(m.ms), value: m.ms / 1000 } : { text: m?.error ?? 'skipped (no rsync)', value: null });
async function attempt(fn) {
  try { return await fn(); } catch (err) { return { error: errText(err) }; }
}

/** Row 1: a new 4 KiB file written on A (live) until it is complete on B (live), polled every 5 ms. */
async function latency(ctx) {
  const reps = ctx.quick ? 8 : 50;
  const gapMs = ctx.quick ? 300 : 1000;
  const bytes = makeByteStream(ctx.seed, 'twoway-latency');
  const r = { reps, gapMs, samples: [], failures: [] };
  let sh = null;
  const lives = [];
  try {
    sh = await share(ctx, 'tw-lat');
    const [a, b] = [device(ctx, 'tw-lat-A'), device(ctx, 'tw-lat-B')];
    for (const d of [a, b]) lives.push(await startFerryLive(sh.server, { dir: d.dir, state: d.state, mode: TWO_WAY, deviceName: d.name, timeoutMs: ctx.stepTimeoutMs }));
    await sleep(500);
    for (let i = 0; i < reps; i++) {
      const name = `lat_${String(i).padStart(3, '0')}.bin`;
      const data = bytes(4096);
      const target = path.join(b.dir, name);
      const t0 = performance.now();
      fs.writeFileSync(path.join(a.dir, name), data);
      let ok = false;
      while (performance.now() - t0 < 10_000) {
        if (fileIs(target, data)) { ok = true; break; }
        await sleep(POLL_MS);
      }
      if (ok) r.samples.push(+(performance.now() - t0).toFixed(1)); else r.failures.push(i);
      for (const l of lives) if (l.exit) throw new Error(`ferry sync exited (${l.exit.code ?? l.exit.signal}): ${l.stderr.trim().split('\n').slice(-2).join(' | ')}`);
      await sleep(gapMs);
    }
    r.conflictLines = lives.reduce((n, l) => n + l.json.filter((o) => o.event === 'conflict').length, 0);
  } catch (err) {
    r.error = errText(err);
  } finally {
    for (const l of lives) await l.stop();
    await sh?.close();
  }
  const s = r.samples.slice().sort((x, y) => x - y);
  r.p50 = percentile(s, 50);
  r.p95 = percentile(s, 95);
  ctx.log(`  two-way latency A→B: ${r.samples.length}/${reps} ok, p50 ${r.p50} ms, p95 ${r.p95} ms${r.error ? ` (${r.error})` : ''}`);
  const cell = (v) => (v == null ? { text: r.error ?? 'no samples', value: null } : { text: `${v} ms`, value: v });
  const peer = (v) => ({ text: `Syncthing ${v} ms (reference)`, value: v });
  const rows = [
    row({ id: '7a', what: 'two-way: new 4 KiB file on device A → complete on device B (both live), p50', ferry: cell(r.p50), rsync: peer(SYNCTHING_1S.p50),
      target: 'p50 ≤ 100 ms', check: (f) => f <= 100 && r.failures.length === 0,
      note: `${r.samples.length}/${reps} samples arrived (10 s limit each)${r.error ? `; ${r.error}` : ''}; peer: Syncthing 1.19.2 at its minimum delay (fsWatcherDelayS=1), ../shared/peers/RESULTS.md, not run here` }),
    row({ id: '7b', what: 'two-way: new 4 KiB file on device A → complete on device B (both live), p95', ferry: cell(r.p95), rsync: peer(SYNCTHING_1S.p95),
      target: 'p95 ≤ 250 ms', check: (f) => f <= 250 && r.failures.length === 0, note: `min ${s[0] ?? '–'} / max ${s[s.length - 1] ?? '–'} ms` }),
  ];
  return { rows, raw: r };
}

/**
 * Rows 2 and 4 share one setup on the small set (20,000 files): device A uploads it (`--once`), devices B1–B3
 * download it into empty folders (`--once`), an rsync pull of the same set runs between them; then A rewrites
 * 10,000 files and uploads them, and B1 (state kept: feed catch-up), B2 (feed position cleared in its state:
 * full snapshot, ancestor kept) and B3 (state folder deleted: a new device holding old files) reconnect once.
 */
async function smallSet(ctx) {
  const ds = ctx.dataset('small');
  const nChange = Math.min(10_000, Math.floor(ds.files / 2));
  const r = { files: ds.files, changed: nChange, runs: [] };
  for (let run = 0; run < ctx.runs; run++) {
    const x = {};
    r.runs.push(x);
    let sh = null;
    let rs = null;
    let rsA = null;
    try {
      const a = device(ctx, 'tw-small-A');
      copyTree(ds.dir, a.dir);
      sh = await share(ctx, 'tw-small');
      if (ctx.rsync) rs = await rsyncSource(ctx, 'tw-small', ds.dir);
      const bs = [1, 2, 3].map((i) => device(ctx, `tw-small-B${i}`));
      const prep = async (dir) => { flushDisk(); await warmRead(dir); await sleep(ctx.pauseMs); };
      await prep(a.dir);
      x.upload = await sh.once(a);
      ctx.log(`  small upload (A, two-way --once): ${fmtSeconds(x.upload.ms)}, ${fmtBytes(x.upload.wire.total)}`);
      x.downloads = [];
      // Interleaved: Ferry download, rsync pull, Ferry download, Ferry download (rsync second in odd runs).
      const pullRsync = async () => {
        if (!rs) return;
        const dst = ctx.fresh('tw-small-rsync');
        await prep(ds.dir);
        x.rsync = await attempt(() => rs.pull(dst, ['--fsync']));
        if (!x.rsync.error) x.rsync.verified = (await verifyTree(ds.dir, dst)).ok;
        ctx.log(`  small rsync -a --fsync pull: ${x.rsync.error ?? fmtSeconds(x.rsync.ms)}`);
      };
      if (run % 2 === 1) await pullRsync();
      for (const [i, b] of bs.entries()) {
        flushDisk();
        await sleep(ctx.pauseMs);
        const d = await attempt(() => sh.once(b));
        if (!d.error) d.verified = (await verifyTree(a.dir, b.dir)).ok;
        x.downloads.push(d);
        ctx.log(`  small download (${b.name}, empty folder, two-way --once): ${d.error ?? `${fmtSeconds(d.ms)}, ${fmtBytes(d.wire.total)}${d.errors ? `, ${d.errors} files failed (${d.errorCodes.join('; ')})` : ''}${d.verified ? '' : ' NOT VERIFIED'}`}`);
        if (i === 0 && run % 2 === 0) await pullRsync();
      }
      // A rewrites nChange files (new bytes, same size, in place) elsewhere, and uploads them.
      const files = (await listFiles(a.dir, ['.ferry'])).sort((p, q) => (p.rel < q.rel ? -1 : 1)).slice(0, nChange);
      const bytes = makeByteStream(ctx.seed, `twoway-changes-${run}`);
      for (const f of files) fs.writeFileSync(path.join(a.dir, f.rel), bytes(f.size));
      x.changeUpload = await sh.once(a);
      ctx.log(`  A uploads ${nChange} changes: ${fmtSeconds(x.changeUpload.ms)}, ${fmtBytes(x.changeUpload.wire.total)}`);
      // B2 forgets its feed position (the server then sends a full snapshot); B3 loses its whole state.
      const anc = path.join(bs[1].state, 'ancestor.json');
      const doc = JSON.parse(fs.readFileSync(anc, 'utf8'));
      x.b1Seq = JSON.parse(fs.readFileSync(path.join(bs[0].state, 'ancestor.json'), 'utf8')).seq;
      fs.writeFileSync(anc, JSON.stringify({ ...doc, epoch: null, seq: 0 }));
      fs.rmSync(bs[2].state, { recursive: true, force: true });
      fs.mkdirSync(bs[2].state);
      // rsync's reconnect: pull A's changed tree into a copy of the old tree (size + mtime decide what moves).
      let rsDst = null;
      if (ctx.rsync) { rsDst = ctx.fresh('tw-reconnect-rsync'); copyTree(ds.dir, rsDst); rsA = await rsyncSource(ctx, 'tw-reconnect', a.dir); }
      const reconnect = async (key, b) => {
        flushDisk();
        await sleep(ctx.pauseMs);
        x[key] = await attempt(() => sh.once(b));
        if (!x[key].error) x[key].verified = (await verifyTree(a.dir, b.dir)).ok;
        ctx.log(`  reconnect ${key}: ${x[key].error ?? `${fmtSeconds(x[key].ms)}, ${fmtBytes(x[key].wire.total)}, ${x[key].summary.filesDownloaded} downloaded, ${x[key].summary.conflicts} conflicts${x[key].errors ? `, ${x[key].errors} files failed (${x[key].errorCodes.join('; ')})` : ''}${x[key].verified ? '' : ' NOT VERIFIED'}`}`);
      };
      await reconnect('feed', bs[0]);
      if (rsA) {
        flushDisk();
        await sleep(ctx.pauseMs);
        x.rsyncReconnect = await attempt(() => rsA.pull(rsDst, ['--fsync']));
        if (!x.rsyncReconnect.error) x.rsyncReconnect.verified = (await verifyTree(a.dir, rsDst)).ok;
        ctx.log(`  reconnect rsync pull: ${x.rsyncReconnect.error ?? `${fmtSeconds(x.rsyncReconnect.ms)}, ${fmtBytes(x.rsyncReconnect.wire.total)}`}`);
      }
      await reconnect('snapshot', bs[1]);
      await reconnect('stateDeleted', bs[2]);
    } catch (err) {
      x.error = errText(err);
      ctx.log(`  small set: ${x.error}`);
    } finally {
      await rsA?.close();
      await rs?.close();
      await sh?.close();
    }
  }
  // Medians over runs (and over B1–B3 for the download).
  // A sync that ran to its end with failed files (exit 2) or an unverified folder still has a time, shown flagged.
  const med = (pick) => {
    const ms = r.runs.flatMap(pick).filter((m) => m && !m.error && m.ms != null);
    if (!ms.length) return { error: r.runs.flatMap(pick).find((m) => m?.error)?.error ?? r.runs.find((y) => y.error)?.error ?? 'failed' };
    const bad = ms.filter((m) => m.errors > 0 || m.verified === false);
    return {
      ms: median(ms.map((m) => m.ms)), wire: { total: median(ms.map((m) => m.wire?.total)) }, n: ms.length, summary: ms[0].summary,
      bad: bad.length, failedFiles: bad.reduce((n, m) => n + (m.errors ?? 0), 0), codes: [...new Set(bad.flatMap((m) => m.errorCodes ?? []))].slice(0, 2),
    };
  };
  const flag = (cell, m) => (m?.bad ? { ...cell, text: `${cell.text} (${m.bad}/${m.n} NOT complete: ${m.failedFiles} files failed${m.codes.length ? `, ${m.codes.join('; ')}` : ''})` } : cell);
  const clean = (...ms) => ms.every((m) => !m?.bad);
  const up = med((y) => [y.upload]);
  const down = med((y) => y.downloads ?? []);
  const rsPull = ctx.rsync ? med((y) => [y.rsync]) : null;
  const feed = med((y) => [y.feed]);
  const snap = med((y) => [y.snapshot]);
  const del = med((y) => [y.stateDeleted]);
  const rsRe = ctx.rsync ? med((y) => [y.rsyncReconnect]) : null;
  Object.assign(r, { medians: { up, down, rsPull, feed, snap, del, rsRe } });
  const ratio = (p, q) => (p?.ms != null && q?.ms ? p.ms / q.ms : null);
  const bRatio = (p, q) => (p?.wire?.total != null && q?.wire?.total ? p.wire.total / q.wire.total : null);
  const x2 = (v) => (v == null ? '–' : `${v.toFixed(2)}×`);
  const dl = ratio(down, up);
  const verifiedAll = r.runs.every((y) => (y.downloads ?? []).every((d) => !d.error && d.verified));
  const rows = [
    row({ id: '7c', what: `two-way: a new device downloads the ${ds.files}-file small set into an empty folder (\`--once\`) vs rsync -a --fsync pull`,
      ferry: flag(timeCell(down), down), rsync: timeCell(rsPull), target: `≤ 1.2 × Ferry's upload of the set (${up.ms != null ? fmtSeconds(up.ms) : up.error})`,
      check: () => dl != null && dl <= 1.2 && verifiedAll && clean(down, up),
      note: `download/upload = ${x2(dl)} (upload: \`ferry sync --once --mode two-way\` of the same set into the empty share, same run, ${fmtBytes(up.wire?.total)} on the wire); ` +
        `download median of ${down.n ?? 0} (devices B1–B3${ctx.runs > 1 ? ` × ${ctx.runs} runs` : ''}), ${fmtBytes(down.wire?.total)} on the wire${verifiedAll ? '' : '; a download NOT verified'}` }),
    row({ id: '7e', what: `two-way: reconnect after ${nChange.toLocaleString('en-US')} files changed on another device (B's state kept: feed catch-up) vs rsync -a --fsync pull: bytes on the wire`,
      ferry: flag(bytesCell(feed), feed), rsync: bytesCell(rsRe), target: '< full listing', check: (f) => snap.wire?.total != null && f < snap.wire.total && clean(feed, snap),
      note: `full snapshot (B's feed position cleared, ancestor kept): ${fmtBytes(snap.wire?.total)}${snap.bad ? ' (NOT complete)' : ''} (feed/snapshot ${x2(bRatio(feed, snap))}); ` +
        `B's state folder deleted: ${del.error ?? `${fmtBytes(del.wire?.total)}, ${del.summary?.conflicts ?? '?'} conflicts${del.bad ? `, NOT complete (${del.failedFiles} files failed)` : ''}`}` }),
    row({ id: '7et', what: `two-way: reconnect after ${nChange.toLocaleString('en-US')} files changed on another device: time (\`--once\`)`,
      ferry: flag(timeCell(feed), feed), rsync: timeCell(rsRe), target: '< full listing', check: (f) => snap.ms != null && f < snap.ms / 1000 && clean(feed, snap),
      note: `full snapshot: ${snap.error ?? fmtSeconds(snap.ms)} (feed/snapshot ${x2(ratio(feed, snap))}); state deleted: ${del.error ?? fmtSeconds(del.ms)}` }),
  ];
  return { rows, raw: r };
}

/**
 * Row 3: 100 bytes inserted at the start of a synced 64 MiB file on A (then `ferry sync --once` on A). It arrives
 * at B live (a running `ferry sync` that downloaded the file before) and at B' (`--once`, a new process with the
 * old file and its state), vs an rsync pull of the changed file onto the old one.
 */
async function delta(ctx) {
  const ds = ctx.dataset('delta');
  const base = path.join(ds.dir, 'base.bin');
  const r = { ferry: {}, live: {}, rsync: ctx.rsync ? {} : null };
  let sh = null;
  let rs = null;
  let live = null;
  try {
    sh = await share(ctx, 'tw-delta');
    const [a, b, bl] = [device(ctx, 'tw-delta-A'), device(ctx, 'tw-delta-B'), device(ctx, 'tw-delta-Blive')];
    const fa = path.join(a.dir, 'f.bin');
    copyWithMtime(base, fa);
    r.ferry.initialUp = await sh.once(a);
    r.ferry.initialDown = await sh.once(b);
    live = await sh.live(bl);
    const pl = await sh.proxyOf(bl);
    const want = fs.readFileSync(fa);
    await until(() => fileIs(path.join(bl.dir, 'f.bin'), want), ctx.stepTimeoutMs, 'the live device B to hold the file');
    let rdst = null;
    if (ctx.rsync) { rdst = ctx.fresh('tw-delta-rsync'); copyWithMtime(base, path.join(rdst, 'f.bin')); rs = await rsyncSource(ctx, 'tw-delta', a.dir); }
    mutate(fa, 'insert100', ctx.seed);
    const changed = fs.readFileSync(fa);
    flushDisk();
    await warmRead(a.dir);
    await sleep(ctx.pauseMs);
    await pl.quiet(500, 10_000);
    const l0 = pl.snapshot();
    const t0 = performance.now();
    r.ferry.up = await sh.once(a);
    await until(() => fileIs(path.join(bl.dir, 'f.bin'), changed), ctx.stepTimeoutMs, 'the change on the live device B');
    r.live.ms = performance.now() - t0;
    await pl.quiet(1000, 30_000);
    r.live.wire = pl.since(l0);
    await live.stop();
    live = null;
    await warmRead(b.dir);
    await sleep(ctx.pauseMs);
    Object.assign(r.ferry, await attempt(() => sh.once(b)));
    r.ferry.verified = (await verifyTree(a.dir, b.dir)).ok;
    if (rs) {
      await warmRead(rdst);
      await sleep(ctx.pauseMs);
      Object.assign(r.rsync, await attempt(() => rs.pull(rdst)));
      r.rsync.verified = (await verifyTree(a.dir, rdst)).ok;
    }
  } catch (err) {
    r.error = errText(err);
    r.ferry.error ??= r.error;
    if (!r.live.wire) r.live.error ??= r.error;
  } finally {
    await live?.stop();
    await rs?.close();
    await sh?.close();
  }
  const F = r.ferry;
  const L = r.live;
  ctx.log(`  delta insert100 A→B: live B ${L.wire ? fmtBytes(L.wire.total) : L.error}; B --once ${F.wire ? `${fmtBytes(F.wire.total)} in ${fmtSeconds(F.ms)}` : F.error}; A pushed ${fmtBytes(F.up?.wire?.total)}` +
    (r.rsync ? `; rsync pull ${r.rsync.wire ? `${fmtBytes(r.rsync.wire.total)} in ${fmtSeconds(r.rsync.ms)}` : r.rsync.error}` : '') + (F.verified === false ? ' (NOT VERIFIED)' : ''));
  const mib = ds.bytes / 2 ** 20;
  const rsNote = r.rsync?.stats ? `; rsync --stats: ${fmtBytes(r.rsync.stats.sent)} sent + ${fmtBytes(r.rsync.stats.received)} received` : '';
  const check = (f, rsv) => f <= 2 * (rsv ?? 90_000);
  const rows = [
    row({ id: '7d', what: `two-way: 100 bytes inserted at the start of a synced ${mib} MiB file on A, arriving at B (live): B's bytes on the wire, both directions, vs rsync pull`,
      ferry: bytesCell(L), rsync: bytesCell(r.rsync), target: '≤ 2 × rsync', check,
      note: `A → server upload of the change (\`--once\`): ${fmtBytes(F.up?.wire?.total)}; complete on B ${L.ms != null ? fmtSeconds(L.ms) : '–'} after A's \`ferry sync --once\` started${rsNote}` }),
    row({ id: '7d2', what: `the same change pulled by B as a new process (\`ferry sync --once\`, state kept): bytes on the wire, both directions, vs rsync pull`,
      ferry: bytesCell(F), rsync: bytesCell(r.rsync), target: '≤ 2 × rsync', check: (f, rsv) => check(f, rsv) && F.verified !== false,
      note: `${F.verified === false ? 'B NOT verified; ' : ''}B's summary: ${fmtBytes(F.summary?.bytesSent)} sent + ${fmtBytes(F.summary?.bytesReceived)} received` }),
    row({ id: '7d2t', what: `the same change pulled by B (\`--once\`): time`, ferry: timeCell(F), rsync: timeCell(r.rsync), target: '–', check: null,
      note: `A's upload of the change: ${fmtSeconds(F.up?.ms)}` }),
  ];
  return { rows, raw: r };
}

/** Poll until `pred()` holds (every 5 ms, at most timeoutMs); returns the elapsed ms. */
async function until(pred, timeoutMs, what) {
  const t0 = performance.now();
  while (!pred()) {
    if (performance.now() - t0 > timeoutMs) throw new StepTimeout(`waiting for ${what}`, timeoutMs);
    await sleep(POLL_MS);
  }
  return performance.now() - t0;
}

/** Row 5: peak RSS (VmHWM) of a live two-way `ferry sync` on 100,000 tiny files, after its initial sync, settled 3 s. */
async function memory(ctx) {
  const ds = ctx.dataset('many');
  const hadFerryDir = fs.existsSync(path.join(ds.dir, '.ferry'));
  const r = { files: ds.files, dirs: ds.dirs };
  let sh = null;
  let live = null;
  try {
    sh = await share(ctx, 'tw-memory');
    live = await startFerryLive(sh.server, { dir: ds.dir, state: ctx.fresh('tw-memory-cstate'), mode: TWO_WAY, deviceName: 'tw-memory', timeoutMs: ctx.quick ? 120_000 : 900_000 });
    r.watchingAfterMs = Math.round(live.watchingMs);
    r.atWatching = processMemory(live.pid);
    await sleep(3000);
    r.settled = processMemory(live.pid);
    r.serverFiles = (await listFiles(sh.root, ['.ferry'])).length;
  } catch (err) {
    r.error = errText(err);
  } finally {
    await live?.stop();
    await sh?.close();
    // The two-way client keeps a staging folder in .ferry/ inside the synced folder: leave the dataset as it was.
    if (!hadFerryDir) fs.rmSync(path.join(ds.dir, '.ferry'), { recursive: true, force: true });
  }
  const hwm = r.settled?.hwm ?? r.atWatching?.hwm ?? null;
  const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  ctx.log(`  two-way memory: ${r.error ?? `VmHWM ${mib(hwm)}, VmRSS ${mib(r.settled?.rss ?? 0)}, initial sync done after ${(r.watchingAfterMs / 1000).toFixed(1)} s, ${r.serverFiles}/${ds.files} files on the server`}`);
  const rows = [
    row({ id: '7f', what: `two-way: client peak memory (VmHWM) watching ${ds.files.toLocaleString('en-US')} files in ${ds.dirs.toLocaleString('en-US')} folders`,
      ferry: hwm ? { text: `${mib(hwm)} (${(hwm / 1e6).toFixed(0)} MB)`, value: hwm } : { text: r.error ?? 'n/a', value: null },
      rsync: { text: '–', value: null }, target: '≤ 300 MB', check: (f) => f <= 300e6,
      note: r.error ? '' : `VmRSS 3 s later: ${mib(r.settled?.rss ?? 0)}; initial sync (upload into an empty share) done after ${(r.watchingAfterMs / 1000).toFixed(1)} s with ${r.serverFiles}/${ds.files} files on the server` }),
  ];
  return { rows, raw: r };
}

/** Section 7: the two-way rows, in the order of issue 9's list. */
export async function sectionTwoWay(ctx) {
  const parts = { latency, smallSet, delta, memory };
  const rows = [];
  const raw = {};
  for (const [k, fn] of Object.entries(parts)) {
    const res = await fn(ctx);
    rows.push(...res.rows);
    raw[k] = res.raw;
  }
  const order = ['7a', '7b', '7c', '7d', '7d2', '7d2t', '7e', '7et', '7f'];
  rows.sort((p, q) => order.indexOf(p.id) - order.indexOf(q.id));
  return { rows, raw };
}
