import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir, writeTree } from '../../../test/helpers/trees';
import { recipeOfBuffer } from '../chunking/recipe';
import { ShareIndex } from './share-index';
import { pseudoRandom } from './test-harness';

describe('ShareIndex', () => {
  afterAll(cleanupTempDirs);

  it('indexes large files only, follows moves and removals, and persists recipes', async () => {
    const root = await tempDir();
    const big = pseudoRandom(400 * 1024, 1);
    const other = pseudoRandom(300 * 1024, 2);
    await writeTree(root, { 'd/big.bin': big, 'small.txt': 'tiny', 'e/other.bin': other, '.ferry/versions/x.bin~20260101T000000Z': pseudoRandom(300 * 1024, 3) });
    const idx = await ShareIndex.open(root);
    await idx.build();
    expect(idx.fileCount).toBe(2); // .ferry is not walked, small files are not indexed
    const first = recipeOfBuffer(big).chunks[0]!;
    expect(idx.chunks.lookup(first.hash)).toMatchObject({ file: join(root, 'd/big.bin'), offset: 0 });

    // A folder move (on disk and in the index) keeps its chunks findable at the new place.
    await rename(join(root, 'd'), join(root, 'moved'));
    idx.moved('d', join(root, 'd'), 'moved', join(root, 'moved'), true);
    expect(idx.chunks.lookup(first.hash)?.file).toBe(join(root, 'moved/big.bin'));

    // A small file moved: nothing indexed changes.
    idx.moved('small.txt', join(root, 'small.txt'), 'small2.txt', join(root, 'small2.txt'), false);
    expect(idx.fileCount).toBe(2);

    idx.dropPrefix(join(root, 'moved'));
    expect(idx.chunks.lookup(first.hash)).toBeUndefined();
    expect(idx.fileCount).toBe(1);
    await idx.close();

    // Restart: the persisted cache is used while stat matches; a changed file is re-hashed.
    await writeFile(join(root, 'e/other.bin'), pseudoRandom(300 * 1024, 4));
    const again = await ShareIndex.open(root);
    await again.build();
    expect(again.chunks.lookup(recipeOfBuffer(other).chunks[0]!.hash)).toBeUndefined();
    expect(again.chunks.lookup(recipeOfBuffer(pseudoRandom(300 * 1024, 4)).chunks[0]!.hash)?.file).toBe(join(root, 'e/other.bin'));
    expect(again.chunks.lookup(first.hash)?.file).toBe(join(root, 'moved/big.bin'));
    await again.close();
  });
});
