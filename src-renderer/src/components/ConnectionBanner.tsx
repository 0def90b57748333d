/** Banner shown while the web transport is not connected. */
import type { ReactNode } from 'react';
import { WifiOff } from 'lucide-react';
import { useConnection } from '../state/ferry-context';

/** "Disconnected from Ferry — reconnecting…" (or a first-connect / bad-link message). */
export function ConnectionBanner(): ReactNode {
  const { phase } = useConnection();
  if (phase === 'open') return null;
  const text =
    phase === 'reconnecting' ? 'Disconnected from Ferry — reconnecting…'
    : phase === 'unauthorized' ? 'This link is no longer valid. Open the address printed by “ferry daemon” again.'
    : 'Connecting to Ferry…';
  return (
    <div className={`banner${phase === 'connecting' ? ' banner-soft' : ''}`} role="alert">
      <WifiOff size={16} aria-hidden="true" />
      <span>{text}</span>
    </div>
  );
}
