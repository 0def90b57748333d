/** Banner shown while the web transport is not connected. */
import type { ReactNode } from 'react';
import { WifiOff } from 'lucide-react';
import { useConnection } from '../state/ferry-context';

/** Failed attempts after which we suspect a stale link rather than a blip. */
const STALE_AFTER = 4;

/** "Disconnected from Ferry — reconnecting…" (or a first-connect / bad-link message). */
export function ConnectionBanner(): ReactNode {
  const { phase, failures, hasSecret } = useConnection();
  if (phase === 'open') return null;
  const text =
    phase === 'reconnecting' ? 'Disconnected from Ferry — reconnecting…'
    : phase === 'unauthorized' ? 'This link is no longer valid.'
    : failures >= STALE_AFTER ? 'Cannot reach Ferry — retrying…'
    : 'Connecting to Ferry…';
  // The host refuses a wrong secret before the WebSocket opens, which a browser cannot tell from "down".
  const hint = !hasSecret
    ? 'Open the address that “ferry daemon --gui” printed: it carries the key to this page.'
    : failures >= STALE_AFTER || phase === 'unauthorized'
      ? 'If the Ferry daemon was restarted, open the new address it printed.'
      : null;
  return (
    <div className={`banner${phase === 'connecting' && failures === 0 ? ' banner-soft' : ''}`} role="alert">
      <WifiOff size={16} aria-hidden="true" />
      <span>{text}</span>
      {hint && <span className="banner-hint">{hint}</span>}
    </div>
  );
}
