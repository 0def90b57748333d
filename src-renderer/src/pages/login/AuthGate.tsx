/** Web shell only: the login page while the host wants one, the "choose a password" page once, else the app. */
import { useState, useSyncExternalStore, type ReactNode } from 'react';
import type { Bridge } from '../../bridge';
import { ChoosePasswordPage } from './ChoosePasswordPage';
import { LoginPage } from './LoginPage';

const SKIP_KEY = 'ferry.password-later';

/** Wraps the app; renders `children` untouched in the desktop shell. */
export function AuthGate({ bridge, children }: { bridge: Bridge; children: ReactNode }): ReactNode {
  const conn = useSyncExternalStore(bridge.connection.subscribe, bridge.connection.get);
  const [later, setLater] = useState(() => sessionStorage.getItem(SKIP_KEY) === '1');
  const web = bridge.web;
  if (!web) return children;
  if (conn.phase === 'unauthorized') return <LoginPage auth={web.auth} passwordSet={conn.passwordSet} onLoggedIn={web.reconnect} />;
  // Logged in through the one-time link with no password yet: offer one, so the next restart needs no link.
  if (conn.phase === 'open' && !conn.passwordSet && !later) {
    return (
      <ChoosePasswordPage
        auth={web.auth}
        onDone={web.reconnect}
        onLater={() => {
          sessionStorage.setItem(SKIP_KEY, '1');
          setLater(true);
        }}
      />
    );
  }
  return children;
}
