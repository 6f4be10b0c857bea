import { CidrBlock, NetworkUtils } from 'aws-cdk-lib/aws-ec2';

/** An IPv4 CIDR parsed into its numeric bounds (aws-cdk-lib's own `CidrBlock` does the arithmetic). */
export interface Ipv4Range {
  readonly cidr: string;
  readonly prefix: number;
  readonly first: number;
  readonly last: number;
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** True when `cidr` is a well-formed IPv4 CIDR whose address is the network address. */
export function isIpv4Cidr(cidr: string): boolean {
  const m = IPV4_CIDR.exec(cidr);
  if (!m) return false;
  if (m.slice(1, 5).some((o) => Number(o) > 255)) return false;
  const prefix = Number(m[5]);
  if (prefix > 32) return false;
  const ip = cidr.split('/')[0];
  if (!NetworkUtils.validIp(ip)) return false;
  return new CidrBlock(cidr).minIp() === ip;
}

/** True when `cidr` looks like an IPv6 CIDR. */
export function isIpv6Cidr(cidr: string): boolean {
  return /^[0-9a-fA-F:]+\/\d{1,3}$/.test(cidr) && cidr.includes(':');
}

/** Parses an IPv4 CIDR (the caller has checked it with `isIpv4Cidr`). */
export function parseIpv4(cidr: string): Ipv4Range {
  const block = new CidrBlock(cidr);
  return { cidr, prefix: block.mask, first: block.minAddress(), last: block.maxAddress() };
}

/** The CIDR of `size`-prefix block starting at numeric address `first`. */
export function cidrAt(first: number, prefix: number): string {
  return `${NetworkUtils.numToIp(first)}/${prefix}`;
}

/** True when the two ranges share any address. */
export function overlaps(a: Ipv4Range, b: Ipv4Range): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** True when `outer` contains every address of `inner`. */
export function contains(outer: Ipv4Range, inner: Ipv4Range): boolean {
  return outer.first <= inner.first && inner.last <= outer.last;
}
