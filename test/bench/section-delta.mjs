// Sections 3 and 4: bytes on the wire for changes to files that are already synced.
// Both tools connect through the same byte-counting relay (measure.mjs), so "on the wire" means the same
// thing for both: every payload byte of every TCP connection, both directions (TLS records for Ferry,
// the rsync protocol for rsync). Each tool's own figure (Ferry's summary, rsync --stats) is kept as well.
import fs from 'node:fs';
import path from 'node:path';
import { startFerryServer, ferrySyncOnce, startFerryLive } from './ferry-procs.mjs';
import { startRsyncd, rsyncPush } from './rsync-daemon.mjs';
import { startCountingProxy, flushDisk, warmRead, verifyTree, sleep } from './measure.mjs';
import { copyWithMtime, mutate } from './dataset.mjs';
import { StepTimeout } from './procs.mjs';
import { fmtBytes, fmtSeconds, row } from './report.mjs';

const errText = (err) => (err instanceof StepTimeout ? 'timeout' : String(err.message ?? err));

/** A Ferry server (fresh root + state) behind a counting relay, and its client state folder. */
async function ferryEndpoint(ctx, name, fsync = true) {
  const root = ctx.fresh(`${name}-ferry-root`);
  const server = await startFerryServer({ root, state: ctx.fresh(`${name}-ferry-sstate`), fsync });
  const proxy = await startCountingProxy(server.port);
  const cstate = ctx.fresh(`${name}-ferry-cstate`);
  return {
    root, server, proxy,
    /** `ferry sync --once` through the relay: { ms, wire: {up, down, total}, self: {sent, received}, summary }. */
    async once(dir) {
      const s0 = proxy.snapshot();
      const s = await ferrySyncOnce(server, { dir, state: cstate, port: proxy.port, timeoutMs: ctx.stepTimeoutMs });
      return { ms: s.ms, wire: proxy.since(s0), self: { sent: s.summary.bytesSent, received: s.summary.bytesReceived }, summary: s.summary };
    },
    live: (dir) => startFerryLive(server, { dir, state: cstate, port: proxy.port, timeoutMs: ctx.stepTimeoutMs }),
    async close() { await proxy.close(); await server.stop(); },
  };
}

/** An rsync daemon (fresh module folder) behind a counting relay. */
async function rsyncEndpoint(ctx, name) {
  const root = ctx.fresh(`${name}-rsync-root`);
  const d = await startRsyncd(root, ctx.fresh(`${name}-rsyncd`));
  const proxy = await startCountingProxy(d.port);
  return {
    root,
    /** `rsync -a --stats FLAGS src/ rsync://relay/dst/`: { ms, wire, self: {sent, received}, stats }. */
    async push(dir, flags = []) {
      const s0 = proxy.snapshot();
      const s = await rsyncPush(dir, proxy.port, flags, ctx.stepTimeoutMs);
      return { ms: s.ms, wire: proxy.since(s0), self: { sent: s.stats.sent, received: s.stats.received }, stats: s.stats };
    },
    async close() { await proxy.close(); await d.stop(); },
  };
}

const bytesCell = (m) => (m?.wire ? { text: fmtBytes(m.wire.total), value: m.wire.total } : { text: m?.error ?? 'skipped (no rsync)', value: null });
const timeCell = (m) => (m?.ms != null ? { text: fmtSeconds(m.ms), value: m.ms / 1000 } : { text: m?.error ?? 'skipped (no rsync)', value: null });
const selfNote = (f, r) => [f?.self ? `Ferry's summary: ${fmtBytes(f.self.sent)} sent + ${fmtBytes(f.self.received)} received` : '',
  r?.self ? `rsync --stats: ${fmtBytes(r.self.sent)} sent + ${fmtBytes(r.self.received)} received` : ''].filter(Boolean).join('; ');

