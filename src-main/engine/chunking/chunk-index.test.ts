import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ChunkIndex } from './chunk-index';
import { recipeOfBuffer } from './recipe';

const opts = { minSize: 1024, avgSize: 4096, maxSize: 16384 };

describe('ChunkIndex', () => {
  it('finds every chunk of an added file and forgets them on remove', () => {
    const idx = new ChunkIndex();
    const r = recipeOfBuffer(randomBytes(100_000), opts);
    idx.addFile('/share/a.bin', r);
    expect(idx.size).toBe(r.chunks.length);
    for (const c of r.chunks)
      expect(idx.lookup(c.hash)).toEqual({
        file: '/share/a.bin',
        offset: c.offset,
        length: c.length,
      });
    expect(idx.lookup(r.chunks[0]!.hash.toUpperCase())).toBeDefined();
    expect(idx.lookup('00'.repeat(32))).toBeUndefined();
    expect(idx.lookup('not a hash')).toBeUndefined();
    idx.removeFile('/share/a.bin');
    expect(idx.size).toBe(0);
    expect(idx.lookup(r.chunks[0]!.hash)).toBeUndefined();
  });

  it('keeps a chunk findable while any copy remains', () => {
    const idx = new ChunkIndex();
    const r = recipeOfBuffer(randomBytes(50_000), opts);
    idx.addFile('/s/one', r);
    idx.addFile('/s/two', r);
    expect(idx.size).toBe(r.chunks.length);
    idx.removeFile('/s/one');
    expect(idx.lookup(r.chunks[1]!.hash)?.file).toBe('/s/two');
    idx.removeFile('/s/two');
    expect(idx.size).toBe(0);
  });

  it('re-adding a file replaces its old chunks', () => {
    const idx = new ChunkIndex();
    const old = recipeOfBuffer(randomBytes(30_000), opts);
    const now = recipeOfBuffer(randomBytes(30_000), opts);
    idx.addFile('/s/f', old);
    idx.addFile('/s/f', now);
    expect(idx.lookup(old.chunks[0]!.hash)).toBeUndefined();
    expect(idx.lookup(now.chunks[0]!.hash)?.file).toBe('/s/f');
    expect(idx.size).toBe(now.chunks.length);
  });

  it('indexes a chunk repeated inside one file once', () => {
    const idx = new ChunkIndex();
    const r = recipeOfBuffer(Buffer.alloc(200_000), opts);
    expect(r.chunks.length).toBeGreaterThan(5);
    idx.addFile('/s/zeros', r);
    expect(idx.size).toBe(2); // many identical max-size chunks + the short tail
    expect(idx.lookup(r.chunks[3]!.hash)?.offset).toBe(0);
    idx.removeFile('/s/zeros');
    expect(idx.size).toBe(0);
  });

  it('renamePrefix moves files and folders, not siblings sharing a name prefix', () => {
    const idx = new ChunkIndex();
    const a = recipeOfBuffer(randomBytes(20_000), opts);
    const b = recipeOfBuffer(randomBytes(20_000), opts);
    const c = recipeOfBuffer(randomBytes(20_000), opts);
    const e = recipeOfBuffer(Buffer.alloc(0), opts);
    idx.addFile('/s/dir/a', a);
    idx.addFile('/s/dir/sub/b', b);
    idx.addFile('/s/dir2/c', c);
    idx.addFile('/s/dir/empty', e);
    idx.renamePrefix('/s/dir', '/s/new');
    expect(idx.lookup(a.chunks[0]!.hash)?.file).toBe('/s/new/a');
    expect(idx.lookup(b.chunks[0]!.hash)?.file).toBe('/s/new/sub/b');
    expect(idx.lookup(c.chunks[0]!.hash)?.file).toBe('/s/dir2/c');
    idx.renamePrefix('/s/new/a', '/s/a-moved');
    expect(idx.lookup(a.chunks[0]!.hash)?.file).toBe('/s/a-moved');
    // the old paths are really gone: removing them changes nothing, removing the new ones does
    const before = idx.size;
    idx.removeFile('/s/dir/sub/b');
    expect(idx.size).toBe(before);
    idx.removeFile('/s/new/sub/b');
    expect(idx.lookup(b.chunks[0]!.hash)).toBeUndefined();
  });

  it('renamePrefix understands Windows separators', () => {
    const idx = new ChunkIndex();
    const a = recipeOfBuffer(randomBytes(20_000), opts);
    idx.addFile('C:\\share\\dir\\a', a);
    idx.renamePrefix('C:\\share\\dir', 'C:\\share\\new');
    expect(idx.lookup(a.chunks[0]!.hash)?.file).toBe('C:\\share\\new\\a');
  });

  it('a rename onto an existing file replaces that file', () => {
    const idx = new ChunkIndex();
    const a = recipeOfBuffer(randomBytes(20_000), opts);
    const b = recipeOfBuffer(randomBytes(20_000), opts);
    idx.addFile('/s/a', a);
    idx.addFile('/s/b', b);
    idx.renamePrefix('/s/a', '/s/b');
    expect(idx.lookup(a.chunks[0]!.hash)?.file).toBe('/s/b');
    expect(idx.lookup(b.chunks[0]!.hash)).toBeUndefined();
    expect(idx.size).toBe(a.chunks.length);
  });
});
