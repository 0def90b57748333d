/** An error value shown inline: stable code plus its sentence. */
import type { ReactNode } from 'react';
import { CircleAlert } from 'lucide-react';
import type { FerryErrorInfo } from '../../../src-shared/protocol/error-codes';

/** Alert box for a FerryErrorInfo; renders nothing for null. */
export function ErrorNote({ error, title }: { error: FerryErrorInfo | null; title?: string }): ReactNode {
  if (!error) return null;
  return (
    <div className="note note-bad" role="alert">
      <CircleAlert size={16} aria-hidden="true" />
      <div>
        {title && <strong>{title} </strong>}
        <code className="error-code">{error.code}</code> {error.message}
        {error.path && <div className="muted mono">{error.path}</div>}
      </div>
    </div>
  );
}
