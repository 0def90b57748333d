import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSmallFile } from './read-small-file';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('readSmallFile', () => {
  it('reads the bytes with the stat after the read, shows growth, and answers null for what is not a readable file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-read-'));
    await writeFile(join(dir, 'f'), 'hello world');
    await mkdir(join(dir, 'd'));
    const r = await readSmallFile(join(dir, 'f'), 11);
    expect(r?.buf.toString()).toBe('hello world');
    expect(r?.after).toMatchObject({ size: 11 });
    // The file grew since its scan: one byte more than expected comes back, so the caller sees the change.
    expect((await readSmallFile(join(dir, 'f'), 5))?.buf.length).toBe(6);
    expect(await readSmallFile(join(dir, 'missing'), 3)).toBeNull();
    expect(await readSmallFile(join(dir, 'd'), 3)).toBeNull();
  });
});
