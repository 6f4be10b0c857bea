import { isIpv4Cidr, isIpv6Cidr, overlaps, parseIpv4, contains, Ipv4Range } from './cidr';
import { ErrorCode } from './errors';
import { coversIpv6Internet, parseIpv6Cidr } from './ipv6-cidr';
import { describePort, includesPort, PortSpec } from './port-spec';
import { FlowEndpointKind } from '../network/flow-endpoint';
import { Tier } from '../network/tier';

/**
 * The meaning of a flow, in one place and without constructs: which NACLs get which legs, which
 * ephemeral range comes back, which security group rules are written, and what is refused.
 * `TieredVpc.addFlow` resolves its ends and hands them here; tests call these functions directly.
 *
 * An address family is a dimension of every value: peers and tier blocks carry one, and legs are
 * compiled per family (an IPv4 NACL entry never matches IPv6 traffic): a flow compiles for every
 * family both of its ends have. Tiers have IPv6 blocks in a dual-stack VPC only.
 */
export type AddressFamily = 'ipv4' | 'ipv6';

/** The family of a peer CIDR as written (`:` marks IPv6). */
export function familyOf(cidr: string): AddressFamily {
  return isIpv6Cidr(cidr) ? 'ipv6' : 'ipv4';
}

/** An address block outside the VPC, in one family. */
export interface FlowPeer {
  readonly family: AddressFamily;
  readonly cidr: string;
}

/** A tier's block in one family. */
export interface TierBlock {
  readonly tier: Tier;
  readonly family: AddressFamily;
  readonly cidr: string;
}

/** What the compiler needs to know of the VPC. */
export interface FlowNetwork {
  /** Every tier's block, per family. */
  readonly tierBlocks: readonly TierBlock[];
  /** The VPC's own blocks, per family. */
  readonly vpcBlocks: readonly FlowPeer[];
  /** Whether the app tier reaches the internet over IPv4 (through NAT gateways in the public tier). */
  readonly natGateway: boolean;
  /**
   * Whether the VPC is dual stack: every tier then has an IPv6 block, the public tier routes
   * `::/0` to the internet gateway and the app tier to an egress-only internet gateway.
   */
  readonly dualStack: boolean;
}

/** One end of a flow, resolved: its kind, its tier (derived or checked), its peers, its client range. */
export interface ResolvedEnd {
  readonly kind: FlowEndpointKind;
  /** The tier, for tier and workload ends. */
  readonly tier?: Tier;
  /** The peers, for internet ends. */
  readonly peers?: readonly FlowPeer[];
  /** The ephemeral range this end uses when it is the client. */
  readonly ephemeral: { readonly from: number; readonly to: number };
  /** An identity of the workload's security groups: equal for two ends sharing them. */
  readonly groupKey?: string;
  /** The end's name, for messages. */
  readonly name: string;
}

/** A NACL entry a flow needs. */
export interface NaclLeg {
  readonly family: AddressFamily;
  readonly tier: Tier;
  readonly direction: 'ingress' | 'egress';
  readonly port: PortSpec;
  readonly cidr: string;
  /** `request`: the service port towards the server; `return`: the answer towards the client's ephemeral range. */
  readonly role: 'request' | 'return';
}

/** The kinds of security group rule a flow writes. */
export enum SgRuleKind {
  /** The destination workload admits the source workload's security groups. */
  REFERENCE = 'reference',
  /** One set of security groups on both ends (cluster peers): ingress and egress on itself. */
  SELF = 'self',
  /** The destination workload admits a peer CIDR outside the VPC. */
  INGRESS_FROM_PEER = 'ingress-from-peer',
  /** The source workload may reach a peer CIDR outside the VPC. */
  EGRESS_TO_PEER = 'egress-to-peer',
}

/** A security group rule a flow writes. */
export interface SgRule {
  readonly kind: SgRuleKind;
  /** The peer, for the CIDR kinds. */
  readonly peer?: FlowPeer;
}

/** A compiled flow. */
export interface CompiledFlow {
  readonly port: PortSpec;
  /** The client's ephemeral range, as the return legs name it. */
  readonly ephemeral: PortSpec;
  readonly naclLegs: NaclLeg[];
  readonly sgRules: SgRule[];
}

