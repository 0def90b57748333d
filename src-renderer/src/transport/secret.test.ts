import { describe, expect, it } from 'vitest';
import { takeSecret } from './secret';

function fakes(hash: string) {
  const store = new Map<string, string>();
  const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) } as Storage;
  const replaced: string[] = [];
  const history = { replaceState: (_s: unknown, _t: string, url: string) => void replaced.push(url) } as History;
  const location = { hash, pathname: '/', search: '' } as Location;
  return { storage, history, location, replaced };
}

describe('takeSecret', () => {
  it('takes the secret from the fragment, stores it and strips it from the address bar', () => {
    const f = fakes('#secret=abc-123');
    expect(takeSecret(f.location, f.history, f.storage)).toBe('abc-123');
    expect(f.replaced).toEqual(['/']);
    expect(f.storage.getItem('ferry.secret')).toBe('abc-123');
  });

  it('keeps other fragment parameters', () => {
    const f = fakes('#secret=s&page=activity');
    takeSecret(f.location, f.history, f.storage);
    expect(f.replaced).toEqual(['/#page=activity']);
  });

  it('falls back to sessionStorage after a reload, and to null without either', () => {
    const f = fakes('');
    expect(takeSecret(f.location, f.history, f.storage)).toBeNull();
    f.storage.setItem('ferry.secret', 'kept');
    expect(takeSecret(f.location, f.history, f.storage)).toBe('kept');
    expect(f.replaced).toEqual([]);
  });
});
