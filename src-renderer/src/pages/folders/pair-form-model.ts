/** The Add/Edit folder form's values and their conversion to the contract's input types. */
import type { ConnectionTarget, FolderPair, FolderPairInput, SyncMode } from '../../../../src-shared/model';
import { NEW_PAIR_DEFAULTS } from '../../../../src-shared/settings/schema';

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
  mode: SyncMode;
  /** Only sent as true for mirror pairs. */
  allowForeignChanges: boolean;
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
    mode: pair?.mode ?? NEW_PAIR_DEFAULTS.mode,
    allowForeignChanges: pair?.allowForeignChanges ?? NEW_PAIR_DEFAULTS.allowForeignChanges,
  };
}

/** A problem with the form and the field it belongs to, so it can be shown under that field. */
export interface FieldProblem {
  field: keyof PairFormValues;
  message: string;
}

/** First problem with the connection fields, or null when they can be tested. */
export function targetFieldProblem(v: PairFormValues): FieldProblem | null {
  if (!v.host.trim()) return { field: 'host', message: 'Enter the server’s host name or address.' };
  const port = Number(v.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { field: 'port', message: 'The port must be a number from 1 to 65535.' };
  if (!v.share.trim()) return { field: 'share', message: 'Enter a share name (the server’s default share is “default”).' };
  if (v.fingerprint.replace(/[^0-9a-fA-F]/g, '').length !== 64) {
    return { field: 'fingerprint', message: 'The fingerprint is the 64 hex digits the server prints (colons optional).' };
  }
  if (!v.token.trim()) return { field: 'token', message: 'Enter an access token created on the server.' };
  return null;
}

/** First problem with the whole form, or null. */
export function formFieldProblem(v: PairFormValues): FieldProblem | null {
  if (!v.localPath.trim()) return { field: 'localPath', message: 'Choose the local folder to sync.' };
  const rescan = Number(v.rescanMinutes);
  if (v.rescanMinutes.trim() === '' || !Number.isFinite(rescan) || rescan < 0) {
    return { field: 'rescanMinutes', message: 'The rescan interval must be 0 (off) or more minutes.' };
  }
  return targetFieldProblem(v);
}

// Input fields named by the controller's argument check ("argument 1 field port must be …") → form fields.
const INPUT_TO_FORM: Partial<Record<keyof FolderPairInput, keyof PairFormValues>> = {
  host: 'host', port: 'port', share: 'share', fingerprint: 'fingerprint', token: 'token', localPath: 'localPath',
  ignore: 'ignore', rescanIntervalSec: 'rescanMinutes',
};

/** The field a save error belongs to (the local folder it names, or the field the argument check names), or null. */
export function fieldOfSaveError(error: { code: string; message: string; path?: string }, v: PairFormValues): keyof PairFormValues | null {
  const trim = (p: string) => p.trim().replace(/[\\/]+$/, '');
  if (error.path !== undefined && trim(error.path) === trim(v.localPath)) return 'localPath';
  const named = error.code === 'CONFIG_INVALID' ? /^pair:\w+: argument \d+ field (\w+)/.exec(error.message)?.[1] : undefined;
  return (named && INPUT_TO_FORM[named as keyof FolderPairInput]) || null;
}

/** The message of targetFieldProblem, or null. */
export function targetProblem(v: PairFormValues): string | null {
  return targetFieldProblem(v)?.message ?? null;
}

/** The message of formFieldProblem, or null. */
export function formProblem(v: PairFormValues): string | null {
  return formFieldProblem(v)?.message ?? null;
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
    mode: v.mode,
    // A ticked box left behind after switching away from mirror must not travel with another mode.
    allowForeignChanges: v.mode === 'mirror' && v.allowForeignChanges,
  };
}
