import { describe, expect, it } from 'vitest';
import { restoredBesideName } from '../../src-shared/restore-name';

describe('restoredBesideName', () => {
  const when = new Date(2026, 11, 4, 15, 7);
  it('puts the stamp before the extension, in the same folder', () => {
    expect(restoredBesideName('docs/report.final.pdf', when)).toBe('docs/report.final (restored 2026-12-04 15.07).pdf');
    expect(restoredBesideName('notes', when)).toBe('notes (restored 2026-12-04 15.07)');
    expect(restoredBesideName('a/.env', when)).toBe('a/.env (restored 2026-12-04 15.07)');
    expect(restoredBesideName('x.txt', when, 3)).toBe('x (restored 2026-12-04 15.07 3).txt');
  });
});
