/** The Add/Edit folder form's values and their conversion to the contract's input types. */
import type { ConnectionTarget, FolderPair, FolderPairInput } from '../../../../src-shared/model';

/** Form values as typed (strings), before validation. */
export interface PairFormValues {
  localPath: string;
  host: string;
  port: string;
  share: string;
  fingerprint: string;
  token: string;
  ignore: string;
  rescanMinutes: string;
  allowEmptyRoot: boolean;
}

/** Default protocol port, matching the server settings' default. */
export const DEFAULT_PORT = 7443;

/** Values for a new pair, or for editing `pair`. */
export function initialValues(pair?: FolderPair): PairFormValues {
  return {
    localPath: pair?.localPath ?? '',
    host: pair?.host ?? '',
    port: String(pair?.port ?? DEFAULT_PORT),
    share: pair?.share ?? 'default',
    fingerprint: pair?.fingerprint ?? '',
    token: pair?.token ?? '',
    ignore: pair?.ignore.join('\n') ?? '',
    rescanMinutes: String(Math.round((pair?.rescanIntervalSec ?? 3600) / 60)),
    allowEmptyRoot: pair?.allowEmptyRoot ?? false,
  };
}

/** First problem with the connection fields, or null when they can be tested. */
export function targetProblem(v: PairFormValues): string | null {
  if (!v.host.trim()) return 'Enter the server’s host name or address.';
  const port = Number(v.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return 'The port must be a number from 1 to 65535.';
  if (!v.share.trim()) return 'Enter a share name (the server’s default share is “default”).';
  if (v.fingerprint.replace(/[^0-9a-fA-F]/g, '').length !== 64) return 'The fingerprint is the 64 hex digits the server prints (colons optional).';
  if (!v.token.trim()) return 'Enter an access token created on the server.';
  return null;
}

/** First problem with the whole form, or null. */
export function formProblem(v: PairFormValues): string | null {
  if (!v.localPath.trim()) return 'Choose the local folder to sync.';
  const rescan = Number(v.rescanMinutes);
  if (v.rescanMinutes.trim() === '' || !Number.isFinite(rescan) || rescan < 0) return 'The rescan interval must be 0 (off) or more minutes.';
  return targetProblem(v);
}

/** The connection part, for `pair:test`. */
export function toTarget(v: PairFormValues): ConnectionTarget {
  return { host: v.host.trim(), port: Number(v.port), share: v.share.trim(), fingerprint: v.fingerprint.trim(), token: v.token.trim() };
}

/** The whole input, for `pair:add` / `pair:update`. */
export function toInput(v: PairFormValues, paused: boolean): FolderPairInput {
  return {
    ...toTarget(v),
    localPath: v.localPath.trim(),
    paused,
    ignore: v.ignore.split('\n').map((l) => l.trim()).filter((l) => l.length > 0),
    rescanIntervalSec: Math.round(Number(v.rescanMinutes) * 60),
    allowEmptyRoot: v.allowEmptyRoot,
  };
}
