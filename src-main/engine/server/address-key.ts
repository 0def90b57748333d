/** The unit the server's per-address limits count by: an IPv4 address, or the /64 network of an IPv6 address. */
import { isIPv6 } from 'node:net';

/**
 * `::ffff:10.0.0.1` → `10.0.0.1`; `2001:db8:1:2:3:4:5:6` → `2001:db8:1:2::/64` (one host usually holds a whole
 * /64, so counting single IPv6 addresses would let it take as many slots as it likes); anything else as given.
 */
export function addressKey(remote: string | undefined): string {
  if (remote === undefined || remote === '') return '?';
  const lower = remote.toLowerCase();
  if (lower.startsWith('::ffff:') && lower.includes('.')) return lower.slice(7);
  if (!isIPv6(lower)) return lower;
  const [head = '', tail] = lower.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  if (lower === '::1') return '::1';
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
