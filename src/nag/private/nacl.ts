import { IndexedResource, StackIndex } from './stack-index';
import { AddressRange, parseCidr, wholeFamily } from '../../model/addresses';

/** IANA protocol numbers NACL entries use. */
export const TCP = 6;
export const UDP = 17;
export const ALL_PROTOCOLS = -1;

/** The range every kind of client may use for its end of a connection (see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html). */
export const CLIENT_EPHEMERAL: Ports = [1024, 65535];

/** An inclusive port range. */
export type Ports = readonly [number, number];

/** Return ranges span at least this many ports (see isReturnRange). */
export const RETURN_RANGE_MIN_SPAN = 1000;

/**
 * True for a TCP/UDP port range that is a return (ephemeral) range rather than a service: it lies
 * within 1024-65535 and spans 1000 ports or more (every client kind's ephemeral range does:
 * AWS's recommended public-subnet rule set: https://docs.aws.amazon.com/vpc/latest/userguide/nacl-examples.html).
 */
export function isReturnRange(ports: Ports): boolean {
  return ports[0] >= CLIENT_EPHEMERAL[0] && ports[1] <= CLIENT_EPHEMERAL[1] && ports[1] - ports[0] + 1 >= RETURN_RANGE_MIN_SPAN;
}

/**
 * The peer of a NACL entry or query: a literal block, or an unresolved value (a token such as
 * the VPC's `CidrBlock` attribute) known only by its JSON, which matches only itself and `/0`.
 */
export type Peer =
  | { readonly kind: 'range'; readonly range: AddressRange }
  | { readonly kind: 'symbol'; readonly family: 4 | 6; readonly json: string };

/** A region of (peer x ports) traffic of one protocol. */
export interface Box {
  readonly peer: Peer;
  readonly ports: Ports;
}

/** One NACL entry, parsed. */
export interface AclEntry {
  readonly res: IndexedResource;
  readonly aclKey: string;
  readonly egress: boolean;
  readonly ruleNumber: number;
  readonly allow: boolean;
  /** IANA protocol number; -1 for all traffic. */
  readonly protocol: number;
  /** The ports the entry matches (all ports for all-traffic entries and entries without a range). */
  readonly ports: Ports;
  readonly peer: Peer;
}

/** The outcome of first-match-wins evaluation of a query region. */
export interface Evaluation {
  readonly allowed: Box[];
  readonly denied: Box[];
  /** Parts no entry matched: the final `*` rule denies them. */
  readonly undecided: Box[];
  /** Entries whose peer could not be compared with the query (unresolved values). */
  readonly unknown: AclEntry[];
}

/** The stack's NACL entries, parsed. */
export interface AclIndex {
  /** Entries by `groupKey` (NACL and direction), sorted by rule number. */
  readonly groups: Map<string, AclEntry[]>;
  /** The groups that have an entry whose number, protocol, action or ports are unresolved. */
  readonly unresolved: Set<string>;
  /** Each parsed entry by its resource. */
  readonly byResource: Map<IndexedResource, AclEntry>;
}

/**
 * The stack's NACL entries grouped by NACL and direction, each group sorted by rule number.
 * Entries whose rule number, protocol or action is not a literal are kept in `unresolved`.
 */
export function aclEntries(index: StackIndex): AclIndex {
  return index.memo('nacl-entries', () => {
    const groups = new Map<string, AclEntry[]>();
    const unresolved = new Set<string>();
    const byResource = new Map<IndexedResource, AclEntry>();
    for (const res of index.ofType('AWS::EC2::NetworkAclEntry')) {
      const p = res.props;
      const aclKey = index.key(p.NetworkAclId);
      const egress = p.Egress === true || p.Egress === 'true';
      const group = groupKey(aclKey, egress);
      const ruleNumber = Number(p.RuleNumber);
      const protocol = Number(p.Protocol);
      const action = typeof p.RuleAction === 'string' ? p.RuleAction.toLowerCase() : undefined;
      const peer = entryPeer(p);
      const ports = entryPorts(p, protocol);
      if (!Number.isInteger(ruleNumber) || !Number.isInteger(protocol) || (action !== 'allow' && action !== 'deny') || !peer || !ports) {
        unresolved.add(group);
        continue;
      }
      const entry: AclEntry = { res, aclKey, egress, ruleNumber, allow: action === 'allow', protocol, ports, peer };
      byResource.set(res, entry);
      const list = groups.get(group) ?? [];
      list.push(entry);
      groups.set(group, list);
    }
    for (const list of groups.values()) list.sort((a, b) => a.ruleNumber - b.ruleNumber);
    return { groups, unresolved, byResource };
  });
}

/** The key of one NACL's entries in one direction. */
export function groupKey(aclKey: string, egress: boolean): string {
  return `${aclKey}/${egress ? 'egress' : 'ingress'}`;
}

/**
 * Evaluates `query` (one protocol) against `entries` in rule-number order, first match wins,
 * optionally only the entries numbered below `before`.
 */
