import { isIPv6 } from 'net';

/** An IPv6 CIDR parsed into its numeric bounds. */
export interface Ipv6Range {
  readonly cidr: string;
  readonly prefix: number;
  readonly first: bigint;
  readonly last: bigint;
}

/** The 128-bit value of an IPv6 address that Node's `net.isIPv6` accepts (IPv4-embedded forms included). */
function ipv6ToBigInt(address: string): bigint {
  let text = address;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    text = `${text.slice(0, v4.index)}${(a * 256 + b).toString(16)}:${(c * 256 + d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].reduce((acc, g) => acc * 65536n + BigInt(parseInt(g, 16)), 0n);
}

/**
 * Parses an IPv6 CIDR whose address is its network address (host bits zero), e.g.
 * `2001:db8::/32` or `::/0`; undefined for anything else (IPv4, a bare address, host bits set).
 */
export function parseIpv6Cidr(cidr: string): Ipv6Range | undefined {
  const m = /^([0-9A-Fa-f:.]+)\/(\d{1,3})$/.exec(cidr);
  if (!m || !isIPv6(m[1])) return undefined;
  const prefix = Number(m[2]);
  if (prefix > 128) return undefined;
  const value = ipv6ToBigInt(m[1]);
  const size = 2n ** BigInt(128 - prefix);
  if (value % size !== 0n) return undefined;
  return { cidr, prefix, first: value, last: value + size - 1n };
}

/**
 * The global unicast space, 2000::/3: every IPv6 address on the internet today. A block that
 * covers it admits the whole IPv6 internet, like `::/0`.
 * @see https://www.iana.org/assignments/ipv6-address-space/ipv6-address-space.xhtml
 */
const GLOBAL_UNICAST = parseIpv6Cidr('2000::/3')!;

/** True when the IPv6 CIDR covers the whole IPv6 internet (`::/0`, or any block containing 2000::/3). */
export function coversIpv6Internet(cidr: string): boolean {
  const r = parseIpv6Cidr(cidr);
  return r !== undefined && r.first <= GLOBAL_UNICAST.first && GLOBAL_UNICAST.last <= r.last;
}

/** True for a CIDR that names every address of its family: `0.0.0.0/0` or `::/0` (however written). */
export function isAnyAddress(cidr: string): boolean {
  return cidr === '0.0.0.0/0' || parseIpv6Cidr(cidr)?.prefix === 0;
}
