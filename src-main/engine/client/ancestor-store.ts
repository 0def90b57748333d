/**
 * The persisted ancestor of a two-way or receive pair: the last state of every path that this folder and the share
 * agreed on, plus the feed position (epoch, seq) up to which the share's changes are reflected in `remote`.
 * Written crash-safely (temp file, flush, rename, folder flush) and debounced; a torn or foreign file is never
 * trusted: the pair then starts as a new device (nothing is deleted because of it, see core/three-way.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { EntryKind } from '../../../src-shared/protocol/messages';
import type { Tree, TreeEntry } from '../core/tree';
import { fsyncDir } from '../fs/atomic-writer';
import { AncestorJournal, type Intent } from './ancestor-journal';

const FORMAT = 1;
/** Coalesce the writes of a burst of changes into one. */
const WRITE_DELAY_MS = 1000;

/** What is persisted. */
export interface AncestorState {
  /** Which share this ancestor describes (`host:port/share`): another target starts afresh. */
  target: string;
  epoch: string | null;
  seq: number;
  ancestor: Tree;
  /** The share as this client last knew it (changes after `seq` are fetched from the feed on reconnect). */
  remote: Tree;
}

type Row = [path: string, kind: EntryKind, size: number, mtimeMs: number, mode: number, hash: string | null, target: string | null, ino: number];

function rowOf(e: TreeEntry): Row {
  return [e.path, e.kind, e.size, Math.floor(e.mtimeMs), e.mode, e.hash ?? null, e.target ?? null, e.ino ?? 0];
}

function entryOf(r: Row): TreeEntry {
  const e: TreeEntry = { path: r[0], kind: r[1], size: r[2], mtimeMs: r[3], mode: r[4] };
  if (r[5] !== null) e.hash = r[5];
  if (r[6] !== null) e.target = r[6];
  if (r[7] !== 0) e.ino = r[7];
  return e;
}

/** One pair's ancestor file. */
export class AncestorStore {
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  private readonly journal: AncestorJournal | null;

  private constructor(
    private readonly file: string | null,
    readonly state: AncestorState,
  ) {
    this.journal = file === null ? null : new AncestorJournal(`${file}.journal`);
  }

  /**
   * Load `file` (null: in memory only); a missing, torn or foreign file gives an empty ancestor. The intents of a
   * crashed run (`rootAbs` is the pair's folder, where they are checked) are applied and written at once.
   */
  static async open(file: string | null, target: string, rootAbs?: string): Promise<AncestorStore> {
    const fresh: AncestorState = { target, epoch: null, seq: 0, ancestor: new Map(), remote: new Map() };
    if (file === null) return new AncestorStore(null, fresh);
    let store: AncestorStore;
    try {
      const doc = JSON.parse(await readFile(file, 'utf8')) as { format: number; target: string; epoch: string | null; seq: number; ancestor: Row[]; remote: Row[] };
      const tree = (rows: Row[]): Tree => new Map(rows.map((r) => [r[0], entryOf(r)]));
      store =
        doc.format !== FORMAT || doc.target !== target
          ? new AncestorStore(file, fresh)
          : new AncestorStore(file, { target, epoch: doc.epoch, seq: doc.seq, ancestor: tree(doc.ancestor), remote: tree(doc.remote) });
    } catch {
      store = new AncestorStore(file, fresh);
    }
    if (rootAbs !== undefined && (await AncestorJournal.replay(`${file}.journal`, rootAbs, store.state.ancestor)) > 0) {
      store.dirty = true;
      await store.flush();
    }
    return store;
  }

  /** Journal a local step before it is made (see client/ancestor-journal.ts); a no-op in memory. */
  async intend(intent: Intent): Promise<void> {
    await this.journal?.intend(intent);
  }

  /** Something changed: write within WRITE_DELAY_MS. */
  changed(): void {
    this.dirty = true;
    if (this.file === null || this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().catch(() => undefined);
    }, WRITE_DELAY_MS);
    this.timer.unref();
  }

  /** Write what is left and close the journal. */
  async close(): Promise<void> {
    await this.flush();
    await this.journal?.close();
  }

  /** Write now if anything changed (waits for a write in progress). */
  async flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const next = this.writing.then(() => (this.dirty ? this.write() : undefined));
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async write(): Promise<void> {
    if (this.file === null) return;
    this.dirty = false;
    const s = this.state;
    // Intents from now on belong to the next snapshot; those before it are in this one once it is on disk.
    await this.journal?.rotate();
    const doc = { format: FORMAT, target: s.target, epoch: s.epoch, seq: s.seq, ancestor: [...s.ancestor.values()].map(rowOf), remote: [...s.remote.values()].map(rowOf) };
    const data = JSON.stringify(doc);
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = join(dirname(this.file), `.ancestor-${randomBytes(4).toString('hex')}.tmp`);
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(data);
      await fh.sync();
      await fh.close();
      await rename(tmp, this.file);
      await fsyncDir(dirname(this.file));
      await this.journal?.dropRotated();
    } catch (err) {
      await fh.close().catch(() => undefined);
      await rm(tmp, { force: true });
      this.dirty = true;
      throw err;
    }
  }
}
