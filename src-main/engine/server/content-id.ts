/**
 * Content identity of share files (docs/protocol.md, "Content identity"): files up to CONTENT_ID_WHOLE_FILE_MAX
 * bytes: SHA-256 of the bytes; larger files: the recipe digest with DEFAULT_CHUNKING. Recipes the share index holds
 * are reused; otherwise the file is read once.
 */
import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { CONTENT_ID_WHOLE_FILE_MAX } from '../../../src-shared/protocol/limits';
import { DEFAULT_CHUNKING } from '../chunking/fastcdc';
import { computeRecipe, encodeRecipe, recipeDigest, RecipeBuilder, type FileRecipe } from '../chunking/recipe';
import type { StatKey } from '../chunking/recipe-cache';
import { FerryError, toFerryError } from '../errors';
import type { ShareIndex } from './share-index';
import type { ShareStore } from './share-store';

const READ_BLOCK = 1024 * 1024;

/** The content id a recipe stands for (its digest; what a `begin` announces). */
export function recipeContentId(chunks: readonly { hash: string; length: number }[]): string {
  return recipeDigest(encodeRecipe(chunks));
}

/** Content id a `begin` with this recipe payload establishes, when its announced hash alone does not say it. */
export function uploadContentId(begin: { size: number; hash: string }, recipeWire: Buffer): string | undefined {
  const digest = recipeDigest(recipeWire);
  if (begin.size > CONTENT_ID_WHOLE_FILE_MAX) return digest;
  // Small file sent in chunks: the announced hash is the whole-file SHA-256 (verified at commit) unless it is the digest.
  return begin.hash === digest ? undefined : begin.hash;
}

/**
 * Content id of the regular file `abs` (share path `rel`) whose lstat was `st`. Large files not indexed yet are
 * chunked (off this thread when big) and then indexed, so their chunks serve later uploads too.
 */
export async function contentIdOfFile(index: ShareIndex, rel: string, abs: string, st: StatKey): Promise<string> {
  if (st.size <= CONTENT_ID_WHOLE_FILE_MAX) {
    const fh = await openNoFollow(abs, rel);
    try {
      const { hash } = await recipeOfHandle(fh, st.size);
      return hash;
    } finally {
      await fh.close().catch(() => undefined);
    }
  }
  const cached = index.recipeFor(rel, st);
  if (cached) return recipeContentId(cached.chunks);
  const recipe = await computeRecipe(abs, DEFAULT_CHUNKING, 'recipe');
  if (recipe.size === st.size) index.fileWritten(rel, abs, st, recipe);
  return recipe.hash;
}

/** Open a share file for reading without following a link at its last component. */
export async function openNoFollow(abs: string, rel: string): Promise<FileHandle> {
  try {
    return await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new FerryError('PATH_INVALID', `${rel} is a symlink`, { path: rel });
    throw toFerryError(err, rel);
  }
}

/**
 * Recipe (DEFAULT_CHUNKING) of what can be read from `fh`, `hash` = its content id. Reads until EOF, so a file
 * that grew or shrank meanwhile yields the recipe of the bytes actually read (`size` says how many).
 */
export async function recipeOfHandle(fh: FileHandle, sizeHint: number): Promise<FileRecipe> {
  const b = new RecipeBuilder(DEFAULT_CHUNKING, true);
  const buf = Buffer.allocUnsafe(Math.max(1, Math.min(READ_BLOCK, sizeHint || 1)));
  let pos = 0;
  for (let guard = 0; guard < 1e9; guard++) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) break;
    b.update(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
  const r = b.done();
  return r.size <= CONTENT_ID_WHOLE_FILE_MAX ? r : { ...r, hash: recipeContentId(r.chunks) };
}

/** What `getRecipe` answers: the file's metadata and its recipe, `hash` its content id. */
export interface ShareRecipe {
  size: number;
  mtimeMs: number;
  mode: number;
  recipe: FileRecipe;
}

/**
 * The recipe of share file `rel`: from the index when it still matches the file, else read (from an open handle,
 * so a swap of the path for a link after the open reads nothing outside). NOT_FOUND, PATH_INVALID like `get`.
 */
export async function shareRecipe(share: ShareStore, rel: string): Promise<ShareRecipe> {
  // Opened holding the path lock, as `get` does: no session can swap a folder on the way for a link meanwhile.
  const { fh, st } = await share.locks.run([rel], async () => {
    const abs = share.root.resolve(rel);
    const h = await openNoFollow(abs, rel);
    let s: Stats;
    try {
      s = await h.stat();
    } catch (err) {
      await h.close().catch(() => undefined);
      throw toFerryError(err, rel);
    }
    if (!s.isFile()) {
      await h.close().catch(() => undefined);
      throw new FerryError('PATH_INVALID', `${rel} is not a file`, { path: rel });
    }
    return { fh: h, st: s };
  });
  try {
    const meta = { size: st.size, mtimeMs: Math.floor(st.mtimeMs), mode: st.mode & 0o7777 };
    const cached = st.size > CONTENT_ID_WHOLE_FILE_MAX ? share.index.recipeFor(rel, { size: st.size, mtimeMs: meta.mtimeMs, ino: st.ino }) : undefined;
    if (cached) return { ...meta, recipe: { ...cached, hash: recipeContentId(cached.chunks) } };
    const recipe = await recipeOfHandle(fh, st.size);
    return { ...meta, size: recipe.size, recipe };
  } catch (err) {
    throw toFerryError(err, rel);
  } finally {
    await fh.close().catch(() => undefined);
  }
}
