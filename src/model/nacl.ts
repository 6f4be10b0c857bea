import { AddressRange, wholeFamily } from './addresses';
import { LBox, fullBox, subtractBox } from './boxes-exact';
import { NaclEntryModel, NaclModel, displayPath } from './template-model';

/**
 * How unresolved values count: `lower` takes an unresolved NACL entry as a deny over everything it
 * could match (what is surely allowed), `upper` as an allow (what may be allowed).
 */
export type EvaluationMode = 'lower' | 'upper';

/** What one direction of a NACL does with one protocol and address family, as labelled boxes. */
export interface FirstMatchResult {
  /** The (peer address x port) boxes an allow entry decides, labelled by that entry. */
  readonly boxes: LBox[];
  /** The boxes a deny entry decides, labelled by that entry (the final `*` rule's part is in `remaining`). */
  readonly denied: LBox[];
  /** What no entry matches: the final `*` rule denies it. */
  readonly remaining: LBox[];
  /** Why unresolved entries make the answer a bound rather than exact. */
  readonly unknown: string[];
}

/**
 * The one first-match NACL evaluator of the network model, shared by the reachability analyzer
 * and the rule pack: what one direction of a NACL allows for one protocol and address family,
 * as (peer address x port) boxes, each labelled by the entry that decides it. Entries are taken
 * lowest rule number first, the first that matches decides, and what none matches is denied
 * (the final `*` rule). An IPv4 entry never matches IPv6 traffic, nor the reverse.
 * @param domain the peer addresses to evaluate (default: the whole family)
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html
 */
export function firstMatch(
  acl: NaclModel, egress: boolean, family: 4 | 6, protocol: number, mode: EvaluationMode, label: (e: NaclEntryModel) => string,
  domain?: readonly AddressRange[],
): FirstMatchResult {
  let remaining: LBox[] = (domain ?? [wholeFamily(family)]).filter((r) => r.family === family).map((r) => fullBox(r));
  const boxes: LBox[] = [];
  const denied: LBox[] = [];
  const unknown: string[] = [];
  for (const e of acl.entries) {
    if (remaining.length === 0) break;
    if (e.egress !== egress || (e.ipv6 ? 6 : 4) !== family) continue;
    if (e.protocol !== -1 && e.protocol !== protocol) continue;
    let cover = { lo: 0n, hi: wholeFamily(family).hi, p0: e.p0, p1: e.p1 };
    let allow = e.allow;
    if (e.unknown) {
      unknown.push(`NACL ${displayPath(acl.display)}: ${e.unknown}`);
      // An unresolved entry may match anything it could: the lower bound takes it as a deny, the upper as an allow.
      if (!Number.isInteger(e.p0) || !Number.isInteger(e.p1)) cover = { ...cover, p0: 0, p1: 65535 };
      if (e.cidr) cover = { ...cover, lo: e.cidr.lo, hi: e.cidr.hi };
      allow = mode === 'upper';
    } else {
      cover = { lo: e.cidr!.lo, hi: e.cidr!.hi, p0: e.p0, p1: e.p1 };
    }
    const why = [label(e)];
    const next: LBox[] = [];
    for (const b of remaining) {
      const lo = b.lo > cover.lo ? b.lo : cover.lo;
      const hi = b.hi < cover.hi ? b.hi : cover.hi;
      const p0 = Math.max(b.p0, cover.p0);
      const p1 = Math.min(b.p1, cover.p1);
      if (lo > hi || p0 > p1) {
        next.push(b);
        continue;
      }
      (allow ? boxes : denied).push({ lo, hi, p0, p1, why });
      next.push(...subtractBox(b, cover));
    }
    remaining = next;
  }
  return { boxes, denied, remaining, unknown };
}
