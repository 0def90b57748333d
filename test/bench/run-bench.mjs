#!/usr/bin/env node
// `npm run bench`: Ferry side by side with rsync (daemon on 127.0.0.1) on generated data.
//   node test/bench/run-bench.mjs [--quick] [--only small,large,delta,rename,latency,memory,twoway] [--runs N]
//                                 [--out DIR] [--keep] [--no-rsync] [--seed S] [--no-settle]
// Report: test/bench/results/latest.md + .json (--quick: $BENCH_TMP/results/latest-quick.md).
// Data is generated once into $BENCH_TMP/data (default .bench-tmp/ in the repo); every sync goes into a
// fresh, never-used target under $BENCH_TMP/runs/, and all targets are deleted only at the very end
// (ext4 here creates files 2–3× slower right after mass deletions). Method: docs/benchmarks.md.
import fs from 'node:fs';
import path from 'node:path';
import { REPO, assertFerryBuilt } from './ferry-procs.mjs';
import { rsyncVersion } from './rsync-daemon.mjs';
import { datasetSpecs, ensureDataset } from './dataset.mjs';
import { stopAll, withTimeout, runProc, StepTimeout } from './procs.mjs';
import { markCleanup, msUntilSettled, SETTLE_MS } from './measure.mjs';
import { environment, errorRows, markdownTable, writeReport } from './report.mjs';
import { sectionSmall, sectionLarge } from './section-initial.mjs';
import { sectionDelta, sectionRename } from './section-delta.mjs';
import { sectionLatency, sectionMemory } from './section-live.mjs';
import { sectionTwoWay } from './section-two-way.mjs';

const SECTIONS = {
  small: { fn: sectionSmall, data: ['small'], minutes: 30 },
  large: { fn: sectionLarge, data: ['large'], minutes: 20 },
  delta: { fn: sectionDelta, data: ['delta'], minutes: 10 },
  rename: { fn: sectionRename, data: ['move'], minutes: 20 },
  latency: { fn: sectionLatency, data: [], minutes: 10 },
  memory: { fn: sectionMemory, data: ['many'], minutes: 20 },
  twoway: { fn: sectionTwoWay, data: ['small', 'delta', 'many'], minutes: 45 },
};
const ALIASES = { initial: ['small', 'large'], copy: ['rename'], watch: ['memory'], 'two-way': ['twoway'] };

function parseArgs(argv) {
  const o = { quick: false, only: Object.keys(SECTIONS), runs: 1, out: null, keep: false, rsync: true, seed: '1', settle: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    if (a === '--quick') o.quick = true;
    else if (a === '--only') o.only = val().split(',').flatMap((s) => ALIASES[s] ?? [s]);
    else if (a === '--runs') o.runs = Math.max(1, Number(val()) | 0);
    else if (a === '--out') o.out = path.resolve(val());
    else if (a === '--keep') o.keep = true;
    else if (a === '--no-rsync') o.rsync = false;
    else if (a === '--seed') o.seed = val();
    else if (a === '--no-settle') o.settle = false;
    else if (a === '--help' || a === '-h') { console.log(fs.readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(1, 8).join('\n')); process.exit(0); }
    else throw new Error(`unknown argument ${a}`);
  }
  for (const s of o.only) if (!SECTIONS[s]) throw new Error(`unknown section "${s}" (have: ${Object.keys(SECTIONS).join(', ')})`);
  return o;
}