/** Section 3: a synced 64 MiB file (quick: 16 MiB), then one change, re-synced by each tool. */
export async function sectionDelta(ctx) {
  const ds = ctx.dataset('delta');
  const base = path.join(ds.dir, 'base.bin');
  const cases = ['insert100', 'append1m', 'overwrite4k'];
  const raw = {};
  const rows = [];
  for (const kase of cases) {
    const src = ctx.fresh(`delta-${kase}-src`);
    const file = path.join(src, 'f.bin');
    copyWithMtime(base, file);
    const r = { ferry: {}, rsync: ctx.rsync ? {} : null };
    raw[kase] = r;
    let fe = null;
    let re = null;
    try {
      fe = await ferryEndpoint(ctx, `delta-${kase}`);
      if (ctx.rsync) re = await rsyncEndpoint(ctx, `delta-${kase}`);
      r.ferry.initial = await fe.once(src);
      if (re) r.rsync.initial = await re.push(src);
      mutate(file, kase, ctx.seed);
      flushDisk();
      await warmRead(src);
      await sleep(ctx.pauseMs);
      if (re) {
        try { Object.assign(r.rsync, await re.push(src)); } catch (err) { r.rsync.error = errText(err); }
      }
      try { Object.assign(r.ferry, await fe.once(src)); } catch (err) { r.ferry.error = errText(err); }
      r.ferry.verified = (await verifyTree(src, fe.root)).ok;
      if (re) r.rsync.verified = (await verifyTree(src, re.root)).ok;
    } catch (err) {
      r.error = errText(err);
      if (!r.ferry.wire) r.ferry.error ??= r.error;
      if (r.rsync && !r.rsync.wire) r.rsync.error ??= r.error;
    } finally {
      await fe?.close();
      await re?.close();
    }
    ctx.log(`  delta ${kase}: Ferry ${r.ferry.wire ? `${fmtBytes(r.ferry.wire.total)} in ${fmtSeconds(r.ferry.ms)}` : r.ferry.error}` +
      (r.rsync ? `; rsync ${r.rsync.wire ? `${fmtBytes(r.rsync.wire.total)} in ${fmtSeconds(r.rsync.ms)}` : r.rsync.error}` : '') +
      `${r.ferry.verified === false || r.rsync?.verified === false ? ' (NOT VERIFIED)' : ''}`);
    const mib = ds.bytes / 2 ** 20;
    const what = { insert100: `100 bytes inserted at the start of a synced ${mib} MiB file`, append1m: `1 MiB appended to a synced ${mib} MiB file`,
      overwrite4k: `4 KiB overwritten in the middle of a synced ${mib} MiB file` }[kase];
    const verifiedNote = r.ferry.verified === false ? 'Ferry target NOT verified; ' : '';
    rows.push(row({
      id: `3${'abc'[cases.indexOf(kase)]}`, what: `${what}: bytes on the wire, both directions`,
      ferry: bytesCell(r.ferry), rsync: bytesCell(r.rsync),
      target: kase === 'insert100' ? '≤ 2 × rsync' : '–',
      check: kase === 'insert100' ? (f, rs) => f <= 2 * (rs ?? 90_000) : null,
      note: [verifiedNote + selfNote(r.ferry, r.rsync), kase === 'insert100' && r.rsync?.wire == null ? 'no rsync figure: judged against RESULTS.md (~90 KB for 64 MiB)' : '']
        .filter(Boolean).join('; '),
    }));
    rows.push(row({ id: `3${'abc'[cases.indexOf(kase)]}t`, what: `${what}: time`, ferry: timeCell(r.ferry), rsync: timeCell(r.rsync), target: '–', check: null }));
  }
  return { rows, raw: { dataset: ds, cases: raw } };
}

/** Poll until `pred()` is true (every pollMs, at most timeoutMs); returns elapsed ms. */
async function until(pred, timeoutMs, pollMs = 20) {
  const t0 = performance.now();
  while (!pred()) {
    if (performance.now() - t0 > timeoutMs) throw new StepTimeout('waiting for the server folder', timeoutMs);
    await sleep(pollMs);
  }
  return performance.now() - t0;
}

