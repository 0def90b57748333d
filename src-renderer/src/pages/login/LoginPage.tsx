/** The web GUI's sign-in page: one password field, or how to get in when no password exists yet. */
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import { KeyRound, LoaderCircle, LogIn, RefreshCw, TriangleAlert } from 'lucide-react';
import type { FerryErrorInfo } from '../../../../src-shared/protocol/error-codes';
import { ErrorNote } from '../../components/ErrorNote';
import { Logo } from '../../components/Logo';
import { toErrorInfo } from '../../lib/errors';
import type { WebAuth } from '../../transport/web-auth';
import { AuthShell } from './AuthShell';

/** Set by the host when a used or expired one-time link is opened. */
const LINK_USED = '#login-link-used';

/** Sign in with the password; `onLoggedIn` reconnects the transport. */
export function LoginPage({ auth, passwordSet, onLoggedIn }: { auth: WebAuth; passwordSet: boolean; onLoggedIn: () => void }): ReactNode {
  const id = useId();
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FerryErrorInfo | null>(null);
  const [linkUsed] = useState(() => window.location.hash === LINK_USED);
  useEffect(() => {
    // The notice is read once; the address bar goes back to the plain address for bookmarks.
    if (window.location.hash === LINK_USED) window.history.replaceState(null, '', window.location.pathname);
  }, []);

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    auth.login(password).then(
      () => onLoggedIn(),
      (err: unknown) => {
        setBusy(false);
        setError(toErrorInfo(err));
        setPassword('');
      },
    );
  };

  return (
    <AuthShell>
      <div className="auth-head">
        <Logo />
        <h1>Sign in to Ferry</h1>
        <p className="auth-host mono">{window.location.host}</p>
      </div>
      {linkUsed && (
        <div className="note note-warn" role="status">
          <TriangleAlert size={16} aria-hidden="true" />
          <span>That login link was already used or has expired. {passwordSet ? 'Sign in with your password.' : ''}</span>
        </div>
      )}
      {passwordSet ? (
        <form className="auth-form" onSubmit={submit}>
          <div className="field">
            <label htmlFor={`${id}-pw`}>Password</label>
            <input id={`${id}-pw`} type="password" autoComplete="current-password" autoFocus required value={password} onChange={(e) => setPassword(e.target.value)} />
          </div>
          <ErrorNote error={error} />
          <button type="submit" className="button primary auth-submit" disabled={busy || password === ''}>
            {busy ? <LoaderCircle className="spin" size={16} aria-hidden="true" /> : <LogIn size={16} aria-hidden="true" />}
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
          <p className="hint auth-foot">This browser stays signed in for 7 days, also when Ferry restarts.</p>
        </form>
      ) : (
        <div className="auth-form">
          <div className="auth-steps">
            <KeyRound size={18} aria-hidden="true" />
            <div>
              <strong>No password has been set yet.</strong>
              <p className="muted">
                Open the one-time login link that <code>ferry daemon</code> printed when it started, or set a password on the machine
                running Ferry:
              </p>
              <pre className="mono auth-code">ferry gui-password</pre>
            </div>
          </div>
          <button type="button" className="button auth-submit" onClick={onLoggedIn}>
            <RefreshCw size={16} aria-hidden="true" /> Check again
          </button>
        </div>
      )}
    </AuthShell>
  );
}
