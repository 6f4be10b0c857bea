import { Fn } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { TierPlan } from './ip-plan';
import { ALL_TIERS, Tier } from '../network/tier';

/**
 * The prefix length of an Amazon-provided IPv6 block: every VPC that asks for one gets a /56.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html#vpc-sizing-ipv6
 */
export const VPC_IPV6_PREFIX = 56;
/** Every tier owns a quarter of the VPC's /56: a /58, i.e. 64 subnets of /64 (the fourth quarter is spare). */
export const TIER_IPV6_PREFIX = 58;
/** AWS gives every dual-stack subnet exactly a /64. */
export const SUBNET_IPV6_PREFIX = 64;

/**
 * The IPv6 side of the tier-contiguous plan, as CloudFormation expressions over the VPC's
 * Amazon-provided /56 (its value is only known at deploy time):
 * tier block = `Select(tierIndex, Cidr(vpc56, 4, 128-58))`, and the tier's subnet in AZ i =
 * `Select(i, Cidr(tierBlock, azCount, 128-64))`. One NACL entry then names a whole tier in IPv6
 * too, exactly as the IPv4 plan does.
 */
export function tierIpv6Cidr(vpcIpv6Cidr: string, tier: Tier): string {
  return Fn.select(ALL_TIERS.indexOf(tier), Fn.cidr(vpcIpv6Cidr, 4, `${128 - TIER_IPV6_PREFIX}`));
}

/** The tier's per-AZ /64s, in AZ order. */
export function subnetIpv6Cidrs(vpcIpv6Cidr: string, tier: Tier, azCount: number): string[] {
  const split = Fn.cidr(tierIpv6Cidr(vpcIpv6Cidr, tier), azCount, `${128 - SUBNET_IPV6_PREFIX}`);
  return Array.from({ length: azCount }, (_, i) => Fn.select(i, split));
}

/**
 * Hands aws-cdk-lib's VPC the per-tier IPv6 subnets (its own allocator numbers the /64s in
 * subnet creation order, which interleaves the tiers): the VPC block stays Amazon-provided,
 * and each subnet, recognised by its IPv4 block in the tier plan, gets its tier's /64 for its AZ.
 */
export class TierPlanIpv6Addresses implements ec2.IIpv6Addresses {
  public readonly amazonProvided = true;
  private readonly amazon = ec2.Ipv6Addresses.amazonProvided();
  private vpcIpv6Cidr?: string;

  constructor(private readonly plan: TierPlan[]) {}

  public allocateVpcIpv6Cidr(input: ec2.AllocateVpcIpv6CidrRequest): ec2.CfnVPCCidrBlock {
    return this.amazon.allocateVpcIpv6Cidr(input);
  }

  public createIpv6CidrBlocks(input: ec2.CreateIpv6CidrBlocksRequest): string[] {
    this.vpcIpv6Cidr = input.ipv6SelectedCidr;
    return [];
  }

  public allocateSubnetsIpv6Cidr(input: ec2.AllocateIpv6CidrRequest): ec2.SubnetIpamOptions {
    const vpcIpv6Cidr = this.vpcIpv6Cidr!;
    return {
      allocatedSubnets: input.allocatedSubnets.map((subnet) => {
        const tier = this.plan.find((p) => p.subnetCidrs.includes(subnet.cidr!))!;
        const index = tier.subnetCidrs.indexOf(subnet.cidr!);
        return { cidr: subnet.cidr, ipv6Cidr: subnetIpv6Cidrs(vpcIpv6Cidr, tier.tier, tier.subnetCidrs.length)[index] };
      }),
    };
  }
}
