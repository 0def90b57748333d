/** Build the CLI bundle once so integration tests run the real `ferry` binary. */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  try {
    execFileSync(process.execPath, ['scripts/build.mjs', '--cli-only'], { cwd: root, stdio: 'pipe' });
  } catch (err) {
    // Tests of single modules must still run; the CLI tests fail on their own with "dist/cli/ferry.js missing".
    rmSync(`${root}/dist/cli`, { recursive: true, force: true });
    process.stderr.write(`warning: CLI bundle did not build; CLI tests will fail:\n${String((err as { stderr?: Buffer }).stderr ?? err)}\n`);
  }
}
