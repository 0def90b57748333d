import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConflictRecord, FolderPair } from '../../../src-shared/model';
import { cleanupTempDirs, tempDir } from '../../../test/helpers/trees';
import { ConflictBook, freeSiblingName, versionsAreaPath, type Downloader } from './conflict-book';
import { resolveInside } from './local-path';

afterAll(cleanupTempDirs);

const record = (id: string, pairId = 'p1', resolved = false): ConflictRecord => ({
  id,
  pairId,
  path: `dir/${id}.txt`,
  detectedAt: 1_700_000_000_000,
  local: { size: 3, mtimeMs: 1 },
  server: { size: 5, mtimeMs: Date.UTC(2026, 10, 25, 14, 5), keptAs: `.ferry/versions/dir/${id}.txt~20261125T140500Z` },
  resolved,
});

describe('ConflictBook', () => {
  it('saves conflicts and loads those of pairs that still exist', async () => {
    const file = join(await tempDir(), 'state', 'conflicts.json');
    const book = new ConflictBook(async () => {}, () => {}, file);
    book.add(record('a', 'p1'));
    book.add(record('b', 'p2'));
    await book.flush();
    const again = new ConflictBook(async () => {}, () => {}, file);
    await again.load(['p1']);
    expect(again.list().map((r) => r.id)).toEqual(['a']);
  });

  it('ignores a damaged or foreign conflicts file', async () => {
    const file = join(await tempDir(), 'conflicts.json');
    await writeFile(file, JSON.stringify([{ id: 'x' }, 'junk', record('ok')]));
    const book = new ConflictBook(async () => {}, () => {}, file);
    await book.load(['p1']);
    expect(book.list().map((r) => r.id)).toEqual(['ok']);
    await writeFile(file, '{ broken');
    const other = new ConflictBook(async () => {}, () => {}, file);
    await other.load(['p1']);
    expect(other.list()).toEqual([]);
  });

  it('keeps every open conflict but only the latest settled ones', async () => {
    const book = new ConflictBook(async () => {}, () => {});
    for (let i = 0; i < 250; i++) book.add(record(`r${i}`, 'p1', true));
    book.add(record('open'));
    const ids = book.list().map((r) => r.id);
    expect(ids).toHaveLength(201);
    expect(ids).toContain('open');
    expect(ids).toContain('r249');
    expect(ids).not.toContain('r0');
  });

  it('downloads the kept version from the versions area: over the file (keepServer) or beside it (keepBoth)', async () => {
    const root = await tempDir();
    const calls: Parameters<Downloader>[] = [];
    const book = new ConflictBook(async (...args) => void calls.push(args), () => {});
    const pair = { localPath: root } as FolderPair;
    book.add(record('a'));
    book.add(record('b'));
    await book.resolve('a', 'keepServer', pair);
    await book.resolve('b', 'keepBoth', pair);
    expect(calls.map(([, area, remote, local, within]) => [area, remote, local, within])).toEqual([
      ['versions', 'dir/a.txt~20261125T140500Z', join(root, 'dir', 'a.txt'), root],
      ['versions', 'dir/b.txt~20261125T140500Z', expect.stringMatching(/[/\\]dir[/\\]b \(server copy \d{4}-\d\d-\d\d \d{4}\)\.txt$/), root],
    ]);
    expect(book.list().every((r) => r.resolved)).toBe(true);
    expect(() => book.get('nope')).toThrow(/No conflict/);
  });
});

describe('conflict helpers', () => {
  it('freeSiblingName counts up when a server copy name is taken', async () => {
    const dir = await tempDir();
    const when = new Date(2026, 10, 25, 14, 5).getTime();
    const first = await freeSiblingName(join(dir, 'report.pdf'), when);
    expect(first).toBe(join(dir, 'report (server copy 2026-11-25 1405).pdf'));
    await writeFile(first, 'x');
    expect(await freeSiblingName(join(dir, 'report.pdf'), when)).toBe(join(dir, 'report (server copy 2026-11-25 1405 2).pdf'));
    expect(await freeSiblingName(join(dir, '.bashrc'), when)).toBe(join(dir, '.bashrc (server copy 2026-11-25 1405)'));
    expect(await readFile(first, 'utf8')).toBe('x');
  });

  it('versionsAreaPath strips the share-relative versions prefix only', () => {
    expect(versionsAreaPath('.ferry/versions/a/b.txt~1')).toBe('a/b.txt~1');
    expect(versionsAreaPath('a/b.txt~1')).toBe('a/b.txt~1');
  });

  it('resolveInside refuses paths that leave the folder', () => {
    expect(resolveInside('/data/f', 'a/b.txt')).toBe(join('/data/f', 'a', 'b.txt'));
    for (const bad of ['../x', 'a/../../x', '', '.', 'a\0b']) expect(() => resolveInside('/data/f', bad)).toThrow(/outside the folder/);
  });
});

describe('settling a conflict through a link', () => {
  it('keepServer and keepBoth refuse a path whose folder became a symlink, without downloading', async () => {
    const base = await tempDir();
    const root = join(base, 'folder');
    const outside = join(base, 'outside');
    await mkdir(root);
    await mkdir(outside);
    await symlink(outside, join(root, 'dir'));
    const calls: Parameters<Downloader>[] = [];
    const book = new ConflictBook(async (...args) => void calls.push(args), () => {});
    book.add(record('a'));
    const pair = { localPath: root } as FolderPair;
    await expect(book.resolve('a', 'keepServer', pair)).rejects.toMatchObject({ code: 'PATH_OUTSIDE_SHARE' });
    await expect(book.resolve('a', 'keepBoth', pair)).rejects.toMatchObject({ code: 'PATH_OUTSIDE_SHARE' });
    expect(calls).toEqual([]);
    expect(book.get('a').resolved).toBe(false);
  });
});
