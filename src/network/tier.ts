/**
 * The three tiers of a `TieredVpc` (see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html).
 */
export enum Tier {
  /** Public subnets: a route to the internet gateway; load balancers and NAT gateways live here. */
  PUBLIC = 'public',
  /** Private application subnets: the default route goes to the NAT gateway in the same AZ. */
  APP = 'app',
  /** Isolated data subnets: no route to the internet at all. */
  DATA = 'data',
}

/** The tiers in plan order (their blocks are allocated in this order). */
export const ALL_TIERS: readonly Tier[] = [Tier.PUBLIC, Tier.APP, Tier.DATA];

/** The subnet group name aws-cdk-lib uses for a tier (`PublicSubnet1`, `AppSubnet1`, ...). */
export function subnetGroupName(tier: Tier): string {
  return tier.charAt(0).toUpperCase() + tier.slice(1);
}
