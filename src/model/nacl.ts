import { wholeFamily } from './addresses';
import { LBox, fullBox, subtractBox } from './boxes-exact';
import { NaclEntryModel, NaclModel, displayPath } from './template-model';

/**
 * How unresolved values count: `lower` takes an unresolved NACL entry as a deny (what is surely
 * allowed), `upper` as an allow (what may be allowed).
 */
export type EvaluationMode = 'lower' | 'upper';

/**
 * The one first-match NACL evaluator of the network model, shared by the reachability analyzer
 * and the rule pack: what one direction of a NACL allows for one protocol and address family,
 * as (peer address x port) boxes, each labelled by the entry that admits it. Entries are taken
 * lowest rule number first, the first that matches decides, and what none matches is denied
 * (the final `*` rule). An IPv4 entry never matches IPv6 traffic, nor the reverse.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html
 */
export function firstMatch(
  acl: NaclModel, egress: boolean, family: 4 | 6, protocol: number, mode: EvaluationMode, label: (e: NaclEntryModel) => string,
): { boxes: LBox[]; unknown: string[] } {
  let remaining: LBox[] = [fullBox(wholeFamily(family))];
  const boxes: LBox[] = [];
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
      if (allow) boxes.push({ lo, hi, p0, p1, why });
      next.push(...subtractBox(b, cover));
    }
    remaining = next;
  }
  return { boxes, unknown };
}

