import { IConstruct } from 'constructs';
import { isIpv6Cidr } from './cidr';
import { propError } from './errors';
import { coversIpv6Internet, parseIpv6Cidr } from './ipv6-cidr';
import { describePort, includesPort, PortSpec } from './port-spec';
import { FlowEndpoint, FlowEndpointKind } from '../network/flow-endpoint';
import { Tier } from '../network/tier';

/** An address family of a flow. */
export type AddressFamily = 'ipv4' | 'ipv6';

/** An internet end's CIDRs, split by family (the order within each family kept). */
export function cidrsByFamily(cidrs: readonly string[]): Record<AddressFamily, string[]> {
  return {
    ipv4: cidrs.filter((c) => !isIpv6Cidr(c)),
    ipv6: cidrs.filter((c) => isIpv6Cidr(c)),
  };
}

/**
 * The families a flow compiles for: those both ends have. An end inside the VPC (a tier or a
 * workload) has IPv4, and IPv6 when the VPC is dual stack; an internet end has the families of
 * its CIDRs.
 */
export function flowFamilies(from: FlowEndpoint, to: FlowEndpoint, dualStack: boolean): AddressFamily[] {
  const of = (end: FlowEndpoint): AddressFamily[] => {
    if (end.kind !== FlowEndpointKind.INTERNET) return dualStack ? ['ipv4', 'ipv6'] : ['ipv4'];
    const split = cidrsByFamily(end.cidrs ?? []);
    return (['ipv4', 'ipv6'] as AddressFamily[]).filter((f) => split[f].length > 0);
  };
  const a = of(from);
  const b = of(to);
  return a.filter((f) => b.includes(f));
}

/**
 * The IPv6 rules of a flow, checked before anything is compiled:
 * - IPv6 CIDRs only in a dual-stack VPC, each written as its network address;
 * - no SSH or RDP from an IPv6 block that covers the whole IPv6 internet (`::/0`, 2000::/3);
 * - nothing from the internet over IPv6 to the app or data tier: the app tier's `::/0` route goes
 *   to an egress-only internet gateway, which admits no connection from the internet, and the
 *   data tier has no IPv6 route at all, so such a flow could never carry traffic.
 */
export function checkIpv6Flow(scope: IConstruct, where: string, from: FlowEndpoint, to: FlowEndpoint, spec: PortSpec, dualStack: boolean): void {
  for (const end of [from, to]) {
    for (const c of end.cidrs ?? []) {
      if (!isIpv6Cidr(c)) continue;
      if (!dualStack) {
        throw propError(scope, `${where}: internet cidrs`, c, 'is IPv6, but this VPC is not dual stack',
          'Create the TieredVpc with ipProtocol: ec2.IpProtocol.DUAL_STACK, or give IPv4 CIDRs, e.g. 0.0.0.0/0 or 203.0.113.0/24.');
      }
      if (!parseIpv6Cidr(c)) {
        throw propError(scope, `${where}: internet cidrs`, c, 'must be an IPv6 CIDR block whose address is its network address',
          'Write it as its network address and a prefix length, e.g. ::/0 or 2001:db8::/32.');
      }
    }
  }
  if (from.kind !== FlowEndpointKind.INTERNET) return;
  const v6 = cidrsByFamily(from.cidrs ?? []).ipv6;
  if (v6.length === 0) return;
  const open = v6.find(coversIpv6Internet);
  const admin = spec.protocol === 'tcp' ? [22, 3389].find((p) => includesPort(spec, p)) : undefined;
  if (open && admin !== undefined) {
    throw propError(scope, `${where}: port`, describePort(spec),
      `opens ${admin === 22 ? 'SSH 22' : 'RDP 3389'} to ${open}, i.e. to every IPv6 address on the internet`,
      'Never open admin ports to the internet (AWS Config restricted-ssh): use Systems Manager Session Manager ' +
      '(sessionManagerEndpoints: true) or admit only an admin range, e.g. FlowEndpoint.internet([\'2001:db8:1234::/48\']).');
  }
  if (to.placedTier === Tier.APP) {
    throw propError(scope, `${where}: to`, to.name,
      `is in the app tier, which the internet cannot reach over IPv6 (${v6.join(', ')}): its ::/0 route goes to an egress-only internet gateway, which admits no connection from the internet`,
      'Put a load balancer in the public tier in front of it (FlowEndpoint.workload(loadBalancer, Tier.PUBLIC)); IPv4 clients of a load balancer that preserves client IPs are declared with IPv4 CIDRs.');
  }
}
