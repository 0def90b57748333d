/**
 * Vitest setup file: fails the test during which the process guard (src-main/engine/unhandled-guard.ts) caught
 * an escaped promise rejection. Vitest reports unhandled rejections by itself, but not once a test (or code it
 * starts, such as `ferry serve` in-process) has installed the guard's own listener.
 */
import { afterEach, expect } from 'vitest';
import { escapedRejections } from '../../src-main/engine/unhandled-guard';

let seen = escapedRejections();
afterEach(() => {
  const now = escapedRejections();
  const caught = now - seen;
  seen = now;
  expect(caught, 'promise rejections escaped to the process guard during this test').toBe(0);
});
