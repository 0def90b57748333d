// `npm test`: system packages first (installed or a one-line stop), then type-check every layer, lint,
// unit + integration tests (vitest), end-to-end tests (Playwright), then one closing line with the counts.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import { ensureSystemPackages } from './test-system-packages.mjs';

if (!ensureSystemPackages()) process.exit(1);

const node = process.execPath;
const steps = [];
function run(name, args, opts = {}) {
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(node, args, { stdio: 'inherit', ...opts });
  steps.push({ name, ok: r.status === 0 });
  return r.status === 0;
}

mkdirSync('test-results', { recursive: true });
run('build', ['scripts/build.mjs']);
for (const p of ['src-shared', 'src-main', 'src-main/app', 'src-main/preload', 'src-renderer', 'test']) {
  if (existsSync(`${p}/tsconfig.json`)) run(`typecheck ${p}`, ['node_modules/typescript/bin/tsc', '-p', p, '--noEmit']);
}
run('lint', ['node_modules/eslint/bin/eslint.js', '.', '--max-warnings=0']);
run('protocol schemas are current', ['scripts/gen-schemas.mjs', '--check']);
run('unit + integration (vitest)', ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json']);
if (existsSync('playwright.config.ts')) {
  run('end-to-end (playwright, Chromium)', ['node_modules/@playwright/test/cli.js', 'test'], {
    env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: 'test-results/playwright.json' },
  });
}

let passed = 0, failed = 0, skipped = 0;
if (existsSync('test-results/vitest.json')) {
  const v = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'));
  passed += v.numPassedTests ?? 0;
  failed += (v.numFailedTests ?? 0);
  skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
}
if (existsSync('test-results/playwright.json')) {
  const s = JSON.parse(readFileSync('test-results/playwright.json', 'utf8')).stats ?? {};
  passed += (s.expected ?? 0) + (s.flaky ?? 0);
  failed += s.unexpected ?? 0;
  skipped += s.skipped ?? 0;
}
const bad = steps.filter((s) => !s.ok);
console.log('\n=== summary ===');
for (const s of steps) console.log(`${s.ok ? 'ok  ' : 'FAIL'} ${s.name}`);
// A failed non-test step (types, lint) counts as a failure too, so the closing line never hides it.
const stepFailures = bad.filter((s) => !/vitest|playwright/.test(s.name)).length;
console.log(`tests: ${passed} passed, ${failed + stepFailures} failed, ${skipped} skipped`);
process.exit(bad.length ? 1 : 0);
