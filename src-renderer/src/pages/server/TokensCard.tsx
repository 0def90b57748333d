/** Access tokens: each device's token with when it was last used, and revoke. New tokens come with an invite (InviteCard). */
import { useState, type ReactNode } from 'react';
import type { ServerState, TokenInfo } from '../../../../src-shared/model';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNote } from '../../components/ErrorNote';
import { formatAgo, formatDateTime } from '../../lib/format';
import { useApi, useNow } from '../../state/ferry-context';
import { useAction } from '../../state/use-action';

/** The tokens card of the Server page. */
export function TokensCard({ server }: { server: ServerState }): ReactNode {
  const api = useApi();
  const now = useNow();
  const [revoking, setRevoking] = useState<TokenInfo | null>(null);
  const revoke = useAction((id: string) => api.invoke('server:revokeToken', id));

  return (
    <div className="card section-card">
      <h2 className="card-title">Access tokens</h2>
      <p className="muted">Each invite makes one token. Revoke a device’s token and it can no longer connect; the others keep working.</p>
      <ErrorNote error={revoke.error} />
      {server.tokens.length === 0 ? (
        <p className="muted empty-inline">No tokens yet: make an invite above to connect a device.</p>
      ) : (
        <table className="table" aria-label="Tokens">
          <thead>
            <tr><th scope="col">Label</th><th scope="col">Token</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"><span className="sr-only">Actions</span></th></tr>
          </thead>
          <tbody>
            {server.tokens.map((t) => (
              <tr key={t.id}>
                <td>{t.label}</td>
                <td className="mono">{t.preview.endsWith('…') ? t.preview : `${t.preview}…`}</td>
                <td>{formatDateTime(t.createdAt)}</td>
                <td>
                  {t.lastUsedAt === null ? <span className="last-used-never">Never</span> : (
                    <time dateTime={new Date(t.lastUsedAt).toISOString()} title={formatDateTime(t.lastUsedAt)}>{formatAgo(t.lastUsedAt, now)}</time>
                  )}
                </td>
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
        <p>Clients using <strong>{revoking?.label}</strong> are disconnected and can no longer connect. Their files on this server stay.</p>
      </ConfirmDialog>
    </div>
  );
}
