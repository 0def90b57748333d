/**
 * The web GUI password: scrypt (node:crypto) with a random salt, its parameters recorded beside the hash,
 * in `STATE/gui-password.json` (mode 0600). Read on every login, so `ferry gui-password` takes effect in
 * a running daemon at once.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '../../engine/errors';
import { writeSecretFile } from './gui-sessions';

/** File name of the hash in the daemon's state folder. */
export const PASSWORD_FILE = 'gui-password.json';

/** Shortest password accepted: the hash is offline-attackable by whoever can read the state folder. */
export const MIN_PASSWORD_LENGTH = 8;
/** Longest password accepted (bounds the work one login request can cause). */
export const MAX_PASSWORD_LENGTH = 1024;

/** scrypt parameters: N=2^15, r=8, p=1 (RFC 7914: 32 MiB of memory per hash; 0.8-0.9 s measured on this loaded 2-core machine). */
const PARAMS = { N: 32768, r: 8, p: 1, keyLength: 32 } as const;

/** What the file holds. `changedAt` lets sessions made with an older password be refused. */
export interface PasswordRecord {
  version: 1;
  algorithm: 'scrypt';
  N: number;
  r: number;
  p: number;
  keyLength: number;
  salt: string;
  hash: string;
  changedAt: number;
}

/** FerryError CONFIG_INVALID unless the password is within the length limits. */
export function assertPasswordAcceptable(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new FerryError('CONFIG_INVALID', `The password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new FerryError('CONFIG_INVALID', `The password may have at most ${MAX_PASSWORD_LENGTH} characters`);
}

/** A new record for `password` (fresh 16-byte salt). */
export async function hashPassword(password: string, now = Date.now()): Promise<PasswordRecord> {
  assertPasswordAcceptable(password);
  const salt = randomBytes(16);
  const hash = await derive(password, salt, PARAMS);
  return { version: 1, algorithm: 'scrypt', ...PARAMS, salt: salt.toString('base64'), hash: hash.toString('base64'), changedAt: now };
}

/** True when `password` matches; the comparison takes the same time wherever the first difference is. */
export async function verifyPassword(record: PasswordRecord, password: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  const expected = Buffer.from(record.hash, 'base64');
  const got = await derive(password, Buffer.from(record.salt, 'base64'), record);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** The stored record, or null when no password was set. A damaged file is an error, never "no password". */
export async function readPassword(stateDir: string): Promise<PasswordRecord | null> {
  const file = join(stateDir, PASSWORD_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const r = safeParse(text);
  if (!r) throw new FerryError('CONFIG_INVALID', `${file} is damaged: set the password again with "ferry gui-password"`);
  return r;
}

/** Store `record` atomically with mode 0600 (the folder 0700). */
export async function writePassword(stateDir: string, record: PasswordRecord): Promise<void> {
  await writeSecretFile(stateDir, join(stateDir, PASSWORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

function derive(password: string, salt: Buffer, p: { N: number; r: number; p: number; keyLength: number }): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node's default maxmem (32 MiB) is exactly that for N=2^15, r=8: leave room.
  const opts: ScryptOptions = { N: p.N, r: p.r, p: p.p, maxmem: 256 * p.N * p.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, p.keyLength, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

function safeParse(text: string): PasswordRecord | null {
  try {
    const r = JSON.parse(text) as Partial<PasswordRecord>;
    const ints = [r.N, r.r, r.p, r.keyLength, r.changedAt].every((n) => Number.isSafeInteger(n) && (n as number) > 0);
    // Bounded parameters: a tampered file must not make each login allocate gigabytes.
    const bounded = (r.N ?? 0) <= 1 << 20 && (r.r ?? 0) <= 32 && (r.p ?? 0) <= 16 && (r.keyLength ?? 0) <= 128;
    if (r.version !== 1 || r.algorithm !== 'scrypt' || !ints || !bounded || typeof r.salt !== 'string' || typeof r.hash !== 'string') return null;
    return r as PasswordRecord;
  } catch {
    return null;
  }
}
