/**
 * The chunk index of one share: which chunk can be read where, so a `begin` asks only for chunks the
 * share does not hold anywhere (renames and copies cost no data). Built in the background at start from
 * a walk of the share, reusing recipes persisted in `<share>/.ferry/index.json` while size+mtime+ino match;
 * kept current by every write, move and remove of the server.
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { INLINE_FILE_MAX_BYTES, STATE_DIR_NAME } from '../../../src-shared/protocol/limits';
import { ChunkIndex } from '../chunking/chunk-index';
import { DEFAULT_CHUNKING } from '../chunking/fastcdc';
import { computeRecipe, type FileRecipe } from '../chunking/recipe';
import { RecipeCache, type StatKey } from '../chunking/recipe-cache';
import { silentLogger, type Logger } from '../log';
import { walkTree } from '../fs/tree-walk';

/** File name of the persisted recipe cache inside the share's state folder. */
export const INDEX_FILE = 'index.json';

/** True when files of this size are chunked (smaller ones travel inline and are not indexed). */
export function isIndexedSize(size: number): boolean {
  return size > INLINE_FILE_MAX_BYTES;
}

/** Chunk index + recipe cache of one share root. */
export class ShareIndex {
  /** Chunk hash → location; read by transfers. */
  readonly chunks = new ChunkIndex();
  // Absolute paths currently in `chunks`: ChunkIndex cannot drop a folder prefix by itself.
  private readonly files = new Set<string>();
  private building: Promise<void> | null = null;
  private closed = false;

  private constructor(
    private readonly root: string,
    private readonly cache: RecipeCache,
    private readonly log: Logger,
  ) {}

  /** Load the persisted cache of the share at `root` (real path). */
  static async open(root: string, log: Logger = silentLogger): Promise<ShareIndex> {
    const cache = await RecipeCache.open(join(root, STATE_DIR_NAME, INDEX_FILE)).catch(() => RecipeCache.open(null));
    return new ShareIndex(root, cache, log);
  }

  /** Start (once) indexing the share in the background; the promise settles when done (never rejects). */
  build(): Promise<void> {
    this.building ??= this.walk().catch((err: unknown) => {
      this.log.warn({ err, root: this.root }, 'share indexing stopped early');
    });
    return this.building;
  }

  /** Indexed files (for tests and status). */
  get fileCount(): number {
    return this.files.size;
  }

  /** A file was installed at `abs` (share path `rel`) with stat `st`; `recipe` known for large files. */
  fileWritten(rel: string, abs: string, st: StatKey, recipe: FileRecipe | null): void {
    this.dropFile(rel, abs);
    if (recipe === null || !isIndexedSize(recipe.size)) return;
    this.chunks.addFile(abs, recipe);
    this.files.add(abs);
    this.cache.set(rel, st, recipe);
  }

  /** The cached recipe of `rel` while its stat still matches (its `hash` is whatever was announced or computed). */
  recipeFor(rel: string, st: StatKey): FileRecipe | undefined {
    return this.cache.get(rel, st);
  }

  /** Only the mtime of an indexed file changed (setMeta): keep its cached recipe valid. */
  touched(rel: string, before: StatKey, mtimeMs: number): void {
    const recipe = this.cache.get(rel, before);
    if (recipe) this.cache.set(rel, { ...before, mtimeMs }, recipe);
  }

  /** The file at `abs` is gone or no longer what was indexed. */
  dropFile(rel: string | undefined, abs: string): void {
    if (this.files.delete(abs)) this.chunks.removeFile(abs);
    if (rel !== undefined) this.cache.delete(rel);
  }

  /**
   * A file or folder moved from `fromAbs` to `toAbs`; `fromRel`/`toRel` are share paths, or undefined
   * outside the share proper (kept versions stay indexed: their chunks are as good as any).
   * `isDir` false promises `fromAbs` was not a folder (so nothing below it can be indexed).
   */
  moved(fromRel: string | undefined, fromAbs: string, toRel: string | undefined, toAbs: string, isDir = true): void {
    // Fast path for the common case (a file overwritten or removed): O(1) unless that very file is indexed,
    // instead of scans over every indexed file for each of 20,000 small files.
    if (!isDir && !this.files.has(fromAbs)) {
      if (toRel !== undefined) this.dropFile(toRel, toAbs);
      return;
    }
    if (toRel !== undefined) this.dropPrefix(toAbs); // a fresh version path holds nothing yet
    const prefix = `${fromAbs}/`;
    for (const f of [...this.files]) {
      if (f === fromAbs || f.startsWith(prefix)) {
        this.files.delete(f);
        this.files.add(toAbs + f.slice(fromAbs.length));
        // Only indexed files are cached, so this reaches every cache entry below a folder that left the share.
        if (fromRel !== undefined && toRel === undefined) this.cache.delete(fromRel + f.slice(fromAbs.length));
      }
    }
    this.chunks.renamePrefix(fromAbs, toAbs);
    if (fromRel !== undefined && toRel !== undefined) this.cache.renamePrefix(fromRel, toRel);
  }

  /** Drop every indexed file at or below `abs` (a pruned version, a removed folder). */
  dropPrefix(abs: string): void {
    const prefix = `${abs}/`;
    for (const f of [...this.files]) {
      if (f === abs || f.startsWith(prefix)) {
        this.files.delete(f);
        this.chunks.removeFile(f);
      }
    }
  }

  /** Persist the recipe cache and stop a running build. */
  async close(): Promise<void> {
    this.closed = true;
    await this.building;
    await this.cache.flush().catch(() => undefined);
  }

  private async walk(): Promise<void> {
    let hashed = 0;
    let reused = 0;
    for await (const e of walkTree(this.root)) {
      if (this.closed) return;
      if (e.kind !== 'file' || !isIndexedSize(e.size)) continue;
      const st: StatKey = { size: e.size, mtimeMs: e.mtimeMs, ino: e.ino };
      let recipe = this.cache.get(e.path, st);
      if (recipe) reused++;
      else {
        try {
          // Only chunk hashes are indexed: no whole-file pass.
          recipe = await computeRecipe(e.abs, DEFAULT_CHUNKING, 'recipe');
        } catch {
          continue; // vanished or unreadable: simply not indexed
        }
        // Written meanwhile (by a client, or locally)? Then what we hashed is not what is there.
        const now = await lstat(e.abs).catch(() => undefined);
        if (!now || now.ino !== st.ino || now.size !== st.size || Math.floor(now.mtimeMs) !== st.mtimeMs) continue;
        hashed++;
        this.cache.set(e.path, st, recipe);
      }
      if (!this.files.has(e.abs)) {
        this.chunks.addFile(e.abs, recipe);
        this.files.add(e.abs);
      }
    }
    this.log.info({ root: this.root, files: this.files.size, chunks: this.chunks.size, hashed, reused }, 'share indexed');
    await this.cache.flush().catch(() => undefined);
  }
}
