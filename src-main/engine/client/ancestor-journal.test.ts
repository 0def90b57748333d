import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile, stat, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AncestorJournal } from './ancestor-journal';
import type { Tree, TreeEntry } from '../core/tree';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const file = (path: string, ino = 1): TreeEntry => ({ path, kind: 'file', size: 1, mtimeMs: 1, mode: 0o644, ino, hash: 'a'.repeat(64) });

describe('ancestor journal: intents are judged by the folder on restart', () => {
  it('applies the steps that happened and drops those that did not (a torn last line is ignored)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ferry-journal-'));
    dirs.push(root);
    const j = new AncestorJournal(join(root, 'state', 'ancestor.json.journal'));
    await writeFile(join(root, 'moved.txt'), 'x');
    await writeFile(join(root, 'still-here.txt'), 'x');
    await writeFile(join(root, 'staged.part'), 'never installed');
    const movedIno = (await stat(join(root, 'moved.txt'))).ino;
    await j.intend({ k: 'put', path: 'installed.txt', tmp: join(root, 'gone.part'), e: file('installed.txt', 7) });
    await j.intend({ k: 'put', path: 'not-installed.txt', tmp: join(root, 'staged.part'), e: file('not-installed.txt') });
    await j.intend({ k: 'rm', path: 'removed.txt' });
    await j.intend({ k: 'rm', path: 'still-here.txt' });
    await j.intend({ k: 'mv', from: 'old.txt', to: 'moved.txt', e: file('moved.txt', movedIno) });
    await j.close();
    await appendFile(join(root, 'state', 'ancestor.json.journal'), '{"k":"rm","pa');
    const anc: Tree = new Map([
      ['removed.txt', file('removed.txt')],
      ['still-here.txt', file('still-here.txt')],
      ['old.txt', file('old.txt', movedIno)],
    ]);
    expect(await AncestorJournal.replay(join(root, 'state', 'ancestor.json.journal'), root, anc)).toBe(3);
    expect([...anc.keys()].sort()).toEqual(['installed.txt', 'moved.txt', 'still-here.txt']);
    expect(anc.get('installed.txt')?.ino).toBe(7);
    // The staged file of the step that never happened is cleaned up.
    await expect(stat(join(root, 'staged.part'))).rejects.toThrow();
  });

  it('a rotated journal is replayed too until its snapshot is on disk, then dropped', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ferry-journal-'));
    dirs.push(root);
    const f = join(root, 'a.journal');
    const j = new AncestorJournal(f);
    await j.intend({ k: 'rm', path: 'x' });
    await j.rotate();
    await j.intend({ k: 'rm', path: 'y' });
    const anc: Tree = new Map([['x', file('x')], ['y', file('y')], ['z', file('z')]]);
    expect(await AncestorJournal.replay(f, root, anc)).toBe(2);
    expect([...anc.keys()]).toEqual(['z']);
    await j.dropRotated();
    const anc2: Tree = new Map([['x', file('x')], ['y', file('y')]]);
    expect(await AncestorJournal.replay(f, root, anc2)).toBe(1);
    await j.close();
  });

  it('intents written while snapshots rotate the file all succeed and all land in one of the two files', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ferry-journal-'));
    dirs.push(root);
    const f = join(root, 'b.journal');
    const j = new AncestorJournal(f);
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      writes.push(j.intend({ k: 'rm', path: `p${i}` }));
      if (i % 25 === 0) writes.push(j.rotate());
    }
    await Promise.all(writes); // a rotate used to close the handle under a running flush: 'file closed'
    await j.close();
    const anc: Tree = new Map(Array.from({ length: 200 }, (_, i) => [`p${i}`, file(`p${i}`)] as [string, TreeEntry]));
    // Only the last two generations are on disk (older ones were rotated over): what is there replays.
    const n = await AncestorJournal.replay(f, root, anc);
    expect(n).toBeGreaterThan(0);
  });
});
