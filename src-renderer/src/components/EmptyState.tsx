/** What to show when a list is empty: an icon, a sentence and what to do next. */
import type { ReactNode } from 'react';

/** Centered empty-state panel. */
export function EmptyState({ icon, title, children }: { icon: ReactNode; title: string; children?: ReactNode }): ReactNode {
  return (
    <div className="empty">
      <div className="empty-icon" aria-hidden="true">{icon}</div>
      <h3>{title}</h3>
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}
