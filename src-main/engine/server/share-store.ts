/** One served share: its root, state folders (`.ferry/staging`, `.ferry/versions`), chunk index and write settings. */
import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { STATE_DIR_NAME } from '../../../src-shared/protocol/limits';
import { FerryError, toFerryError } from '../errors';
import type { Durability } from '../fs/atomic-writer';
import { FileSystemFlusher } from '../fs/flush-filesystem';
import { SafeRoot } from '../fs/safe-path';
import { silentLogger, type Logger } from '../log';
import { ShareChanges, type ChangeFeedOptions } from './share-changes';
import { ShareIndex } from './share-index';
import { SharePathLocks } from './share-path-locks';
import { VersionsStore } from './versions-store';

/** Everything a session needs to operate on one share. */
export class ShareStore {
  private constructor(
    /** Name clients ask for in `hello`. */
    readonly name: string,
    /** The share root (realpath'd once). */
    readonly root: SafeRoot,
    /** Temp files of writes in progress (same file system as the share). */
    readonly stagingDir: string,
    /** Resumable temp files (and their records) of chunked uploads in progress or interrupted. */
    readonly partsDir: string,
    readonly versions: VersionsStore,
    readonly index: ShareIndex,
    readonly durability: Durability,
    readonly log: Logger,
    /** The share's change feed (share-changes.ts): sessions report applied operations and subscribe to it. */
    readonly changes: ShareChanges,
  ) {}

  private flusherProbe: Promise<FileSystemFlusher | null> | null = null;

  /** Path locks shared by every session on this share: overlapping operations run one after the other. */
  readonly locks = new SharePathLocks();

  /**
   * Group commit for batches of small files when durable (null: not durable, or syncfs unusable here). Probed on
   * first use, not at start: the probe is a real syncfs, which waits for whatever else is dirty on that disk.
   */
  groupFlusher(): Promise<FileSystemFlusher | null> {
    if (this.durability !== 'fsync') return Promise.resolve(null);
    this.flusherProbe ??= FileSystemFlusher.probe(this.stagingDir);
    return this.flusherProbe;
  }

  /** Open the share at `dir`: create its state folders, clear temp files a crash left behind. */
  static async open(name: string, dir: string, opts: { durability?: Durability; log?: Logger; changeFeed?: ChangeFeedOptions } = {}): Promise<ShareStore> {
    const log = opts.log ?? silentLogger;
    const root = await SafeRoot.open(dir);
    const state = join(root.root, STATE_DIR_NAME);
    const stagingDir = join(state, 'staging');
    const versionsDir = join(state, 'versions');
    try {
      await mkdir(state, { recursive: true, mode: 0o700 });
      // A link here would make every staged write and kept version land wherever it points.
      if (!(await lstat(state)).isDirectory()) throw new FerryError('CONFIG_INVALID', `${state} must be a plain folder, not a link or file`);
      await mkdir(join(stagingDir, 'chunks'), { recursive: true, mode: 0o700 });
      await mkdir(versionsDir, { recursive: true, mode: 0o700 });
      for (const d of [stagingDir, versionsDir]) {
        if (!(await lstat(d)).isDirectory()) throw new FerryError('CONFIG_INVALID', `${d} must be a plain folder, not a link or file`);
      }
      // Same folder under another letter case? Then the share's file system ignores case.
      const upper = await lstat(join(root.root, STATE_DIR_NAME.toUpperCase())).catch(() => undefined);
      root.caseInsensitive = upper !== undefined && upper.ino === (await lstat(state)).ino;
      for (const n of await readdir(stagingDir)) {
        if (n.startsWith('tmp-')) await rm(join(stagingDir, n), { force: true, recursive: true });
      }
    } catch (err) {
      throw toFerryError(err, state);
    }
    const versions = new VersionsStore(await SafeRoot.open(versionsDir));
    const index = await ShareIndex.open(root.root, log);
    const changes = await ShareChanges.open(root, state, index, { fsync: opts.durability !== 'none', ...opts.changeFeed }, log);
    return new ShareStore(name, root, stagingDir, join(stagingDir, 'chunks'), versions, index, opts.durability ?? 'fsync', log, changes);
  }

  /** Absolute path of the versions folder. */
  get versionsDir(): string {
    return this.versions.root.root;
  }

  /** Save the change feed, flush the index cache; stop the watcher and the flush helper. */
  async close(): Promise<void> {
    await this.changes.close();
    await this.versions.flushNotes();
    (await this.flusherProbe)?.close();
    await this.index.close();
  }
}
