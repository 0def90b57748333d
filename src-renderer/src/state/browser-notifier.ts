/**
 * Web shell: the desktop app's notifications (new conflicts, sync problems, deletions on the server) as
 * browser notifications, from the same rules (src-shared/notifications) and the same "Show notifications"
 * setting. The browser's own permission is asked for when that setting is switched on.
 */
import type { AppState, FerryApi } from '../../../src-shared/ipc/contract';
import { DEFAULT_TIMING, NotificationBatcher, type Notice } from '../../../src-shared/notifications/notification-batcher';
import { NotificationSources } from '../../../src-shared/notifications/notification-sources';

/** What this page may do about notifications: 'unsupported' without the API (plain HTTP to another host). */
export type BrowserPermission = NotificationPermission | 'unsupported';

/** The browser's current answer. */
export function browserPermission(): BrowserPermission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** Ask once (must run inside a click handler); resolves with the answer. */
export async function askBrowserPermission(): Promise<BrowserPermission> {
  if (typeof Notification === 'undefined') return 'unsupported';
  if (Notification.permission !== 'default') return Notification.permission;
  return Notification.requestPermission();
}

/** Feed engine events from `api` into browser notifications; returns the unsubscribe. */
export function startBrowserNotifier(api: FerryApi): () => void {
  const sources = new NotificationSources();
  let enabled = false;
  const batcher = new NotificationBatcher({
    ...DEFAULT_TIMING,
    now: Date.now,
    schedule: (fn, ms) => {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    },
    notify: show,
  });
  const offState = api.on('stateChanged', (state: AppState) => {
    enabled = state.ui.notifications;
    const items = sources.fromState(state);
    if (enabled && browserPermission() === 'granted') for (const i of items) batcher.push(i);
  });
  const offTransfers = api.on('transfersUpdated', (records) => {
    const items = sources.fromTransfers(records);
    if (enabled && browserPermission() === 'granted') for (const i of items) batcher.push(i);
  });
  return () => {
    offState();
    offTransfers();
    batcher.dispose();
  };
}

function show(notice: Notice): void {
  if (browserPermission() !== 'granted') return;
  // The tag makes a newer notice of the same kind replace the older one, also across open tabs.
  const n = new Notification(notice.title, { body: notice.body, tag: `ferry-${notice.kind}` });
  n.onclick = () => {
    window.focus();
    n.close();
  };
}
