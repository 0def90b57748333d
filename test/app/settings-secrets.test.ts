import { describe, expect, it } from 'vitest';
import { openSecrets, sealSecrets, type Encryptor } from '../../src-main/app/settings-secrets';
import { defaultSettings, type Settings } from '../../src-shared/settings';
import type { FolderPair } from '../../src-shared/model';

/** A reversible stand-in for safeStorage: "sealed:" + text, refusing anything it did not seal. */
function fakeKeychain(available = true): Encryptor & { sealed: string[] } {
  const sealed: string[] = [];
  return {
    sealed,
    isEncryptionAvailable: () => available,
    encryptString: (plain) => {
      sealed.push(plain);
      return Buffer.from(`sealed:${plain}`);
    },
    decryptString: (buf) => {
      const text = buf.toString();
      if (!text.startsWith('sealed:')) throw new Error('Error while decrypting the ciphertext');
      return text.slice('sealed:'.length);
    },
  };
}

function pair(id: string, token: string): FolderPair {
  return {
    id, localPath: `/home/ann/${id}`, host: 'nas', port: 7443, share: 'default', fingerprint: 'AB', token,
    paused: false, ignore: [], rescanIntervalSec: 300, allowEmptyRoot: false, mode: 'two-way', allowForeignChanges: false,
  };
}

function settings(...pairs: FolderPair[]): Settings {
  return { ...defaultSettings('/home/ann'), pairs };
}

describe('sealSecrets', () => {
  it('seals every token as enc:<base64> when the keychain is available', () => {
    const keychain = fakeKeychain();
    const { settings: out, plainTokens } = sealSecrets(settings(pair('a', 'secret-a'), pair('b', 'secret-b')), keychain);
    expect(out.pairs.map((p) => p.token)).toEqual([
      `enc:${Buffer.from('sealed:secret-a').toString('base64')}`,
      `enc:${Buffer.from('sealed:secret-b').toString('base64')}`,
    ]);
    expect(plainTokens).toBe(false);
  });

  it('leaves empty and already sealed tokens alone', () => {
    const keychain = fakeKeychain();
    const { settings: out } = sealSecrets(settings(pair('a', ''), pair('b', 'enc:AAAA')), keychain);
    expect(out.pairs.map((p) => p.token)).toEqual(['', 'enc:AAAA']);
    expect(keychain.sealed).toEqual([]);
  });

  it('keeps tokens plain without a keychain and says so', () => {
    const { settings: out, plainTokens } = sealSecrets(settings(pair('a', 'secret-a')), fakeKeychain(false));
    expect(out.pairs[0]?.token).toBe('secret-a');
    expect(plainTokens).toBe(true);
  });

  it('does not change the input document', () => {
    const input = settings(pair('a', 'secret-a'));
    sealSecrets(input, fakeKeychain());
    expect(input.pairs[0]?.token).toBe('secret-a');
  });
});

describe('openSecrets', () => {
  it('round-trips what sealSecrets wrote', () => {
    const keychain = fakeKeychain();
    const original = settings(pair('a', 'secret-a'), pair('b', ''));
    const { settings: opened, problems } = openSecrets(sealSecrets(original, keychain).settings, keychain);
    expect(opened).toEqual(original);
    expect(problems).toEqual([]);
  });

  it('passes plain tokens through (files from before the keychain)', () => {
    expect(openSecrets(settings(pair('a', 'plain')), fakeKeychain()).settings.pairs[0]?.token).toBe('plain');
  });

  it('empties a token it cannot decrypt and names the folder', () => {
    const { settings: opened, problems } = openSecrets(settings(pair('a', `enc:${Buffer.from('garbage').toString('base64')}`)), fakeKeychain());
    expect(opened.pairs[0]?.token).toBe('');
    expect(problems).toEqual([expect.stringContaining('/home/ann/a cannot be decrypted')]);
  });

  it('empties sealed tokens when the keychain went away', () => {
    const sealed = sealSecrets(settings(pair('a', 'secret')), fakeKeychain()).settings;
    const { settings: opened, problems } = openSecrets(sealed, fakeKeychain(false));
    expect(opened.pairs[0]?.token).toBe('');
    expect(problems).toEqual([expect.stringContaining('keychain is not available')]);
  });
});
