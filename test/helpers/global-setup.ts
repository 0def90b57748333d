/** Build the CLI bundle once so integration tests run the real `ferry` binary. */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(process.execPath, ['scripts/build.mjs', '--cli-only'], { cwd: root, stdio: 'inherit' });
}
