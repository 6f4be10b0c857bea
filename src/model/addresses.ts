/**
 * IPv4 and IPv6 CIDRs as numeric ranges (BigInt, so that one type serves both families): the one
 * address parser of the network model that the reachability analyzer and the rule pack share.
 *
 * A CIDR's host bits are ignored, as EC2 does for a network address: `192.168.1.0/0` is every
 * IPv4 address.
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

/** The number of address bits of a family. */
export function familyBits(family: 4 | 6): number {
  return BITS[family];
}

/** An address as text: dotted quad for IPv4, compressed groups for IPv6. */
export function formatAddress(family: 4 | 6, n: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((n / 2n ** s) % 256n)).join('.');
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((n / 2n ** BigInt(i * 16)) % 65536n));
  // The longest run of two or more zero groups becomes '::' (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** A range as one CIDR when it is an aligned block, else `first - last`. */
export function describeRange(r: AddressRange): string {
  const size = r.hi - r.lo + 1n;
  const bits = BITS[r.family];
  let prefix = bits;
  while (prefix > 0 && 2n ** BigInt(bits - prefix) < size) prefix--;
  if (2n ** BigInt(bits - prefix) === size && r.lo % size === 0n) return `${formatAddress(r.family, r.lo)}/${prefix}`;
  return `${formatAddress(r.family, r.lo)} - ${formatAddress(r.family, r.hi)}`;
}

/** Sorted, disjoint, non-adjacent ranges of one family: a set of addresses. */
export function normalize(ranges: AddressRange[]): AddressRange[] {
  const sorted = [...ranges].sort((a, b) => (a.family - b.family) || (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const out: AddressRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && last.family === r.family && r.lo <= last.hi + 1n) {
      if (r.hi > last.hi) out[out.length - 1] = { family: last.family, lo: last.lo, hi: r.hi };
    } else {
      out.push(r);
    }
  }
  return out;
}

/** The addresses of `set` not in any of `cut` (same family). */
export function subtractRanges(set: AddressRange[], cut: AddressRange[]): AddressRange[] {
  let left = normalize(set);
  for (const c of cut) {
    const next: AddressRange[] = [];
    for (const r of left) {
      if (r.family !== c.family || c.hi < r.lo || c.lo > r.hi) {
        next.push(r);
        continue;
      }
      if (r.lo < c.lo) next.push({ family: r.family, lo: r.lo, hi: c.lo - 1n });
      if (c.hi < r.hi) next.push({ family: r.family, lo: c.hi + 1n, hi: r.hi });
    }
    left = next;
  }
  return left;
}

/** The addresses in both sets. */
export function intersectRanges(a: readonly AddressRange[], b: readonly AddressRange[]): AddressRange[] {
  const out: AddressRange[] = [];
  for (const x of a) {
    for (const y of b) {
      if (x.family !== y.family) continue;
      const lo = x.lo > y.lo ? x.lo : y.lo;
      const hi = x.hi < y.hi ? x.hi : y.hi;
      if (lo <= hi) out.push({ family: x.family, lo, hi });
    }
  }
  return normalize(out);
}

/** True when the ranges cover every address of the family (e.g. `0.0.0.0/1` and `128.0.0.0/1`). */
export function coversFamily(ranges: AddressRange[], family: 4 | 6): boolean {
  return subtractRanges([wholeFamily(family)], ranges.filter((r) => r.family === family)).length === 0;
}

/**
 * `Fn::Cidr [block, count, cidrBits]`: the first `count` blocks of `cidrBits` host bits inside
 * `block`, in address order; undefined when they don't fit.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-cidr.html
 */
export function cidrSplit(block: AddressRange, count: number, cidrBits: number): string[] | undefined {
  const bits = BITS[block.family];
  if (!Number.isInteger(count) || !Number.isInteger(cidrBits) || count < 1 || cidrBits < 1 || cidrBits > bits) return undefined;
  const size = 2n ** BigInt(cidrBits);
  if (BigInt(count) * size > block.hi - block.lo + 1n) return undefined;
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(`${formatAddress(block.family, block.lo + BigInt(i) * size)}/${bits - cidrBits}`);
  return out;
}

/**
 * Unresolved address values (a CIDR given as a parameter or an import) are kept as symbols: each
 * distinct value gets a block of its own past the family's real addresses, standing for "the
 * addresses this value resolves to". An entry naming the same value matches that block exactly,
 * an entry for the whole family matches it too, and anything else may or may not match it.
 */
const SYMBOLS_MAX = 2n ** 24n;

/** The block standing for the `index`th unresolved address value of a family. */
export function symbolBlock(family: 4 | 6, index: number): AddressRange {
  const size = 2n ** BigInt(BITS[family]);
  return { family, lo: size * BigInt(index + 1), hi: size * BigInt(index + 2) - 1n };
}

/** The last address of the symbol space: a whole-family entry covers real addresses and every symbol. */
export function symbolSpaceEnd(family: 4 | 6): bigint {
  return 2n ** BigInt(BITS[family]) * (SYMBOLS_MAX + 1n) - 1n;
}

/** The first address past the family's real addresses (where symbol blocks start). */
export function symbolSpaceStart(family: 4 | 6): bigint {
  return 2n ** BigInt(BITS[family]);
}
