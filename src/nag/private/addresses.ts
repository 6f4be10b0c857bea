/**
 * IPv4 and IPv6 CIDRs as numeric ranges (BigInt, so that one type serves both families).
 * Internal to the rule pack.
 */

/** An address block: its family and first and last addresses. */
export interface AddressRange {
  readonly family: 4 | 6;
  readonly lo: bigint;
  readonly hi: bigint;
}

const BITS = { 4: 32, 6: 128 } as const;

/** Parses `a.b.c.d/n` or an IPv6 CIDR (`::/0`, `2001:db8::/32`); undefined for anything else (tokens included). */
export function parseCidr(text: unknown): AddressRange | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const ip = text.slice(0, slash);
  const family: 4 | 6 = ip.includes(':') ? 6 : 4;
  const value = family === 4 ? parseV4(ip) : parseV6(ip);
  const prefix = Number(prefixText);
  if (value === undefined || prefix > BITS[family]) return undefined;
  const blockSize = 2n ** BigInt(BITS[family] - prefix);
  const lo = value - (value % blockSize);
  return { family, lo, hi: lo + blockSize - 1n };
}

/** True when the block is a whole address family (`0.0.0.0/0` or `::/0`). */
export function isWholeFamily(r: AddressRange): boolean {
  return r.lo === 0n && r.hi === 2n ** BigInt(BITS[r.family]) - 1n;
}

/** The whole address family as a range. */
export function wholeFamily(family: 4 | 6): AddressRange {
  return { family, lo: 0n, hi: 2n ** BigInt(BITS[family]) - 1n };
}

/** True when `outer` contains every address of `inner`. */
export function containsRange(outer: AddressRange, inner: AddressRange): boolean {
  return outer.family === inner.family && outer.lo <= inner.lo && inner.hi <= outer.hi;
}

function parseV4(ip: string): bigint | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256n + BigInt(Number(p)), 0n);
}

function parseV6(ip: string): bigint | undefined {
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  if (halves.length === 1 && head.length !== 8) return undefined;
  if (halves.length === 2 && head.length + tail.length > 7) return undefined;
  const groups = [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return groups.reduce((acc, g) => acc * 65536n + BigInt(parseInt(g, 16)), 0n);
}
