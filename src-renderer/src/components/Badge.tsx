/** A small coloured status pill. */
import type { ReactNode } from 'react';
import type { Tone } from '../lib/status';

/** Pill with a dot whose colour follows `tone`; busy tones pulse. */
export function Badge({ tone, children, label }: { tone: Tone; children: ReactNode; label?: string }): ReactNode {
  return (
    <span className={`badge tone-${tone}`} {...(label ? { 'aria-label': label } : {})}>
      <span className="badge-dot" aria-hidden="true" />
      {children}
    </span>
  );
}
