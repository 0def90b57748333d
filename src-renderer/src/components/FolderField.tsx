/** A folder path input with a "Choose…" button: native dialog on desktop, folder browser on web. */
import { useId, useState, type ReactNode } from 'react';
import { FolderOpen } from 'lucide-react';
import { useApi, useAppState } from '../state/ferry-context';
import { FieldError, describedBy } from './FieldError';
import { FolderBrowser } from './FolderBrowser';

interface FolderFieldProps {
  label: string;
  value: string;
  onChange: (path: string) => void;
  hint?: string;
  required?: boolean;
  autoFocus?: boolean;
  /** Shown under the field; marks the input invalid. */
  error?: string | null;
}

/** Labelled text input plus picker. */
export function FolderField({ label, value, onChange, hint, required, autoFocus, error }: FolderFieldProps): ReactNode {
  const api = useApi();
  const shell = useAppState()?.shell ?? 'web';
  const id = useId();
  const [browsing, setBrowsing] = useState(false);

  const choose = async (): Promise<void> => {
    if (shell === 'web') {
      setBrowsing(true);
      return;
    }
    const picked = await api.invoke('dialog:pickFolder', value || null);
    if (picked) onChange(picked);
  };

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="input-row">
        <input id={id} className="mono" value={value} required={required} autoFocus={autoFocus} spellCheck={false} onChange={(e) => onChange(e.target.value)} {...describedBy(id, hint, error)} />
        <button type="button" className="button" onClick={() => void choose()}>
          <FolderOpen size={16} aria-hidden="true" /> Choose…
        </button>
      </div>
      {hint && <p className="hint" id={`${id}-hint`}>{hint}</p>}
      <FieldError id={id} error={error} />
      {shell === 'web' && (
        <FolderBrowser
          open={browsing}
          start={value || null}
          onClose={() => setBrowsing(false)}
          onPick={(p) => {
            onChange(p);
            setBrowsing(false);
          }}
        />
      )}
    </div>
  );
}
