/** After a one-time-link login with no password yet: choose one, so later visits need no link. */
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { LoaderCircle, ShieldCheck } from 'lucide-react';
import type { FerryErrorInfo } from '../../../../src-shared/protocol/error-codes';
import { ErrorNote } from '../../components/ErrorNote';
import { Logo } from '../../components/Logo';
import { toErrorInfo } from '../../lib/errors';
import type { WebAuth } from '../../transport/web-auth';
import { AuthShell } from './AuthShell';

const MIN_LENGTH = 8;

/** Two fields and a save; "Not now" continues to the app for this tab. */
export function ChoosePasswordPage({ auth, onDone, onLater }: { auth: WebAuth; onDone: () => void; onLater: () => void }): ReactNode {
  const id = useId();
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FerryErrorInfo | null>(null);
  const mismatch = again !== '' && again !== password;

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (password.length < MIN_LENGTH || password !== again) return;
    setBusy(true);
    setError(null);
    auth.setPassword(password).then(onDone, (err: unknown) => {
      setBusy(false);
      setError(toErrorInfo(err));
    });
  };

  return (
    <AuthShell>
      <div className="auth-head">
        <Logo />
        <h1>Choose a password</h1>
        <p className="muted">With a password, this address keeps working after Ferry restarts — no new link needed.</p>
      </div>
      <form className="auth-form" onSubmit={submit}>
        <div className="field">
          <label htmlFor={`${id}-new`}>New password</label>
          <input id={`${id}-new`} type="password" autoComplete="new-password" autoFocus minLength={MIN_LENGTH} required value={password}
            onChange={(e) => setPassword(e.target.value)} aria-describedby={`${id}-hint`} />
          <p className="hint" id={`${id}-hint`}>At least {MIN_LENGTH} characters. Stored only as a salted scrypt hash.</p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-again`}>Repeat password</label>
          <input id={`${id}-again`} type="password" autoComplete="new-password" required value={again}
            onChange={(e) => setAgain(e.target.value)} aria-invalid={mismatch} />
          {mismatch && <p className="hint field-error">The two passwords differ.</p>}
        </div>
        <ErrorNote error={error} />
        <button type="submit" className="button primary auth-submit" disabled={busy || password.length < MIN_LENGTH || password !== again}>
          {busy ? <LoaderCircle className="spin" size={16} aria-hidden="true" /> : <ShieldCheck size={16} aria-hidden="true" />}
          {busy ? 'Saving…' : 'Save password'}
        </button>
        <button type="button" className="button auth-later" onClick={onLater}>Not now</button>
      </form>
    </AuthShell>
  );
}