export function evaluate(entries: AclEntry[], protocol: number, query: Box, before?: number): Evaluation {
  const allowed: Box[] = [];
  const denied: Box[] = [];
  const unknown: AclEntry[] = [];
  let undecided: Box[] = [query];
  for (const e of entries) {
    if (before !== undefined && e.ruleNumber >= before) break;
    if (undecided.length === 0) break;
    if (e.protocol !== ALL_PROTOCOLS && e.protocol !== protocol) continue;
    const next: Box[] = [];
    for (const b of undecided) {
      const split = splitBox(b, { peer: e.peer, ports: e.ports });
      if (split === 'unknown') {
        if (!unknown.includes(e)) unknown.push(e);
        next.push(b);
      } else {
        (e.allow ? allowed : denied).push(...split.inside);
        next.push(...split.outside);
      }
    }
    undecided = next;
  }
  return { allowed, denied, undecided, unknown };
}

/**
 * Whether every packet of `query` is allowed: true, false, or undefined when an unresolved
 * entry could change the answer.
 */
export function fullyAllowed(entries: AclEntry[], protocol: number, query: Box): boolean | undefined {
  const ev = evaluate(entries, protocol, query);
  const covered = ev.denied.length === 0 && ev.undecided.length === 0;
  if (ev.unknown.length === 0) return covered;
  // An unresolved allow can only add to what is allowed; an unresolved deny can only take away.
  if (covered) return ev.unknown.every((e) => e.allow) ? true : undefined;
  return undefined;
}

/** The part of `box` inside `cut` and the parts outside it, or 'unknown' when peers can't be compared. */
export function splitBox(box: Box, cut: Box): { inside: Box[]; outside: Box[] } | 'unknown' {
  const portLo = Math.max(box.ports[0], cut.ports[0]);
  const portHi = Math.min(box.ports[1], cut.ports[1]);
  const portsOverlap = portLo <= portHi;
  const a = box.peer;
  const c = cut.peer;
  const family = (p: Peer) => (p.kind === 'range' ? p.range.family : p.family);
  if (family(a) !== family(c) || !portsOverlap) return { inside: [], outside: [box] };

  // The peer part inside the cut: a literal range intersection, or a symbol against itself or /0.
  let peerInside: Peer | undefined;
  const peerOutside: Peer[] = [];
  if (a.kind === 'range' && c.kind === 'range') {
    const lo = a.range.lo > c.range.lo ? a.range.lo : c.range.lo;
    const hi = a.range.hi < c.range.hi ? a.range.hi : c.range.hi;
    if (lo > hi) return { inside: [], outside: [box] };
    peerInside = { kind: 'range', range: { family: a.range.family, lo, hi } };
    if (a.range.lo < lo) peerOutside.push({ kind: 'range', range: { family: a.range.family, lo: a.range.lo, hi: lo - 1n } });
    if (hi < a.range.hi) peerOutside.push({ kind: 'range', range: { family: a.range.family, lo: hi + 1n, hi: a.range.hi } });
  } else if (a.kind === 'symbol' && ((c.kind === 'symbol' && c.json === a.json) || (c.kind === 'range' && isWhole(c.range)))) {
    peerInside = a;
  } else {
    return 'unknown';
  }

  const inside: Box[] = [{ peer: peerInside, ports: [portLo, portHi] }];
  const outside: Box[] = peerOutside.map((peer) => ({ peer, ports: box.ports }));
  if (box.ports[0] < portLo) outside.push({ peer: peerInside, ports: [box.ports[0], portLo - 1] });
  if (portHi < box.ports[1]) outside.push({ peer: peerInside, ports: [portHi + 1, box.ports[1]] });
  return { inside, outside };
}

/** `tcp`, `udp`, `all traffic` or `protocol N`. */
export function protocolName(protocol: number): string {
  return protocol === TCP ? 'tcp' : protocol === UDP ? 'udp' : protocol === ALL_PROTOCOLS ? 'all traffic' : `protocol ${protocol}`;
}

function isWhole(r: AddressRange): boolean {
  const w = wholeFamily(r.family);
  return r.lo === w.lo && r.hi === w.hi;
}

function entryPeer(p: { [key: string]: any }): Peer | undefined {
  for (const [prop, family] of [['CidrBlock', 4], ['Ipv6CidrBlock', 6]] as const) {
    const v = p[prop];
    if (v === undefined) continue;
    const range = parseCidr(v);
    if (range) return { kind: 'range', range };
    return { kind: 'symbol', family, json: JSON.stringify(v) };
  }
  return undefined;
}

function entryPorts(p: { [key: string]: any }, protocol: number): Ports | undefined {
  if (protocol !== TCP && protocol !== UDP) return [0, 65535];
  const range = p.PortRange;
  if (range === undefined) return [0, 65535];
  const from = Number(range.From);
  const to = Number(range.To);
  if (!Number.isInteger(from) || !Number.isInteger(to)) return undefined;
  return [from, to];
}
