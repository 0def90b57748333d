import { describe, expect, it } from 'vitest';
import { NotificationBatcher, summarize, type Notice, type NoticeItem } from '../../src-main/app/notification-batcher';

/** A hand-driven clock and timer queue. */
function harness(windowMs = 1000, cooldownMs = 10_000) {
  let now = 0;
  let timers: { at: number; fn: () => void; live: boolean }[] = [];
  const shown: Notice[] = [];
  const batcher = new NotificationBatcher({
    windowMs, cooldownMs, now: () => now, notify: (n) => shown.push(n),
    schedule: (fn, ms) => {
      const t = { at: now + ms, fn, live: true };
      timers.push(t);
      return () => {
        t.live = false;
      };
    },
  });
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = timers.filter((t) => t.live && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      now = due.at;
      due.live = false;
      due.fn();
    }
    timers = timers.filter((t) => t.live);
    now = until;
  };
  return { batcher, shown, advance, pending: () => timers.filter((t) => t.live).length };
}

const del = (path: string): NoticeItem => ({ kind: 'deletedOnServer', path });

describe('NotificationBatcher', () => {
  it('turns a burst of deletions into one notification', () => {
    const h = harness();
    for (let i = 1; i <= 12; i++) {
      h.batcher.push(del(`docs/file-${i}.txt`));
      h.advance(50);
    }
    expect(h.shown).toEqual([]);
    h.advance(1000);
    expect(h.shown).toEqual([{ kind: 'deletedOnServer', title: '12 files deleted on the server', body: 'file-1.txt, file-2.txt and 10 more' }]);
  });

  it('names the file when there is only one', () => {
    const h = harness();
    h.batcher.push(del('docs/report.pdf'));
    h.advance(1000);
    expect(h.shown).toEqual([{ kind: 'deletedOnServer', title: 'File deleted on the server', body: 'report.pdf was deleted on the server' }]);
  });

  it('keeps kinds apart', () => {
    const h = harness();
    h.batcher.push(del('a.txt'));
    h.batcher.push({ kind: 'conflict', path: 'notes/plan.md' });
    h.batcher.push({ kind: 'error', path: 'big.iso', detail: 'No space left on the device' });
    h.advance(1000);
    expect(h.shown.map((n) => n.title).sort()).toEqual(['Conflict: plan.md', 'File deleted on the server', 'Sync problem: big.iso']);
    expect(h.shown.find((n) => n.kind === 'error')?.body).toBe('No space left on the device');
  });

  it('waits for the cooldown before the next notification of a kind, then sums up', () => {
    const h = harness(1000, 10_000);
    h.batcher.push(del('a.txt'));
    h.advance(1000);
    expect(h.shown).toHaveLength(1);
    h.advance(2000);
    h.batcher.push(del('b.txt'));
    h.batcher.push(del('c.txt'));
    h.advance(7999); // cooldown ends 10 s after the first notice (t = 11 000)
    expect(h.shown).toHaveLength(1);
    h.advance(1);
    expect(h.shown).toHaveLength(2);
    expect(h.shown[1]).toMatchObject({ title: '2 files deleted on the server', body: 'b.txt, c.txt' });
  });

  it('counts the same file once', () => {
    const h = harness();
    h.batcher.push(del('a.txt'));
    h.batcher.push(del('a.txt'));
    h.advance(1000);
    expect(h.shown[0]?.title).toBe('File deleted on the server');
  });

  it('flush shows everything pending at once and cancels the timers', () => {
    const h = harness();
    h.batcher.push(del('a.txt'));
    h.batcher.flush();
    expect(h.shown).toHaveLength(1);
    h.advance(20_000);
    expect(h.shown).toHaveLength(1);
  });

  it('dispose drops what is pending', () => {
    const h = harness();
    h.batcher.push(del('a.txt'));
    h.batcher.dispose();
    h.advance(20_000);
    expect(h.shown).toEqual([]);
  });
});

describe('summarize', () => {
  it('words conflicts and errors in bulk', () => {
    expect(summarize('conflict', [{ kind: 'conflict', path: 'a' }, { kind: 'conflict', path: 'b' }, { kind: 'conflict', path: 'c' }]))
      .toEqual({ kind: 'conflict', title: '3 conflicts need a look', body: 'a, b, c. Both versions of each are kept.' });
    expect(summarize('error', [{ kind: 'error', path: 'x/a' }, { kind: 'error', path: 'x/b' }]).title).toBe('2 sync problems');
  });
});
