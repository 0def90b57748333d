import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DESKTOP_CSP, withCsp } from '../../src-main/app/content-security-policy';
import { applyLinuxAutostart, autostartEntry } from '../../src-main/app/login-item';

describe('withCsp', () => {
  it('replaces any CSP header, whatever its case, and keeps the others', () => {
    const out = withCsp({ 'content-security-policy': ["default-src *"], 'Content-Type': ['text/html'] });
    expect(out).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [DESKTOP_CSP] });
  });

  it('forbids remote scripts, inline code and network access', () => {
    expect(DESKTOP_CSP).toContain("script-src 'self'");
    expect(DESKTOP_CSP).not.toContain('unsafe-inline');
    expect(DESKTOP_CSP).not.toContain('unsafe-eval');
    expect(DESKTOP_CSP).toContain("connect-src 'none'");
    expect(withCsp(undefined)).toEqual({ 'Content-Security-Policy': [DESKTOP_CSP] });
  });
});

describe('Linux autostart', () => {
  it('quotes the executable and starts hidden', () => {
    expect(autostartEntry('/opt/My "Apps"/ferry')).toContain('Exec="/opt/My \\"Apps\\"/ferry" --hidden');
  });

  it('writes the entry when enabled and removes it when disabled', () => {
    const home = mkdtempSync(join(tmpdir(), 'ferry-autostart-'));
    try {
      const file = join(home, 'autostart', 'dev.ferry.app.desktop');
      applyLinuxAutostart(true, home, '/usr/bin/ferry-desktop');
      expect(readFileSync(file, 'utf8')).toMatch(/^\[Desktop Entry\]\n/);
      applyLinuxAutostart(false, home, '/usr/bin/ferry-desktop');
      expect(existsSync(file)).toBe(false);
      applyLinuxAutostart(false, home, '/usr/bin/ferry-desktop');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
