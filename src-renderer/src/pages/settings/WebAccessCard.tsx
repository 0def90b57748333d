/** Web shell only: sign out of this browser, change the web GUI password. */
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { LogOut } from 'lucide-react';
import type { FerryErrorInfo } from '../../../../src-shared/protocol/error-codes';
import { ErrorNote } from '../../components/ErrorNote';
import { toErrorInfo } from '../../lib/errors';
import { useBridge } from '../../state/ferry-context';

const MIN_LENGTH = 8;

/** The "Web access" card of Settings; renders nothing in the desktop app. */
export function WebAccessCard(): ReactNode {
  const web = useBridge().web;
  const id = useId();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FerryErrorInfo | null>(null);
  const [saved, setSaved] = useState(false);
  if (!web) return null;

  const signOut = (): void => {
    web.auth.logout().then(web.reconnect, (err: unknown) => setError(toErrorInfo(err)));
  };
  const change = (e: FormEvent): void => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    web.auth.setPassword(next, current).then(
      () => {
        setBusy(false);
        setSaved(true);
        setCurrent('');
        setNext('');
      },
      (err: unknown) => {
        setBusy(false);
        setError(toErrorInfo(err));
      },
    );
  };

  return (
    <div className="card section-card">
      <h2 className="card-title">Web access</h2>
      <div className="web-access-row">
        <p className="hint">This browser stays signed in for 7 days, also across restarts of Ferry. Changing the password signs out every other browser.</p>
        <button type="button" className="button" onClick={signOut}>
          <LogOut size={16} aria-hidden="true" /> Sign out
        </button>
      </div>
      <form className="web-access-form" onSubmit={change} aria-label="Change password">
        <div className="field">
          <label htmlFor={`${id}-cur`}>Current password</label>
          <input id={`${id}-cur`} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-new`}>New password</label>
          <input id={`${id}-new`} type="password" autoComplete="new-password" minLength={MIN_LENGTH} value={next} onChange={(e) => setNext(e.target.value)} />
        </div>
        <button type="submit" className="button" disabled={busy || next.length < MIN_LENGTH}>Change password</button>
      </form>
      {saved && <p className="hint" role="status">Password changed.</p>}
      <ErrorNote error={error} />
    </div>
  );
}
