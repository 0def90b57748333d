import { createHash, randomBytes } from 'node:crypto';
import { readFile, readdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '../../../test/helpers/trees';
import { StagingChunks } from './staging-chunks';

afterAll(cleanupTempDirs);

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('StagingChunks', () => {
  it('stores a chunk under its hash after verifying it', async () => {
    const root = join(await tempDir(), '.ferry', 'staging', 'chunks');
    const s = new StagingChunks(root);
    const data = randomBytes(5000);
    expect(await s.has(sha(data))).toBe(false);
    await s.put(sha(data), data);
    expect(await s.has(sha(data))).toBe(true);
    expect(s.path(sha(data))).toBe(join(root, sha(data)));
    expect(await readFile(s.path(sha(data)))).toEqual(data);
    expect(await readdir(root)).toEqual([sha(data)]); // no temp file left
  });

  it('refuses bytes that do not match the hash, writing nothing', async () => {
    const root = join(await tempDir(), 'chunks');
    const s = new StagingChunks(root);
    const data = randomBytes(100);
    await expect(s.put(sha(randomBytes(100)), data)).rejects.toMatchObject({
      code: 'HASH_MISMATCH',
    });
    expect(await readdir(root).catch(() => [])).toEqual([]);
  });

  it('refuses hashes that could name another path', async () => {
    const s = new StagingChunks(await tempDir());
    expect(() => s.path('../../etc/passwd')).toThrow(/Not a chunk hash/);
    expect(() => s.path('AB'.repeat(32))).toThrow(/Not a chunk hash/);
    await expect(s.put('../x', Buffer.from('x'))).rejects.toMatchObject({
      code: 'PATH_INVALID',
    });
    expect(await s.has('../x')).toBe(false);
  });

  it('expires chunks older than the given age only', async () => {
    const root = await tempDir();
    const s = new StagingChunks(root);
    const old = randomBytes(10);
    const fresh = randomBytes(10);
    await s.put(sha(old), old);
    await s.put(sha(fresh), fresh);
    const now = Date.now();
    const dayAgo = new Date(now - 25 * 3600_000);
    await utimes(s.path(sha(old)), dayAgo, dayAgo);
    expect(await s.expire(24 * 3600_000, now)).toBe(1);
    expect(await s.has(sha(old))).toBe(false);
    expect(await s.has(sha(fresh))).toBe(true);
    expect(await new StagingChunks(join(root, 'missing')).expire(0)).toBe(0);
  });
});
