/**
 * The chokidar adapter: relative paths of whatever changed, as fast as the OS reports them. No
 * awaitWriteFinish and no atomic-save emulation (both add 100 ms or more): the session re-reads the disk
 * for each path, pairs renames itself and re-checks changed files shortly after (chokidar drops a `change`
 * that follows another within 50 ms).
 */
import { basename, join, relative, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';

/** What the adapter reports. */
export interface WatcherHandlers {
  /** A path (relative, POSIX, as spelled on disk) was added, changed or removed. */
  onPath: (rel: string, event: string) => void;
  /** The watcher failed somewhere: events may have been lost. */
  onError: (err: Error) => void;
  /** Paths never to watch (state folders, ignored paths). */
  ignored?: (rel: string, isDir: boolean | undefined) => boolean;
}

/** What a session needs of a watcher. */
export interface Watcher {
  close(): Promise<void>;
}

/** The watcher for this platform: per-folder fs.watch on Linux (inotify), chokidar elsewhere. */
export async function startWatcher(root: string, h: WatcherHandlers, kind: 'auto' | 'native' | 'chokidar' = 'auto'): Promise<Watcher> {
  const native = kind === 'native' || (kind === 'auto' && process.platform === 'linux');
  if (!native) return FsWatcher.start(root, h);
  const { NativeWatcher } = await import('./native-watcher');
  return NativeWatcher.start(root, h);
}

/** A running chokidar watcher over one folder. */
export class FsWatcher {
  private constructor(private readonly w: FSWatcher) {}

  /** Start watching `root` recursively; resolves once the initial watches are in place. */
  static async start(root: string, h: WatcherHandlers): Promise<FsWatcher> {
    const toRel = (abs: string): string => {
      const r = relative(root, abs);
      return sep === '/' ? r : r.split(sep).join('/');
    };
    const w = watch(root, {
      ignoreInitial: true,
      alwaysStat: true,
      followSymlinks: false,
      atomic: false,
      persistent: true,
      ignored: (abs, stats) => {
        const rel = toRel(abs);
        return rel !== '' && !rel.startsWith('..') && (h.ignored?.(rel, stats ? stats.isDirectory() : undefined) ?? false);
      },
    });
    w.on('all', (event, abs) => {
      const rel = toRel(abs);
      if (!rel.startsWith('..')) h.onPath(rel, event);
    });
    // chokidar reports a `change` only when the mtime moved: a chmod alone (IN_ATTRIB) shows up only as a raw
    // event. Which of the two paths it names is the changed one is ambiguous, and a spare re-check is harmless.
    w.on('raw', (event, evPath, details) => {
      if (event !== 'change' || !evPath) return;
      const watched = (details as { watchedPath?: string } | undefined)?.watchedPath;
      if (typeof watched !== 'string') return;
      for (const abs of basename(watched) === evPath ? [watched, join(watched, evPath)] : [join(watched, evPath)]) {
        const rel = toRel(abs);
        if (rel !== '' && !rel.startsWith('..') && !(h.ignored?.(rel, undefined) ?? false)) h.onPath(rel, 'raw');
      }
    });
    w.on('error', (err) => h.onError(err instanceof Error ? err : new Error(String(err))));
    await new Promise<void>((resolve) => w.once('ready', () => resolve()));
    return new FsWatcher(w);
  }

  /** Stop watching. */
  async close(): Promise<void> {
    await this.w.close();
  }
}
