/**
 * Invites: one copy-paste string that holds everything a client needs to pair with a share —
 * the server's addresses (tried in order), port, share, certificate fingerprint and an access token.
 *
 * Form: `ferry1:` + base64url of a small binary record ending in a CRC-32, so a truncated or mistyped
 * invite is refused with a clear message instead of connecting somewhere wrong. Whitespace anywhere is
 * ignored (terminals wrap long lines). Pure: no Node, no DOM (hand-rolled base64url and CRC-32).
 */

/** What an invite carries. */
export interface Invite {
  /** Host names or IP addresses, best first (a client tries them in order). */
  hosts: string[];
  port: number;
  share: string;
  /** SHA-256 of the server certificate, canonical `AB:CD:…` (95 characters). */
  fingerprint: string;
  /** The access token secret. */
  token: string;
}

/** Result of decoding: the invite, or a sentence for the user saying what is wrong. */
export type InviteDecodeResult = { ok: true; invite: Invite } | { ok: false; error: string };

/** Prefix of every invite; the digit is the format version. */
export const INVITE_PREFIX = 'ferry1:';

const VERSION = 1;
/** More addresses than this make the QR code dense and the client slow to give up. */
export const MAX_INVITE_HOSTS = 8;
const HOST_RE = /^[A-Za-z0-9.:%_-]{1,253}$/;
const SHARE_RE = /^[\w.-]{1,128}$/;
const TOKEN_RE = /^[A-Za-z0-9_-]{1,255}$/;
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Encode an invite; throws a plain Error naming the bad field (a programming error, not user input). */
export function encodeInvite(invite: Invite): string {
  const problem = inviteProblem(invite);
  if (problem) throw new Error(`Cannot make an invite: ${problem}`);
  const fp = fingerprintBytes(invite.fingerprint)!;
  const bytes: number[] = [VERSION, ...fp, invite.port >> 8, invite.port & 0xff];
  const pushText = (s: string): void => {
    bytes.push(s.length);
    for (let i = 0; i < s.length; i++) bytes.push(s.charCodeAt(i));
  };
  pushText(invite.token);
  pushText(invite.share);
  bytes.push(invite.hosts.length);
  for (const h of invite.hosts) pushText(h);
  const crc = crc32(bytes);
  bytes.push((crc >>> 24) & 0xff, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff);
  return INVITE_PREFIX + toBase64Url(bytes);
}

/** Decode a pasted invite (whitespace and surrounding quotes ignored); never throws. */
export function decodeInvite(text: string): InviteDecodeResult {
  const fail = (error: string): InviteDecodeResult => ({ ok: false, error });
  // Quotes or angle brackets often come along when an invite is copied out of a command line or a chat message.
  const s = text.replace(/\s+/g, '').replace(/^(['"`<])(.*)(['"`>])$/, '$2');
  if (s === '') return fail('The invite is empty.');
  const prefix = /^ferry(\d+):/i.exec(s);
  if (!prefix) return fail('This is not a Ferry invite: an invite starts with “ferry1:”.');
  if (prefix[1] !== '1') return fail(`This invite is format ${prefix[1]}, newer than this Ferry understands (1): update Ferry.`);
  const bytes = fromBase64Url(s.slice(prefix[0].length));
  if (!bytes) return fail('The invite contains characters that cannot be part of an invite: copy it again.');
  if (bytes.length < 4 + 1 + 32 + 2 + 3) return fail('The invite is incomplete: copy all of it again.');
  const body = bytes.slice(0, -4);
  const sum = bytes.slice(-4);
  const crc = crc32(body);
  if (((sum[0]! << 24) | (sum[1]! << 16) | (sum[2]! << 8) | sum[3]!) >>> 0 !== crc) {
    return fail('The invite is damaged or incomplete (its checksum does not match): copy all of it again.');
  }
  const r = new Reader(body);
  const version = r.byte();
  if (version !== VERSION) return fail(`This invite's record is version ${version}, which this Ferry does not understand: update Ferry.`);
  const fp = r.bytes(32);
  const port = fp ? ((r.byte() ?? -1) << 8) | (r.byte() ?? -1) : -1;
  const token = r.text();
  const share = r.text();
  const count = r.byte();
  const hosts: string[] = [];
  for (let i = 0; i < (count ?? 0); i++) {
    const h = r.text();
    if (h === undefined) break;
    hosts.push(h);
  }
  if (!fp || token === undefined || share === undefined || count === undefined || hosts.length !== count || !r.atEnd()) {
    return fail('The invite is malformed: ask the server for a new one.');
  }
  const invite: Invite = { hosts, port, share, fingerprint: fingerprintText(fp), token };
  const problem = inviteProblem(invite);
  return problem ? fail(`The invite is malformed (${problem}): ask the server for a new one.`) : { ok: true, invite };
}

/** True when `text` looks like an invite at all (its prefix), e.g. to route a paste. */
export function looksLikeInvite(text: string): boolean {
  return /^\s*ferry\d+:/i.test(text);
}

/** First problem with an invite's fields, or null. */
export function inviteProblem(inv: Invite): string | null {
  if (inv.hosts.length === 0) return 'no address';
  if (inv.hosts.length > MAX_INVITE_HOSTS) return `more than ${MAX_INVITE_HOSTS} addresses`;
  for (const h of inv.hosts) if (!HOST_RE.test(h)) return `bad address “${h.slice(0, 60)}”`;
  if (!Number.isInteger(inv.port) || inv.port < 1 || inv.port > 65535) return `bad port ${inv.port}`;
  if (!SHARE_RE.test(inv.share)) return `bad share name “${inv.share.slice(0, 60)}”`;
  if (!TOKEN_RE.test(inv.token)) return 'bad token';
  if (!fingerprintBytes(inv.fingerprint)) return 'bad fingerprint';
  return null;
}

function fingerprintBytes(fp: string): number[] | null {
  const hex = fp.replace(/:/g, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return null;
  const out: number[] = [];
  for (let i = 0; i < 64; i += 2) out.push(parseInt(hex.slice(i, i + 2), 16));
  return out;
}

function fingerprintText(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':');
}

/** Bounded reads from the record: undefined past the end, never an exception. */
class Reader {
  private at = 0;
  constructor(private readonly b: readonly number[]) {}
  byte(): number | undefined {
    return this.at < this.b.length ? this.b[this.at++] : undefined;
  }
  bytes(n: number): number[] | undefined {
    if (this.at + n > this.b.length) return undefined;
    const out = this.b.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }
  text(): string | undefined {
    const n = this.byte();
    if (n === undefined) return undefined;
    const raw = this.bytes(n);
    // ASCII only: every field's pattern is ASCII, so anything else is damage.
    if (!raw || raw.some((c) => c < 0x20 || c > 0x7e)) return undefined;
    return String.fromCharCode(...raw);
  }
  atEnd(): boolean {
    return this.at === this.b.length;
  }
}

function toBase64Url(bytes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let k = 0; k < chars; k++) out += B64[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}

function fromBase64Url(s: string): number[] | null {
  const t = s.replace(/=+$/, '');
  if (t.length % 4 === 1) return null;
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of t) {
    const v = B64.indexOf(ch);
    if (v < 0) return null;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return out;
}

let crcTable: number[] | null = null;

/** CRC-32 (IEEE), as in zip and PNG. */
function crc32(bytes: readonly number[]): number {
  crcTable ??= Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
