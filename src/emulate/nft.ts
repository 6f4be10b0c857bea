/**
 * nftables rule sets for the emulation, as text for `nft -f -`:
 * - a NACL is a stateless chain on the VPC router's forward path: its entries in rule-number
 *   order, the first match decides (allow returns to the caller, deny drops), and the implicit
 *   final entry (`*`) denies;
 * - security groups are a stateful table in each ENI's namespace: connection tracking admits the
 *   return traffic of any allowed connection, the rules of every group attached are a union, and a
 *   group with no egress rule keeps EC2's default allow-all outbound rule.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
 */
import { Cidr, EmuNacl, EmuSgRule } from './topology';

/** `meta l4proto tcp th dport 443` and the like; empty for "every protocol, every port". */
export function protoMatch(protocol: number, p0: number, p1: number, portField = 'th dport'): string {
  if (protocol === -1) return '';
  if (protocol === 6 || protocol === 17) {
    const name = protocol === 6 ? 'tcp' : 'udp';
    if (p0 <= 0 && p1 >= 65535) return `meta l4proto ${name}`;
    return `meta l4proto ${name} ${portField} ${p0 === p1 ? p0 : `${p0}-${p1}`}`;
  }
  return `meta l4proto ${protocol}`;
}

function addr(field: string, c: Cidr): string {
  return c.prefix === 0 ? '' : `${field} ${c.cidr}`;
}

function join(...parts: string[]): string {
  return parts.filter((p) => p.length > 0).join(' ');
}

/**
 * The rules of one direction of a NACL: `ip saddr` is the peer for inbound entries, `ip daddr`
 * for outbound ones.
 */
export function naclChainRules(acl: EmuNacl, egress: boolean): string[] {
  const rules: string[] = [];
  for (const e of acl.entries) {
    if (e.egress !== egress) continue;
    const match = join(addr(egress ? 'ip daddr' : 'ip saddr', e.cidr), protoMatch(e.protocol, e.p0, e.p1));
    rules.push(join(match, e.allow ? 'return' : 'drop') + ` comment "rule ${e.ruleNumber}"`);
  }
  rules.push('drop comment "rule * (implicit deny)"');
  return rules;
}

/** The security group table of one ENI namespace. */
export interface SgTableInput {
  readonly ingress: EmuSgRule[];
  /** Undefined: allow every outbound packet (a group without egress rules). */
  readonly egress?: EmuSgRule[];
  /** Security group id -> the addresses of the ENIs that carry it. */
  readonly members: Map<string, string[]>;
  /**
   * Security group id -> the DSCP tags of the load balancers with that group that pass clients
   * through with their own address: the targets' rules that reference the group admit them.
   */
  readonly tags?: Map<string, number[]>;
  /** Also filter forwarded connections (a load balancer that passes clients through by DNAT). */
  readonly forward?: boolean;
  /** The DSCP tag this load balancer puts on the connections it passes through. */
  readonly tag?: number;
}

/** A group reference also admits the clients its load balancers pass through (tagged with their DSCP). */
function tagRule(r: EmuSgRule, tags: Map<string, number[]> | undefined): string | undefined {
  const list = r.group !== undefined ? tags?.get(r.group) ?? [] : [];
  if (list.length === 0) return undefined;
  return join(`ip dscp { ${list.join(', ')} }`, protoMatch(r.protocol, r.p0, r.p1), 'accept');
}

function sgRule(r: EmuSgRule, field: string, members: Map<string, string[]>, portField = 'th dport'): string | undefined {
  let peer = '';
  if (r.cidr) {peer = addr(field, r.cidr);} else if (r.group !== undefined) {
    const list = members.get(r.group) ?? [];
    if (list.length === 0) return undefined;
    peer = `${field} { ${list.join(', ')} }`;
  } else {return undefined;}
  return join(peer, protoMatch(r.protocol, r.p0, r.p1, portField), 'accept');
}

/** Renders the `inet cnpesg` table: input (ingress rules), output (egress rules), both stateful. */
export function securityGroupTable(input: SgTableInput): string {
  const ingress = input.ingress.flatMap((r) => [sgRule(r, 'ip saddr', input.members), tagRule(r, input.tags)]).filter((x): x is string => !!x);
  const egress = input.egress === undefined ? ['accept'] : input.egress.map((r) => sgRule(r, 'ip daddr', input.members)).filter((x): x is string => !!x);
  const lines = [
    'table inet cnpesg {',
    '  chain sg_in {',
    '    type filter hook input priority 0; policy drop;',
    '    iif lo accept',
    '    ct state established,related accept',
    ...ingress.map((r) => `    ${r}`),
    '  }',
    '  chain sg_out {',
    '    type filter hook output priority 0; policy drop;',
    '    oif lo accept',
    '    ct state established,related accept',
    ...egress.map((r) => `    ${r}`),
    '  }',
  ];
  if (input.forward) {
    // A client passed through by DNAT: its original destination (the listener) meets the ingress
    // rules, the rewritten one (the target) the egress rules.
    const fwdIn = input.ingress.map((r) => sgRule(r, 'ct original ip saddr', input.members, 'ct original proto-dst'))
      .filter((x): x is string => !!x).map((r) => r.replace(/ accept$/, ' jump sg_forward_egress'));
    lines.push(
      '  chain sg_forward {',
      '    type filter hook forward priority 0; policy drop;',
      '    ct state established,related accept',
      ...fwdIn.map((r) => `    ${r}`),
      '  }',
      '  chain sg_forward_egress {',
      ...egress.map((r) => `    ${r}`),
      '    drop',
      '  }',
    );
    if (input.tag !== undefined) {
      lines.push('  chain lb_tag {', '    type filter hook postrouting priority 0; policy accept;', `    ct status dnat ip dscp set ${input.tag}`, '  }');
    }
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
