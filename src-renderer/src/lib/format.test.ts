import { describe, expect, it } from 'vitest';
import { baseName, formatAgo, formatBytes, formatFingerprint, formatRate, plural, savedRatio } from './format';

describe('format', () => {
  it('formats bytes in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(-5)).toBe('0 B');
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(1000)).toBe('1 KB');
    expect(formatBytes(1_400_000)).toBe('1.4 MB');
    expect(formatBytes(12_340_000)).toBe('12.3 MB');
    expect(formatBytes(612_400_000)).toBe('612 MB');
    expect(formatBytes(3e15)).toBe('3000 TB');
  });

  it('formats rates, empty when no time passed', () => {
    expect(formatRate(2_000_000, 1000)).toBe('2 MB/s');
    expect(formatRate(100, 0)).toBe('');
    expect(formatRate(0, 100)).toBe('');
  });

  it('says how long ago', () => {
    const now = 1_000_000_000;
    expect(formatAgo(now - 1000, now)).toBe('just now');
    expect(formatAgo(now - 30_000, now)).toBe('30 s ago');
    expect(formatAgo(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatAgo(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(formatAgo(now - 72 * 3_600_000, now)).toBe('3 days ago');
    expect(formatAgo(now + 10_000, now)).toBe('just now');
  });

  it('computes savings from reused chunks', () => {
    expect(savedRatio(1000, 40)).toBeCloseTo(0.96);
    expect(savedRatio(1000, 1000)).toBe(0);
    expect(savedRatio(0, 0)).toBe(0);
    expect(savedRatio(1000, 1200)).toBe(0);
  });

  it('names folders and groups fingerprints', () => {
    expect(baseName('/home/ana/Documents/')).toBe('Documents');
    expect(baseName('C:\\Users\\ana\\Photos')).toBe('Photos');
    expect(baseName('/')).toBe('/');
    expect(formatFingerprint('a1b2c3')).toBe('A1:B2:C3');
    expect(formatFingerprint('A1:B2:C3')).toBe('A1:B2:C3');
    expect(plural(1, 'file')).toBe('1 file');
    expect(plural(2, 'file')).toBe('2 files');
  });
});
