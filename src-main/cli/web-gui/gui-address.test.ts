/** The start-up warning of a web GUI other machines can reach. */
import { describe, expect, it } from 'vitest';
import { remoteGuiWarning } from './gui-address';

describe('remoteGuiWarning', () => {
  it('is silent on loopback and loud on any other address', () => {
    for (const h of ['127.0.0.1', 'localhost', '::1']) expect(remoteGuiWarning(h, 7480)).toBeNull();
    const w = remoteGuiWarning('0.0.0.0', 7480);
    expect(w).toMatch(/^WARNING: .*plain HTTP.*in clear/);
    expect(w).toContain('ssh -L 7480:127.0.0.1:7480');
    expect(remoteGuiWarning('fd00::1', 80)).toContain('[fd00::1]:80');
  });
});
