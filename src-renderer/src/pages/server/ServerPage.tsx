/** Server: server mode, invites to connect a device, clients (connected and recently seen), tokens and the fingerprint. */
import { useRef, type ReactNode } from 'react';
import { Users } from 'lucide-react';
import type { AppState } from '../../../../src-shared/ipc/contract';
import { CopyButton } from '../../components/CopyButton';
import { formatAgo, formatBytes, formatDateTime, formatFingerprint } from '../../lib/format';
import { useNow } from '../../state/ferry-context';
import { InviteCard } from './InviteCard';
import { ServerConfig } from './ServerConfig';
import { TokensCard } from './TokensCard';

/** The Server page. */
export function ServerPage({ state }: { state: AppState }): ReactNode {
  const { server } = state;
  const now = useNow();
  const fpRef = useRef<HTMLElement>(null);
  return (
    <section className="page" aria-labelledby="server-title">
      <header className="page-header">
        <div>
          <h1 id="server-title">Server</h1>
          <p className="page-sub">This machine can hold other devices’ folders.</p>
        </div>
      </header>
      <div className="stack">
        <ServerConfig server={server} />
        <InviteCard server={server} />
        <div className="card section-card">
          <h2 className="card-title">Connected clients</h2>
          {server.clients.length === 0 ? (
            <div className="empty-inline muted"><Users size={16} aria-hidden="true" /> {server.running ? 'No clients connected. Make an invite above and paste it into “Add folder” on another device.' : 'Clients appear here while server mode is on.'}</div>
          ) : (
            <table className="table" aria-label="Connected clients">
              <thead>
                <tr>
                  <th scope="col">Client</th><th scope="col">Share</th><th scope="col">Address</th><th scope="col">Connected</th>
                  <th scope="col" className="num">Files received</th><th scope="col" className="num">Bytes received</th>
                </tr>
              </thead>
              <tbody>
                {server.clients.map((c) => (
                  <tr key={c.sessionId}>
                    <td><strong>{c.clientName}</strong></td>
                    <td className="mono">{c.share}</td>
                    <td className="mono">{c.remoteAddress}</td>
                    <td><time dateTime={new Date(c.connectedAt).toISOString()} title={formatDateTime(c.connectedAt)}>{formatAgo(c.connectedAt, now)}</time></td>
                    <td className="num">{c.filesReceived.toLocaleString()}</td>
                    <td className="num">{formatBytes(c.bytesReceived)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {server.recentClients.length > 0 && (
            <>
              <h3 className="card-subtitle">Recently seen</h3>
              <table className="table clients-seen" aria-label="Recently seen clients">
                <thead>
                  <tr><th scope="col">Client</th><th scope="col">Share</th><th scope="col">Address</th><th scope="col">Last seen</th></tr>
                </thead>
                <tbody>
                  {server.recentClients.map((c) => (
                    <tr key={`${c.clientId}/${c.share}`}>
                      <td>{c.clientName}</td>
                      <td className="mono">{c.share}</td>
                      <td className="mono">{c.remoteAddress}</td>
                      <td><time dateTime={new Date(c.lastSeenAt).toISOString()} title={formatDateTime(c.lastSeenAt)}>{formatAgo(c.lastSeenAt, now)}</time></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </div>
        <TokensCard server={server} />
        <div className="card section-card">
          <h2 className="card-title">Fingerprint</h2>
          <p className="muted">Invites carry it, so clients know they reach this server and nobody in between. To connect by hand, compare it over a channel you trust.</p>
          {server.fingerprint ? (
            <div className="secret-row">
              <code ref={fpRef} className="mono fingerprint" aria-label="Server fingerprint">{formatFingerprint(server.fingerprint)}</code>
              <CopyButton text={server.fingerprint} label="Copy fingerprint" selectTarget={fpRef} />
            </div>
          ) : (
            <p className="muted empty-inline">Turn server mode on to create this server’s certificate.</p>
          )}
        </div>
      </div>
    </section>
  );
}
