/** Desktop notifications for engine events, rate-limited by NotificationBatcher and silenced by the setting. */
import { Notification } from 'electron';
import type { AppState } from '../../src-shared/ipc';
import type { TransferRecord } from '../../src-shared/model';
import { DEFAULT_TIMING, NotificationBatcher, type Notice } from './notification-batcher';
import { NotificationSources } from './notification-sources';

/** Feeds engine events in, shows native notifications out. */
export class DesktopNotifier {
  private readonly sources = new NotificationSources();
  private readonly batcher: NotificationBatcher;
  private enabled = true;
  // Windows drops click handlers of notifications that were garbage-collected: keep them until closed.
  private readonly live = new Set<Notification>();

  constructor(
    private readonly icon: string,
    private readonly onClick: () => void,
  ) {
    this.batcher = new NotificationBatcher({
      ...DEFAULT_TIMING,
      now: Date.now,
      schedule: (fn, ms) => {
        const t = setTimeout(fn, ms);
        return () => clearTimeout(t);
      },
      notify: (n) => this.show(n),
    });
  }

  /** A new state: new conflicts and errors. Also follows the "notifications" setting. */
  stateChanged(state: AppState): void {
    this.enabled = state.ui.notifications;
    const items = this.sources.fromState(state);
    if (this.enabled) for (const item of items) this.batcher.push(item);
  }

  /** A batch of transfers: deletions on the server and failures. */
  transfersUpdated(records: TransferRecord[]): void {
    const items = this.sources.fromTransfers(records);
    if (this.enabled) for (const item of items) this.batcher.push(item);
  }

  /** Show what is pending and stop (quitting). */
  close(): void {
    if (this.enabled) this.batcher.flush();
    this.batcher.dispose();
  }

  private show(notice: Notice): void {
    if (!Notification.isSupported()) return;
    const n = new Notification({ title: notice.title, body: notice.body, icon: this.icon, silent: notice.kind === 'deletedOnServer' });
    this.live.add(n);
    // Some desktops never report 'close': keep only the latest few alive.
    if (this.live.size > 20) this.live.delete(this.live.values().next().value as Notification);
    n.on('click', () => this.onClick());
    n.on('close', () => this.live.delete(n));
    n.show();
  }
}
