/** "Paste invite" in the Add folder dialog: the form values an invite fills in (pure; the dialog tries the addresses). */
import { decodeInvite } from '../../../../src-shared/invite';
import type { ConnectionTarget } from '../../../../src-shared/model';
import type { PairFormValues } from './pair-form-model';

/** Result of pasting: the filled values plus every address to try in order, or why the text is no invite. */
export type InviteFill = { ok: true; values: PairFormValues; hosts: string[] } | { ok: false; error: string };

/** Fill server, port, share, fingerprint and token from `text`; the folder and the other settings stay as they are. */
export function fillFromInvite(values: PairFormValues, text: string): InviteFill {
  const r = decodeInvite(text);
  if (!r.ok) return r;
  const { hosts, port, share, fingerprint, token } = r.invite;
  return { ok: true, hosts, values: { ...values, host: hosts[0]!, port: String(port), share, fingerprint, token } };
}

/** The connection to test for one of the invite's addresses. */
export function targetAt(values: PairFormValues, host: string): ConnectionTarget {
  return { host, port: Number(values.port), share: values.share, fingerprint: values.fingerprint, token: values.token };
}
