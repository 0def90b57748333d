/**
 * Addresses a client can actually reach a server on, best first: never the wildcard it is bound to
 * (0.0.0.0 / ::), but each interface's own address; loopback last, for a client on the same machine.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { MAX_INVITE_HOSTS } from '../../../src-shared/invite';

/** What `os.networkInterfaces()` returns. */
export type InterfaceMap = NodeJS.Dict<NetworkInterfaceInfo[]>;

/** Names of virtual bridges (containers, VMs) that other machines rarely reach: listed after real interfaces. */
const VIRTUAL_IFACE = /^(docker|br-|veth|virbr|vmnet|vboxnet|cni|flannel|podman|lxc)/;

/** Addresses for a server bound to `boundHost` (at most MAX_INVITE_HOSTS, deduplicated). */
export function reachableAddresses(boundHost: string, ifaces: InterfaceMap = networkInterfaces()): string[] {
  const host = boundHost.trim();
  const wildcard4 = host === '' || host === '0.0.0.0';
  const wildcard6 = host === '::' || host === '[::]';
  if (!wildcard4 && !wildcard6) return [host.replace(/^\[(.*)\]$/, '$1')];
  const real: string[] = [];
  const virtual: string[] = [];
  for (const [name, list] of Object.entries(ifaces)) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      // Node listening on "::" also accepts IPv4 (dual stack); on "0.0.0.0" only IPv4.
      if (a.family === 'IPv6' && !wildcard6) continue;
      // Link-local IPv6 needs a zone (%eth0) that means nothing on the client's machine.
      if (a.family === 'IPv6' && /^fe[89ab]/i.test(a.address)) continue;
      (VIRTUAL_IFACE.test(name) ? virtual : real).push(a.address);
    }
  }
  // IPv4 first: more home networks route it, and it is shorter to read out.
  const byFamily = (xs: string[]) => [...xs.filter((x) => !x.includes(':')), ...xs.filter((x) => x.includes(':'))];
  const ordered = [...new Set([...byFamily(real), ...byFamily(virtual)])];
  return [...ordered.slice(0, MAX_INVITE_HOSTS - 1), '127.0.0.1'];
}
