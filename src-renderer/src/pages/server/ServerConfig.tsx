/** Server mode switch plus where and on which address the server listens. */
import { useEffect, useState, type ReactNode } from 'react';
import type { ServerState } from '../../../../src-shared/model';
import { Badge } from '../../components/Badge';
import { ErrorNote } from '../../components/ErrorNote';
import { FolderField } from '../../components/FolderField';
import { TextField } from '../../components/TextField';
import { useApi } from '../../state/ferry-context';
import { useAction } from '../../state/use-action';
import { usePendingValue } from '../../state/use-pending-value';

/** Status, toggle and the root/host/port form. */
export function ServerConfig({ server }: { server: ServerState }): ReactNode {
  const api = useApi();
  const [root, setRoot] = useState(server.root);
  const [host, setHost] = useState(server.host);
  const [port, setPort] = useState(String(server.port));
  const keptDays = String(server.versionRetentionDays ?? 30);
  const [days, setDays] = useState(keptDays);
  const [problem, setProblem] = useState<string | null>(null);
  // Follow the engine's values when they change elsewhere (tray menu, another tab).
  useEffect(() => setRoot(server.root), [server.root]);
  useEffect(() => setHost(server.host), [server.host]);
  useEffect(() => setPort(String(server.port)), [server.port]);
  useEffect(() => setDays(keptDays), [keptDays]);

  const toggle = useAction((enabled: boolean) => api.invoke('server:setEnabled', enabled));
  const [enabledShown, applyEnabled] = usePendingValue(server.enabled);
  const configure = useAction(() => api.invoke('server:configure', { root: root.trim(), host: host.trim(), port: Number(port), versionRetentionDays: Number(days) }));
  const dirty = root !== server.root || host !== server.host || port !== String(server.port) || days !== keptDays;
  // A reachable address, never the wildcard it listens on (0.0.0.0 is no address a client can use).
  const shownHost = server.addresses[0] ?? server.host;
  const statusText = server.running ? `Running on ${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${server.port}` : server.enabled ? 'Starting…' : 'Stopped';
  const tone = server.lastError ? 'bad' : server.running ? 'ok' : server.enabled ? 'busy' : 'muted';

  const apply = (): void => {
    const p = Number(port);
    const bad = !root.trim() ? 'Choose the folder the server keeps shares in.'
      : !host.trim() ? 'Enter the address to listen on (0.0.0.0 for every network).'
      : !Number.isInteger(p) || p < 0 || p > 65535 ? 'The port must be a number from 0 to 65535.'
      : !/^\d+$/.test(days.trim()) || Number(days) > 36_500 ? 'Keep versions for a whole number of days (0 keeps them until you delete them).' : null;
    setProblem(bad);
    if (!bad) void configure.run();
  };

  return (
    <div className="card section-card">
      <div className="switch-row">
        <div>
          <h2 className="card-title">Server mode</h2>
          <p className="muted">Let other Ferry clients sync their folders to this machine.</p>
        </div>
        <div className="switch-side">
          <Badge tone={tone} label={`Server status: ${statusText}`}>{statusText}</Badge>
          <label className="switch">
            <input type="checkbox" role="switch" checked={enabledShown} disabled={toggle.busy} onChange={(e) => { const on = e.target.checked; applyEnabled(on, () => toggle.run(on)); }} />
            <span className="switch-track" aria-hidden="true"><span className="switch-thumb" /></span>
            <span className="sr-only">Server mode</span>
          </label>
        </div>
      </div>
      <ErrorNote error={server.lastError} title="Server error:" />
      <ErrorNote error={toggle.error} />
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <FolderField label="Root folder" value={root} onChange={setRoot} hint="Each share is a folder inside; the “default” share is created for you." />
        <div className="grid-3">
          <TextField label="Listen address" value={host} onChange={(e) => setHost(e.target.value)} spellCheck={false} className="span-2" hint="0.0.0.0 listens on every network; 127.0.0.1 only on this machine." />
          <TextField label="Port" value={port} onChange={(e) => setPort(e.target.value)} inputMode="numeric" />
        </div>
        <TextField
          label="Keep replaced and deleted files (days)" value={days} onChange={(e) => setDays(e.target.value)} inputMode="numeric" className="retention-field"
          hint="What sync overwrites or deletes here is kept this long, so clients can restore it from Versions. 0 keeps everything."
        />
        {problem && <p className="note note-warn" role="alert">{problem}</p>}
        <ErrorNote error={configure.error} title="Could not apply:" />
        <div className="form-footer">
          <button type="submit" className="button primary" disabled={!dirty || configure.busy}>Apply</button>
        </div>
      </form>
    </div>
  );
}
