/** Banner shown while the web transport is not connected. */
import type { ReactNode } from 'react';
import { WifiOff } from 'lucide-react';
import { useConnection } from '../state/ferry-context';

/** Failed attempts after which we suspect Ferry is down rather than restarting. */
const STALE_AFTER = 6;

/** "Ferry restarted — reconnecting…" after a drop; "Connecting to Ferry…" before the first open. */
export function ConnectionBanner(): ReactNode {
  const { phase, failures } = useConnection();
  // 'unauthorized' is the login page's business (AuthGate), not a banner's.
  if (phase === 'open' || phase === 'unauthorized') return null;
  const long = failures >= STALE_AFTER;
  const text =
    long ? 'Cannot reach Ferry — retrying…'
    : phase === 'reconnecting' ? 'Ferry restarted — reconnecting…'
    : 'Connecting to Ferry…';
  const hint = long
    ? 'Is “ferry daemon” still running? This page picks up again by itself when it is back, at the same address.'
    : phase === 'reconnecting'
      ? 'This page picks up again by itself; no new link is needed.'
      : null;
  return (
    <div className={`banner${phase === 'connecting' && failures === 0 ? ' banner-soft' : ''}`} role="alert">
      <WifiOff size={16} aria-hidden="true" />
      <span>{text}</span>
      {hint && <span className="banner-hint">{hint}</span>}
    </div>
  );
}
