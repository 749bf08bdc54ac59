/**
 * Which IP addresses a fetch may connect to. Pure: no I/O, table-tested.
 * Public addresses are always allowed; non-public ones (private, loopback, link-local, CGNAT, ULA,
 * multicast, reserved, documentation, ...) only when `allowPrivate` is true or lists them.
 */
import { BlockList, isIP, isIPv4 } from 'node:net';

/** true = every address allowed; string[] = only these addresses/CIDRs among the non-public ones. */
export type AllowPrivate = boolean | string[];

export type AddressVerdict =
  | { allowed: true; address: string }
  | { allowed: false; address: string; reason: string };

/** [network, prefix, why] — every range that is not the public internet. */
const NON_PUBLIC_V4: [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
  ['255.255.255.255', 32, 'broadcast'],
];

// IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) embed an IPv4 address and are
// judged by it in `normalize`, before these ranges are consulted.
const NON_PUBLIC_V6: [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::', 96, 'IPv4-compatible'],
  ['64:ff9b:1::', 48, 'local NAT64'],
  ['100::', 64, 'discard-only'],
  ['2001:2::', 48, 'benchmarking'],
  ['2001:db8::', 32, 'documentation'],
  ['3fff::', 20, 'documentation'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

const ranges = NON_PUBLIC_V4.map(([net, prefix, why]) => ({ list: subnet(net, prefix, 'ipv4'), why })).concat(
  NON_PUBLIC_V6.map(([net, prefix, why]) => ({ list: subnet(net, prefix, 'ipv6'), why })),
);

function subnet(net: string, prefix: number, type: 'ipv4' | 'ipv6'): BlockList {
  const list = new BlockList();
  list.addSubnet(net, prefix, type);
  return list;
}

/** Parses an IPv6 literal (no zone) into 16 bytes. */
function ipv6Bytes(ip: string): Uint8Array {
  let text = ip;
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    tail.push(...dotted[1].split('.').map(Number));
    text = text.slice(0, -dotted[1].length) + '0:0';
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, null];
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = Number.parseInt(g || '0', 16);
    bytes[i * 2] = n >> 8;
    bytes[i * 2 + 1] = n & 0xff;
  });
  if (tail.length) bytes.set(tail, 12);
  return bytes;
}

/**
 * Strips brackets and zone ids and unwraps IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4),
 * so they are judged as the IPv4 address they reach. Returns null for a non-IP string.
 */
export function normalizeAddress(input: string): string | null {
  let ip = input.trim();
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  ip = ip.replace(/%.*$/, '');
  const family = isIP(ip);
  if (family === 4) return ip;
  if (family !== 6) return null;
  const b = ipv6Bytes(ip.toLowerCase());
  const v4 = (at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
  const zeros = (from: number, to: number) => b.subarray(from, to).every((x) => x === 0);
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return v4(12);
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return v4(12);
  if (b[0] === 0x20 && b[1] === 0x02) return v4(2);
  return ip.toLowerCase();
}

/** Why the address is not public, or null when it is public. Expects a normalized address. */
export function nonPublicReason(address: string): string | null {
  const type = isIPv4(address) ? 'ipv4' : 'ipv6';
  for (const r of ranges) if (r.list.check(address, type)) return r.why;
  return null;
}

/** Builds the check for one policy. Throws a TypeError naming a bad allowlist entry. */
export function createAddressPolicy(allowPrivate: AllowPrivate): (address: string) => AddressVerdict {
  const allow = Array.isArray(allowPrivate) ? allowList(allowPrivate) : null;
  return (input) => {
    const address = normalizeAddress(input);
    if (address === null) return { allowed: false, address: input, reason: 'not an IP address' };
    if (allowPrivate === true) return { allowed: true, address };
    const reason = nonPublicReason(address);
    if (reason === null) return { allowed: true, address };
    if (allow?.check(address, isIPv4(address) ? 'ipv4' : 'ipv6')) return { allowed: true, address };
    return { allowed: false, address, reason };
  };
}

function allowList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [raw, prefixText, extra] = entry.trim().split('/');
    const address = normalizeAddress(raw);
    const writtenMax = isIP(raw.replace(/^\[|\]$/g, '')) === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? writtenMax : Number(prefixText);
    if (
      address === null ||
      extra !== undefined ||
      !(Number.isInteger(prefix) && prefix >= 0 && prefix <= writtenMax)
    ) {
      throw new TypeError(`allowPrivate: "${entry}" is not an IP address or CIDR`);
    }
    const type = isIPv4(address) ? 'ipv4' : 'ipv6';
    // A v4 address written in an IPv6 form was unwrapped, so its prefix no longer counts the 96 leading bits.
    const bits = type === 'ipv4' && writtenMax === 128 ? Math.max(0, prefix - 96) : prefix;
    list.addSubnet(address, bits, type);
  }
  return list;
}
