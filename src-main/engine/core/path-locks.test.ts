import { describe, expect, it } from 'vitest';
import { PathLocks } from './path-locks';

describe('PathLocks', () => {
  it('finds ancestors, descendants and equal paths', () => {
    const l = new PathLocks();
    l.add('a/b');
    expect(l.overlaps('a/b')).toBe(true);
    expect(l.overlaps('a')).toBe(true);
    expect(l.overlaps('a/b/c')).toBe(true);
    expect(l.overlaps('a/bc')).toBe(false);
    expect(l.overlaps('a/c')).toBe(false);
    expect(l.overlaps('b')).toBe(false);
    expect(l.overlaps('')).toBe(true);
  });
  it('counts locks and releases them', () => {
    const l = new PathLocks();
    l.add('x');
    l.add('x');
    l.delete('x');
    expect(l.overlaps('x/y')).toBe(true);
    l.delete('x');
    expect(l.overlaps('x/y')).toBe(false);
    expect(l.overlaps('')).toBe(false);
    expect(l.size).toBe(0);
  });
});
