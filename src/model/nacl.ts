import { AddressRange, isWholeFamily, symbolSpaceEnd, symbolSpaceStart, wholeFamily } from './addresses';
import { LBox, fullBox, subtractBox } from './boxes-exact';
import { NaclEntryModel, NaclModel, displayPath } from './template-model';

/**
 * How unresolved values count. `lower` gives what is surely allowed: an unresolved allow entry
 * matches nothing, an unresolved deny (or an entry whose action is unresolved) matches all it
 * could. `upper` gives what may be allowed: the reverse. `unmatched` lets every unresolved part
 * match nothing (the most traffic left to later entries), `matched` lets it match all it could.
 */
export type EvaluationMode = 'lower' | 'upper' | 'unmatched' | 'matched';

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

interface Part {
  readonly lo: bigint;
  readonly hi: bigint;
  readonly p0: number;
  readonly p1: number;
  /** true / false: the entry surely matches this part with its action; undefined: it may match it. */
  readonly sure: boolean;
}

/** The parts of the (address x port) space an entry matches, surely or maybe. */
function partsOf(e: NaclEntryModel, family: 4 | 6): Part[] {
  const real = wholeFamily(family);
  const end = symbolSpaceEnd(family);
  const portsKnown = Number.isInteger(e.p0) && Number.isInteger(e.p1);
  const p0 = portsKnown ? e.p0 : 0;
  const p1 = portsKnown ? e.p1 : 65535;
  if (!e.unknown && e.cidr) {
    // A whole-family entry matches every address, whatever an unresolved value resolves to.
    if (isWholeFamily(e.cidr)) return [{ lo: 0n, hi: end, p0, p1, sure: true }];
    return [{ lo: e.cidr.lo, hi: e.cidr.hi, p0, p1, sure: true }, { lo: symbolSpaceStart(family), hi: end, p0, p1, sure: false }];
  }
  if (e.symbol) {
    // Only the CIDR is unresolved: it matches its own value's block exactly, maybe anything else.
    return [{ lo: e.symbol.lo, hi: e.symbol.hi, p0, p1, sure: true }, { lo: 0n, hi: end, p0, p1, sure: false }];
  }
  if (e.cidr) return [{ lo: e.cidr.lo, hi: e.cidr.hi, p0, p1, sure: false }];
  return [{ lo: 0n, hi: real.hi > end ? real.hi : end, p0, p1, sure: false }];
}

/** Whether an entry decides a part it may match, and how: allow, deny, or not at all (undefined). */
function maybeAction(e: NaclEntryModel, mode: EvaluationMode): boolean | undefined {
  if (mode === 'unmatched') return undefined;
  const actionKnown = !(e.unknown ?? '').includes('an action known only');
  if (mode === 'matched') return actionKnown ? e.allow : false;
  if (!actionKnown) return mode === 'upper';
  // A known allow that may match: the lower bound lets it match nothing, the upper everything it could;
  // a known deny the reverse.
  if (e.allow) return mode === 'upper' ? true : undefined;
  return mode === 'lower' ? false : undefined;
}

/**
 * The one first-match NACL evaluator of the network model, shared by the reachability analyzer
 * and the rule pack: what one direction of a NACL allows for one protocol and address family,
 * as (peer address x port) boxes, each labelled by the entry that decides it. Entries are taken
 * lowest rule number first, the first that matches decides, and what none matches is denied
 * (the final `*` rule). An IPv4 entry never matches IPv6 traffic, nor the reverse.
 * @param domain the peer addresses to evaluate (default: the whole family; symbol blocks for unresolved values)
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
    const why = [label(e)];
    for (const part of partsOf(e, family)) {
      const allow = part.sure ? e.allow : maybeAction(e, mode);
      const next: LBox[] = [];
      let touched = false;
      for (const b of remaining) {
        const lo = b.lo > part.lo ? b.lo : part.lo;
        const hi = b.hi < part.hi ? b.hi : part.hi;
        const p0 = Math.max(b.p0, part.p0);
        const p1 = Math.min(b.p1, part.p1);
        if (lo > hi || p0 > p1) {
          next.push(b);
          continue;
        }
        touched = true;
        if (allow === undefined) {
          next.push(b);
          continue;
        }
        (allow ? boxes : denied).push({ lo, hi, p0, p1, why });
        next.push(...subtractBox(b, part));
      }
      if (touched && !part.sure && e.unknown) unknown.push(`NACL ${displayPath(acl.display)}: ${e.unknown}`);
      else if (touched && !part.sure) unknown.push(`NACL ${displayPath(acl.display)}: entry ${e.display} may match an address given only at deploy time`);
      remaining = next;
    }
  }
  return { boxes, denied, remaining, unknown: [...new Set(unknown)] };
}

/**
 * What one entry decides, in first-match order: the traffic of `domain` that reaches it (no
 * lower-numbered entry decided it) and that it matches. `min` counts unresolved earlier entries
 * as taking all they could and the entry as matching only what it surely does; `max` the reverse.
 */
export function entryShare(
  acl: NaclModel, entry: NaclEntryModel, protocol: number, bound: 'min' | 'max', domain?: readonly AddressRange[],
): LBox[] {
  const family = entry.ipv6 ? 6 : 4;
  const before: NaclModel = { ...acl, entries: acl.entries.filter((e) => e !== entry && !(e.ruleNumber >= entry.ruleNumber)) };
  const left = firstMatch(before, entry.egress, family, protocol, bound === 'min' ? 'matched' : 'unmatched', () => '', domain).remaining;
  const covers = partsOf(entry, family).filter((p) => p.sure || bound === 'max');
  const out: LBox[] = [];
  for (const b of left) {
    for (const c of covers) {
      const lo = b.lo > c.lo ? b.lo : c.lo;
      const hi = b.hi < c.hi ? b.hi : c.hi;
      const p0 = Math.max(b.p0, c.p0);
      const p1 = Math.min(b.p1, c.p1);
      if (lo <= hi && p0 <= p1) out.push({ lo, hi, p0, p1, why: [entry.id] });
    }
  }
  return out;
}
