/**
 * Which engine events deserve a desktop notification: new conflicts, new errors (of a pair, of the
 * server, of one transfer) and files deleted on the server. Pure; remembers what it already reported.
 */
import type { AppState } from '../ipc';
import type { FerryErrorInfo } from '../protocol/error-codes';
import type { TransferRecord } from '../model';
import type { NoticeItem } from './notification-batcher';

/** Most transfer ids remembered; older ones are forgotten first (a record is final once reported). */
const SEEN_LIMIT = 10_000;

/** Turns successive engine events into notice items, each reported once. */
export class NotificationSources {
  private previous: AppState | null = null;
  private readonly seenTransfers = new Set<string>();

  /** Items for what is new in `next` compared with the previous state (nothing for the very first state). */
  fromState(next: AppState): NoticeItem[] {
    const prev = this.previous;
    this.previous = next;
    if (prev === null) return [];
    const items: NoticeItem[] = [];
    const known = new Set(prev.conflicts.map((c) => c.id));
    for (const c of next.conflicts) {
      if (!c.resolved && !known.has(c.id)) items.push({ kind: 'conflict', path: c.path });
    }
    for (const pair of next.pairs) {
      const err = next.pairStates[pair.id]?.lastError ?? null;
      if (isNewError(prev.pairStates[pair.id]?.lastError ?? null, err) && err) {
        items.push({ kind: 'error', path: err.path ?? pair.localPath, detail: err.message });
      }
    }
    if (isNewError(prev.server.lastError, next.server.lastError) && next.server.lastError) {
      items.push({ kind: 'error', path: 'Server mode', detail: next.server.lastError.message });
    }
    return items;
  }

  /** Items for transfers that just finished as deletions on the server, or failed. */
  fromTransfers(records: TransferRecord[]): NoticeItem[] {
    const items: NoticeItem[] = [];
    for (const r of records) {
      if (r.status !== 'completed' && r.status !== 'failed') continue;
      if (this.seenTransfers.has(r.id)) continue;
      this.remember(r.id);
      if (r.status === 'failed') items.push({ kind: 'error', path: r.path, detail: r.error?.message ?? `${r.path} could not be synced` });
      else if (r.kind === 'delete') items.push({ kind: 'deletedOnServer', path: r.path });
    }
    return items;
  }

  private remember(id: string): void {
    this.seenTransfers.add(id);
    if (this.seenTransfers.size > SEEN_LIMIT) {
      const oldest = this.seenTransfers.values().next().value;
      if (oldest !== undefined) this.seenTransfers.delete(oldest);
    }
  }
}

// A pair that stays in the same error (retrying) must not notify on every state event.
function isNewError(before: FerryErrorInfo | null, after: FerryErrorInfo | null): boolean {
  if (after === null) return false;
  return before === null || before.code !== after.code || before.message !== after.message || before.path !== after.path;
}
