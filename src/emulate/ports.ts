/**
 * Source ports for a probe: the ends of the client's ephemeral range and every NACL port
 * boundary inside it, so that a NACL admitting only part of the range is found exactly.
 */
import { EmuNacl } from './topology';

/** A closed port interval. */
export interface PortSpan {
  readonly from: number;
  readonly to: number;
}

/**
 * The source ports to probe for a client range `[lo, hi]`: one port per interval on which every
 * NACL entry's port range is either wholly in or wholly out. NACL verdicts are constant on such an
 * interval (the entries' other fields don't depend on the source port), so probing its first port
 * decides it; the range's last port is probed too.
 */
export function boundarySourcePorts(lo: number, hi: number, nacls: EmuNacl[]): number[] {
  const cuts = new Set<number>([lo, hi]);
  for (const acl of nacls) {
    for (const e of acl.entries) {
      if (e.protocol !== 6 && e.protocol !== 17) continue;
      // An entry's range [p0, p1] splits the client range at p0 and just after p1.
      for (const p of [e.p0, e.p1 + 1]) if (p > lo && p <= hi) cuts.add(p);
    }
  }
  return [...cuts].sort((a, b) => a - b);
}

/**
 * The blocked sub-ranges of `[lo, hi]` given the verdict at each probed port from
 * `boundarySourcePorts` (each verdict holds up to the next probed port, exclusive; the last one
 * holds alone).
 */
export function blockedSpans(lo: number, hi: number, results: Map<number, boolean>): PortSpan[] {
  const ports = [...results.keys()].filter((p) => p >= lo && p <= hi).sort((a, b) => a - b);
  const spans: PortSpan[] = [];
  ports.forEach((p, i) => {
    if (results.get(p)) return;
    const to = i + 1 < ports.length ? ports[i + 1] - 1 : hi;
    const last = spans[spans.length - 1];
    if (last && last.to + 1 >= p) spans[spans.length - 1] = { from: last.from, to: Math.max(last.to, to) };
    else spans.push({ from: p, to });
  });
  return spans;
}

/** `32768-49151`, or `443` for one port. */
export function spanText(s: PortSpan): string {
  return s.from === s.to ? `${s.from}` : `${s.from}-${s.to}`;
}
