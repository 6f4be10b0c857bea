import { AddressRange } from './addresses';

/**
 * Labelled boxes over (address, port) of one address family, for exact open-set arithmetic:
 * addresses are BigInt (IPv4 and IPv6 alike), ports 0-65535, both ends inclusive. Each box
 * carries the rules that admit it, so that the open ports can name them.
 */
export interface LBox {
  readonly lo: bigint;
  readonly hi: bigint;
  readonly p0: number;
  readonly p1: number;
  readonly why: readonly string[];
}

/** A labelled port span (the projection of boxes on the port axis). */
export interface PortSpan {
  readonly p0: number;
  readonly p1: number;
  readonly why: readonly string[];
}

/** Every address of a range and every port. */
export function fullBox(r: { lo: bigint; hi: bigint }, why: readonly string[] = []): LBox {
  return { lo: r.lo, hi: r.hi, p0: 0, p1: 65535, why };
}

function mergeWhy(a: readonly string[], b: readonly string[]): readonly string[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out = [...a];
  for (const x of b) if (!out.includes(x)) out.push(x);
  return out;
}

/** The intersection of two boxes, or undefined. */
export function meet(x: LBox, y: LBox): LBox | undefined {
  const lo = x.lo > y.lo ? x.lo : y.lo;
  const hi = x.hi < y.hi ? x.hi : y.hi;
  const p0 = Math.max(x.p0, y.p0);
  const p1 = Math.min(x.p1, y.p1);
  return lo <= hi && p0 <= p1 ? { lo, hi, p0, p1, why: mergeWhy(x.why, y.why) } : undefined;
}

/** The traffic in both sets. */
export function intersectSets(a: readonly LBox[], b: readonly LBox[]): LBox[] {
  const out: LBox[] = [];
  for (const x of a) {
    for (const y of b) {
      const m = meet(x, y);
      if (m) out.push(m);
    }
  }
  return out;
}

/** The boxes restricted to addresses in `ranges` (all ports). */
export function clipAddresses(a: readonly LBox[], ranges: readonly AddressRange[]): LBox[] {
  return intersectSets(a, ranges.map((r) => fullBox(r)));
}

/** `x` less `cut`, as up to four disjoint boxes (labels kept). */
export function subtractBox(x: LBox, cut: { lo: bigint; hi: bigint; p0: number; p1: number }): LBox[] {
  const lo = x.lo > cut.lo ? x.lo : cut.lo;
  const hi = x.hi < cut.hi ? x.hi : cut.hi;
  const p0 = Math.max(x.p0, cut.p0);
  const p1 = Math.min(x.p1, cut.p1);
  if (lo > hi || p0 > p1) return [x];
  const out: LBox[] = [];
  if (x.lo < lo) out.push({ ...x, hi: lo - 1n });
  if (hi < x.hi) out.push({ ...x, lo: hi + 1n });
  if (x.p0 < p0) out.push({ ...x, lo, hi, p1: p0 - 1 });
  if (p1 < x.p1) out.push({ ...x, lo, hi, p0: p1 + 1 });
  return out;
}

/** The ports any box admits for some address, with the labels of the boxes that cover each span. */
export function projectPorts(boxes: readonly LBox[]): PortSpan[] {
  if (boxes.length === 0) return [];
  const cuts = new Set<number>();
  for (const b of boxes) {
    cuts.add(b.p0);
    cuts.add(b.p1 + 1);
  }
  const points = [...cuts].sort((x, y) => x - y);
  const out: PortSpan[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const p0 = points[i];
    const p1 = points[i + 1] - 1;
    let why: readonly string[] | undefined;
    for (const b of boxes) if (b.p0 <= p0 && p1 <= b.p1) why = why ? mergeWhy(why, b.why) : b.why;
    if (why) pushSpan(out, { p0, p1, why });
  }
  return out;
}

/** The ports in both span lists (labels merged). */
export function intersectSpans(a: readonly PortSpan[], b: readonly PortSpan[]): PortSpan[] {
  const out: PortSpan[] = [];
  for (const x of a) {
    for (const y of b) {
      const p0 = Math.max(x.p0, y.p0);
      const p1 = Math.min(x.p1, y.p1);
      if (p0 <= p1) out.push({ p0, p1, why: mergeWhy(x.why, y.why) });
    }
  }
  return normalizeSpans(out);
}

/** The ports in either list (labels merged where they overlap). */
export function unionSpans(a: readonly PortSpan[], b: readonly PortSpan[]): PortSpan[] {
  return projectPorts([...a, ...b].map((s) => ({ lo: 0n, hi: 0n, p0: s.p0, p1: s.p1, why: s.why })));
}

/** The ports of `a` not in `b` (a's labels). */
export function subtractSpans(a: readonly PortSpan[], b: readonly PortSpan[]): PortSpan[] {
  let left: PortSpan[] = [...a];
  for (const c of b) {
    const next: PortSpan[] = [];
    for (const x of left) {
      if (c.p1 < x.p0 || c.p0 > x.p1) {
        next.push(x);
        continue;
      }
      if (x.p0 < c.p0) next.push({ p0: x.p0, p1: c.p0 - 1, why: x.why });
      if (c.p1 < x.p1) next.push({ p0: c.p1 + 1, p1: x.p1, why: x.why });
    }
    left = next;
  }
  return left;
}

function normalizeSpans(spans: PortSpan[]): PortSpan[] {
  return projectPorts(spans.map((s) => ({ lo: 0n, hi: 0n, p0: s.p0, p1: s.p1, why: s.why })));
}

function pushSpan(out: PortSpan[], s: PortSpan): void {
  const last = out[out.length - 1];
  if (last && last.p1 + 1 === s.p0 && sameLabels(last.why, s.why)) out[out.length - 1] = { p0: last.p0, p1: s.p1, why: last.why };
  else out.push(s);
}

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/**
 * The addresses for which the boxes admit EVERY port of `[e0, e1]` (a stateless layer must pass
 * the client's whole ephemeral range back), as boxes over all ports labelled by what admits them.
 */
export function addressesAdmittingAll(boxes: readonly LBox[], e0: number, e1: number): LBox[] {
  const relevant = boxes.filter((b) => b.p1 >= e0 && b.p0 <= e1);
  if (relevant.length === 0) return [];
  const cuts = new Set<bigint>();
  for (const b of relevant) {
    cuts.add(b.lo);
    cuts.add(b.hi + 1n);
  }
  const points = [...cuts].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const out: LBox[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const lo = points[i];
    const hi = points[i + 1] - 1n;
    const here = relevant.filter((b) => b.lo <= lo && hi <= b.hi);
    if (here.length === 0) continue;
    const spans = projectPorts(here.map((b) => ({ ...b, p0: Math.max(b.p0, e0), p1: Math.min(b.p1, e1) })));
    let next = e0;
    for (const s of spans) if (s.p0 <= next && s.p1 >= next) next = s.p1 + 1;
    if (next <= e1) continue;
    const why = spans.reduce<readonly string[]>((acc, s) => mergeWhy(acc, s.why), []);
    const last = out[out.length - 1];
    if (last && last.hi + 1n === lo && sameLabels(last.why, why)) out[out.length - 1] = { ...last, hi };
    else out.push({ lo, hi, p0: 0, p1: 65535, why });
  }
  return out;
}
