/**
 * The layer direction of DESIGN.md §2 is enforced by ESLint (eslint.config.js, rule ferry/layers): each forbidden
 * import is tried from a file in each layer and must be an error; one allowed import per layer must not be.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

/** The layer-rule messages ESLint gives `code` placed at `filePath` (which need not exist). */
async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'ferry/layers' || m.fatal).map((m) => m.message);
}

const importOf = (spec: string): string => `import x from '${spec}';\nexport const y = x;\n`;

/** [a file in the layer, imports it may not make]. */
const forbidden: [string, string[]][] = [
  ['src-shared/protocol/x.ts', ['node:fs', 'fs', 'path', 'electron', 'ws', 'react', '../../src-main/engine/errors', '../../src-renderer/src/App', '../../test/helpers/trees']],
  ['src-main/engine/controller/x.ts', ['electron', 'electron-store', '../../cli/serve-run', '../../app/main', '../../preload/channels', '../../../src-renderer/src/App']],
  ['src-main/engine/fs/x.ts', ['electron', '../../cli/serve-run', '../../app/main']],
  [
    'src-main/engine/core/x.ts',
    [
      // The engine-wide rules hold in core/ too (a core-only block used to replace them).
      'electron', 'electron-store', '../../app/main', '../../cli/serve-run', '../../preload/channels', '../../../src-renderer/src/App',
      // ...and core's own: no I/O, nothing outside core/ but src-shared and FerryError.
      'node:fs', 'fs', 'node:fs/promises', 'fs/promises', 'node:net', 'node:tls', 'node:child_process', 'chokidar', 'ws',
      '../fs/node-fs', '../net/tls', '../watcher/watch', '../client/sync-session', '../server/ferry-server', '../controller/paths', '../chunking/recipe', '../log', '../create-engine',
    ],
  ],
  ['src-main/engine/core/sub/x.ts', ['../../net/tls', '../../../app/main', 'node:fs']],
  ['src-main/engine/client/x.ts', ['../server/ferry-server', '../server', 'electron', '../../cli/serve-run']],
  ['src-main/engine/server/x.ts', ['../client/sync-session', '../client', 'electron', '../../app/main']],
  ['src-main/cli/x.ts', ['electron', 'electron-store', '../app/main', '../preload/channels', '../../src-renderer/src/App']],
  ['src-main/app/x.ts', ['../cli/serve-run', '../../src-renderer/src/App']],
  ['src-main/preload/x.ts', ['../engine/create-engine', '../app/main', '../cli/serve-run']],
  ['src-renderer/src/x.ts', ['node:fs', 'fs', 'fs/promises', 'path', 'crypto', 'ws', 'electron', 'chokidar', '../../src-main/engine/errors', '../../src-main/preload/channels', '../../test/helpers/trees']],
  ['src-renderer/src/pages/x.tsx', ['node:path', '../../../src-main/engine/errors']],
  // Tests keep their layer's rules, plus the test tree (and a real server for client tests).
  ['src-main/engine/core/x.test.ts', ['electron', 'node:fs', '../net/tls']],
  ['src-renderer/src/x.test.ts', ['node:fs', '../../src-main/engine/errors']],
];

/** [a file in the layer, an import it may make]. */
const allowed: [string, string][] = [
  ['src-shared/protocol/x.ts', './limits'],
  ['src-shared/ipc/x.ts', '../model'],
  ['src-shared/protocol/y.ts', '@sinclair/typebox'],
  ['src-main/engine/controller/x.ts', '../../../src-shared/protocol'],
  ['src-main/engine/fs/x.ts', 'node:fs'],
  ['src-main/engine/watcher/x.ts', 'chokidar'],
  ['src-main/engine/core/x.ts', './tree'],
  ['src-main/engine/core/y.ts', '../errors'],
  ['src-main/engine/core/z.ts', '../../../src-shared/protocol/paths'],
  ['src-main/engine/core/w.ts', 'ignore'],
  ['src-main/engine/core/x.test.ts', '../../../test/helpers/trees'],
  ['src-main/engine/client/x.ts', '../net/tls'],
  ['src-main/engine/client/y.ts', '../core/plan'],
  ['src-main/engine/client/x.test.ts', '../server/test-harness'],
  ['src-main/engine/server/x.ts', '../fs/atomic-writer'],
  ['src-main/cli/x.ts', '../engine/create-engine'],
  ['src-main/cli/y.ts', 'ws'],
  ['src-main/cli/z.ts', 'node:http'],
  ['src-main/app/x.ts', 'electron'],
  ['src-main/app/y.ts', '../engine/create-engine'],
  ['src-main/app/z.ts', '../preload/channels'],
  ['src-main/preload/x.ts', 'electron'],
  ['src-main/preload/y.ts', '../../src-shared/ipc'],
  ['src-renderer/src/x.ts', 'react'],
  ['src-renderer/src/y.ts', '../../src-shared/model'],
  ['src-renderer/src/pages/x.tsx', '../state/ferry-context'],
];

describe('layer rules', () => {
  for (const [file, specs] of forbidden) {
    it(`${file} may not import ${specs.join(', ')}`, async () => {
      for (const spec of specs) expect(await layerErrors(file, importOf(spec)), `${file} importing ${spec}`).toHaveLength(1);
    });
  }

  it('every import form is checked: re-exports, type-only, dynamic import(), require', async () => {
    const file = 'src-main/engine/core/x.ts';
    expect(await layerErrors(file, "export * from '../net/tls';\n")).toHaveLength(1);
    expect(await layerErrors(file, "export { connectTls } from '../net/tls';\n")).toHaveLength(1);
    expect(await layerErrors(file, "import type { Connection } from '../net/connection';\nexport type C = Connection;\n")).toHaveLength(1);
    expect(await layerErrors(file, "export const load = () => import('electron');\n")).toHaveLength(1);
    expect(await layerErrors(file, "export type T = typeof import('node:fs');\n")).toHaveLength(1);
    expect(await layerErrors('src-renderer/src/x.ts', "// eslint-disable-next-line @typescript-eslint/no-require-imports\nexport const fs = require('fs');\n")).toHaveLength(1);
  });

  it('the message names the layer, the import and the rule', async () => {
    const [msg] = await layerErrors('src-main/engine/core/x.ts', importOf('electron'));
    expect(msg).toMatch(/^core \(src-main\/engine\/core\/\) may not import electron \(package\): core\/ holds pure decisions/);
  });

  for (const [file, spec] of allowed) {
    it(`${file} may import ${spec}`, async () => {
      expect(await layerErrors(file, importOf(spec))).toEqual([]);
    });
  }
});
