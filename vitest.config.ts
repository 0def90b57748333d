import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src-shared/**/*.test.ts', 'src-main/**/*.test.ts', 'src-renderer/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['e2e/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ['test/helpers/global-setup.ts'],
    // Escaped rejections caught by the process guard fail the test (vitest's own report stops once it is installed).
    setupFiles: ['test/helpers/escaped-rejections.ts'],
    pool: 'forks',
    reporters: ['default'],
  },
});
