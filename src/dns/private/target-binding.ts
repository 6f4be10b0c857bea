import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { DEFAULT_TTL, Family, FailoverBindContext, ResolvedTarget, Side, trimDot, validateTtl } from './binding';
import { ErrorCode, formatValue, propError } from '../../private/errors';
import { ipFamily, nonPublicReason } from '../ip-address';

// How each kind of failover target binds to the record pair. Internal to the library.

/** A load balancer: the construct, or its DNS attributes. */
export interface LoadBalancerTargetSpec {
  readonly loadBalancer?: elbv2.ILoadBalancerV2;
  readonly dnsName?: string;
  readonly canonicalHostedZoneId?: string;
  readonly region?: string;
  /** Undefined: read from the construct. */
  readonly internetFacing?: boolean;
  readonly ipAddressType?: elbv2.IpAddressType;
}

/** IP addresses: an A record for the IPv4 ones, an AAAA record for the IPv6 ones. */
export function bindIpAddresses(ctx: FailoverBindContext, side: Side,
  spec: { readonly addresses: string[]; readonly ttl?: Duration }): ResolvedTarget {
  const prop = `${side}.target`;
  const addresses = spec.addresses ?? [];
  if (addresses.length === 0) {
    throw propError(ctx.scope, prop, addresses, 'must name at least one IP address', 'Use FailoverTarget.ipAddress(\'52.95.110.1\') or ipAddresses([...]).');
  }
  const ipv4: string[] = [];
  const ipv6: string[] = [];
  for (const a of addresses) {
    if (Token.isUnresolved(a)) { ipv4.push(a); continue; }
    const family = ipFamily(a);
    if (!family) {
      throw propError(ctx.scope, prop, a, 'is not an IPv4 or IPv6 address', 'Give literal addresses such as \'52.95.110.1\' or \'2600:1f18::1\', or use FailoverTarget.domainName for a name.');
    }
    (family === 'ipv4' ? ipv4 : ipv6).push(a);
  }
  validateTtl(ctx, side, spec.ttl);
  const privateOnes = addresses.map((a) => [a, nonPublicReason(a)] as const).filter(([, r]) => r !== undefined);
  if (privateOnes.length > 0 && !ctx.zoneIsPrivate) {
    throw propError(ctx.scope, prop, privateOnes[0][0], `${privateOnes[0][1]}, but the hosted zone is public: the record would publish an address that no client resolving it on the internet can reach`,
      'Give the public address of the endpoint, or put the pair in a private hosted zone associated with the VPC (route53.PrivateHostedZone). ' +
      'See https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zones-private.html', ErrorCode.FAILOVER_PRIVATE_ADDRESS_IN_PUBLIC_ZONE);
  }
  return {
    identity: ipIdentity(addresses),
    families: [...(ipv4.length ? ['A' as Family] : []), ...(ipv6.length ? ['AAAA' as Family] : [])],
    description: `IP addresses ${formatValue(addresses)}`,
    privateReason: privateOnes.length ? `${privateOnes[0][0]} ${privateOnes[0][1]}` : undefined,
    ipv4,
    ipv6,
    ttl: spec.ttl ?? DEFAULT_TTL,
    probeIpAddress: addresses.length === 1 ? addresses[0] : undefined,
  };
}

/** Another domain name: a CNAME record. */
export function bindDomainName(ctx: FailoverBindContext, side: Side, spec: { readonly domainName: string; readonly ttl?: Duration }): ResolvedTarget {
  const prop = `${side}.target`;
  const name = spec.domainName ?? '';
  if (!Token.isUnresolved(name) && name.trim().length === 0) {
    throw propError(ctx.scope, prop, name, 'must be a domain name', 'Use FailoverTarget.domainName(\'standby.example.net\').');
  }
  validateTtl(ctx, side, spec.ttl);
  return {
    identity: nameIdentity('name', name),
    cname: name,
    families: ['CNAME'],
    description: `domain name ${formatValue(name)}`,
    ipv4: [],
    ipv6: [],
    ttl: spec.ttl ?? DEFAULT_TTL,
    probeDomainName: name,
  };
}

