/** The error of one form field, shown right under it and tied to its input for screen readers. */
import type { ReactNode } from 'react';
import { CircleAlert } from 'lucide-react';

/** The message for the field whose input has id `id`; nothing when there is no error. */
export function FieldError({ id, error }: { id: string; error: string | null | undefined }): ReactNode {
  if (!error) return null;
  return (
    <p className="field-error" id={`${id}-error`} role="alert">
      <CircleAlert size={14} aria-hidden="true" /> {error}
    </p>
  );
}

/** aria attributes tying an input to its hint and error (invalid while it has an error). */
export function describedBy(id: string, hint: string | undefined, error: string | null | undefined): { 'aria-describedby'?: string; 'aria-invalid'?: true } {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return { ...(ids ? { 'aria-describedby': ids } : {}), ...(error ? { 'aria-invalid': true as const } : {}) };
}
