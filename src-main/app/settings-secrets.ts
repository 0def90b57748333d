/**
 * Pair tokens at rest: sealed as `enc:<base64>` by the OS keychain (Electron's safeStorage) when it is
 * available, plain otherwise. Pure mapping over an Encryptor, so it is tested without Electron.
 */
import type { Settings } from '../../src-shared/settings';

/** The slice of Electron's safeStorage used here. */
export interface Encryptor {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(sealed: Buffer): string;
}

/** Prefix marking a sealed token in the settings file. */
export const SEALED_PREFIX = 'enc:';

/** Result of sealing: the document to write, and whether tokens had to stay plain. */
export interface SealResult {
  settings: Settings;
  /** True when at least one token is written in plain text because no keychain is available. */
  plainTokens: boolean;
}

/** Result of opening: the usable document, and one sentence per token that could not be unsealed. */
export interface OpenResult {
  settings: Settings;
  problems: string[];
}

/** Settings as written to disk: every non-empty token sealed when the keychain allows it. */
export function sealSecrets(settings: Settings, enc: Encryptor): SealResult {
  const available = enc.isEncryptionAvailable();
  let plainTokens = false;
  const pairs = settings.pairs.map((p) => {
    if (p.token === '' || p.token.startsWith(SEALED_PREFIX)) return p;
    if (!available) {
      plainTokens = true;
      return p;
    }
    return { ...p, token: SEALED_PREFIX + enc.encryptString(p.token).toString('base64') };
  });
  return { settings: { ...settings, pairs }, plainTokens };
}

/**
 * Settings as the engine uses them: sealed tokens opened. A token that cannot be opened (keychain gone,
 * file copied from another machine) becomes empty so the pair fails with AUTH_FAILED and asks for it again,
 * rather than sending the sealed bytes as a password.
 */
export function openSecrets(settings: Settings, enc: Encryptor): OpenResult {
  const problems: string[] = [];
  const available = enc.isEncryptionAvailable();
  const pairs = settings.pairs.map((p) => {
    if (!p.token.startsWith(SEALED_PREFIX)) return p;
    if (!available) {
      problems.push(`The token of ${p.localPath} is encrypted but the system keychain is not available: enter it again`);
      return { ...p, token: '' };
    }
    try {
      return { ...p, token: enc.decryptString(Buffer.from(p.token.slice(SEALED_PREFIX.length), 'base64')) };
    } catch (err) {
      problems.push(`The token of ${p.localPath} cannot be decrypted (${(err as Error).message}): enter it again`);
      return { ...p, token: '' };
    }
  });
  return { settings: { ...settings, pairs }, problems };
}
