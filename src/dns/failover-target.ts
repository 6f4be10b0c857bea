import { Duration } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { FailoverBindContext, ResolvedTarget, Side } from './private/binding';
import { bindDomainName, bindIpAddresses, bindLoadBalancer, LoadBalancerTargetSpec } from './private/target-binding';

/** Options for a failover target answered with plain values (IP addresses or a domain name). */
export interface FailoverValueTargetOptions {
  /**
   * How long resolvers may cache the answer. Failover is never faster than this: a resolver
   * keeps answering with the failed primary until its cached record expires (see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover.html). Alias records to load balancers have no TTL of their own.
   * @default Duration.seconds(60)
   */
  readonly ttl?: Duration;
}

/**
 * A load balancer known by its DNS attributes: one in another region or account, whose
 * construct can't be referenced from the hosted zone's stack without cross-region references.
 */
export interface FailoverLoadBalancerAttributes {
  /**
   * The load balancer's DNS name, e.g. `my-alb-1234567890.us-west-2.elb.amazonaws.com`
   * (`loadBalancer.loadBalancerDnsName`). The alias points at its `dualstack.` form, as
   * aws-cdk-lib's `LoadBalancerTarget` does; the endpoint health check resolves this name.
   */
  readonly dnsName: string;
  /**
   * The load balancer's canonical hosted zone id (`loadBalancer.loadBalancerCanonicalHostedZoneId`,
   * e.g. `Z1H1FL5HABSF5` for an ALB in us-west-2): the ELB service's zone for that region, not the
   * id of your hosted zone.
   */
  readonly canonicalHostedZoneId: string;
  /**
   * The load balancer's region. Used to check that the alias target is in the hosted zone's
   * partition (an alias can't cross from `aws` to `aws-cn` or `aws-us-gov`).
   * @default - unknown: the partition check is skipped
   */
  readonly region?: string;
  /**
   * Whether the load balancer is internet-facing. An internal load balancer resolves to private
   * addresses that Route 53 health checkers, outside every VPC, can't reach.
   * @default true
   */
  readonly internetFacing?: boolean;
  /**
   * The load balancer's IP address type: `DUAL_STACK` gets an AAAA record besides the A record,
   * `DUAL_STACK_WITHOUT_PUBLIC_IPV4` an AAAA record only.
   * @default elbv2.IpAddressType.IPV4
   */
  readonly ipAddressType?: elbv2.IpAddressType;
}

/**
 * The target of one side of a failover pair: a load balancer (an alias record with
 * evaluate-target-health), IP addresses (A/AAAA records) or a domain name (a CNAME record).
 *
 * For an ALB or NLB prefer the alias (see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover.html).
 *
 * @example
 * FailoverTarget.loadBalancer(alb);
 * FailoverTarget.loadBalancerAttributes({ dnsName: 'web-123.us-west-2.elb.amazonaws.com', canonicalHostedZoneId: 'Z1H1FL5HABSF5', region: 'us-west-2' });
 * FailoverTarget.ipAddress('52.95.110.1', { ttl: Duration.seconds(30) });
 * FailoverTarget.domainName('standby.example.net');
 */
export class FailoverTarget {
  /**
   * An ALB or NLB defined in this app, as an alias record with evaluate-target-health
   * (aws-cdk-lib `route53_targets.LoadBalancerTarget`). A and AAAA records when the load
   * balancer is dual-stack. Its scheme (internet-facing or internal) and IP address type are
   * read from the construct; an imported load balancer counts as internet-facing IPv4.
   *
   * Use this when the load balancer's stack is in the hosted zone's region; across regions use
   * `loadBalancerAttributes` with the literal DNS name and canonical hosted zone id.
   */
  public static loadBalancer(loadBalancer: elbv2.ILoadBalancerV2): FailoverTarget {
    return FailoverTarget.ofLoadBalancer({ loadBalancer });
  }

  /**
   * A load balancer by its DNS name and canonical hosted zone id, as an alias record with
   * evaluate-target-health: for a load balancer in another region (or account), without a
   * cross-region reference to its construct.
   */
  public static loadBalancerAttributes(attrs: FailoverLoadBalancerAttributes): FailoverTarget {
    return FailoverTarget.ofLoadBalancer({
      dnsName: attrs.dnsName,
      canonicalHostedZoneId: attrs.canonicalHostedZoneId,
      region: attrs.region,
      internetFacing: attrs.internetFacing ?? true,
      ipAddressType: attrs.ipAddressType ?? elbv2.IpAddressType.IPV4,
    });
  }

  /** One IPv4 or IPv6 address: an A or AAAA record (an unresolved token counts as IPv4, e.g. an Elastic IP). */
  public static ipAddress(address: string, options: FailoverValueTargetOptions = {}): FailoverTarget {
    return FailoverTarget.ipAddresses([address], options);
  }

  /**
   * IPv4 and/or IPv6 addresses: an A record for the IPv4 ones, an AAAA record for the IPv6 ones.
   * The endpoint health check then needs `ipAddress` (or `domainName`) when there is more than one.
   */
  public static ipAddresses(addresses: string[], options: FailoverValueTargetOptions = {}): FailoverTarget {
    const list = [...addresses];
    return new FailoverTarget((ctx, side) => bindIpAddresses(ctx, side, { addresses: list, ttl: options.ttl }));
  }

  /**
   * Another domain name: a CNAME record (so not at the zone apex, and both sides of the pair
   * must then be domain names). The endpoint health check resolves and probes this name.
   */
  public static domainName(name: string, options: FailoverValueTargetOptions = {}): FailoverTarget {
    return new FailoverTarget((ctx, side) => bindDomainName(ctx, side, { domainName: name, ttl: options.ttl }));
  }

  private static ofLoadBalancer(spec: LoadBalancerTargetSpec): FailoverTarget {
    return new FailoverTarget((ctx, side) => bindLoadBalancer(ctx, side, spec));
  }

  private constructor(private readonly binder: (ctx: FailoverBindContext, side: Side) => ResolvedTarget) {}

  /**
   * Resolves the target for one side of a pair: its record types, alias or values, and what an
   * endpoint health check probes.
   * @internal
   */
  public _bind(ctx: FailoverBindContext, side: Side): ResolvedTarget {
    return this.binder(ctx, side);
  }
}
