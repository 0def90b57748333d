/** Builds what the tests load: the renderer always, the CLI (for the daemon project) when it builds. */
import { execFileSync } from 'node:child_process';

/** Playwright global setup; set FERRY_E2E_SKIP_BUILD=1 to reuse an existing dist/. */
export default function globalSetup(): void {
  if (process.env.FERRY_E2E_SKIP_BUILD) return;
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'src-renderer/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
  try {
    execFileSync(process.execPath, ['scripts/build.mjs', '--cli-only'], { stdio: 'inherit' });
  } catch {
    // The ui project does not need the CLI; daemon specs fail with their own clear error.
    console.warn('[e2e] CLI build failed: the daemon project will not be able to start `ferry`.');
  }
}