const sizeIs = (p, n) => { try { return fs.statSync(p).size === n; } catch { return false; } };
const gone = (p) => !fs.existsSync(p);

/** Live step: apply `change()` while `ferry sync` watches, wait for `arrived()` on the server, count bytes. */
async function liveStep(ctx, fe, change, arrived) {
  await fe.proxy.quiet(500, 10_000);
  const s0 = fe.proxy.snapshot();
  const t0 = performance.now();
  change();
  await until(arrived, ctx.stepTimeoutMs);
  const ms = performance.now() - t0;
  await fe.proxy.quiet(1000, 30_000);
  return { ms, wire: fe.proxy.since(s0) };
}

/** Section 4: a renamed 1 GiB file and a copied 256 MiB file (quick: 16 MiB each). */
export async function sectionRename(ctx) {
  const ds = ctx.dataset('move');
  const [big, c256] = [path.join(ds.dir, 'big1g.bin'), path.join(ds.dir, 'c256.bin')];
  const bigSize = fs.statSync(big).size;
  const cSize = fs.statSync(c256).size;
  const raw = { ferry: {}, rsync: ctx.rsync ? {} : null };
  const fsrc = ctx.fresh('move-src-ferry');
  // Hard links: the sources share the generated data's blocks; renames and copies happen in each tool's own folder.
  for (const f of [big, c256]) fs.linkSync(f, path.join(fsrc, path.basename(f)));
  let fe = null;
  let live = null;
  const F = raw.ferry;
  try {
    fe = await ferryEndpoint(ctx, 'move');
    F.initial = await fe.once(fsrc);
    ctx.log(`  move: Ferry initial ${fmtBytes(F.initial.wire.total)} in ${fmtSeconds(F.initial.ms)}`);
    const attempt = async (key, fn) => { try { F[key] = await fn(); } catch (err) { F[key] = { error: errText(err) }; } };
    await attempt('renameOnce', async () => { fs.renameSync(path.join(fsrc, 'big1g.bin'), path.join(fsrc, 'big1g-renamed.bin')); return fe.once(fsrc); });
    await attempt('copyOnce', async () => { fs.copyFileSync(path.join(fsrc, 'c256.bin'), path.join(fsrc, 'c256-copy.bin')); return fe.once(fsrc); });
    await attempt('live', async () => { live = await fe.live(fsrc); return { watchingMs: live.watchingMs }; });
    if (live) {
      await attempt('renameLive', () => liveStep(ctx, fe,
        () => fs.renameSync(path.join(fsrc, 'big1g-renamed.bin'), path.join(fsrc, 'big1g-live.bin')),
        () => sizeIs(path.join(fe.root, 'big1g-live.bin'), bigSize) && gone(path.join(fe.root, 'big1g-renamed.bin'))));
      await attempt('copyLive', () => liveStep(ctx, fe,
        () => fs.copyFileSync(path.join(fsrc, 'c256.bin'), path.join(fsrc, 'c256-copy-live.bin')),
        () => sizeIs(path.join(fe.root, 'c256-copy-live.bin'), cSize)));
      await live.stop();
      live = null;
    }
    F.verified = (await verifyTree(fsrc, fe.root)).ok;
  } catch (err) {
    F.error = errText(err);
  } finally {
    await live?.stop();
    await fe?.close();
  }
  if (ctx.rsync) await rsyncMoves(ctx, raw.rsync, [big, c256]);
  for (const k of ['renameOnce', 'copyOnce', 'renameLive', 'copyLive']) {
    const m = F[k];
    ctx.log(`  move ${k}: Ferry ${m?.wire ? `${fmtBytes(m.wire.total)} in ${fmtSeconds(m.ms)}` : m?.error ?? F.error ?? 'not run'}`);
  }
  const cell = (m) => bytesCell(m ?? { error: F.error ?? 'not run' });
  const free = (size) => (f) => f <= size / 100;
  const R = raw.rsync ?? {};
  const fuzzy = (m) => (m?.wire ? `; rsync --fuzzy --delete-after: ${fmtBytes(m.wire.total)}` : '');
  const gib = (n) => (n >= 2 ** 30 ? `${n / 2 ** 30} GiB` : `${n / 2 ** 20} MiB`);
  const verifiedNote = F.verified === false ? 'Ferry target NOT verified; ' : '';
  const rows = [
    row({ id: '4a', what: `a renamed ${gib(bigSize)} file, then \`ferry sync --once\`: bytes on the wire`, ferry: cell(F.renameOnce), rsync: bytesCell(R.rename),
      target: 'no file data (≤ 1 % of the file)', check: free(bigSize), note: `${verifiedNote}${ctx.rsync ? 'rsync -a --delete' : ''}${fuzzy(R.renameFuzzy)}` }),
    row({ id: '4b', what: `a renamed ${gib(bigSize)} file while \`ferry sync\` watches: bytes on the wire`, ferry: cell(F.renameLive), rsync: bytesCell(R.rename),
      target: 'no file data (≤ 1 % of the file)', check: free(bigSize), note: F.renameLive?.ms ? `visible on the server after ${fmtSeconds(F.renameLive.ms)}` : '' }),
    row({ id: '4c', what: `a ${gib(cSize)} file copied inside the folder, then \`ferry sync --once\`: bytes on the wire`, ferry: cell(F.copyOnce), rsync: bytesCell(R.copy),
      target: 'free (DESIGN §1; not in §4)', check: free(cSize), note: `${ctx.rsync ? 'rsync -a --delete' : ''}${fuzzy(R.copyFuzzy)}` }),
    row({ id: '4d', what: `a ${gib(cSize)} file copied inside the folder while \`ferry sync\` watches: bytes on the wire`, ferry: cell(F.copyLive), rsync: bytesCell(R.copy),
      target: 'free (DESIGN §1; not in §4)', check: free(cSize), note: F.copyLive?.ms ? `visible on the server after ${fmtSeconds(F.copyLive.ms)}` : '' }),
  ];
  return { rows, raw: { dataset: ds, ...raw } };
}

