/**
 * Rate-limits desktop notifications: items of one kind arriving close together become one notification
 * ("12 files deleted on the server"), and each kind notifies at most once per cooldown. Pure: the clock
 * and the timer are injected, so the tests drive time by hand.
 */

/** What a notification is about. */
export type NoticeKind = 'conflict' | 'error' | 'deletedOnServer';

/** One thing worth telling the user. */
export interface NoticeItem {
  kind: NoticeKind;
  /** The file (or folder) concerned, as shown to the user. */
  path: string;
  /** For errors: the sentence explaining it. */
  detail?: string;
}

/** A notification ready to show. */
export interface Notice {
  kind: NoticeKind;
  title: string;
  body: string;
}

/** Timing and effects of a batcher. */
export interface BatcherOptions {
  /** How long to gather items after the first one of a burst. */
  windowMs: number;
  /** Least time between two notifications of the same kind. */
  cooldownMs: number;
  now: () => number;
  /** Run `fn` after `ms`; returns a cancel function. */
  schedule: (fn: () => void, ms: number) => () => void;
  notify: (notice: Notice) => void;
}

/** Default timing: a 1.5 s gathering window, at most one notification per kind every 10 s. */
export const DEFAULT_TIMING = { windowMs: 1500, cooldownMs: 10_000 } as const;

const KINDS: readonly NoticeKind[] = ['conflict', 'error', 'deletedOnServer'];

/** Gathers items per kind and emits one summarised notice per burst. */
export class NotificationBatcher {
  private readonly pending = new Map<NoticeKind, NoticeItem[]>();
  private readonly timers = new Map<NoticeKind, () => void>();
  private readonly lastShown = new Map<NoticeKind, number>();

  constructor(private readonly opts: BatcherOptions) {}

  /** Queue an item; the notice follows after the window (or the end of the cooldown). */
  push(item: NoticeItem): void {
    const list = this.pending.get(item.kind) ?? [];
    list.push(item);
    this.pending.set(item.kind, list);
    if (this.timers.has(item.kind)) return;
    const last = this.lastShown.get(item.kind);
    const sinceLast = last === undefined ? Infinity : this.opts.now() - last;
    const delay = Math.max(this.opts.windowMs, this.opts.cooldownMs - sinceLast);
    this.timers.set(item.kind, this.opts.schedule(() => this.flushKind(item.kind), delay));
  }

  /** Show everything pending now (used when quitting). */
  flush(): void {
    for (const kind of KINDS) {
      this.timers.get(kind)?.();
      this.flushKind(kind);
    }
  }

  /** Drop everything pending and cancel timers. */
  dispose(): void {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    this.pending.clear();
  }

  private flushKind(kind: NoticeKind): void {
    this.timers.delete(kind);
    const items = this.pending.get(kind) ?? [];
    this.pending.delete(kind);
    if (items.length === 0) return;
    this.lastShown.set(kind, this.opts.now());
    this.opts.notify(summarize(kind, items));
  }
}

/** One notice for a list of items of one kind: names the file when there is one, counts otherwise. */
export function summarize(kind: NoticeKind, items: NoticeItem[]): Notice {
  const unique = [...new Map(items.map((i) => [i.path, i])).values()];
  const n = unique.length;
  const first = unique[0] ?? { kind, path: '' };
  const names = nameList(unique.map((i) => baseName(i.path)));
  switch (kind) {
    case 'deletedOnServer':
      return n === 1
        ? { kind, title: 'File deleted on the server', body: `${baseName(first.path)} was deleted on the server` }
        : { kind, title: `${n} files deleted on the server`, body: names };
    case 'conflict':
      return n === 1
        ? { kind, title: `Conflict: ${baseName(first.path)}`, body: `${first.path} changed on both sides; both versions are kept. Open Ferry to choose.` }
        : { kind, title: `${n} conflicts need a look`, body: `${names}. Both versions of each are kept.` };
    case 'error':
      return n === 1
        ? { kind, title: `Sync problem: ${baseName(first.path)}`, body: first.detail ?? 'Something went wrong; see Ferry for details.' }
        : { kind, title: `${n} sync problems`, body: `${names}. Open Ferry for details.` };
  }
}

function nameList(names: string[]): string {
  if (names.length <= 3) return names.join(', ');
  return `${names.slice(0, 2).join(', ')} and ${names.length - 2} more`;
}

function baseName(p: string): string {
  const trimmed = p.replace(/[\\/]+$/, '');
  return trimmed.slice(Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\')) + 1) || p;
}
