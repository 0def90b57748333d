/**
 * A client's subscription to its share's change feed: the catch-up from the persisted position (or a full snapshot
 * when the server says `reset`), then live changes, each applied to the pair's view of the share at once. The view
 * and the feed position change together, so a persisted pair never holds a position its view does not reflect.
 */
import type { FeedEntry, ServerMessage } from '../../../src-shared/protocol/messages';
import type { Frame } from '../net/frame-codec';
import type { Connection } from '../net/connection';
import type { RemoteEntry } from '../core/three-way';
import { FerryError, toFerryError } from '../errors';
import type { AncestorState } from './ancestor-store';

/** A feed record as an entry of the remote tree (undefined for a tombstone). */
export function entryOfFeed(f: FeedEntry): RemoteEntry | undefined {
  if (f.kind === 'gone') return undefined;
  const e: RemoteEntry = { path: f.path, kind: f.kind, size: f.size, mtimeMs: f.mtimeMs, mode: f.mode, device: f.device };
  if (f.hash !== undefined) e.hash = f.hash;
  if (f.target !== undefined) e.target = f.target;
  return e;
}

/** One subscription over one connection. */
export class FeedSubscription {
  /** True once the catch-up has arrived. */
  caughtUp = false;
  /** Entries received in all (for tests and figures: a reconnect should bring only what changed). */
  received = 0;
  /** Whether the catch-up was a full snapshot. */
  wasReset = false;
  private snapshot: Map<string, RemoteEntry> | null = null;

  constructor(
    private readonly conn: Connection,
    private readonly state: AncestorState,
    private readonly onChanged: (paths: string[]) => void,
  ) {}

  /** Subscribe and wait for the catch-up; later changes arrive through `onChanged`. */
  catchUp(): Promise<void> {
    const header: Record<string, unknown> = { type: 'subscribe' };
    if (this.state.epoch !== null) {
      header.epoch = this.state.epoch;
      header.since = this.state.seq;
    }
    return new Promise<void>((resolve, reject) => {
      this.conn
        .request(header, undefined, (f) => {
          try {
            this.take(f);
          } catch (err) {
            reject(toFerryError(err));
            this.conn.close(toFerryError(err));
            return false;
          }
          if (this.caughtUp) resolve();
          return true;
        })
        .then(
          () => reject(new FerryError('BAD_FRAME', 'The server ended the change feed')),
          (err: unknown) => reject(toFerryError(err)),
        );
    });
  }

  private take(f: Frame<ServerMessage>): void {
    const h = f.header;
    if (h.type !== 'changes') throw new FerryError('BAD_FRAME', `Expected changes, got ${h.type}`);
    this.received += h.entries.length;
    if (h.reset) {
      this.snapshot = new Map();
      this.wasReset = true;
    }
    if (this.snapshot !== null) {
      for (const e of h.entries) {
        const r = entryOfFeed(e);
        if (r) this.snapshot.set(e.path, r);
      }
      if (!h.caughtUp) return;
      this.state.remote.clear();
      for (const [p, e] of this.snapshot) this.state.remote.set(p, e);
      this.snapshot = null;
      this.advance(h.epoch, h.seq);
      this.caughtUp = true;
      this.onChanged([]);
      return;
    }
    const paths: string[] = [];
    for (const e of h.entries) {
      const r = entryOfFeed(e);
      if (r) this.state.remote.set(e.path, r);
      else this.state.remote.delete(e.path);
      paths.push(e.path);
    }
    this.advance(h.epoch, h.seq);
    if (h.caughtUp) this.caughtUp = true;
    if (paths.length > 0 || h.caughtUp) this.onChanged(paths);
  }

  private advance(epoch: string, seq: number): void {
    if (this.state.epoch !== epoch) {
      this.state.epoch = epoch;
      this.state.seq = seq;
    } else {
      this.state.seq = Math.max(this.state.seq, seq);
    }
  }
}
