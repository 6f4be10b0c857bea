import { Token } from 'aws-cdk-lib';
import { CidrBlock, NetworkUtils } from 'aws-cdk-lib/aws-ec2';

/** Not exported from the barrel: address helpers for the failover construct. */

/** The address family of a literal IP address, or undefined when it is not one. */
export function ipFamily(address: string): 'ipv4' | 'ipv6' | undefined {
  if (NetworkUtils.validIp(address)) return 'ipv4';
  if (parseIpv6(address) !== undefined) return 'ipv6';
  return undefined;
}

/**
 * IPv4 blocks Route 53 health checkers can't check: local, private, shared (CGNAT), link-local,
 * documentation, benchmarking, multicast and reserved ranges (Route 53 API reference,
 * HealthCheckConfig IPAddress: "Route 53 can't check the health of endpoints for which the IP
 * address is in local, private, non-routable, or multicast ranges", citing RFC 5735 and RFC 6598).
 */
const NON_PUBLIC_IPV4 = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
  '192.0.0.0/24', '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24',
  '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4',
].map((c) => new CidrBlock(c));

/** IPv6 prefixes Route 53 can't check (RFC 5156 special-use addresses), as [prefix bits as hex groups, length]. */
const NON_PUBLIC_IPV6: Array<[number[], number]> = [
  [[0, 0, 0, 0, 0, 0, 0, 0], 128], // unspecified
  [[0, 0, 0, 0, 0, 0, 0, 1], 128], // loopback
  [[0, 0, 0, 0, 0, 0xffff, 0, 0], 96], // IPv4-mapped
  [[0xfc00, 0, 0, 0, 0, 0, 0, 0], 7], // unique local
  [[0xfe80, 0, 0, 0, 0, 0, 0, 0], 10], // link-local
  [[0xff00, 0, 0, 0, 0, 0, 0, 0], 8], // multicast
  [[0x2001, 0x0db8, 0, 0, 0, 0, 0, 0], 32], // documentation
];

/**
 * Why Route 53 health checkers can't reach `address`, or undefined when it is public (or a token).
 */
export function nonPublicReason(address: string): string | undefined {
  if (Token.isUnresolved(address)) return undefined;
  const family = ipFamily(address);
  if (family === 'ipv4') {
    const n = NetworkUtils.ipToNum(address);
    const block = NON_PUBLIC_IPV4.find((b) => b.minAddress() <= n && n <= b.maxAddress());
    return block ? `is in ${block.cidr}, a private, local or non-routable range` : undefined;
  }
  if (family === 'ipv6') {
    const groups = parseIpv6(address)!;
    const hit = NON_PUBLIC_IPV6.find(([prefix, len]) => matchesPrefix(groups, prefix, len));
    return hit ? `is in ${formatIpv6(hit[0])}/${hit[1]}, a private, local or non-routable range` : undefined;
  }
  return undefined;
}

/** Eight 16-bit groups of an IPv6 address, or undefined when it isn't one. */
function parseIpv6(address: string): number[] | undefined {
  if (!/^[0-9a-fA-F:]+$/.test(address) || !address.includes(':')) return undefined;
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const part = (s: string) => (s === '' ? [] : s.split(':'));
  const head = part(halves[0]);
  const tail = halves.length === 2 ? part(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (all.some((g) => g.length < 1 || g.length > 4)) return undefined;
  return all.map((g) => parseInt(g, 16));
}

function matchesPrefix(groups: number[], prefix: number[], len: number): boolean {
  const bits = (gs: number[]) => gs.map((g) => g.toString(2).padStart(16, '0')).join('');
  return bits(groups).slice(0, len) === bits(prefix).slice(0, len);
}

function formatIpv6(groups: number[]): string {
  const hex = groups.map((g) => g.toString(16));
  const s = hex.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
  return s;
}
