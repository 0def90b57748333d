/**
 * A mirror pair's guard against overwriting other devices' work: the share's change feed since this pair last
 * synced must hold only this device's own changes. Anything another device (or the server's own disk) wrote meanwhile
 * halts the pair with FOREIGN_CHANGES before anything is touched, unless the pair allows it. Only the feed position
 * is kept (a few bytes), not a tree: mirror pairs of 100,000 files pay nothing for it.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FeedEntry } from '../../../src-shared/protocol/messages';
import { FerryError, toFerryError } from '../errors';
import type { Connection } from '../net/connection';

/** The device name the server uses for changes found on its own disk. */
export const SERVER_DEVICE = 'server';

/** What the catch-up found. */
export interface ForeignReport {
  /** Paths another device changed since this pair's position (or, without a position, that another client wrote). */
  foreign: string[];
  /** The catch-up was a full snapshot (first sync, or the position was lost). */
  reset: boolean;
}

/** One mirror pair's feed position and its check. */
export class ForeignGuard {
  private epoch: string | null = null;
  private seq = 0;
  private pending: { epoch: string; seq: number } | null = null;

  private constructor(
    private readonly file: string | null,
    private readonly target: string,
  ) {}

  /** Load the position (a missing or foreign file: none). */
  static async open(file: string | null, target: string): Promise<ForeignGuard> {
    const g = new ForeignGuard(file, target);
    if (file === null) return g;
    try {
      const doc = JSON.parse(await readFile(file, 'utf8')) as { target: string; epoch: string; seq: number };
      if (doc.target === target && typeof doc.epoch === 'string' && Number.isInteger(doc.seq)) {
        g.epoch = doc.epoch;
        g.seq = doc.seq;
      }
    } catch {
      // No position yet.
    }
    return g;
  }

  /**
   * Subscribe on `conn` and report the catch-up; later changes by others call `onForeign` (the pair then halts).
   * `me` is this device's client id; ignored paths never count.
   */
  check(conn: Connection, me: string, isIgnored: (p: string, isDir: boolean) => boolean, onForeign: (paths: string[]) => void): Promise<ForeignReport> {
    const header: Record<string, unknown> = { type: 'subscribe' };
    if (this.epoch !== null) {
      header.epoch = this.epoch;
      header.since = this.seq;
    }
    const found: string[] = [];
    let reset = false;
    let done = false;
    return new Promise<ForeignReport>((resolve, reject) => {
      const foreignOf = (entries: FeedEntry[], lenient: boolean) =>
        entries.filter((e) => e.device !== me && !(lenient && e.device === SERVER_DEVICE) && !isIgnored(e.path, e.kind === 'dir')).map((e) => e.path);
      conn
        .request(header, undefined, (f) => {
          const h = f.header;
          if (h.type !== 'changes') return false;
          if (h.reset) reset = true;
          if (!done) {
            // Without a position, files the server found on its own disk count as this share's history, not as another device's work.
            found.push(...foreignOf(h.entries, reset));
            this.pending = { epoch: h.epoch, seq: h.seq };
            if (h.caughtUp) {
              done = true;
              resolve({ foreign: found, reset });
            }
            return true;
          }
          const live = foreignOf(h.entries, false);
          if (live.length > 0) onForeign(live);
          else this.pending = { epoch: h.epoch, seq: h.seq };
          return true;
        })
        .then(
          () => reject(new FerryError('BAD_FRAME', 'The server ended the change feed')),
          (err: unknown) => {
            if (!done) reject(toFerryError(err));
          },
        );
    });
  }

  /** This pair's writes are done and the share is its mirror: keep the latest position seen. */
  async save(): Promise<void> {
    const p = this.pending;
    if (p === null || (p.epoch === this.epoch && p.seq === this.seq)) return;
    this.epoch = p.epoch;
    this.seq = p.seq;
    if (this.file === null) return;
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    await writeFile(tmp, JSON.stringify({ target: this.target, epoch: p.epoch, seq: p.seq }), { mode: 0o600 });
    await rename(tmp, this.file);
  }
}

/** The FOREIGN_CHANGES error for a mirror pair that found others' changes. */
export function foreignChangesError(paths: string[]): FerryError {
  const sample = paths.slice(0, 3).join(', ');
  return new FerryError(
    'FOREIGN_CHANGES',
    `Another device changed ${paths.length} path(s) on the share since this folder last synced (e.g. ${sample}); a mirror would overwrite them, so Ferry stopped and touched nothing. Switch this pair to two-way, or allow overwriting others' changes.`,
  );
}
