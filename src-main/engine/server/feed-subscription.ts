/**
 * One connection's subscription to a share's change feed: the catch-up (changes since the client's seq, or a full
 * snapshot with `reset: true`) in pages of CHANGES_PAGE_ENTRIES, the last one `caughtUp: true`; then live `changes`
 * frames as new seqs are given out, batched per event-loop turn. Backpressure: each frame is awaited, and while the
 * socket drains new seqs simply accumulate; the feed keeps only the latest record per path, so what is sent after
 * the wait is everything past the last seq sent, already coalesced.
 */
import { CHANGES_PAGE_ENTRIES } from '../../../src-shared/protocol/limits';
import type { Connection } from '../net/connection';
import { orderForFeed, toFeedEntry, type FeedRecord, type ShareFeed } from './share-feed';

/** Does `since` (with `epoch`) continue this feed, or must the client start over from a snapshot? */
export function needsSnapshot(feed: ShareFeed, since: number | undefined, epoch: string | undefined): boolean {
  return since === undefined || epoch !== feed.epoch || since < feed.floor || since > feed.seq;
}

/** A live subscription; `stop()` when the session ends. */
export class FeedSubscription {
  /** Last seq the client has been sent (everything up to it, coalesced). */
  private cursor = 0;
  private pumping: Promise<void> | null = null;
  private scheduled = false;
  private stopped = false;
  private unlisten: () => void = () => undefined;

  constructor(
    private readonly conn: Connection,
    private readonly feed: ShareFeed,
    /** The subscribe's request id, echoed by every `changes` frame. */
    readonly id: number,
  ) {}

  /** Send the catch-up from `since`, then keep pushing. Resolves once the catch-up is written (or the connection ended). */
  start(since: number | undefined, epoch: string | undefined): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.unlisten = this.feed.listen(() => this.schedule());
    this.pumping = this.catchUp(since, epoch).catch(() => undefined).finally(() => {
      this.pumping = null;
      if (this.feed.seq > this.cursor) this.schedule();
    });
    return this.pumping;
  }

  /** No more frames. */
  stop(): void {
    this.stopped = true;
    this.unlisten();
  }

  private async catchUp(since: number | undefined, epoch: string | undefined): Promise<void> {
    const feed = this.feed;
    if (needsSnapshot(feed, since, epoch)) {
      // One consistent cut: the records as of `at`; later changes follow as live pages past it.
      const at = feed.seq;
      const all = feed.snapshot();
      this.cursor = at;
      for (let i = 0; i === 0 || i < all.length; i += CHANGES_PAGE_ENTRIES) {
        if (this.stopped || this.conn.isClosed) return;
        const page = all.slice(i, i + CHANGES_PAGE_ENTRIES);
        await this.send(at, i === 0, i + CHANGES_PAGE_ENTRIES >= all.length, page);
      }
      return;
    }
    this.cursor = since!;
    await this.sendPast(true);
  }

  /** Send every record past the cursor, in pages; `catchUp`: the last page says `caughtUp` even when empty. */
  private async sendPast(catchUp: boolean): Promise<void> {
    for (let guard = 0; guard < 1e9; guard++) {
      if (this.stopped || this.conn.isClosed) return;
      const page = this.feed.since(this.cursor, CHANGES_PAGE_ENTRIES);
      if (page.length === 0 && !(catchUp && guard === 0)) return;
      const last = page.length < CHANGES_PAGE_ENTRIES;
      // The last page holds every live record past the cursor: the client is then at the feed's seq.
      const seq = last ? this.feed.seq : page[page.length - 1]!.seq;
      this.cursor = Math.max(this.cursor, seq);
      // A catch-up page is `caughtUp` only when nothing newer is left; live pages always are.
      await this.send(seq, false, catchUp ? last : true, page);
      if (last) return;
    }
  }

  private send(seq: number, reset: boolean, caughtUp: boolean, page: FeedRecord[]): Promise<void> {
    // Within a frame, in the order a client can apply them one by one: deletions deepest first, then parents first.
    const entries = orderForFeed(page).map(toFeedEntry);
    return this.conn.send({ type: 'changes', id: this.id, epoch: this.feed.epoch, seq, reset, caughtUp, entries });
  }

  /** New seqs: push them after this event-loop turn (a burst of changes goes out together). */
  private schedule(): void {
    if (this.scheduled || this.pumping !== null || this.stopped || this.conn.isClosed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.pumping !== null || this.stopped) return;
      this.pumping = this.sendPast(false).catch(() => undefined).finally(() => {
        this.pumping = null;
        if (this.feed.seq > this.cursor && !this.stopped) this.schedule();
      });
    });
  }
}
