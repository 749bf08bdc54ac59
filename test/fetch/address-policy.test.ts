import { describe, expect, it } from 'vitest';
import { createAddressPolicy, nonPublicReason, normalizeAddress } from '../../src/fetch/address-policy.js';

const refuseAll = createAddressPolicy(false);

describe('non-public addresses are refused by default', () => {
  it.each([
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'documentation'],
    ['198.51.100.10', 'documentation'],
    ['203.0.113.10', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:7f00:1::', 'loopback'],
    ['[::1]', 'loopback'],
  ])('%s is refused (%s)', (address, reason) => {
    const verdict = refuseAll(address);
    expect(verdict.allowed).toBe(false);
    expect(verdict.allowed === false && verdict.reason).toBe(reason);
  });
});

describe('public addresses are allowed', () => {
  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '172.15.255.255',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '169.253.255.255',
    '11.0.0.1',
    '192.169.0.1',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('%s', (address) => {
    expect(refuseAll(address).allowed).toBe(true);
    expect(nonPublicReason(normalizeAddress(address) ?? '')).toBeNull();
  });
});

describe('policies', () => {
  it('allows everything with true', () => {
    const allowAll = createAddressPolicy(true);
    for (const a of ['127.0.0.1', '10.0.0.1', '::1', '169.254.169.254'])
      expect(allowAll(a).allowed).toBe(true);
  });

  it('allows only listed addresses and CIDRs (v4 and v6) among the non-public ones', () => {
    const policy = createAddressPolicy(['127.0.0.2', '10.1.0.0/16', 'fd00::/8', '::1']);
    expect(policy('127.0.0.2').allowed).toBe(true);
    expect(policy('::ffff:127.0.0.2').allowed).toBe(true);
    expect(policy('127.0.0.3').allowed).toBe(false);
    expect(policy('10.1.200.3').allowed).toBe(true);
    expect(policy('10.2.0.1').allowed).toBe(false);
    expect(policy('fd00::5').allowed).toBe(true);
    expect(policy('fc00::5').allowed).toBe(false);
    expect(policy('::1').allowed).toBe(true);
    expect(policy('169.254.169.254').allowed).toBe(false);
    expect(policy('8.8.8.8').allowed).toBe(true);
  });

  it('accepts mapped-form allowlist entries as the IPv4 they name', () => {
    const policy = createAddressPolicy(['::ffff:10.0.0.0/104']);
    expect(policy('10.9.9.9').allowed).toBe(true);
    expect(policy('11.0.0.1').allowed).toBe(true);
    expect(policy('192.168.0.1').allowed).toBe(false);
  });

  it('refuses what is not an IP address, and rejects bad allowlist entries', () => {
    expect(refuseAll('example.com').allowed).toBe(false);
    expect(() => createAddressPolicy(['10.0.0.0/33'])).toThrow(TypeError);
    expect(() => createAddressPolicy(['10.0.0.0/8/8'])).toThrow(TypeError);
    expect(() => createAddressPolicy(['localhost'])).toThrow(TypeError);
    expect(() => createAddressPolicy(['fd00::/129'])).toThrow(TypeError);
  });
});
