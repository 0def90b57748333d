/** The layer direction of DESIGN.md §2 is enforced by ESLint: prove the rule fires on each boundary. */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rules', () => {
  it('src-shared may not import Node, Electron or other layers', async () => {
    expect(await importErrors('src-shared/x.ts', "import { readFile } from 'node:fs';\nexport const f = readFile;\n")).toHaveLength(1);
    expect(await importErrors('src-shared/x.ts', "import { x } from '../src-main/engine/errors';\nexport const y = x;\n")).toHaveLength(1);
  });
  it('the engine may not import electron', async () => {
    expect(await importErrors('src-main/engine/client/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(1);
  });
  it('core/ may not do I/O', async () => {
    expect(await importErrors('src-main/engine/core/x.ts', "import { stat } from 'node:fs/promises';\nexport const s = stat;\n")).toHaveLength(1);
  });
  it('the renderer may not import main-process code', async () => {
    expect(await importErrors('src-renderer/src/x.ts', "import { FerryError } from '../../src-main/engine/errors';\nexport const e = FerryError;\n")).toHaveLength(1);
  });
  it('allowed directions pass', async () => {
    expect(await importErrors('src-main/engine/client/x.ts', "import { PROTOCOL_VERSION } from '../../../src-shared/protocol';\nexport const v = PROTOCOL_VERSION;\n")).toHaveLength(0);
  });
});