/** rsync's side of section 4: plain mirror (-a --delete) and, for reference, --fuzzy --delete-after. */
async function rsyncMoves(ctx, R, [big, c256]) {
  const src = ctx.fresh('move-src-rsync');
  for (const f of [big, c256]) fs.linkSync(f, path.join(src, path.basename(f)));
  let re = null;
  const step = async (key, fn) => { try { R[key] = await fn(); } catch (err) { R[key] = { error: errText(err) }; } };
  try {
    re = await rsyncEndpoint(ctx, 'move');
    R.initial = await re.push(src, ['--delete']);
    await step('rename', () => { fs.renameSync(path.join(src, 'big1g.bin'), path.join(src, 'big1g-renamed.bin')); return re.push(src, ['--delete']); });
    await step('copy', () => { fs.copyFileSync(path.join(src, 'c256.bin'), path.join(src, 'c256-copy.bin')); return re.push(src, ['--delete']); });
    await step('renameFuzzy', () => { fs.renameSync(path.join(src, 'big1g-renamed.bin'), path.join(src, 'big1g-fuzzy.bin')); return re.push(src, ['--delete-after', '--fuzzy']); });
    await step('copyFuzzy', () => { fs.copyFileSync(path.join(src, 'c256.bin'), path.join(src, 'c256-fuzzy.bin')); return re.push(src, ['--delete-after', '--fuzzy']); });
    R.verified = (await verifyTree(src, re.root)).ok;
  } catch (err) {
    R.error = errText(err);
  } finally {
    await re?.close();
  }
  for (const k of ['rename', 'copy', 'renameFuzzy', 'copyFuzzy']) {
    ctx.log(`  move ${k}: rsync ${R[k]?.wire ? `${fmtBytes(R[k].wire.total)} in ${fmtSeconds(R[k].ms)}` : R[k]?.error ?? R.error}`);
  }
}
