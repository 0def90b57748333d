/** Human formatting of sizes, rates, durations and times; pure, so it is unit-tested. */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** "0 B", "812 B", "1.4 MB" — decimal units, like file managers show. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0 B';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits).replace(/\.0+$|(\.\d*[1-9])0+$/, '$1')} ${UNITS[unit]}`;
}

/** "3.2 MB/s"; empty when no time has passed yet. */
export function formatRate(bytes: number, ms: number): string {
  if (ms <= 0 || bytes <= 0) return '';
  return `${formatBytes((bytes * 1000) / ms)}/s`;
}

/** "just now", "5 s ago", "3 min ago", "2 h ago", "4 days ago". */
export function formatAgo(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} days ago`;
}

/** Local date and time, short: "25 Nov, 14:03:12". */
export function formatDateTime(at: number): string {
  return new Date(at).toLocaleString(undefined, {
    day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
}

/** "1 file", "3 files". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/** Share of `size` that did not need sending (chunks reused), 0..1; 0 when nothing was saved. */
export function savedRatio(size: number, bytesSent: number): number {
  if (size <= 0 || bytesSent >= size) return 0;
  return (size - Math.max(0, bytesSent)) / size;
}

/** Last path segment, for naming a folder pair compactly; works for / and \ separators. */
export function baseName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  if (trimmed === '') return path; // the root itself
  const i = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return i >= 0 ? trimmed.slice(i + 1) || trimmed : trimmed;
}

/** Fingerprint grouped in colon pairs, upper case, as certificate tools print it. */
export function formatFingerprint(hex: string): string {
  const clean = hex.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  return clean.match(/.{1,2}/g)?.join(':') ?? '';
}