/** A refusal found by `flowProblems`: what `TieredVpc.addFlow` turns into a synth-time error. */
export interface FlowProblem {
  readonly code: ErrorCode;
  /** The part of the call that is wrong: `port`, `from`, `to`, `from cidrs`... */
  readonly prop: string;
  readonly value: unknown;
  readonly problem: string;
  readonly fix: string;
}

/** The ephemeral range NAT gateways translate connections to. */
const NAT_EPHEMERAL = { from: 1024, to: 65535 };

const ADMIN_PORTS: ReadonlyArray<{ port: number; name: string; protocols: ReadonlyArray<'tcp' | 'udp'> }> = [
  { port: 22, name: 'SSH 22', protocols: ['tcp'] },
  // RDP runs over TCP 3389 and, for its UDP transport, over UDP 3389.
  { port: 3389, name: 'RDP 3389', protocols: ['tcp', 'udp'] },
];

const IPV4_SPACE_LAST = 2 ** 32 - 1;

/** True when the IPv4 ranges together cover every address. */
export function coversEveryIpv4Address(ranges: readonly Ipv4Range[]): boolean {
  let next = 0;
  for (const r of [...ranges].sort((a, b) => a.first - b.first)) {
    if (r.first > next) return false;
    next = Math.max(next, r.last + 1);
    if (next > IPV4_SPACE_LAST) return true;
  }
  return next > IPV4_SPACE_LAST;
}

/**
 * What is wrong with internet peers given as CIDRs (an internet end of a flow, or a load
 * balancer's `clientCidrs`), or undefined. `vpcBlocks` are the VPC's own blocks: a peer that
 * overlaps them without containing them all names workloads inside the VPC by address, which
 * security groups must name by reference; a peer containing the whole VPC (0.0.0.0/0, a corporate
 * 10.0.0.0/8) stands for the world outside.
 */
export function peerCidrProblem(cidrs: readonly string[], vpcBlocks: readonly FlowPeer[], prop: string,
  insideVpcFix = 'Declare the flow from the workload (FlowEndpoint.workload: security group reference) or from its tier (FlowEndpoint.tier: NACL entries); keep internet CIDRs for addresses outside the VPC.'): FlowProblem | undefined {
  if (cidrs.length === 0) {
    return {
      code: ErrorCode.FLOW_INTERNET_NO_CIDRS,
      prop,
      value: [],
      problem: 'must name at least one CIDR (an internet end with no address opens nothing)',
      fix: 'Give the peers\' IPv4 CIDRs, e.g. [\'203.0.113.0/24\'], or omit them for every address (0.0.0.0/0).',
    };
  }
  const vpc = vpcBlocks.filter((b) => b.family === 'ipv4').map((b) => parseIpv4(b.cidr));
  const dualStack = vpcBlocks.some((b) => b.family === 'ipv6');
  for (const c of cidrs) {
    if (isIpv6Cidr(c)) {
      if (!dualStack) {
        return {
          code: ErrorCode.FLOW_INTERNET_CIDR_INVALID,
          prop,
          value: c,
          problem: 'is IPv6, but this VPC is not dual stack',
          fix: 'Create the TieredVpc with ipProtocol: ec2.IpProtocol.DUAL_STACK, or give IPv4 CIDRs, e.g. 0.0.0.0/0 or 203.0.113.0/24.',
        };
      }
      if (!parseIpv6Cidr(c)) {
        return {
          code: ErrorCode.FLOW_INTERNET_CIDR_INVALID,
          prop,
          value: c,
          problem: 'must be an IPv6 CIDR block whose address is its network address',
          fix: 'Write it as its network address and a prefix length, e.g. ::/0 or 2001:db8::/32 (a single address is 2001:db8::10/128).',
        };
      }
      // The VPC's IPv6 block is Amazon-provided and known only once deployed: an IPv6 peer
      // inside it can't be told apart here (the analyzer reads the deployed template).
      continue;
    }
    if (!isIpv4Cidr(c)) {
      return {
        code: ErrorCode.FLOW_INTERNET_CIDR_INVALID,
        prop,
        value: c,
        problem: 'must be an IPv4 CIDR block whose address is its network address',
        fix: 'Write it as a.b.c.d/n, e.g. 203.0.113.0/24 (a single address is 203.0.113.10/32).',
      };
    }
    const range = parseIpv4(c);
    if (vpc.some((v) => overlaps(v, range)) && !vpc.every((v) => contains(range, v))) {
      return {
        code: ErrorCode.FLOW_INTERNET_CIDR_INSIDE_VPC,
        prop,
        value: c,
        problem: `lies inside the VPC (${vpcBlocks.map((b) => b.cidr).join(', ')}): addresses inside the VPC are workloads or tiers, not internet peers`,
        fix: insideVpcFix,
      };
    }
  }
  return undefined;
}

