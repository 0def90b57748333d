/** A labelled input; the label is tied to the input so tests and screen readers find it. */
import { useId, type InputHTMLAttributes, type ReactNode } from 'react';
import { FieldError, describedBy } from './FieldError';

type TextFieldProps = { label: string; hint?: string; error?: string | null } & Omit<InputHTMLAttributes<HTMLInputElement>, 'id'>;

/** Label + input + optional hint, and the field's error right under it. */
export function TextField({ label, hint, error, className, ...input }: TextFieldProps): ReactNode {
  const id = useId();
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} {...input} {...describedBy(id, hint, error)} />
      {hint && <p className="hint" id={`${id}-hint`}>{hint}</p>}
      <FieldError id={id} error={error} />
    </div>
  );
}
