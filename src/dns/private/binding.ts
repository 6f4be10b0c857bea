import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { propError } from '../../private/errors';

// What failover targets and health checks bind to: the record pair, seen through a narrow
// interface. Internal to the library (not exported from the barrel, so jsii never sees it).

export type Side = 'primary' | 'secondary';
export type Family = 'A' | 'AAAA' | 'CNAME';

/** Record TTLs above this delay failover noticeably (see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-types.html). */
const HIGH_TTL_SECONDS = 300;
/** The TTL of records answered with values (IP addresses, a domain name). */
export const DEFAULT_TTL = Duration.seconds(60);

/** A side's target, bound to the record pair. */
export interface ResolvedTarget {
  /** An identity, equal for two targets naming the same endpoint; undefined when unknown (tokens). */
  readonly identity?: string;
  readonly families: Family[];
  readonly description: string;
  /** Why Route 53 checkers can't reach the target, when they can't. */
  readonly privateReason?: string;
  readonly aliasTarget?: route53.IAliasRecordTarget;
  readonly ipv4: string[];
  readonly ipv6: string[];
  /** The CNAME's value, for a domain name target. */
  readonly cname?: string;
  readonly ttl?: Duration;
  /** What an endpoint health check probes by default. */
  readonly probeDomainName?: string;
  readonly probeIpAddress?: string;
  /** The probe can only be resolved to IPv6, which Route 53 doesn't do for domain-name checks. */
  readonly ipv6Only?: boolean;
  /** The load balancer construct, when defined in this app. */
  readonly loadBalancer?: elbv2.ILoadBalancerV2;
}

/** A load balancer endpoint check to verify against the flow model once the app is complete. */
export interface ReachabilityCheck {
  readonly side: Side;
  readonly loadBalancer: elbv2.ILoadBalancerV2;
  readonly port: number;
}

/** The record pair as its targets and health checks see it. */
export interface FailoverBindContext {
  /** The failover record construct: the scope of health checks and alarms, and of messages. */
  readonly scope: Construct;
  /** The hosted zone of the pair. */
  readonly zone: route53.IHostedZone;
  /** Whether the zone is private (associated with VPCs). */
  readonly zoneIsPrivate: boolean;
  /** The record name, fully qualified. */
  readonly domainName: string;
  /** Checks, once the app is complete, that a load balancer endpoint check is admitted by a declared flow. */
  addReachabilityCheck(check: ReachabilityCheck): void;
  /** Records an alarm the pair created for a health check. */
  addAlarm(alarm: cloudwatch.Alarm): void;
}

export function trimDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

export function validateTtl(ctx: FailoverBindContext, side: Side, ttl: Duration | undefined): void {
  if (!ttl) return;
  const seconds = ttl.toSeconds();
  if (Token.isUnresolved(seconds)) return;
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 2147483647) {
    throw propError(ctx.scope, `${side}.target ttl`, `${seconds} s`, 'must be a whole number of seconds within 0-2147483647', 'Use Duration.seconds(60).');
  }
  if (seconds > HIGH_TTL_SECONDS) {
    Annotations.of(ctx.scope).addWarningV2('cdk-network-patterns:failoverHighTtl',
      `${side}: TTL ${seconds} s: resolvers keep answering with a failed endpoint for up to this long, so failover takes as long. ` +
      'Keep it at 60 s (the default) or lower for failover.');
  }
}
