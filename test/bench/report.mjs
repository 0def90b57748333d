// Result rows and the markdown/JSON report (test/bench/results/latest.md + latest.json).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Seconds with 2 decimals (or 3 below 1 s). */
export function fmtSeconds(ms) {
  if (ms == null) return '–';
  const s = ms / 1000;
  return `${s < 1 ? s.toFixed(3) : s.toFixed(2)} s`;
}

/** Bytes with thousands separators. */
export function fmtBytes(n) {
  return n == null ? '–' : `${Math.round(n).toLocaleString('en-US')} B`;
}

/** Ferry/rsync as "0.42×". */
export function fmtRatio(f, r) {
  if (f == null || r == null || r === 0) return '–';
  const q = f / r;
  return `${q < 0.01 ? q.toExponential(1) : q.toFixed(2)}×`;
}

/**
 * One table row from two measured cells ({ text, value }); ratio = Ferry/rsync of the values;
 * result = PASS/MISS from check(ferryValue, rsyncValue) (rsyncValue is null without rsync).
 */
export function row({ id, what, ferry, rsync, target, check, note = '' }) {
  const f = ferry?.value ?? null;
  const r = rsync?.value ?? null;
  let result = '–';
  if (check) result = f == null ? 'n/a' : check(f, r) ? 'PASS' : 'MISS';
  return { id, what, ferry: ferry?.text ?? '–', rsync: rsync?.text ?? '–', ratio: fmtRatio(f, r), target, result, note, ferryValue: f, rsyncValue: r };
}

/** Rows for a section that failed as a whole. */
export function errorRows(section, err) {
  return [{ id: section, what: `section ${section}`, ferry: err, rsync: '–', ratio: '–', target: '–', result: 'n/a', note: '' }];
}

function esc(s) {
  return String(s ?? '').replace(/\|/g, '\\|');
}

/** The markdown table of all rows. */
export function markdownTable(rows) {
  const lines = [
    '| # | measure | Ferry | rsync | Ferry/rsync | target (DESIGN §4) | result | note |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) lines.push(`| ${[r.id, r.what, r.ferry, r.rsync, r.ratio, r.target, r.result, r.note].map(esc).join(' | ')} |`);
  return lines.join('\n');
}

/** Machine facts for the report header. */
export function environment(rsyncVersion) {
  const cpu = os.cpus();
  return {
    date: new Date().toISOString(),
    cpu: `${cpu[0]?.model ?? '?'} × ${cpu.length}`,
    memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    kernel: os.release(),
    node: process.version,
    rsync: rsyncVersion ? rsyncVersion.replace(/\s+/g, ' ') : 'not installed',
    loadavg: os.loadavg().map((x) => +x.toFixed(2)),
    inotifyMaxUserWatches: readNum('/proc/sys/fs/inotify/max_user_watches'),
  };
}

function readNum(p) {
  try { return Number(fs.readFileSync(p, 'utf8').trim()); } catch { return null; }
}

/** Write `<base>.md` and `<base>.json` into outDir; returns the markdown path. */
export function writeReport(outDir, base, { env, options, rows, sections, notes }) {
  fs.mkdirSync(outDir, { recursive: true });
  const md = [
    `# Ferry vs rsync — \`npm run bench\`${options.quick ? ' --quick (small sizes: targets do not apply)' : ''}`,
    '',
    `Measured on ${env.date.slice(0, 16).replace('T', ' ')} UTC — ${env.cpu}, ${env.memGiB} GiB RAM, kernel ${env.kernel}, Node ${env.node}, ${env.rsync}.`,
    `Command: \`${options.command}\`; runs per configuration: ${options.runs} (median); load average at start: ${env.loadavg.join(' / ')}.`,
    `Ferry CLI start-up (\`ferry --version\`: node + bundle load): ${env.ferryStartupMs ?? '?'} ms, included in every \`ferry sync --once\` time.`,
    '',
    markdownTable(rows),
    '',
    ...notes.map((n) => `- ${n}`),
    '',
    'Raw figures of every run: the JSON file next to this one. Method: docs/benchmarks.md.',
    '',
  ].join('\n');
  const mdPath = path.join(outDir, `${base}.md`);
  fs.writeFileSync(mdPath, md);
  fs.writeFileSync(path.join(outDir, `${base}.json`), JSON.stringify({ env, options, rows, sections }, null, 1) + '\n');
  return mdPath;
}
