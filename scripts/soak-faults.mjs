// `npm run soak:faults`: the real-process fault tests with their full counts (docs/reliability.md, "Real faults,
// real processes"). Defaults here: 100 kill cycles per mode (mirror and two-way), large files up to 24 MiB, and the
// 4 GiB sparse file. Each can be overridden from the environment: FERRY_FAULTS_CYCLES, FERRY_FAULTS_BIG_MIB,
// FERRY_FAULTS_SMALL, FERRY_FAULTS_SEED (default: a fresh one, printed), FERRY_FAULTS_STRICT=1 (deviations fail too),
// FERRY_FAULTS_REPORT (a file that gets one JSON line per run). Pass test files to run only those.
import { spawnSync } from 'node:child_process';

const env = {
  ...process.env,
  FERRY_FAULTS_CYCLES: process.env.FERRY_FAULTS_CYCLES ?? '100',
  FERRY_FAULTS_BIG_MIB: process.env.FERRY_FAULTS_BIG_MIB ?? '24',
  FERRY_FAULTS_HUGE: process.env.FERRY_FAULTS_HUGE ?? '1',
};
const files = process.argv.slice(2);
const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...(files.length ? files : ['test/integration/faults-'])], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
