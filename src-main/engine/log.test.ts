import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir, waitFor } from '../../test/helpers/trees';
import { createLoggers } from './log';

afterAll(cleanupTempDirs);

describe('createLoggers', () => {
  it('keeps transfer lines apart from debug lines, every line in order, across batched writes', async () => {
    const dir = await tempDir();
    const logs = createLoggers(dir, 'info');
    for (let i = 0; i < 500; i++) logs.transfer.info({ i }, 'transfer');
    logs.debug.debug('hidden below the level');
    logs.debug.warn('a warning');
    // The first batch reaches the file before the last line is logged, so the lines span two batches for sure.
    await waitFor(() => readFileSync(`${dir}/transfers.log`, 'utf8').split('\n').length > 500, 'the first batch written');
    logs.transfer.info({ i: 500 }, 'transfer');
    await logs.close();
    const transfers = readFileSync(`${dir}/transfers.log`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { i: number; log: string });
    expect(transfers.map((t) => t.i)).toEqual(Array.from({ length: 501 }, (_, i) => i));
    expect(new Set(transfers.map((t) => t.log))).toEqual(new Set(['transfer']));
    const debug = readFileSync(`${dir}/ferry.log`, 'utf8').trim().split('\n');
    expect(debug).toHaveLength(1);
    expect(debug[0]).toContain('a warning');
  });
});
