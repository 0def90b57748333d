// Playwright: drives Debian's Chromium (never a downloaded browser). Projects: `ui` runs the built
// renderer against an in-page fake API; `daemon` against the real `ferry daemon`; `electron` the desktop app.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'e2e',
  // A subfolder: Playwright empties its outputDir on start, and test-results/ also holds vitest's report.
  outputDir: 'test-results/e2e',
  globalSetup: './e2e/helpers/global-setup.ts',
  timeout: 90_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  // scripts/test-all.mjs sets PLAYWRIGHT_JSON_OUTPUT_NAME to collect the counts.
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [['list'], ['json']] : [['list']],
  use: {
    headless: true,
    viewport: { width: 1280, height: 800 },
    video: 'off',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  projects: [
    { name: 'ui', testMatch: 'ui/**/*.spec.ts' },
    { name: 'daemon', testMatch: 'daemon/**/*.spec.ts' },
    // The desktop app under Playwright's Electron driver; skips with the reason where Electron cannot run.
    { name: 'electron', testMatch: 'electron-*.spec.ts' },
  ],
});
