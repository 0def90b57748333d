/** Stable error codes shared by server, client, CLI and UI. Never renumber or rename. */
export const ERROR_CODES = [
  'PROTOCOL_VERSION',
  'BAD_FRAME',
  'FRAME_TOO_LARGE',
  'NOT_AUTHENTICATED',
  'AUTH_FAILED',
  'UNKNOWN_SHARE',
  'PATH_OUTSIDE_SHARE',
  'PATH_INVALID',
  'NOT_FOUND',
  'TRANSFER_UNKNOWN',
  'HASH_MISMATCH',
  'IO_ERROR',
  'DISK_FULL',
  'FINGERPRINT_MISMATCH',
  'TLS_ERROR',
  'CONNECTION_LOST',
  'CONNECT_FAILED',
  'TIMEOUT',
  'SAFETY_HALT',
  'CONFIG_INVALID',
  'INTERNAL',
  'FOREIGN_CHANGES',
  'NAME_CLASH',
] as const;

/** One of the stable error codes. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error as a value: stable code + one human sentence (+ the path it concerns, if any). */
export interface FerryErrorInfo {
  code: ErrorCode;
  message: string;
  path?: string;
}

/** True when `value` is a known error code. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
