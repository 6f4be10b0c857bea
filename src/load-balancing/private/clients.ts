import { Annotations, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { Tier } from '../../network/tier';
import { ITieredVpc } from '../../network/tiered-vpc';
import { EphemeralRange } from '../../ports/ephemeral-range';
import { isIpv4Cidr, parseIpv4 } from '../../private/cidr';
import { propError } from '../../private/errors';
import { coversEveryIpv4Address, FlowPeer, peerCidrProblem } from '../../private/flow-compile';

/** A workload inside the VPC admitted with `allowClient`. */
export interface WorkloadClient {
  readonly connectable: ec2.IConnectable;
  readonly tier: Tier;
  readonly ephemeralRange: EphemeralRange;
  readonly name?: string;
}

/**
 * Checks client CIDRs with the flow model's own check of internet peers (the one `addFlow`
 * applies): IPv4, written as their network address, and not inside the VPC. Blocks that contain
 * the whole VPC (0.0.0.0/0, a corporate 10.0.0.0/8) stand for the world outside and are accepted.
 * An empty list is accepted here (an internal load balancer may admit workloads only).
 */
export function validateClientCidrs(scope: IConstruct, prop: string, cidrs: string[], net: ITieredVpc,
  insideVpcFix = 'Admit them with allowClient(workload, tier) (security group reference and the NACL entries between the tiers); keep clientCidrs for addresses outside the VPC.'): void {
  const concrete = cidrs.filter((c) => !Token.isUnresolved(c));
  if (concrete.length === 0) return;
  // The VPC's own blocks, as the flow model checks internet peers against them: its IPv4 CIDR and,
  // when dual stack, its Amazon-provided IPv6 block (only known once deployed: the check uses its
  // presence, and error messages name it).
  const vpcBlocks: FlowPeer[] = [
    { family: 'ipv4', cidr: net.cidr },
    ...(net.dualStack ? [{ family: 'ipv6' as const, cidr: 'the VPC\'s IPv6 block' }] : []),
  ];
  const problem = peerCidrProblem(concrete, vpcBlocks, prop, insideVpcFix);
  if (problem) throw propError(scope, problem.prop, problem.value, problem.problem, problem.fix, problem.code);
}

/**
 * Warns when an internal load balancer's client CIDRs together cover every IPv4 address: an
 * internal load balancer is reached only from the VPC, peered VPCs and networks connected by VPN
 * or Direct Connect, so such a range admits every one of them rather than naming the clients.
 */
export function warnWorldClients(scope: IConstruct, cidrs: string[]): void {
  const ranges = cidrs.filter((c) => !Token.isUnresolved(c) && isIpv4Cidr(c)).map(parseIpv4);
  if (ranges.length === 0 || !coversEveryIpv4Address(ranges)) return;
  Annotations.of(scope).addWarningV2('cdk-network-patterns:internalNlbWorldClients',
    `This internal load balancer admits ${cidrs.join(', ')} (every IPv4 address): it has private addresses only, reached from the VPC, ` +
    'peered VPCs and networks connected by VPN or Direct Connect, so this admits every one of those networks. Name the peered or ' +
    'on-premises ranges instead. See https://docs.aws.amazon.com/elasticloadbalancing/latest/network/network-load-balancers.html#load-balancer-scheme');
}
