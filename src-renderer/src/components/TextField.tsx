/** A labelled input; the label is tied to the input so tests and screen readers find it. */
import { useId, type InputHTMLAttributes, type ReactNode } from 'react';

type TextFieldProps = { label: string; hint?: string } & Omit<InputHTMLAttributes<HTMLInputElement>, 'id'>;

/** Label + input + optional hint. */
export function TextField({ label, hint, className, ...input }: TextFieldProps): ReactNode {
  const id = useId();
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} {...input} {...(hint ? { 'aria-describedby': `${id}-hint` } : {})} />
      {hint && <p className="hint" id={`${id}-hint`}>{hint}</p>}
    </div>
  );
}
