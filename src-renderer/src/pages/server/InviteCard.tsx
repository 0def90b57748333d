/** Connect a device: the addresses clients can reach, and invites (address, fingerprint and a new token in one string, with a QR code). */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Network, Send, ShieldAlert } from 'lucide-react';
import type { CreatedToken, ServerState } from '../../../../src-shared/model';
import { CopyButton } from '../../components/CopyButton';
import { ErrorNote } from '../../components/ErrorNote';
import { QrCode } from '../../components/QrCode';
import { useApi } from '../../state/ferry-context';
import { useAction } from '../../state/use-action';
import '../../styles/invite.css';

/** An address with its port, IPv6 in brackets. */
function endpoint(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The invite card of the Server page. */
export function InviteCard({ server }: { server: ServerState }): ReactNode {
  const api = useApi();
  const [label, setLabel] = useState('');
  const [shown, setShown] = useState<{ created: CreatedToken; first: boolean } | null>(null);
  const add = useAction((l: string) => api.invoke('server:addToken', l));
  const takeInitial = useAction(() => api.invoke('server:takeInitialInvite'));

  // The token made at the very first start is shown here once; the engine forgets its secret after that.
  const waiting = server.running && server.initialInviteWaiting;
  useEffect(() => {
    if (!waiting) return;
    void takeInitial.run().then((c) => c && setShown({ created: c, first: true }));
    // Once per waiting token: the engine answers null after the first take.
  }, [waiting]);

  return (
    <div className="card section-card invite-card">
      <div className="invite-head">
        <div>
          <h2 className="card-title">Connect a device</h2>
          <p className="muted">An invite holds this server’s address, its fingerprint and a new access token. Paste it into “Add folder” on the other device, or scan it.</p>
        </div>
      </div>
      {server.running ? (
        <div className="reach" aria-label="Reachable addresses">
          <Network size={15} aria-hidden="true" />
          <span className="reach-label">Reachable at</span>
          <ul className="reach-list">
            {server.addresses.map((a) => <li key={a} className="chip mono">{endpoint(a, server.port)}</li>)}
          </ul>
        </div>
      ) : (
        <p className="muted empty-inline">Turn server mode on to invite devices.</p>
      )}
      {server.running && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void add.run(label.trim() || 'New device').then((r) => {
              if (r) {
                setShown({ created: r, first: false });
                setLabel('');
              }
            });
          }}
        >
          <div className="field inline grow">
            <label htmlFor="invite-label">Device name</label>
            <input id="invite-label" value={label} maxLength={100} placeholder="e.g. Ana’s laptop" onChange={(e) => setLabel(e.target.value)} />
          </div>
          <button type="submit" className="button primary" disabled={add.busy}>
            <Send size={16} aria-hidden="true" /> New invite
          </button>
        </form>
      )}
      <ErrorNote error={add.error ?? takeInitial.error} />
      {shown && <InvitePanel created={shown.created} first={shown.first} onDone={() => setShown(null)} />}
    </div>
  );
}

/** One invite, shown once: QR code, the string, copy, and the bare token for the command line. */
function InvitePanel({ created, first, onDone }: { created: CreatedToken; first: boolean; onDone: () => void }): ReactNode {
  const inviteRef = useRef<HTMLElement>(null);
  const tokenRef = useRef<HTMLElement>(null);
  return (
    <section className="invite-panel" aria-label="New invite">
      {created.invite && <QrCode text={created.invite} label={`QR code of the invite for ${created.info.label}`} />}
      <div className="invite-body">
        <p className="invite-title">
          {first ? <>Your first invite, made when this server started</> : <>Invite for <strong>{created.info.label}</strong></>}
        </p>
        {created.invite ? (
          <>
            <code ref={inviteRef} className="mono invite-text" aria-label="Invite">{created.invite}</code>
            <div className="secret-row">
              <CopyButton text={created.invite} label="Copy invite" selectTarget={inviteRef} />
              <button type="button" className="button small" onClick={onDone}>Done</button>
            </div>
          </>
        ) : (
          <p className="muted">Start the server to turn this token into an invite.</p>
        )}
        <p className="invite-warn">
          <ShieldAlert size={14} aria-hidden="true" />
          <span>Anyone with this invite can sync with this server until you revoke “{created.info.label}”. It is shown only now.</span>
        </p>
        <details className="invite-token">
          <summary>Token only (for <code>ferry sync --token</code>)</summary>
          <div className="secret-row">
            <code ref={tokenRef} className="mono secret" aria-label="New token">{created.token}</code>
            <CopyButton text={created.token} label="Copy new token" selectTarget={tokenRef} />
          </div>
        </details>
      </div>
    </section>
  );
}
