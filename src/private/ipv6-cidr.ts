import { AddressRange, containsRange, parseCidr, subtractRanges } from '../model/addresses';

/**
 * Parses an IPv6 CIDR whose address is its network address (host bits zero), e.g.
 * `2001:db8::/32` or `::/0`; undefined for anything else (IPv4, a bare address, host bits set):
 * a flow's peers are written as blocks, so `2001:db8::1/32` is a typo to refuse, not a block to guess.
 */
export function parseIpv6Cidr(cidr: string): AddressRange | undefined {
  const range = parseCidr(cidr);
  if (!range || range.family !== 6) return undefined;
  const address = parseCidr(`${cidr.slice(0, cidr.indexOf('/'))}/128`)!;
  return address.lo === range.lo ? range : undefined;
}

/**
 * The global unicast space, 2000::/3: every IPv6 address on the internet today. A block that
 * covers it admits the whole IPv6 internet, like `::/0`.
 * @see https://www.iana.org/assignments/ipv6-address-space/ipv6-address-space.xhtml
 */
const GLOBAL_UNICAST = parseCidr('2000::/3')!;

/**
 * True when the IPv6 CIDRs together cover the whole IPv6 internet: `::/0`, a block containing
 * 2000::/3, or blocks that add up to it (`2000::/4` and `3000::/4`).
 */
export function coversIpv6Internet(cidrs: readonly string[]): boolean {
  const ranges = cidrs.map(parseIpv6Cidr).filter((r): r is AddressRange => r !== undefined);
  return ranges.some((r) => containsRange(r, GLOBAL_UNICAST)) || subtractRanges([GLOBAL_UNICAST], ranges).length === 0;
}

/** True for a CIDR that names every address of its family: `0.0.0.0/0` or `::/0` (however written). */
export function isAnyAddress(cidr: string): boolean {
  return cidr === '0.0.0.0/0' || (parseIpv6Cidr(cidr) !== undefined && cidr.endsWith('/0'));
}