/** The refusals of a flow, in the order they are checked; empty when the flow is valid. */
export function flowProblems(from: ResolvedEnd, to: ResolvedEnd, port: PortSpec, net: FlowNetwork): FlowProblem[] {
  const problems: FlowProblem[] = [];
  if (port.from === 0 && port.to === 0) {
    problems.push({
      code: ErrorCode.FLOW_PORT_ZERO,
      prop: 'port',
      value: describePort(port),
      problem: 'is port 0, on which no service listens',
      fix: 'Name the port the service listens on. For ECS dynamic host ports (hostPort 0), the tasks listen on a range the agent picks: ' +
        'use EcsDynamicPortService, which declares the pinned range, or declare that range with ec2.Port.tcpRange.',
    });
  }
  for (const end of [from, to]) {
    if (end.kind !== FlowEndpointKind.INTERNET) continue;
    const p = peerCidrProblem((end.peers ?? []).map((x) => x.cidr), net.vpcBlocks, 'internet cidrs');
    if (p) problems.push(p);
  }
  if (from.kind === FlowEndpointKind.INTERNET && problems.every((p) => p.code !== ErrorCode.FLOW_INTERNET_CIDR_INVALID)) {
    const ranges = (from.peers ?? []).filter((p) => p.family === 'ipv4' && isIpv4Cidr(p.cidr)).map((p) => parseIpv4(p.cidr));
    const admin = ADMIN_PORTS.find((a) => a.protocols.includes(port.protocol) && includesPort(port, a.port));
    // Every IPv6 address on the internet: ::/0, or blocks that together contain the global unicast space 2000::/3.
    const v6 = (from.peers ?? []).filter((p) => p.family === 'ipv6').map((p) => p.cidr);
    if (admin && coversIpv6Internet(v6)) {
      problems.push({
        code: ErrorCode.FLOW_ADMIN_PORT_OPEN_TO_WORLD,
        prop: 'port',
        value: describePort(port),
        problem: `opens ${admin.name}${port.protocol === 'udp' ? ' over UDP' : ''} to ${v6.join(', ')}, i.e. to every IPv6 address on the internet`,
        fix: 'Never open admin ports to the internet (AWS Config rule restricted-ssh; https://docs.aws.amazon.com/config/latest/developerguide/restricted-ssh.html): ' +
          'use Systems Manager Session Manager (sessionManagerEndpoints: true) or admit only an admin range, e.g. FlowEndpoint.internet({ cidrs: [\'2001:db8:1234::/48\'] }).',
      });
    } else if (admin && ranges.length > 0 && coversEveryIpv4Address(ranges)) {
      problems.push({
        code: ErrorCode.FLOW_ADMIN_PORT_OPEN_TO_WORLD,
        prop: 'port',
        value: describePort(port),
        problem: `opens ${admin.name}${port.protocol === 'udp' ? ' over UDP' : ''} to ${ranges.length === 1 ? ranges[0].cidr : `${ranges.map((r) => r.cidr).join(', ')}, which together cover every IPv4 address`}`,
        fix: 'Never open admin ports to the internet (AWS Config rule restricted-ssh; https://docs.aws.amazon.com/config/latest/developerguide/restricted-ssh.html): ' +
          'use Systems Manager Session Manager (sessionManagerEndpoints: true) or admit only an admin CIDR, e.g. FlowEndpoint.internet({ cidrs: [\'203.0.113.0/24\'] }).',
      });
    }
  }
  if (from.kind === FlowEndpointKind.INTERNET && to.kind === FlowEndpointKind.INTERNET) {
    problems.push({
      code: ErrorCode.FLOW_NO_END_INSIDE_VPC,
      prop: 'to',
      value: 'internet -> internet',
      problem: 'must have at least one end inside the VPC',
      fix: 'Name a tier or a workload as one end.',
    });
  }
  if (from.kind === FlowEndpointKind.INTERNET && to.tier === Tier.DATA) {
    problems.push({
      code: ErrorCode.FLOW_INTERNET_TO_DATA_TIER,
      prop: 'to',
      value: to.name,
      problem: 'is in the data tier, which the internet must never reach',
      fix: 'Put a load balancer in the public tier and a service in the app tier in front of the data tier.',
    });
  }
  const ipv6Peers = (from.peers ?? []).filter((p) => p.family === 'ipv6');
  if (from.kind === FlowEndpointKind.INTERNET && to.tier === Tier.APP && ipv6Peers.length > 0) {
    problems.push({
      code: ErrorCode.FLOW_INTERNET_TO_APP_TIER_OVER_IPV6,
      prop: 'to',
      value: to.name,
      problem: `is in the app tier, which the internet cannot reach over IPv6 (${ipv6Peers.map((p) => p.cidr).join(', ')}): its ::/0 route goes to an ` +
        'egress-only internet gateway, which admits no connection from the internet',
      fix: 'Put a load balancer in the public tier in front of it (FlowEndpoint.workload(loadBalancer, { tier: Tier.PUBLIC })); see ' +
        'https://docs.aws.amazon.com/vpc/latest/userguide/egress-only-internet-gateway.html',
    });
  }
  if (to.kind === FlowEndpointKind.INTERNET && from.tier === Tier.DATA) {
    problems.push({
      code: ErrorCode.FLOW_DATA_TIER_TO_INTERNET,
      prop: 'from',
      value: from.name,
      problem: 'is in the data tier, which has no route to the internet',
      fix: 'Reach AWS services from the data tier through the S3/DynamoDB gateway endpoints or interface endpoints, or move the workload to the app tier.',
    });
  }
  // NAT gateways carry IPv4 only; IPv6 leaves the app tier through the egress-only internet gateway of a dual-stack VPC.
  if (to.kind === FlowEndpointKind.INTERNET && from.tier === Tier.APP && !net.natGateway && (to.peers ?? []).some((p) => p.family === 'ipv4')) {
    problems.push({
      code: ErrorCode.FLOW_NO_NAT_GATEWAY,
      prop: 'from',
      value: from.name,
      problem: `needs the internet${net.dualStack ? ' over IPv4' : ''}, but the VPC has natGatewayMode NatGatewayMode.NONE`,
      fix: 'Use NatGatewayMode.PER_AZ (or SINGLE for non-production), or reach AWS services through endpoints' +
        (net.dualStack ? ', or reach the internet over IPv6 only through the egress-only internet gateway: FlowEndpoint.internet({ cidrs: [\'::/0\'] }).' : '.'),
    });
  }
  const kinds = [from.kind, to.kind];
  if (kinds.includes(FlowEndpointKind.TIER) && kinds.includes(FlowEndpointKind.WORKLOAD)) {
    problems.push({
      code: ErrorCode.FLOW_TIER_WITH_WORKLOAD,
      prop: from.kind === FlowEndpointKind.TIER ? 'from' : 'to',
      value: `${from.kind} -> ${to.kind}`,
      problem: 'pairs a whole tier with a workload',
      fix: 'A security group would then need a CIDR rule inside the VPC; declare workload -> workload (security group reference), or tier -> tier for NACL-only openings.',
    });
  }
  if (from.kind === FlowEndpointKind.TIER && to.kind === FlowEndpointKind.TIER && from.tier === to.tier) {
    problems.push({
      code: ErrorCode.FLOW_TIER_TO_ITSELF,
      prop: 'to',
      value: `tier ${from.tier} -> tier ${to.tier}`,
      problem: 'opens a tier to itself',
      fix: 'That would admit every workload of the tier to every other; declare workload -> workload instead (its NACL entries for cross-AZ traffic come with it).',
    });
  }
  return problems;
}

