import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeInvite, encodeInvite, INVITE_PREFIX, looksLikeInvite, type Invite } from '../../src-shared/invite';

const FP = Array.from({ length: 32 }, (_, i) => (i * 37 + 11).toString(16).toUpperCase().padStart(2, '0').slice(-2)).join(':');
const TOKEN = 'Qx3_-abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0'; // 43 base64url characters, like TokenStore's
const INVITE: Invite = { hosts: ['192.168.1.20', 'fd00::1', 'nas.local', '127.0.0.1'], port: 7443, share: 'photos_2024.bak', fingerprint: FP, token: TOKEN };

/** A record with a valid checksum around arbitrary bytes, to test what the checksum cannot catch. */
function withCrc(body: number[]): string {
  const crc = crc32(Buffer.from(body));
  const all = Buffer.concat([Buffer.from(body), Buffer.from([crc >>> 24, (crc >>> 16) & 255, (crc >>> 8) & 255, crc & 255])]);
  return INVITE_PREFIX + all.toString('base64url');
}

function errorOf(text: string): string {
  const r = decodeInvite(text);
  if (r.ok) throw new Error('decoded');
  return r.error;
}

describe('invite', () => {
  it('round-trips every field, and is copy-paste safe (one word, URL-safe characters)', () => {
    const s = encodeInvite(INVITE);
    expect(s.startsWith('ferry1:')).toBe(true);
    expect(s.slice(INVITE_PREFIX.length)).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeInvite(s)).toEqual({ ok: true, invite: INVITE });
    expect(looksLikeInvite(`  ${s}`)).toBe(true);
    expect(s.length).toBeLessThan(200);
  });

  it('accepts a fingerprint in any case with or without colons and returns the canonical form', () => {
    const s = encodeInvite({ ...INVITE, fingerprint: FP.replace(/:/g, '').toLowerCase() });
    const r = decodeInvite(s);
    expect(r.ok && r.invite.fingerprint).toBe(FP);
  });

  it('matches the IEEE CRC-32 (the checksum is the standard one)', () => {
    const s = encodeInvite(INVITE);
    const raw = Buffer.from(s.slice(INVITE_PREFIX.length), 'base64url');
    expect(raw.readUInt32BE(raw.length - 4)).toBe(crc32(raw.subarray(0, -4)));
  });

  it('ignores whitespace and line breaks from wrapped terminal lines', () => {
    const s = encodeInvite(INVITE);
    const wrapped = `\n  ${s.slice(0, 50)}\n${s.slice(50, 120)} \r\n\t${s.slice(120)}\n`;
    expect(decodeInvite(wrapped)).toEqual({ ok: true, invite: INVITE });
    for (const quoted of [`'${s}'`, `"${s}"`, `\`${s}\``, `<${s}>`]) expect(decodeInvite(quoted)).toEqual({ ok: true, invite: INVITE });
  });

  it('refuses every truncation with a clear message', () => {
    const s = encodeInvite(INVITE);
    for (let n = INVITE_PREFIX.length; n < s.length; n++) {
      expect(decodeInvite(s.slice(0, n)).ok).toBe(false);
    }
    expect(errorOf(s.slice(0, -3))).toMatch(/damaged or incomplete|copy/);
    expect(errorOf(INVITE_PREFIX)).toMatch(/incomplete/);
  });

  it('refuses every single-character change', () => {
    const s = encodeInvite(INVITE);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = INVITE_PREFIX.length; i < s.length; i++) {
      const other = alphabet[(alphabet.indexOf(s[i]!) + 17) % 64]!;
      const changed = s.slice(0, i) + other + s.slice(i + 1);
      const r = decodeInvite(changed);
      // The last character may carry only padding bits; a change there that decodes identically is harmless.
      if (r.ok) expect(r.invite).toEqual(INVITE);
      else expect(r.error).toMatch(/copy|malformed/);
    }
  });

  it('says what is wrong with text that is not an invite', () => {
    expect(errorOf('')).toMatch(/empty/);
    expect(errorOf('   ')).toMatch(/empty/);
    expect(errorOf('192.168.1.20:7443')).toMatch(/not a Ferry invite/);
    expect(errorOf('ferry2:AAAA')).toMatch(/format 2.*update Ferry/);
    expect(errorOf('ferry1:abc$def')).toMatch(/characters/);
    expect(errorOf('ferry1:A')).toMatch(/characters|incomplete/);
    expect(looksLikeInvite('nas.local')).toBe(false);
  });

  it('refuses well-checksummed records whose fields are wrong', () => {
    const fp = Array.from({ length: 32 }, (_, i) => i);
    const text = (t: string) => [t.length, ...[...t].map((c) => c.charCodeAt(0))];
    const good = [1, ...fp, 0x1d, 0x13, ...text('tok'), ...text('default'), 1, ...text('h')];
    expect(decodeInvite(withCrc(good)).ok).toBe(true);
    expect(errorOf(withCrc([2, ...good.slice(1)]))).toMatch(/version 2/);
    expect(errorOf(withCrc([...good, 0]))).toMatch(/malformed/); // trailing byte
    expect(errorOf(withCrc(good.slice(0, -2)))).toMatch(/malformed/); // host cut short
    expect(errorOf(withCrc([1, ...fp, 0, 0, ...text('tok'), ...text('default'), 1, ...text('h')]))).toMatch(/port 0/);
    expect(errorOf(withCrc([1, ...fp, 0x1d, 0x13, ...text('tok'), ...text('../x'), 1, ...text('h')]))).toMatch(/share/);
    expect(errorOf(withCrc([1, ...fp, 0x1d, 0x13, ...text('tok'), ...text('default'), 0]))).toMatch(/no address/);
    expect(errorOf(withCrc([1, ...fp, 0x1d, 0x13, ...text('tok'), ...text('default'), 1, 2, 0x68, 0x01]))).toMatch(/malformed/); // control char
    expect(errorOf(withCrc([1, ...fp, 0x1d, 0x13, ...text('to ken'), ...text('default'), 1, ...text('h')]))).toMatch(/token/);
  });

  it('refuses to encode bad fields', () => {
    expect(() => encodeInvite({ ...INVITE, hosts: [] })).toThrow(/no address/);
    expect(() => encodeInvite({ ...INVITE, hosts: ['a b'] })).toThrow(/bad address/);
    expect(() => encodeInvite({ ...INVITE, hosts: Array(9).fill('h') })).toThrow(/more than 8/);
    expect(() => encodeInvite({ ...INVITE, port: 70000 })).toThrow(/port/);
    expect(() => encodeInvite({ ...INVITE, fingerprint: 'AB:CD' })).toThrow(/fingerprint/);
    expect(() => encodeInvite({ ...INVITE, token: 'not/base64url' })).toThrow(/token/);
  });
});
