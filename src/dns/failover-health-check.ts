import { Duration, Tags, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { FailoverAlarmHealthCheckOptions, FailoverEndpointHealthCheckOptions, FailoverTargetGroupHealthOptions } from './failover-health-check-options';
import { FailoverBindContext, ResolvedTarget, Side, trimDot } from './private/binding';
import {
  bindAlarmHealthCheck, bindAlarmNameHealthCheck, bindEndpointHealthCheck, bindTargetGroupHealthCheck,
} from './private/health-check-binding';

/**
 * The health check of one side of a failover pair.
 *
 * - `endpoint()`: Route 53 checkers probe the target from outside AWS's VPCs (public targets only).
 * - `applicationTargetGroupHealth()` / `networkTargetGroupHealth()` / `cloudWatchAlarm()` /
 *   `cloudWatchAlarmName()`: a CLOUDWATCH_METRIC health check, for private targets (an internal
 *   load balancer, private addresses) that checkers can't reach (see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover.html).
 *
 * @example
 * FailoverHealthCheck.endpoint({ path: '/health', failureThreshold: 3 });
 * FailoverHealthCheck.applicationTargetGroupHealth(targetGroup);
 */
export class FailoverHealthCheck {
  /**
   * A Route 53 endpoint health check on the target (HTTPS, /health, every 30 s, failure
   * threshold 3 by default). Refused for a private target: checkers sit outside the VPC.
   */
  public static endpoint(options: FailoverEndpointHealthCheckOptions = {}): FailoverHealthCheck {
    const o = { ...options };
    return new FailoverHealthCheck((ctx, side, id, target) => bindEndpointHealthCheck(ctx, side, id, o, target));
  }

  /**
   * A health check that follows a CloudWatch alarm (healthy while the alarm is OK). The alarm
   * must be in the failover construct's region, or its stack must have a concrete region.
   * Route 53 accepts standard-resolution alarms on one metric with the Average, Minimum,
   * Maximum, Sum or SampleCount statistic (no metric math, no percentiles).
   */
  public static cloudWatchAlarm(alarm: cloudwatch.IAlarm, options: FailoverAlarmHealthCheckOptions = {}): FailoverHealthCheck {
    const o = { ...options };
    return new FailoverHealthCheck((ctx, side, id) => bindAlarmHealthCheck(ctx, side, id, alarm, o));
  }

  /**
   * A health check that follows a CloudWatch alarm by name and region: for an alarm created in
   * another region's stack (give it a fixed `alarmName` there), without cross-region references.
   */
  public static cloudWatchAlarmName(alarmName: string, region: string, options: FailoverAlarmHealthCheckOptions = {}): FailoverHealthCheck {
    const o = { ...options };
    return new FailoverHealthCheck((ctx, side, id) => bindAlarmNameHealthCheck(ctx, side, id, alarmName, region, o));
  }

  /**
   * A CloudWatch alarm on the ALB target group's `HealthyHostCount` (minimum over one minute
   * below `minHealthyTargets` for `evaluationPeriods` minutes), created in the failover
   * construct, and a health check that follows it. The target group must already be attached
   * to its load balancer, in the failover construct's region.
   */
  public static applicationTargetGroupHealth(targetGroup: elbv2.IApplicationTargetGroup,
    options: FailoverTargetGroupHealthOptions = {}): FailoverHealthCheck {
    return FailoverHealthCheck.targetGroupHealth(targetGroup.metrics, options);
  }

  /** As `applicationTargetGroupHealth`, for an NLB target group. */
  public static networkTargetGroupHealth(targetGroup: elbv2.INetworkTargetGroup,
    options: FailoverTargetGroupHealthOptions = {}): FailoverHealthCheck {
    return FailoverHealthCheck.targetGroupHealth(targetGroup.metrics, options);
  }

  /** An existing health check (e.g. a CALCULATED one), used as given: the construct checks nothing about it. */
  public static fromHealthCheck(healthCheck: route53.IHealthCheck): FailoverHealthCheck {
    return new FailoverHealthCheck(() => healthCheck, false);
  }

  /** The alarm health check on a target group's minimum HealthyHostCount per minute (ALB and NLB alike). */
  private static targetGroupHealth(metrics: { healthyHostCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric },
    options: FailoverTargetGroupHealthOptions): FailoverHealthCheck {
    const o = { ...options };
    const healthyHostCount = () => metrics.healthyHostCount({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MINIMUM });
    return new FailoverHealthCheck((ctx, side, id) => bindTargetGroupHealthCheck(ctx, side, id, healthyHostCount, o));
  }

  private constructor(
    private readonly binder: (ctx: FailoverBindContext, side: Side, id: string, target: ResolvedTarget) => route53.IHealthCheck,
    /** Whether the construct creates the health check (and so names it); an existing one is used as given. */
    private readonly created = true,
  ) {}

  /**
   * Creates (or, for `fromHealthCheck`, returns) the health check of one side of a pair.
   * @internal
   */
  public _bind(ctx: FailoverBindContext, side: Side, target: ResolvedTarget): route53.IHealthCheck {
    const healthCheck = this.binder(ctx, side, side === 'primary' ? 'PrimaryHealthCheck' : 'SecondaryHealthCheck', target);
    if (this.created) {
      Tags.of(healthCheck).add('Name', `${Token.isUnresolved(ctx.domainName) ? ctx.scope.node.path : trimDot(ctx.domainName)} ${side}`);
    }
    return healthCheck;
  }
}