/** A load balancer: an alias record with evaluate-target-health. */
export function bindLoadBalancer(ctx: FailoverBindContext, side: Side, spec: LoadBalancerTargetSpec): ResolvedTarget {
  const prop = `${side}.target`;
  const here = Stack.of(ctx.scope);
  let internetFacing = spec.internetFacing ?? true;
  let ipAddressType = spec.ipAddressType ?? elbv2.IpAddressType.IPV4;
  let dnsName = spec.dnsName!;
  let region = spec.region;
  let aliasTarget: route53.IAliasRecordTarget;
  let description: string;
  const lb = spec.loadBalancer;
  if (lb) {
    const cfn = lb.node.defaultChild;
    if (cfn instanceof elbv2.CfnLoadBalancer) {
      internetFacing = cfn.scheme !== 'internal';
      ipAddressType = (cfn.ipAddressType as elbv2.IpAddressType | undefined) ?? elbv2.IpAddressType.IPV4;
    }
    dnsName = lb.loadBalancerDnsName;
    const lbStack = Stack.of(lb);
    region = lbStack.region;
    description = `load balancer ${lb.node.path}`;
    const crossRegion = lbStack !== here && !Token.isUnresolved(region) && !Token.isUnresolved(here.region) && region !== here.region;
    if (crossRegion && !(here as unknown as { _crossRegionReferences?: boolean })._crossRegionReferences) {
      throw propError(ctx.scope, prop, lb.node.path, `is in ${region}, but the records are in ${here.region}: referencing its construct needs a cross-region reference`,
        'Pass the load balancer by its literal attributes instead: FailoverTarget.loadBalancerAttributes({ dnsName, canonicalHostedZoneId, region }) ' +
        '(copy them from the regional stack\'s outputs), or set crossRegionReferences: true on this stack.');
    }
    aliasTarget = new targets.LoadBalancerTarget(lb, { evaluateTargetHealth: true });
  } else {
    description = `load balancer ${formatValue(dnsName)}`;
    validateLoadBalancerAttributes(ctx, prop, spec);
    aliasTarget = new LoadBalancerAttributesTarget(dnsName, spec.canonicalHostedZoneId!);
  }
  if (region && !Token.isUnresolved(region) && !Token.isUnresolved(here.region)) {
    const theirs = RegionInfo.get(region).partition;
    const ours = RegionInfo.get(here.region).partition;
    if (theirs && ours && theirs !== ours) {
      throw propError(ctx.scope, prop, `${description} in ${region}`, `is in partition ${theirs}, but the hosted zone's stack is in ${ours}`,
        'An alias record can only point at a load balancer of its own partition: create the secondary in a region of the same partition, or use a hosted zone there.');
    }
  }
  if (!internetFacing && !ctx.zoneIsPrivate) {
    throw propError(ctx.scope, prop, description, 'is internal (private addresses only), but the hosted zone is public: the record would publish addresses that no client resolving it on the internet can reach',
      'Use an internet-facing load balancer, or put the pair in a private hosted zone associated with the VPC (route53.PrivateHostedZone). ' +
      'See https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zones-private.html', ErrorCode.FAILOVER_PRIVATE_ADDRESS_IN_PUBLIC_ZONE);
  }
  const families: Family[] = ipAddressType === elbv2.IpAddressType.DUAL_STACK ? ['A', 'AAAA']
    : ipAddressType === elbv2.IpAddressType.DUAL_STACK_WITHOUT_PUBLIC_IPV4 ? ['AAAA'] : ['A'];
  return {
    identity: lb ? `lb:${lb.node.addr}` : nameIdentity('lb', spec.dnsName),
    families,
    description,
    privateReason: internetFacing ? undefined : `${description} is internal (scheme internal: private addresses only)`,
    aliasTarget,
    ipv4: [],
    ipv6: [],
    probeDomainName: dnsName,
    ipv6Only: ipAddressType === elbv2.IpAddressType.DUAL_STACK_WITHOUT_PUBLIC_IPV4,
    loadBalancer: lb,
  };
}

function validateLoadBalancerAttributes(ctx: FailoverBindContext, prop: string, spec: LoadBalancerTargetSpec): void {
  const dnsName = spec.dnsName ?? '';
  const zoneId = spec.canonicalHostedZoneId ?? '';
  if (!Token.isUnresolved(dnsName) && !/\.elb\.([a-z0-9-]+\.)?amazonaws\.com(\.cn)?\.?$/i.test(dnsName)) {
    throw propError(ctx.scope, `${prop}.dnsName`, dnsName, 'is not a load balancer DNS name (…elb.amazonaws.com)',
      'An alias to a load balancer needs its DNS name, e.g. my-alb-1234567890.us-west-2.elb.amazonaws.com; for any other name use FailoverTarget.domainName.');
  }
  if (!Token.isUnresolved(zoneId)) {
    if (!/^Z[A-Z0-9]{4,31}$/.test(zoneId)) {
      throw propError(ctx.scope, `${prop}.canonicalHostedZoneId`, zoneId, 'is not a hosted zone id (Z followed by letters and digits)',
        'Give the load balancer\'s loadBalancerCanonicalHostedZoneId, e.g. Z1H1FL5HABSF5 for an ALB in us-west-2.');
    }
    if (!Token.isUnresolved(ctx.zone.hostedZoneId) && zoneId === ctx.zone.hostedZoneId) {
      throw propError(ctx.scope, `${prop}.canonicalHostedZoneId`, zoneId, 'is the id of the hosted zone that holds the records',
        'An alias to a load balancer names the ELB service\'s zone for its region (loadBalancerCanonicalHostedZoneId), not your own zone.');
    }
  }
}

/** An alias to a load balancer known by attributes (aws-cdk-lib's LoadBalancerTarget needs a construct). */
class LoadBalancerAttributesTarget implements route53.IAliasRecordTarget {
  constructor(private readonly dnsName: string, private readonly hostedZoneId: string) {}

  public bind(): route53.AliasRecordTargetConfig {
    const name = !Token.isUnresolved(this.dnsName) && this.dnsName.toLowerCase().startsWith('dualstack.') ? this.dnsName : `dualstack.${this.dnsName}`;
    return { hostedZoneId: this.hostedZoneId, dnsName: name, evaluateTargetHealth: true };
  }
}

/** The identity of a name (a load balancer's DNS name or a domain name); undefined for a token. */
function nameIdentity(prefix: string, n: string | undefined): string | undefined {
  return n === undefined || Token.isUnresolved(n) ? undefined : `${prefix}:${trimDot(n.toLowerCase()).replace(/^dualstack\./, '')}`;
}

/** The identity of a set of addresses; undefined when one is a token. */
function ipIdentity(addresses: string[]): string | undefined {
  if (addresses.some((a) => Token.isUnresolved(a))) return undefined;
  return `ip:${[...new Set(addresses.map((a) => a.toLowerCase()))].sort().join(',')}`;
}
