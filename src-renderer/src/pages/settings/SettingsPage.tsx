/** Settings: startup, notifications, logging. Each control saves immediately. */
import { useState, type ReactNode } from 'react';
import { FolderOpen } from 'lucide-react';
import type { AppState } from '../../../../src-shared/ipc/contract';
import type { LogLevel, UiSettings } from '../../../../src-shared/settings/schema';
import { ErrorNote } from '../../components/ErrorNote';
import { useApi } from '../../state/ferry-context';
import { useAction } from '../../state/use-action';
import { usePendingValue } from '../../state/use-pending-value';
import { askBrowserPermission, browserPermission, type BrowserPermission } from '../../state/browser-notifier';
import { WebAccessCard } from './WebAccessCard';

const LOG_LEVELS: readonly { value: LogLevel; label: string }[] = [
  { value: 'error', label: 'Errors only' },
  { value: 'warn', label: 'Warnings' },
  { value: 'info', label: 'Normal' },
  { value: 'debug', label: 'Debug (verbose)' },
];

/** The Settings page. */
export function SettingsPage({ state }: { state: AppState }): ReactNode {
  const api = useApi();
  const update = useAction((patch: Partial<UiSettings>) => api.invoke('settings:update', patch));
  const openLogs = useAction(() => api.invoke('logs:openFolder'));
  const [startAtLogin, applyStartAtLogin] = usePendingValue(state.ui.startAtLogin);
  const [notifications, applyNotifications] = usePendingValue(state.ui.notifications);
  const [logLevel, applyLogLevel] = usePendingValue(state.ui.logLevel);
  const [permission, setPermission] = useState<BrowserPermission>(browserPermission);
  const web = state.shell === 'web';
  return (
    <section className="page" aria-labelledby="settings-title">
      <header className="page-header">
        <div>
          <h1 id="settings-title">Settings</h1>
          <p className="page-sub">Changes are saved as you make them.</p>
        </div>
      </header>
      <div className="stack">
        <div className="card section-card">
          <h2 className="card-title">General</h2>
          <label className="check setting">
            <input type="checkbox" checked={startAtLogin} onChange={(e) => { const v = e.target.checked; applyStartAtLogin(v, () => update.run({ startAtLogin: v })); }} aria-describedby="login-hint" />
            <span>
              Start Ferry at login
              <span className="hint" id="login-hint">{state.shell === 'desktop' ? 'Ferry starts in the tray when you log in.' : 'Applies to the desktop app; the daemon is started by your service manager.'}</span>
            </span>
          </label>
          <label className="check setting">
            <input type="checkbox" checked={notifications} onChange={(e) => {
              const v = e.target.checked;
              // The browser asks only in answer to a click: this one.
              if (v && web) void askBrowserPermission().then(setPermission);
              applyNotifications(v, () => update.run({ notifications: v }));
            }} aria-describedby="notify-hint" />
            <span>
              Show notifications
              <span className="hint" id="notify-hint">For conflicts and errors, not for every file.{web && notifications ? ` ${permissionHint(permission)}` : ''}</span>
            </span>
          </label>
          <ErrorNote error={update.error} title="Could not save:" />
        </div>
        <div className="card section-card">
          <h2 className="card-title">Logs</h2>
          <div className="field">
            <label htmlFor="log-level">Log level</label>
            <select id="log-level" className="narrow" value={logLevel} onChange={(e) => { const v = e.target.value as LogLevel; applyLogLevel(v, () => update.run({ logLevel: v })); }}>
              {LOG_LEVELS.map((l) => <option key={l.value} value={l.value}>{l.label}</option>)}
            </select>
          </div>
          <div className="field">
            <span className="label-like" id="log-dir-label">Log folder</span>
            <div className="secret-row">
              <code className="mono path-box" aria-labelledby="log-dir-label">{state.logDir}</code>
              {state.shell === 'desktop' && (
                <button type="button" className="button" onClick={() => void openLogs.run()}>
                  <FolderOpen size={16} aria-hidden="true" /> Open log folder
                </button>
              )}
            </div>
            <p className="hint">The transfer log and the debug log are kept apart here; both rotate.</p>
          </div>
          <ErrorNote error={openLogs.error} />
        </div>
        <WebAccessCard />
      </div>
    </section>
  );
}

/** What the browser allows, in words (web shell). */
function permissionHint(p: BrowserPermission): string {
  switch (p) {
    case 'granted': return 'This browser shows them while a Ferry tab is open.';
    case 'default': return 'This browser will ask whether Ferry may show them.';
    case 'denied': return 'This browser blocks them for this page: allow notifications in its site settings.';
    case 'unsupported': return 'This browser cannot show them for this page (it needs localhost or https).';
  }
}
