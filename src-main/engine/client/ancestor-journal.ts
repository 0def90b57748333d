/**
 * Intents of local steps, written (and flushed) before each step a download makes in the folder, so that a client
 * killed between the step and the next ancestor write still knows on restart what it did: without it, a file
 * downloaded just before a crash and deleted by the user while Ferry was down came back, and an edit of it became
 * a conflict copy. On open, each intent is checked against the disk (did the step happen?) and applied to the
 * ancestor; the journal is rotated when a snapshot starts and dropped once that snapshot is on disk.
 */
import { existsSync, lstatSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { deleteWithin, type Tree, type TreeEntry } from '../core/tree';

/** One intent: a file about to be installed from `tmp`, a path about to be removed, moved or set aside. */
export type Intent =
  | { k: 'put'; path: string; tmp: string; e: TreeEntry }
  | { k: 'rm'; path: string }
  | { k: 'mv'; from: string; to: string; e: TreeEntry }
  | { k: 'aside'; path: string; copy: string };

/** The journal file of one pair (`<ancestor file>.journal`, and `.journal.1` while a snapshot is written). */
export class AncestorJournal {
  private fh: FileHandle | null = null;
  /** Every file operation (flush, rotate, close) runs on this one chain: a rotate never closes a flush's handle. */
  private chain: Promise<void> = Promise.resolve();
  private scheduled: Promise<void> | null = null;
  private queued: string[] = [];

  constructor(private readonly file: string) {}

  /** Write `intent` and flush it (concurrent intents share one flush). */
  async intend(intent: Intent): Promise<void> {
    this.queued.push(`${JSON.stringify(intent)}\n`);
    // Everything queued before the flush starts is in it; later intents wait for the next one.
    this.scheduled ??= this.then(() => {
      this.scheduled = null;
      return this.flushQueued();
    });
    await this.scheduled;
  }

  /** A snapshot is about to be taken: later intents go to a new file; the current one waits as `.1`. */
  rotate(): Promise<void> {
    return this.then(async () => {
      await this.fh?.close().catch(() => undefined);
      this.fh = null;
      if (existsSync(this.file)) await rename(this.file, `${this.file}.1`);
    });
  }

  /** The snapshot taken after `rotate` is on disk: the rotated intents are in it. */
  dropRotated(): Promise<void> {
    return this.then(() => rm(`${this.file}.1`, { force: true }));
  }

  /** Close the file. */
  close(): Promise<void> {
    return this.then(async () => {
      await this.fh?.close().catch(() => undefined);
      this.fh = null;
    });
  }

  private then(op: () => Promise<void>): Promise<void> {
    const next = this.chain.then(op);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * Apply what the intents left in both journal files to `ancestor`, judged by the disk under `rootAbs`: a step that
   * happened counts, one that did not is dropped (and its staged file removed). Returns how many applied.
   */
  static async replay(file: string, rootAbs: string, ancestor: Tree): Promise<number> {
    let applied = 0;
    for (const f of [`${file}.1`, file]) {
      const text = await readFile(f, 'utf8').catch(() => '');
      for (const line of text.split('\n')) {
        if (line === '') continue;
        let i: Intent;
        try {
          i = JSON.parse(line) as Intent;
        } catch {
          continue; // a torn last line: that step had not started
        }
        if (await applyIntent(i, rootAbs, ancestor)) applied++;
      }
    }
    return applied;
  }

  private async flushQueued(): Promise<void> {
    const lines = this.queued.join('');
    this.queued = [];
    if (lines === '') return;
    if (this.fh === null) {
      await mkdir(dirname(this.file), { recursive: true });
      this.fh = await open(this.file, 'a', 0o600);
    }
    await this.fh.write(lines);
    await this.fh.datasync();
  }
}

async function applyIntent(i: Intent, rootAbs: string, ancestor: Tree): Promise<boolean> {
  const at = (rel: string) => lstatSync(join(rootAbs, rel), { throwIfNoEntry: false });
  switch (i.k) {
    case 'put':
      // The staged file is gone once it was linked or renamed into place; still there: the step never happened.
      if (existsSync(i.tmp)) {
        await rm(i.tmp, { force: true });
        return false;
      }
      ancestor.set(i.path, i.e);
      return true;
    case 'rm':
      if (at(i.path) !== undefined) return false;
      ancestor.delete(i.path);
      return true;
    case 'mv':
      if (at(i.to)?.ino !== i.e.ino || at(i.from) !== undefined) return false;
      ancestor.delete(i.from);
      ancestor.set(i.to, i.e);
      return true;
    case 'aside':
      if (at(i.copy) === undefined) return false;
      deleteWithin(ancestor, i.path);
      return true;
  }
}
