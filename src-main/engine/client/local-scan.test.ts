import { mkdtemp, mkdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IgnoreRules } from '../core/ignore-rules';
import { scanRoots } from './local-region';
import { small } from './local-scan';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('scanRoots', () => {
  it('lists files, folders and links with NFC paths; refuses reserved names at the root only', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-scan-'));
    await mkdir(join(dir, 'sub', '.ferry'), { recursive: true });
    await writeFile(join(dir, 'sub', 'Cafe\u0301.txt'), 'x');
    await writeFile(join(dir, 'back\\slash'), 'x');
    await writeFile(join(dir, 'C:drive'), 'x');
    await writeFile(join(dir, 'sub', 'C:fine'), 'x');
    await symlink('sub', join(dir, 'link'));
    const scan = await scanRoots(dir, [{ path: '', disk: '' }], new IgnoreRules());
    expect([...scan.tree.keys()].sort()).toEqual(['link', 'sub', 'sub/.ferry', 'sub/C:fine', 'sub/Caf\u00e9.txt']);
    expect(scan.tree.get('sub/Caf\u00e9.txt')?.diskPath).toBe('sub/Cafe\u0301.txt');
    expect(scan.tree.get('link')).toMatchObject({ kind: 'symlink', target: 'sub' });
    expect(scan.problems.map((p) => p.path).sort()).toEqual(['C:drive', 'back\\slash']);
  });

  it('keeps the entry objects of unchanged paths from the previous model and makes new ones for changed paths', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-scan-'));
    await mkdir(join(dir, 'a'));
    await writeFile(join(dir, 'a', 'same.txt'), 'same');
    await writeFile(join(dir, 'a', 'edited.txt'), 'old');
    const rules = new IgnoreRules();
    const first = await scanRoots(dir, [{ path: '', disk: '' }], rules);
    await writeFile(join(dir, 'a', 'edited.txt'), 'new content');
    await utimes(join(dir, 'a', 'edited.txt'), 1_700_000_000, 1_700_000_000);
    const again = await scanRoots(dir, [{ path: '', disk: '' }], rules, first.tree);
    expect(again.tree.get('a/same.txt')).toBe(first.tree.get('a/same.txt'));
    expect(again.tree.get('a/edited.txt')).not.toBe(first.tree.get('a/edited.txt'));
    expect(again.tree.get('a/edited.txt')).toMatchObject({ size: 11, mtimeMs: 1_700_000_000_000 });
  });
});

describe('small', () => {
  it('keeps every value, as a small integer when it fits', () => {
    for (const n of [0, 1, 51, -3, 0x3fffffff, 0x40000000, 2 ** 40 + 1, 1.5]) expect(small(n)).toBe(n);
  });
});