/** Median time of `node bin/ferry.js --version` (3 runs): the fixed start-up cost inside Ferry's client times. */
async function ferryStartupMs() {
  const t = [];
  for (let i = 0; i < 3; i++) {
    const r = await runProc(process.execPath, [path.join(REPO, 'bin', 'ferry.js'), '--version'], { cwd: REPO, timeoutMs: 30_000, label: 'ferry --version' });
    if (r.code === 0) t.push(r.ms);
  }
  return t.length ? Math.round(t.sort((a, b) => a - b)[Math.floor((t.length - 1) / 2)]) : null;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const log = (m) => console.log(m);
  assertFerryBuilt();
  const rsync = opts.rsync ? rsyncVersion() : null;
  if (opts.rsync && !rsync) log('rsync is not installed: the rsync columns are skipped (apt-get install -y rsync).');
  const tmp = path.resolve(process.env.BENCH_TMP || path.join(REPO, '.bench-tmp'));
  // Full runs report into the repo (test/bench/results/); --quick runs next to their data, never over a full run.
  opts.out ??= opts.quick ? path.join(tmp, 'results') : path.join(REPO, 'test', 'bench', 'results');
  const runsRoot = path.join(tmp, 'runs');
  const runDir = path.join(runsRoot, `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  fs.mkdirSync(runDir, { recursive: true });
  const st = fs.statfsSync(tmp);
  const freeGB = (st.bavail * st.bsize) / 1e9;
  if (freeGB < (opts.quick ? 1 : 15)) log(`warning: only ${freeGB.toFixed(1)} GB free under ${tmp}; a full run needs about 15 GB`);
  let n = 0;
  const specs = datasetSpecs(opts.quick);
  const datasets = {};
  const ctx = {
    quick: opts.quick, runs: opts.runs, seed: opts.seed, rsync, tmp, log,
    pauseMs: opts.quick ? 200 : 2000,
    stepTimeoutMs: Number(process.env.BENCH_STEP_TIMEOUT_S) * 1000 || (opts.quick ? 90_000 : 600_000),
    /** A new, never-used folder for one target (or state) of one run. */
    fresh(name) { const d = path.join(runDir, `${String(++n).padStart(3, '0')}-${name}`); fs.mkdirSync(d); return d; },
    dataset: (name) => datasets[name],
  };
  const onSignal = async () => { await stopAll(); process.exit(130); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  // Generate (or find) every dataset first, so that generation never overlaps a measurement.
  for (const s of opts.only) {
    for (const d of SECTIONS[s].data) {
      datasets[d] ??= ensureDataset(path.join(tmp, 'data'), d, specs[d], opts.seed, log);
      if (datasets[d].generatedNow) log(`  generated ${d} in ${datasets[d].genSeconds.toFixed(1)} s`);
    }
  }

  // This machine's ext4 runs without a journal, and then avoids reusing inodes freed in the last 5 minutes
  // (recently_deleted() in fs/ext4/ialloc.c): walking past them made file creation 2–7× slower for whichever
  // tool ran first after the previous run deleted its targets. Wait that out once, before anything is measured.
  const settleMs = opts.settle && !opts.quick && opts.only.includes('small') ? msUntilSettled(tmp) : 0;
  if (settleMs > 0) {
    log(`the previous bench run deleted its targets ${((SETTLE_MS - settleMs) / 1000).toFixed(0)} s ago: waiting ${(settleMs / 1000).toFixed(0)} s so that ext4's recently-freed inodes do not slow down file creation (--no-settle skips this)`);
    await new Promise((r) => setTimeout(r, settleMs));
  }
  const env = { ...environment(rsync), ferryStartupMs: await ferryStartupMs(), settledMs: settleMs };
  log(`\`ferry --version\` (node start + bundle load) takes ${env.ferryStartupMs} ms here; it is inside every \`ferry sync --once\` time`);
  const rows = [];
  const sections = {};
  for (const s of opts.only) {
    log(`\n== ${s} ==`);
    const t0 = performance.now();
    try {
      const res = await withTimeout(SECTIONS[s].fn(ctx), SECTIONS[s].minutes * 60_000 * (opts.quick ? 0.25 : 1) * opts.runs, `section ${s}`);
      rows.push(...res.rows);
      sections[s] = { ...res.raw, seconds: +((performance.now() - t0) / 1000).toFixed(1) };
    } catch (err) {
      const msg = err instanceof StepTimeout ? 'timeout' : `error: ${err.message ?? err}`;
      log(`  ${s}: ${msg}`);
      rows.push(...errorRows(s, msg));
      sections[s] = { error: msg };
    } finally {
      await stopAll();
    }
  }

  const notes = [
    'Ferry/rsync < 1 means Ferry is faster (times) or sends less (bytes). "on the wire" = payload bytes of all TCP connections in both directions, counted by a relay in front of each server (TLS records for Ferry, rsync protocol for rsync); each tool\'s own count is in the note.',
    'Times run from starting the client process to its exit (rsync, `ferry sync --once`), servers already listening; live steps (4b, 4d, 5) run from the change to the file being complete on the server.',
    'Durability: "durable" rows compare Ferry\'s default (temp file, fsync, rename) with `rsync --fsync`; the others compare `ferry serve --no-fsync` with plain `rsync -a`. rsync runs without TLS, Ferry always with TLS 1.3.',
    'Warm cache: each source tree is read once just before its run; every target is a fresh folder.',
  ];
  if (!rsync) notes.push(opts.rsync ? 'rsync is not installed: rsync columns skipped; targets that depend on rsync use the reference figures of ../shared/peers/RESULTS.md.' : 'rsync skipped (--no-rsync).');
  const base = `latest${opts.quick ? '-quick' : ''}${opts.only.length < Object.keys(SECTIONS).length ? `-${opts.only.join('-')}` : ''}`;
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const mdPath = writeReport(opts.out, base, { env, options: { ...opts, command, benchTmp: tmp }, rows, sections, notes });
  log(`\n${markdownTable(rows)}\n\nwrote ${path.relative(process.cwd(), mdPath)} and ${base}.json`);

  if (!opts.keep) {
    log(`deleting bench targets under ${runsRoot} (the generated data in ${path.join(tmp, 'data')} stays for the next run)`);
    fs.rmSync(runsRoot, { recursive: true, force: true });
    markCleanup(tmp);
  }
}

main().catch(async (err) => {
  console.error(`bench: ${err.message ?? err}`);
  await stopAll();
  process.exit(1);
});
