import { utimes, writeFile, readdir, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '../../../test/helpers/trees';
import { expireOldFiles } from './expire-old-files';

afterAll(cleanupTempDirs);

describe('expireOldFiles', () => {
  it('removes files older than the given age only, leaves folders, tolerates a missing folder', async () => {
    const root = await tempDir();
    await writeFile(join(root, 'old.part'), 'x');
    await writeFile(join(root, 'fresh.part'), 'y');
    await mkdir(join(root, 'sub'));
    const now = Date.now();
    const dayAgo = new Date(now - 25 * 3600_000);
    await utimes(join(root, 'old.part'), dayAgo, dayAgo);
    await utimes(join(root, 'sub'), dayAgo, dayAgo);
    expect(await expireOldFiles(root, 24 * 3600_000, now)).toBe(1);
    expect((await readdir(root)).sort()).toEqual(['fresh.part', 'sub']);
    expect(await expireOldFiles(join(root, 'missing'), 0)).toBe(0);
  });
});
