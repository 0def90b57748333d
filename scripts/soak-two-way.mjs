// `npm run soak:two-way`: the two-way churn test (test/integration/two-way-churn.test.ts) with more steps and
// seeds than the bounded run of the normal suite. Each setting can be overridden from the environment:
//   FERRY_CHURN_STEPS (default here 200), FERRY_CHURN_RUNS (default here 5: seeds SEED, SEED+1, …),
//   SEED (default: a fresh one, printed), FERRY_CHURN_STRICT=1 (deviations fail too), FERRY_CHURN_NO_KILLS=1.
// See docs/reliability.md, "Two-way churn".
import { spawnSync } from 'node:child_process';

const env = { ...process.env, FERRY_CHURN_STEPS: process.env.FERRY_CHURN_STEPS ?? '200', FERRY_CHURN_RUNS: process.env.FERRY_CHURN_RUNS ?? '5' };
const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'test/integration/two-way-churn.test.ts'], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
