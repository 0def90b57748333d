/** The "Paste invite" field: fills the server fields from an invite, then finds the first address that answers. */
import { useId, useRef, useState, type ReactNode } from 'react';
import { Ticket } from 'lucide-react';
import type { ConnectionTestResult } from '../../../../src-shared/ipc/contract';
import { useApi } from '../../state/ferry-context';
import { fillFromInvite, targetAt } from './invite-fill';
import '../../styles/invite.css';
import type { PairFormValues } from './pair-form-model';

/** Field above the server fields; `onFill` gets the new values, `onTested` the connection test of the chosen address. */
export function InvitePaste({ values, onFill, onTested }: {
  values: PairFormValues;
  onFill: (next: PairFormValues) => void;
  onTested: (result: ConnectionTestResult) => void;
}): ReactNode {
  const api = useApi();
  const id = useId();
  const [text, setText] = useState('');
  const [status, setStatus] = useState<{ tone: 'ok' | 'bad' | 'busy'; message: string } | null>(null);
  /** Only the latest paste may write its results. */
  const round = useRef(0);

  const paste = async (next: string): Promise<void> => {
    setText(next);
    const mine = ++round.current;
    if (next.trim() === '') return setStatus(null);
    const fill = fillFromInvite(values, next);
    if (!fill.ok) return setStatus({ tone: 'bad', message: fill.error });
    onFill(fill.values);
    // Addresses in the server's order (its own networks first, loopback last): the first that answers wins.
    let first: ConnectionTestResult | null = null;
    for (const host of fill.hosts) {
      setStatus({ tone: 'busy', message: `Filled in. Trying ${host}…` });
      const result = await api.invoke('pair:test', targetAt(fill.values, host)).catch(() => null);
      if (mine !== round.current) return;
      first ??= result;
      if (result?.ok) {
        onFill({ ...fill.values, host });
        onTested(result);
        return setStatus({ tone: 'ok', message: `Filled in from the invite: ${host}, share “${fill.values.share}”.` });
      }
    }
    if (first) onTested(first);
    setStatus({ tone: 'bad', message: `Filled in, but none of ${fill.hosts.join(', ')} answered. Check that this device can reach the server.` });
  };

  return (
    <div className="field invite-paste">
      <label htmlFor={id}>
        <Ticket size={14} aria-hidden="true" /> Paste invite
      </label>
      <input
        id={id}
        className="mono-input"
        value={text}
        placeholder="ferry1:…"
        autoComplete="off"
        spellCheck={false}
        aria-invalid={status?.tone === 'bad' && !status.message.startsWith('Filled') ? true : undefined}
        aria-describedby={`${id}-status`}
        onChange={(e) => void paste(e.target.value)}
      />
      <p id={`${id}-status`} className={`hint invite-status${status ? ` tone-${status.tone}` : ''}`} aria-live="polite">
        {status?.message ?? 'From the server’s Server page or “ferry tokens add”: fills in everything below.'}
      </p>
    </div>
  );
}
