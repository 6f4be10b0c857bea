import { IConstruct } from 'constructs';
import { cidrAt, contains, isIpv4Cidr, overlaps, parseIpv4, Ipv4Range } from './cidr';
import { propError } from './errors';
import { IpPlanProps } from '../network/ip-plan';
import { Tier, ALL_TIERS } from '../network/tier';

/** One tier's block and its per-AZ subnets. */
export interface TierPlan {
  readonly tier: Tier;
  readonly cidr: string;
  readonly subnetCidrs: string[];
  readonly subnetPrefixLength: number;
}

/** Smallest and largest VPC prefix the plan supports: /16 is AWS's largest VPC; /24 still leaves /28 subnets for 3 AZs. */
export const MIN_VPC_PREFIX = 16;
export const MAX_VPC_PREFIX = 24;
/** AWS's smallest subnet is a /28 (16 addresses, 11 usable after the 5 reserved). */
export const MAX_SUBNET_PREFIX = 28;
/** AWS reserves the first four addresses and the last one of every subnet (see https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html). */
export const RESERVED_ADDRESSES_PER_SUBNET = 5;

/**
 * Computes the tier-contiguous IP plan. Throws a synth-time error naming `scope` for any plan
 * that doesn't fit.
 */
export function computeIpPlan(scope: IConstruct, vpcCidr: string, azCount: number, props: IpPlanProps = {}): TierPlan[] {
  if (!isIpv4Cidr(vpcCidr)) {
    throw propError(scope, 'cidr', vpcCidr, 'must be an IPv4 CIDR block whose address is its network address (e.g. 10.0.0.0/16)',
      'Write the network address and a prefix length, e.g. 10.0.0.0/16.');
  }
  const vpc = parseIpv4(vpcCidr);
  if (vpc.prefix < MIN_VPC_PREFIX || vpc.prefix > MAX_VPC_PREFIX) {
    throw propError(scope, 'cidr', vpcCidr, `must have a prefix length between /${MIN_VPC_PREFIX} and /${MAX_VPC_PREFIX}`,
      `AWS allows /16 at most; the three-tier plan needs at least a /${MAX_VPC_PREFIX} to give every AZ a /28 or larger.`);
  }
  const azBits = Math.ceil(Math.log2(Math.max(azCount, 1)));
  const explicit: Partial<Record<Tier, string | undefined>> = {
    [Tier.PUBLIC]: props.publicCidr, [Tier.APP]: props.appCidr, [Tier.DATA]: props.dataCidr,
  };
  const prefixes: Record<Tier, number | undefined> = {
    [Tier.PUBLIC]: props.publicPrefixLength, [Tier.APP]: props.appPrefixLength, [Tier.DATA]: props.dataPrefixLength,
  };

  const allocated: Array<{ tier: Tier; range: Ipv4Range }> = [];
  // Explicit blocks first, so that allocated ones fit around them.
  for (const tier of ALL_TIERS) {
    const cidr = explicit[tier];
    if (cidr === undefined) continue;
    const prop = `ipPlan.${tier}Cidr`;
    if (!isIpv4Cidr(cidr)) {
      throw propError(scope, prop, cidr, 'must be an IPv4 CIDR block whose address is its network address',
        `Give a block inside ${vpcCidr}, e.g. ${cidrAt(vpc.first, vpc.prefix + 2)}.`);
    }
    const range = parseIpv4(cidr);
    if (!contains(vpc, range) || range.prefix <= vpc.prefix) {
      throw propError(scope, prop, cidr, `must be a block strictly inside the VPC CIDR ${vpcCidr}`,
        `Pick a smaller block inside ${vpcCidr}, or omit it to let the plan allocate one.`);
    }
    const clash = allocated.find((a) => overlaps(a.range, range));
    if (clash) {
      throw propError(scope, prop, cidr, `overlaps the ${clash.tier} tier's block ${clash.range.cidr}`,
        'Give each tier its own, non-overlapping block: a NACL entry names one tier by its block.');
    }
    allocated.push({ tier, range });
  }
  for (const tier of ALL_TIERS) {
    if (explicit[tier] !== undefined) continue;
    const prop = `ipPlan.${tier}PrefixLength`;
    const prefix = prefixes[tier] ?? vpc.prefix + 2;
    if (!Number.isInteger(prefix) || prefix <= vpc.prefix || prefix > MAX_SUBNET_PREFIX - azBits) {
      throw propError(scope, prop, prefix,
        `must be an integer between /${vpc.prefix + 1} and /${MAX_SUBNET_PREFIX - azBits} for a /${vpc.prefix} VPC over ${azCount} AZs`,
        `Each AZ's subnet must be /${MAX_SUBNET_PREFIX} or larger; use a larger tier block or a larger VPC CIDR.`);
    }
    const size = 2 ** (32 - prefix);
    let placed: Ipv4Range | undefined;
    for (let first = vpc.first; first + size - 1 <= vpc.last; first += size) {
      const candidate = parseIpv4(cidrAt(first, prefix));
      if (!allocated.some((a) => overlaps(a.range, candidate))) {
        placed = candidate;
        break;
      }
    }
    if (!placed) {
      const used = allocated.map((a) => `${a.tier} ${a.range.cidr}`).join(', ');
      throw propError(scope, prop, prefix, `leaves no free /${prefix} block in ${vpcCidr} (already allocated: ${used})`,
        'The tier sizes don\'t fit: make the tiers smaller or the VPC CIDR larger.');
    }
    allocated.push({ tier, range: placed });
  }

  return ALL_TIERS.map((tier) => {
    const range = allocated.find((a) => a.tier === tier)!.range;
    const subnetPrefix = range.prefix + azBits;
    if (subnetPrefix > MAX_SUBNET_PREFIX) {
      throw propError(scope, `ipPlan.${tier}Cidr`, range.cidr,
        `is too small to split over ${azCount} AZs (each subnet would be /${subnetPrefix}, smaller than AWS's /${MAX_SUBNET_PREFIX})`,
        'Use a larger block for this tier.');
    }
    const subnetSize = 2 ** (32 - subnetPrefix);
    const subnetCidrs = Array.from({ length: azCount }, (_, i) => cidrAt(range.first + i * subnetSize, subnetPrefix));
    return { tier, cidr: range.cidr, subnetCidrs, subnetPrefixLength: subnetPrefix };
  });
}