/** The address blocks an end stands for in `family`: its peers, or its tier's block. */
function endBlocks(end: ResolvedEnd, family: AddressFamily, net: FlowNetwork): string[] {
  if (end.kind === FlowEndpointKind.INTERNET) return (end.peers ?? []).filter((p) => p.family === family).map((p) => p.cidr);
  return net.tierBlocks.filter((b) => b.tier === end.tier && b.family === family).map((b) => b.cidr);
}

/**
 * Compiles a valid flow (`flowProblems` empty) into NACL legs and security group rules.
 *
 * NACLs are stateless, so every tier the traffic crosses gets the request leg one way and the
 * return leg (the client's ephemeral range) the other way: the source tier egress + ingress, the
 * destination tier ingress + egress. App tier -> internet crosses the public tier too, where the
 * NAT gateway receives the request from the app tier and sends it on from its own ephemeral
 * ports 1024-65535. Security groups are stateful: one rule, SG referencing SG inside the VPC,
 * CIDRs only for the internet; tier ends have no security group.
 */
export function compileFlow(from: ResolvedEnd, to: ResolvedEnd, port: PortSpec, net: FlowNetwork): CompiledFlow {
  const ephemeral: PortSpec = { protocol: port.protocol, from: from.ephemeral.from, to: from.ephemeral.to };
  const legs: NaclLeg[] = [];
  const families = [...new Set(net.tierBlocks.map((b) => b.family))];
  for (const family of families) {
    const fromBlocks = endBlocks(from, family, net);
    const toBlocks = endBlocks(to, family, net);
    if (fromBlocks.length === 0 || toBlocks.length === 0) continue;
    const leg = (tier: Tier, direction: NaclLeg['direction'], p: PortSpec, cidr: string, role: NaclLeg['role']) =>
      legs.push({ family, tier, direction, port: p, cidr, role });
    if (from.tier) {
      for (const c of toBlocks) {
        leg(from.tier, 'egress', port, c, 'request');
        leg(from.tier, 'ingress', ephemeral, c, 'return');
      }
    }
    if (to.tier) {
      for (const c of fromBlocks) {
        leg(to.tier, 'ingress', port, c, 'request');
        leg(to.tier, 'egress', ephemeral, c, 'return');
      }
    }
    // IPv4 to the internet crosses the NAT gateway in the public tier; IPv6 leaves the app tier
    // straight through the egress-only internet gateway, which sits in no subnet and has no NACL.
    if (to.kind === FlowEndpointKind.INTERNET && from.tier === Tier.APP && family === 'ipv4') {
      for (const appBlock of fromBlocks) {
        leg(Tier.PUBLIC, 'ingress', port, appBlock, 'request');
        leg(Tier.PUBLIC, 'egress', ephemeral, appBlock, 'return');
      }
      for (const c of toBlocks) {
        leg(Tier.PUBLIC, 'egress', port, c, 'request');
        leg(Tier.PUBLIC, 'ingress', { protocol: port.protocol, from: NAT_EPHEMERAL.from, to: NAT_EPHEMERAL.to }, c, 'return');
      }
    }
  }

  const sgRules: SgRule[] = [];
  if (from.kind === FlowEndpointKind.WORKLOAD && to.kind === FlowEndpointKind.WORKLOAD) {
    sgRules.push({ kind: from.groupKey !== undefined && from.groupKey === to.groupKey ? SgRuleKind.SELF : SgRuleKind.REFERENCE });
  } else if (to.kind === FlowEndpointKind.WORKLOAD && from.kind === FlowEndpointKind.INTERNET) {
    for (const peer of from.peers ?? []) sgRules.push({ kind: SgRuleKind.INGRESS_FROM_PEER, peer });
  } else if (from.kind === FlowEndpointKind.WORKLOAD && to.kind === FlowEndpointKind.INTERNET) {
    for (const peer of to.peers ?? []) sgRules.push({ kind: SgRuleKind.EGRESS_TO_PEER, peer });
  }
  return { port, ephemeral, naclLegs: legs, sgRules };
}
