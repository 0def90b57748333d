// Smoke test of `npm run bench`: the --quick --only delta path runs end to end (real `ferry serve`,
// `ferry sync --once`, rsync daemon when installed) and reports numbers. It checks shape, not speed.
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const hasRsync = spawnSync('rsync', ['--version']).status === 0;

interface Row { id: string; ferryValue: number | null; rsyncValue: number | null; result: string }

describe('npm run bench (smoke)', () => {
  it('--quick --only delta prints a table and writes JSON with byte counts and times', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'ferry-bench-smoke-'));
    try {
      const stdout = execFileSync(process.execPath, ['test/bench/run-bench.mjs', '--quick', '--only', 'delta', '--out', join(tmp, 'out')], {
        cwd: repo, env: { ...process.env, BENCH_TMP: join(tmp, 'work') }, encoding: 'utf8', timeout: 170_000,
      });
      expect(stdout).toMatch(/\| # \| measure \| Ferry \| rsync \|/);
      const report = JSON.parse(readFileSync(join(tmp, 'out', 'latest-quick-delta.json'), 'utf8')) as { rows: Row[] };
      const ids = report.rows.map((r) => r.id);
      expect(ids).toEqual(['3a', '3at', '3b', '3bt', '3c', '3ct']);
      for (const r of report.rows) {
        expect(r.ferryValue, `Ferry figure of row ${r.id}`).toBeGreaterThan(0);
        if (hasRsync) expect(r.rsyncValue, `rsync figure of row ${r.id}`).toBeGreaterThan(0);
      }
      expect(['PASS', 'MISS']).toContain(report.rows[0]?.result);
      expect(readFileSync(join(tmp, 'out', 'latest-quick-delta.md'), 'utf8')).toMatch(/Measured on \d{4}-\d\d-\d\d/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 180_000);
});
