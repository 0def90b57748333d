/**
 * The server's TLS identity: an EC P-256 key and a self-signed certificate made on first start and
 * kept in the state folder. Clients pin the certificate's SHA-256 fingerprint instead of trusting a CA.
 */
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as Selfsigned from 'selfsigned';
import { FerryError } from '../errors';

/** PEM key and certificate plus the certificate's fingerprint ('AB:CD:…', SHA-256 of the DER). */
export interface TlsIdentity {
  key: string;
  cert: string;
  fingerprint: string;
}

/** File names inside the state folder. */
export const KEY_FILE = 'tls-key.pem';
export const CERT_FILE = 'tls-cert.pem';

// The client checks the pin, not dates; a long validity just avoids confusing other tools.
const VALIDITY_YEARS = 20;

/** Load the identity from `stateDir`, or create and save one (key 0600, folder 0700) when there is none. */
export async function loadOrCreateIdentity(stateDir: string): Promise<TlsIdentity> {
  const keyPath = join(stateDir, KEY_FILE);
  const certPath = join(stateDir, CERT_FILE);
  const [key, cert] = await Promise.all([readIfExists(keyPath), readIfExists(certPath)]);
  if (key !== null && cert !== null) return checkIdentity(key, cert, stateDir);

  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const now = new Date();
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(now.getUTCFullYear() + VALIDITY_YEARS);
  // selfsigned brings a whole ASN.1/X.509 stack (~40 ms to load); only the very first start needs it. It is
  // CommonJS: the CLI bundle's chunk of it has its exports only as `default` (Node has them named as well).
  const selfsigned: typeof Selfsigned & { default?: typeof Selfsigned } = await import('selfsigned');
  const { generate } = selfsigned.default ?? selfsigned;
  const made = await generate([{ name: 'commonName', value: 'ferry-server' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000), // tolerate a slightly slow peer clock
    notAfterDate: notAfter,
  });
  // Write both under temp names, then rename: a crash never leaves a half-written key.
  const tag = randomBytes(6).toString('hex');
  await writeFile(`${keyPath}.${tag}.tmp`, made.private, { mode: 0o600 });
  await writeFile(`${certPath}.${tag}.tmp`, made.cert, { mode: 0o644 });
  try {
    await rename(`${keyPath}.${tag}.tmp`, keyPath);
    await rename(`${certPath}.${tag}.tmp`, certPath);
  } catch (err) {
    await rm(`${keyPath}.${tag}.tmp`, { force: true });
    await rm(`${certPath}.${tag}.tmp`, { force: true });
    throw err;
  }
  return { key: made.private, cert: made.cert, fingerprint: normalizeFingerprint(new X509Certificate(made.cert).fingerprint256) };
}

/** Canonical fingerprint 'AB:CD:…' (32 bytes) from hex with or without colons, any case; throws CONFIG_INVALID. */
export function normalizeFingerprint(fp: string): string {
  const hex = fp.trim().replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) {
    throw new FerryError('CONFIG_INVALID', `"${fp.slice(0, 120)}" is not a SHA-256 fingerprint (64 hex digits, colons optional)`);
  }
  return hex.match(/../g)!.join(':');
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function checkIdentity(key: string, cert: string, stateDir: string): TlsIdentity {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
    if (!x509.checkPrivateKey(createPrivateKey(key))) throw new Error('the key does not belong to the certificate');
  } catch (err) {
    throw new FerryError(
      'CONFIG_INVALID',
      `The TLS identity in ${stateDir} is unusable (${(err as Error).message}); remove ${KEY_FILE} and ${CERT_FILE} to make a new one (clients must then be given the new fingerprint)`,
      { cause: err },
    );
  }
  return { key, cert, fingerprint: normalizeFingerprint(x509.fingerprint256) };
}
