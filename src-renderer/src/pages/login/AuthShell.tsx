/** The centred card the login and password pages share. */
import type { ReactNode } from 'react';

/** Full-window backdrop with one card in the middle. */
export function AuthShell({ children }: { children: ReactNode }): ReactNode {
  return (
    <div className="auth-page">
      <main className="auth-card card">{children}</main>
      <p className="auth-tagline">Ferry · your own folder sync</p>
    </div>
  );
}
