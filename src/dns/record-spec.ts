import type { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import type { FailoverAlarmHealthCheckOptions, FailoverEndpointHealthCheckOptions, FailoverTargetGroupHealthOptions } from './failover-health-check';

// Internal shapes of the enum-like classes' choices. Not exported from the barrel (jsii never sees them).

/** What a failover record answers with. Internal to the library. */
export interface FailoverTargetSpec {
  readonly kind: 'loadBalancer' | 'ipAddresses' | 'domainName';
  /** The construct, when the target is a load balancer defined in this app. */
  readonly loadBalancer?: elbv2.ILoadBalancerV2;
  readonly dnsName?: string;
  readonly canonicalHostedZoneId?: string;
  readonly region?: string;
  /** Undefined: read from the construct at bind time. */
  readonly internetFacing?: boolean;
  readonly ipAddressType?: elbv2.IpAddressType;
  readonly addresses?: string[];
  readonly domainName?: string;
  readonly ttl?: Duration;
}

/** What a failover health check is. Internal to the library. */
export interface FailoverHealthCheckSpec {
  readonly kind: 'endpoint' | 'alarm' | 'alarmName' | 'targetGroup' | 'existing';
  readonly endpoint?: FailoverEndpointHealthCheckOptions;
  readonly alarm?: cloudwatch.IAlarm;
  readonly alarmName?: string;
  readonly alarmRegion?: string;
  readonly alarmOptions?: FailoverAlarmHealthCheckOptions;
  readonly healthyHostCount?: () => cloudwatch.IMetric;
  readonly targetGroupOptions?: FailoverTargetGroupHealthOptions;
  readonly healthCheck?: route53.IHealthCheck;
}
