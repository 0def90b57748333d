// Unit tests of the renderer's pure logic (store, formatting, form model, secret handling).
// The root vitest.config.ts does not include src-renderer yet; run these with
// `npx vitest run --config src-renderer/vitest.config.ts` until it does.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: import.meta.dirname,
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
