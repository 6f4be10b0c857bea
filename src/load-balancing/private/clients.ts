import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { Tier } from '../../network/tier';
import { TieredVpc } from '../../network/tiered-vpc';
import { EphemeralRange } from '../../ports/ephemeral-range';
import { contains, isIpv4Cidr, isIpv6Cidr, overlaps, parseIpv4 } from '../../private/cidr';
import { propError } from '../../private/errors';
import { parseIpv6Cidr } from '../../private/ipv6-cidr';

/** A workload inside the VPC admitted with `allowFrom`. */
export interface WorkloadClient {
  readonly connectable: ec2.IConnectable;
  readonly tier: Tier;
  readonly ephemeralRange: EphemeralRange;
  readonly name?: string;
}

/**
 * Checks client CIDRs: IPv4, written as their network address, and not inside the VPC. A block
 * that overlaps the tiers without covering them all (part of the VPC) names workloads by address:
 * those are admitted by security group reference with `allowFrom` instead. Blocks that cover the
 * whole VPC (0.0.0.0/0, a corporate 10.0.0.0/8) stand for the world outside and are accepted.
 */
export function validateClientCidrs(scope: IConstruct, prop: string, cidrs: string[], net: TieredVpc): void {
  const tiers = [Tier.PUBLIC, Tier.APP, Tier.DATA].map((t) => parseIpv4(net.tierCidr(t)));
  for (const c of cidrs) {
    if (Token.isUnresolved(c)) continue;
    if (isIpv6Cidr(c)) {
      if (!net.dualStack) {
        throw propError(scope, prop, c, 'must be IPv4: the tiered VPC is not dual stack', 'Give IPv4 CIDRs, e.g. 203.0.113.0/24, or create the TieredVpc with ipProtocol: ec2.IpProtocol.DUAL_STACK.');
      }
      if (!parseIpv6Cidr(c)) {
        throw propError(scope, prop, c, 'must be an IPv6 CIDR block whose address is its network address',
          'Write it as its network address and a prefix length, e.g. 2001:db8::/32 (a single address is 2001:db8::10/128).');
      }
      continue;
    }
    if (!isIpv4Cidr(c)) {
      throw propError(scope, prop, c, 'must be an IPv4 CIDR block whose address is its network address',
        'Write it as a.b.c.d/n, e.g. 203.0.113.0/24 (a single address is 203.0.113.10/32).');
    }
    const range = parseIpv4(c);
    if (tiers.some((t) => overlaps(t, range)) && !tiers.every((t) => contains(range, t))) {
      throw propError(scope, prop, c, 'lies inside the VPC: clients inside the VPC are workloads, not CIDRs',
        'Admit them with allowFrom(workload, tier) (security group reference and the NACL entries between the tiers); keep clientCidrs for addresses outside the VPC.');
    }
  }
}
