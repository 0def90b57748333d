import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '../../../test/helpers/trees';
import { FerryError } from '../errors';
import { CERT_FILE, KEY_FILE, loadOrCreateIdentity, normalizeFingerprint } from './identity';

afterAll(cleanupTempDirs);

describe('loadOrCreateIdentity', () => {
  it('creates an EC P-256 identity with private files, then reloads the same one', async () => {
    const stateDir = join(await tempDir(), 'nested', 'state');
    const made = await loadOrCreateIdentity(stateDir);

    expect(made.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const x509 = new X509Certificate(made.cert);
    expect(x509.fingerprint256).toBe(made.fingerprint);
    expect(x509.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(x509.checkPrivateKey(createPrivateKey(made.key))).toBe(true);

    expect((await stat(stateDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(stateDir, KEY_FILE))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(stateDir, CERT_FILE), 'utf8')).toBe(made.cert);

    const again = await loadOrCreateIdentity(stateDir);
    expect(again).toEqual(made);
  });

  it('refuses a key that does not belong to the certificate, rather than silently changing identity', async () => {
    const a = await tempDir();
    const b = await tempDir();
    await loadOrCreateIdentity(a);
    const other = await loadOrCreateIdentity(b);
    await writeFile(join(a, KEY_FILE), other.key);
    await expect(loadOrCreateIdentity(a)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('normalizeFingerprint', () => {
  const canonical = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase()).join(':');

  it('accepts colons or none, any case, surrounding space', () => {
    expect(normalizeFingerprint(canonical)).toBe(canonical);
    expect(normalizeFingerprint(canonical.toLowerCase())).toBe(canonical);
    expect(normalizeFingerprint(canonical.replace(/:/g, ''))).toBe(canonical);
    expect(normalizeFingerprint(`  ${canonical.replace(/:/g, '').toLowerCase()}\n`)).toBe(canonical);
  });

  it.each(['', 'AB:CD', canonical + ':00', canonical.replace('0F', '0G'), 'x'.repeat(64)])('rejects %j with CONFIG_INVALID', (fp) => {
    let err: unknown;
    try {
      normalizeFingerprint(fp);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).code).toBe('CONFIG_INVALID');
  });
});
