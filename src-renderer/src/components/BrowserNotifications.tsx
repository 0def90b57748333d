/** Mounts the browser notifier in the web shell (the desktop shell notifies from the main process). */
import { useEffect, type ReactNode } from 'react';
import { startBrowserNotifier } from '../state/browser-notifier';
import { useApi, useBridge } from '../state/ferry-context';

/** Renders nothing; notifies while mounted. */
export function BrowserNotifications(): ReactNode {
  const api = useApi();
  const web = useBridge().web !== null;
  useEffect(() => (web ? startBrowserNotifier(api) : undefined), [api, web]);
  return null;
}
