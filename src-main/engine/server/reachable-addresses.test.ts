import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { reachableAddresses, type InterfaceMap } from './reachable-addresses';

function v4(address: string, internal = false): NetworkInterfaceInfo {
  return { address, family: 'IPv4', internal, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: `${address}/24` };
}
function v6(address: string, internal = false): NetworkInterfaceInfo {
  return { address, family: 'IPv6', internal, netmask: 'ffff:ffff:ffff:ffff::', mac: '00:00:00:00:00:00', cidr: `${address}/64`, scopeid: 0 };
}

const IFACES: InterfaceMap = {
  lo: [v4('127.0.0.1', true), v6('::1', true)],
  docker0: [v4('172.17.0.1')],
  eth0: [v4('192.168.1.20'), v6('fe80::1c2:3ff:fe4:5'), v6('2001:db8::20')],
  wlan0: [v4('10.0.0.7')],
};

describe('reachableAddresses', () => {
  it('never offers the wildcard: each real IPv4 address, then virtual bridges, then loopback last', () => {
    expect(reachableAddresses('0.0.0.0', IFACES)).toEqual(['192.168.1.20', '10.0.0.7', '172.17.0.1', '127.0.0.1']);
    expect(reachableAddresses('', IFACES)).toEqual(['192.168.1.20', '10.0.0.7', '172.17.0.1', '127.0.0.1']);
  });

  it('on "::" adds global IPv6 addresses after IPv4, never link-local ones', () => {
    expect(reachableAddresses('::', IFACES)).toEqual(['192.168.1.20', '10.0.0.7', '2001:db8::20', '172.17.0.1', '127.0.0.1']);
  });

  it('a server bound to one address is reached only there', () => {
    expect(reachableAddresses('192.168.1.20', IFACES)).toEqual(['192.168.1.20']);
    expect(reachableAddresses('127.0.0.1', IFACES)).toEqual(['127.0.0.1']);
    expect(reachableAddresses('[2001:db8::20]', IFACES)).toEqual(['2001:db8::20']);
    expect(reachableAddresses('nas.local', IFACES)).toEqual(['nas.local']);
  });

  it('a machine with only loopback offers loopback; duplicates and long lists are trimmed to 8', () => {
    expect(reachableAddresses('0.0.0.0', { lo: [v4('127.0.0.1', true)] })).toEqual(['127.0.0.1']);
    const many: InterfaceMap = { eth0: Array.from({ length: 12 }, (_, i) => v4(`10.0.0.${i}`)), eth1: [v4('10.0.0.1')] };
    const got = reachableAddresses('0.0.0.0', many);
    expect(got).toHaveLength(8);
    expect(got.at(-1)).toBe('127.0.0.1');
    expect(new Set(got).size).toBe(8);
  });
});
