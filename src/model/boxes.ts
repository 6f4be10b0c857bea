import { NetworkUtils } from 'aws-cdk-lib/aws-ec2';

/**
 * Two-dimensional boxes over (IPv4 address, port), used to evaluate first-match NACL entries
 * and the union of security group rules over a whole range of traffic at once.
 *
 * Addresses are numbers 0..2^32-1, ports 0..65535, both ends inclusive.
 */
export interface Box {
  readonly a0: number;
  readonly a1: number;
  readonly p0: number;
  readonly p1: number;
}

export const ALL_ADDRESSES = { first: 0, last: 4294967295 };

/** The intersection of two boxes, or undefined when they don't meet. */
export function intersect(x: Box, y: Box): Box | undefined {
  const a0 = Math.max(x.a0, y.a0);
  const a1 = Math.min(x.a1, y.a1);
  const p0 = Math.max(x.p0, y.p0);
  const p1 = Math.min(x.p1, y.p1);
  return a0 <= a1 && p0 <= p1 ? { a0, a1, p0, p1 } : undefined;
}

/** `x` less `inner` (which lies inside `x`), as up to four disjoint boxes. */
export function subtract(x: Box, inner: Box): Box[] {
  const out: Box[] = [];
  if (x.a0 < inner.a0) out.push({ a0: x.a0, a1: inner.a0 - 1, p0: x.p0, p1: x.p1 });
  if (inner.a1 < x.a1) out.push({ a0: inner.a1 + 1, a1: x.a1, p0: x.p0, p1: x.p1 });
  if (x.p0 < inner.p0) out.push({ a0: inner.a0, a1: inner.a1, p0: x.p0, p1: inner.p0 - 1 });
  if (inner.p1 < x.p1) out.push({ a0: inner.a0, a1: inner.a1, p0: inner.p1 + 1, p1: x.p1 });
  return out;
}

/** Removes `cover` from every box of `boxes`; returns what is left and whether anything was removed. */
export function removeFrom(boxes: Box[], cover: Box): { left: Box[]; hit: Box[] } {
  const left: Box[] = [];
  const hit: Box[] = [];
  for (const b of boxes) {
    const i = intersect(b, cover);
    if (!i) {
      left.push(b);
      continue;
    }
    hit.push(i);
    left.push(...subtract(b, i));
  }
  return { left, hit };
}

/** Renders an address range as CIDRs when it is one block, else `a - b`. */
export function describeAddresses(a0: number, a1: number): string {
  const size = a1 - a0 + 1;
  const prefix = 32 - Math.log2(size);
  if (Number.isInteger(prefix) && a0 % size === 0) return `${NetworkUtils.numToIp(a0)}/${prefix}`;
  return `${NetworkUtils.numToIp(a0)} - ${NetworkUtils.numToIp(a1)}`;
}

/** Renders a port range: `443` or `1024-65535`. */
export function describePorts(p0: number, p1: number): string {
  return p0 === p1 ? `${p0}` : `${p0}-${p1}`;
}

/** Merges boxes that share an address range into port spans, for messages. */
export function portSpans(boxes: Box[]): Array<{ p0: number; p1: number }> {
  const spans = boxes.map((b) => ({ p0: b.p0, p1: b.p1 })).sort((x, y) => x.p0 - y.p0);
  const out: Array<{ p0: number; p1: number }> = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && s.p0 <= last.p1 + 1) last.p1 = Math.max(last.p1, s.p1);
    else out.push({ ...s });
  }
  return out;
}

/** Merges boxes into address spans, for messages. */
export function addressSpans(boxes: Box[]): Array<{ a0: number; a1: number }> {
  const spans = boxes.map((b) => ({ a0: b.a0, a1: b.a1 })).sort((x, y) => x.a0 - y.a0);
  const out: Array<{ a0: number; a1: number }> = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && s.a0 <= last.a1 + 1) last.a1 = Math.max(last.a1, s.a1);
    else out.push({ ...s });
  }
  return out;
}
