/**
 * The preload as Electron runs it in a sandboxed renderer: one CommonJS file whose only `require` is
 * `electron` (a sandboxed preload can load nothing else), exposing exactly `window.ferry = { invoke, on }`.
 */
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

it('bundles to sandbox-safe CJS that exposes only invoke and on', async () => {
  // Same options as scripts/build.mjs uses for dist/app/preload.cjs.
  const out = await build({
    entryPoints: [`${ROOT}/src-main/preload/preload.ts`], bundle: true, platform: 'node', target: 'node20', format: 'cjs',
    external: ['electron'], write: false, logLevel: 'silent',
  });
  const code = out.outputFiles[0]?.text ?? '';
  const required: string[] = [];
  const exposed: Record<string, unknown> = {};
  const invoked: unknown[][] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => { exposed[key] = api; } },
    ipcRenderer: {
      invoke: async (...args: unknown[]) => { invoked.push(args); return { ok: true, value: 'pong' }; },
      on: () => undefined,
      removeListener: () => undefined,
    },
  };
  const module = { exports: {} };
  runInNewContext(code, {
    module, exports: module.exports,
    require: (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
      return electron;
    },
  });
  expect(required).toEqual(['electron']);
  expect(Object.keys(exposed)).toEqual(['ferry']);
  const api = exposed.ferry as { invoke(c: string, ...a: unknown[]): Promise<unknown> };
  expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
  await expect(api.invoke('state:get')).resolves.toBe('pong');
  expect(invoked).toEqual([['state:get']]);
});
