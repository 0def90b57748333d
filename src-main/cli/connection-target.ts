/** The share a client command connects to, from its connection flags, an invite, a config file and FERRY_TOKEN. */
import type { ConnectionTarget } from '../../src-shared/model';
import { FerryError } from '../engine/errors';
import { parseHostPort } from './config-file';
import { targetFromInvite } from './invite-target';

/** The connection flags shared by `ferry sync` and `ferry versions`. */
export interface ConnectionFlags {
  server?: string;
  share?: string;
  fingerprint?: string;
  token?: string;
  invite?: string;
}

/** The value, or CONFIG_INVALID naming the flag. */
export function need(v: string | undefined, flag: string): string {
  if (!v) throw new FerryError('CONFIG_INVALID', `Missing ${flag} (give it on the command line or in --config)`);
  return v;
}

/**
 * Flags first; an invite (`--invite`, else FERRY_INVITE) fills in what they leave out, in place of the config file's
 * connection fields; the token may also come from FERRY_TOKEN (which ps does not show).
 */
export async function resolveConnectionTarget(flags: ConnectionFlags, file: ConnectionFlags = {}): Promise<ConnectionTarget> {
  const inviteText = flags.invite ?? process.env.FERRY_INVITE;
  const invited = inviteText ? await targetFromInvite(inviteText, !flags.server) : null;
  const { host, port } = flags.server || !invited ? parseHostPort(need(flags.server ?? file.server, '--server'), '--server') : invited;
  return {
    host, port,
    share: flags.share ?? invited?.share ?? file.share ?? 'default',
    fingerprint: need(flags.fingerprint ?? invited?.fingerprint ?? file.fingerprint, '--fingerprint'),
    token: need(flags.token ?? invited?.token ?? file.token ?? process.env.FERRY_TOKEN, '--token'),
  };
}
