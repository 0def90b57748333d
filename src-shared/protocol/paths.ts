/**
 * Share-relative path rules, pure: used by the client before sending and by the server
 * before touching the disk (the server also checks symlinks on disk, which needs I/O).
 */
import { STATE_DIR_NAME } from './limits';

/** Why a relative path was refused, or null when it is acceptable. */
export function relPathProblem(p: string): string | null {
  if (p.length === 0) return 'empty path';
  if (p.includes('\0')) return 'NUL byte in path';
  if (p.includes('\\')) return 'backslash in path (paths are POSIX form)';
  if (p.startsWith('/')) return 'absolute path';
  if (/^[A-Za-z]:/.test(p)) return 'drive letter in path';
  if (p !== p.normalize('NFC')) return 'path is not NFC-normalised';
  const parts = p.split('/');
  for (const part of parts) {
    if (part === '' ) return 'empty path segment';
    if (part === '.' || part === '..') return `"${part}" segment in path`;
  }
  if (parts[0] === STATE_DIR_NAME) return `${STATE_DIR_NAME} is reserved`;
  return null;
}

/** True when `p` is a valid share-relative path. */
export function isSafeRelPath(p: string): boolean {
  return relPathProblem(p) === null;
}

/** Parent of a relative path ('' for top level). */
export function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/** True when `p` is `dir` itself or lies beneath it. */
export function isWithin(p: string, dir: string): boolean {
  return dir === '' || p === dir || p.startsWith(dir + '/');
}
