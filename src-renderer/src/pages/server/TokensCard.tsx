/** Access tokens: list, create (secret shown once) and revoke. */
import { useRef, useState, type ReactNode } from 'react';
import { KeyRound, Plus } from 'lucide-react';
import type { ServerState, TokenInfo } from '../../../../src-shared/model';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CopyButton } from '../../components/CopyButton';
import { ErrorNote } from '../../components/ErrorNote';
import { formatDateTime } from '../../lib/format';
import { useApi } from '../../state/ferry-context';
import { useAction } from '../../state/use-action';

/** The tokens card of the Server page. */
export function TokensCard({ server }: { server: ServerState }): ReactNode {
  const api = useApi();
  const [label, setLabel] = useState('');
  const [created, setCreated] = useState<{ token: string; info: TokenInfo } | null>(null);
  const [revoking, setRevoking] = useState<TokenInfo | null>(null);
  const secretRef = useRef<HTMLElement>(null);
  const add = useAction((l: string) => api.invoke('server:addToken', l));
  const revoke = useAction((id: string) => api.invoke('server:revokeToken', id));

  return (
    <div className="card section-card">
      <h2 className="card-title">Access tokens</h2>
      <p className="muted">A client needs one token to connect. Give each device its own, so you can revoke one without the others.</p>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          const l = label.trim() || 'Unnamed device';
          void add.run(l).then((r) => {
            if (r) {
              setCreated(r);
              setLabel('');
            }
          });
        }}
      >
        <div className="field inline grow">
          <label htmlFor="token-label">Token label</label>
          <input id="token-label" value={label} placeholder="e.g. Laptop" onChange={(e) => setLabel(e.target.value)} />
        </div>
        <button type="submit" className="button primary" disabled={add.busy}>
          <Plus size={16} aria-hidden="true" /> Add token
        </button>
      </form>
      <ErrorNote error={add.error ?? revoke.error} />
      {created && (
        <div className="note note-ok secret-note" role="status">
          <KeyRound size={16} aria-hidden="true" />
          <div className="grow">
            <p>New token for <strong>{created.info.label}</strong>. Copy it now — it is not shown again.</p>
            <div className="secret-row">
              <code ref={secretRef} className="mono secret" aria-label="New token">{created.token}</code>
              <CopyButton text={created.token} label="Copy new token" selectTarget={secretRef} />
              <button type="button" className="button small" onClick={() => setCreated(null)}>Done</button>
            </div>
          </div>
        </div>
      )}
      {server.tokens.length === 0 ? (
        <p className="muted empty-inline">No tokens yet: clients cannot connect until you add one.</p>
      ) : (
        <table className="table" aria-label="Tokens">
          <thead>
            <tr><th scope="col">Label</th><th scope="col">Token</th><th scope="col">Created</th><th scope="col"><span className="sr-only">Actions</span></th></tr>
          </thead>
          <tbody>
            {server.tokens.map((t) => (
              <tr key={t.id}>
                <td>{t.label}</td>
                <td className="mono">{t.preview.endsWith("…") ? t.preview : `${t.preview}…`}</td>
                <td>{formatDateTime(t.createdAt)}</td>
                <td className="cell-actions">
                  <button type="button" className="button small danger-text" aria-label={`Revoke ${t.label}`} onClick={() => setRevoking(t)}>Revoke</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        title="Revoke this token?"
        open={revoking !== null}
        confirmLabel="Revoke"
        busy={revoke.busy}
        onCancel={() => setRevoking(null)}
        onConfirm={() => revoking && void revoke.run(revoking.id).then(() => setRevoking(null))}
      >
        <p>Clients using <strong>{revoking?.label}</strong> can no longer connect. Their files on this server stay.</p>
      </ConfirmDialog>
    </div>
  );
}
