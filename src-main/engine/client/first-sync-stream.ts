/**
 * The first sync of a folder into an empty share starts uploading while the folder is still being scanned (on
 * 20,000 small files the scan was ~0.3 s during which the server had nothing to do). With nothing on the server
 * there is nothing to compare, move or delete, so each folder's entries can be planned as soon as they are found;
 * the plan of the whole scan afterwards finds them already projected and adds only what had to wait (folder modes).
 * Folders scanned before the listing arrives wait here; a share that is not empty turns streaming off.
 */
import { applyItem } from '../core/apply-op';
import type { PlanItem } from '../core/operations';
import { planIntoEmpty, type PlanOptions } from '../core/plan';
import type { Tree, TreeEntry } from '../core/tree';

/** What the stream does with its session. */
export interface StreamTarget {
  /** The listing came back empty: adopt it as the confirmed tree and return the projected tree to plan onto. */
  begin(remote: Tree): Tree;
  /** Queue planned items (already applied to the projected tree). */
  enqueue(items: PlanItem[]): void;
}

export class FirstSyncStream {
  private state: 'waiting' | 'streaming' | 'off' = 'waiting';
  private held: TreeEntry[][] = [];
  private projected: Tree | null = null;

  constructor(
    private readonly target: StreamTarget,
    private readonly opts: PlanOptions = {},
  ) {}

  /** A scanned folder's entries (parents before children). */
  folder(entries: TreeEntry[]): void {
    if (this.state === 'off') return;
    if (this.state === 'waiting' || this.projected === null) {
      this.held.push(entries);
      return;
    }
    const items = planIntoEmpty(entries, this.opts);
    for (const item of items) applyItem(this.projected, item);
    if (items.length > 0) this.target.enqueue(items);
  }

  /** The server's listing arrived. */
  listed(remote: Tree): void {
    if (this.state !== 'waiting') return;
    const held = this.held;
    this.held = [];
    if (remote.size > 0) {
      this.state = 'off';
      return;
    }
    this.state = 'streaming';
    this.projected = this.target.begin(remote);
    for (const entries of held) this.folder(entries);
  }

  /** True once the listing was adopted and folders planned onto it (the session's trees are then the stream's). */
  get streamed(): boolean {
    return this.projected !== null;
  }

  /** The scan is over (or failed): stop. */
  end(): void {
    this.state = 'off';
    this.held = [];
  }
}
