/** The web GUI's per-start secret: read once from the URL fragment, kept for reloads, never left in the address bar. */

const KEY = 'ferry.secret';

/** Takes `#secret=…` from the address bar (removing it) or falls back to sessionStorage. */
export function takeSecret(loc: Location, history: History, storage: Storage): string | null {
  const params = new URLSearchParams(loc.hash.replace(/^#/, ''));
  const fromHash = params.get('secret');
  if (fromHash) {
    storage.setItem(KEY, fromHash);
    params.delete('secret');
    const rest = params.toString();
    // replaceState keeps the secret out of history as well as off screen.
    history.replaceState(null, '', `${loc.pathname}${loc.search}${rest ? `#${rest}` : ''}`);
    return fromHash;
  }
  return storage.getItem(KEY);
}
