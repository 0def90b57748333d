import { afterAll, describe, expect, it } from 'vitest';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanupTempDirs, tempDir, waitFor } from '../../../test/helpers/trees';
import { NativeWatcher } from './native-watcher';

afterAll(cleanupTempDirs);

async function setup(ignored?: (rel: string, isDir: boolean | undefined) => boolean) {
  const root = await tempDir();
  await mkdir(join(root, 'a/b'), { recursive: true });
  const seen = new Set<string>();
  const w = await NativeWatcher.start(root, { onPath: (p) => seen.add(p), onError: (e) => { throw e; }, ...(ignored ? { ignored } : {}) });
  return { root, seen, w };
}

describe('NativeWatcher', () => {
  it('reports changes in existing folders by relative path', async () => {
    const { root, seen, w } = await setup();
    expect(w.size).toBe(3);
    await writeFile(join(root, 'a/b/f.txt'), 'x');
    await waitFor(() => seen.has('a/b/f.txt'), 'event for a/b/f.txt', 5000, 10);
    await w.close();
  });

  it('starts watching new folders (and their contents) and forgets removed ones', async () => {
    const { root, seen, w } = await setup();
    await mkdir(join(root, 'n'));
    await waitFor(() => w.size === 4, 'the new folder watched', 5000, 10);
    await writeFile(join(root, 'n/inside.txt'), 'x');
    await waitFor(() => seen.has('n/inside.txt'), 'event inside the new folder', 5000, 10);
    await rename(join(root, 'n'), join(root, 'm'));
    await waitFor(() => seen.has('m') && w.size === 4, 'rename seen and watches moved', 5000, 10);
    await rm(join(root, 'a'), { recursive: true });
    await waitFor(() => w.size === 2, 'removed folders forgotten', 5000, 10);
    await w.close();
  });

  it('skips ignored paths', async () => {
    const { root, seen, w } = await setup((rel) => rel.endsWith('.tmp'));
    await writeFile(join(root, 'x.tmp'), 'x');
    await writeFile(join(root, 'y.txt'), 'y');
    await waitFor(() => seen.has('y.txt'), 'y.txt', 5000, 10);
    expect(seen.has('x.tmp')).toBe(false);
    await w.close();
  });
});
