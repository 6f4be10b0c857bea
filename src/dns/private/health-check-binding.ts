import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { FailoverBindContext, ResolvedTarget, Side, trimDot } from './binding';
import { acknowledgeCompliance, CompliancePack } from '../../private/compliance';
import { formatValue, propError } from '../../private/errors';
import {
  FailoverAlarmHealthCheckOptions, FailoverEndpointHealthCheckOptions, FailoverHealthCheckProtocol, FailoverTargetGroupHealthOptions,
} from '../failover-health-check-options';
import { ipFamily, nonPublicReason } from '../ip-address';

// How each kind of failover health check binds to the record pair. Internal to the library.

/** Route 53 checker regions (Route 53 API reference, HealthCheckConfig Regions). */
const CHECKER_REGIONS = ['us-east-1', 'us-west-1', 'us-west-2', 'eu-west-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'sa-east-1'];
const ALARM_STATISTICS = ['Average', 'Minimum', 'Maximum', 'Sum', 'SampleCount'];

/** A Route 53 endpoint health check on the target. */
export function bindEndpointHealthCheck(ctx: FailoverBindContext, side: Side, id: string, o: FailoverEndpointHealthCheckOptions,
  target: ResolvedTarget): route53.IHealthCheck {
  const prop = `${side}.healthCheck`;
  const protocol = o.protocol ?? FailoverHealthCheckProtocol.HTTPS;
  const isHttp = protocol !== FailoverHealthCheckProtocol.TCP;

  // Settings
  if (o.port === undefined && !isHttp) {
    throw propError(ctx.scope, `${prop}.port`, o.port, 'is required for a TCP health check', 'Give the port the endpoint listens on, e.g. port: 9092.');
  }
  const port = o.port ?? (protocol === FailoverHealthCheckProtocol.HTTP ? 80 : 443);
  if (!Token.isUnresolved(port) && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw propError(ctx.scope, `${prop}.port`, port, 'must be an integer within 1-65535', 'Give the port the endpoint listens on, e.g. 443.');
  }
  for (const [name, value] of [['path', o.path], ['searchString', o.searchString]] as const) {
    if (value === undefined) continue;
    if (!isHttp) {
      throw propError(ctx.scope, `${prop}.${name}`, value, 'only applies to HTTP and HTTPS health checks', `Remove ${name}, or use protocol HTTP or HTTPS.`);
    }
    if (!Token.isUnresolved(value) && (value.length < 1 || value.length > 255)) {
      throw propError(ctx.scope, `${prop}.${name}`, value, 'must be 1-255 characters long', name === 'path' ? 'Use a short path such as \'/health\'.' : 'Match a short marker such as \'OK\'.');
    }
  }
  const interval = o.interval ?? Duration.seconds(30);
  const seconds = interval.toSeconds();
  if (!Token.isUnresolved(seconds) && seconds !== 10 && seconds !== 30) {
    throw propError(ctx.scope, `${prop}.interval`, `${seconds} s`, 'must be 10 or 30 seconds (the only intervals Route 53 offers)',
      'Use Duration.seconds(30) (Route 53\'s standard interval), or Duration.seconds(10) for faster failover at a higher price.');
  }
  const failureThreshold = o.failureThreshold ?? 3;
  if (!Token.isUnresolved(failureThreshold) && (!Number.isInteger(failureThreshold) || failureThreshold < 1 || failureThreshold > 10)) {
    throw propError(ctx.scope, `${prop}.failureThreshold`, failureThreshold, 'must be an integer within 1-10',
      'Use 3 (Route 53\'s default): with a 30 s interval, failover starts after about 90 s of failures.');
  }
  if (o.regions !== undefined) {
    const bad = o.regions.filter((r) => !Token.isUnresolved(r) && !CHECKER_REGIONS.includes(r));
    if (bad.length) {
      throw propError(ctx.scope, `${prop}.regions`, o.regions, `names ${formatValue(bad)}, which ${bad.length === 1 ? 'is not a' : 'are not'} Route 53 checker region${bad.length === 1 ? '' : 's'}`,
        `Choose at least 3 of ${CHECKER_REGIONS.join(', ')}, or omit regions for all of them.`);
    }
    if (new Set(o.regions).size !== o.regions.length || o.regions.length < 3) {
      throw propError(ctx.scope, `${prop}.regions`, o.regions, 'must name at least 3 distinct checker regions',
        `Route 53 needs checkers in 3 regions or more: choose from ${CHECKER_REGIONS.join(', ')}, or omit regions for all of them.`);
    }
  }

  // What is probed
  const ipAddress = o.ipAddress ?? (o.domainName === undefined ? target.probeIpAddress : undefined);
  const domainName = o.domainName ?? target.probeDomainName;
  if (ipAddress === undefined && domainName === undefined) {
    throw propError(ctx.scope, `${prop}`, `${target.description}`, 'has no health check target: Route 53 can probe one address or one name',
      'Say what to probe: FailoverHealthCheck.endpoint({ ipAddress: \'52.95.110.1\' }) or endpoint({ domainName: \'app-east.example.com\' }).');
  }
  if (o.ipAddress !== undefined && !Token.isUnresolved(o.ipAddress) && !ipFamily(o.ipAddress)) {
    throw propError(ctx.scope, `${prop}.ipAddress`, o.ipAddress, 'is not an IPv4 or IPv6 address', 'Give a literal public address, or use domainName.');
  }
  const privateIp = ipAddress !== undefined ? nonPublicReason(ipAddress) : undefined;
  if (privateIp) {
    throw propError(ctx.scope, o.ipAddress !== undefined ? `${prop}.ipAddress` : prop, ipAddress,
      `${privateIp}: an endpoint health check can't reach it, because Route 53 health checkers sit outside every VPC`,
      'For a private target use a CloudWatch-alarm health check, e.g. FailoverHealthCheck.cloudWatchAlarm(alarm) on a metric of the target\'s health.');
  }
  if (o.ipAddress === undefined && o.domainName === undefined && target.privateReason) {
    throw propError(ctx.scope, prop, 'an endpoint health check', `aims at a private target: ${target.privateReason}, and Route 53 health checkers sit outside every VPC, so the check would always fail`,
      'Use a CloudWatch-alarm health check on the target\'s health instead: FailoverHealthCheck.applicationTargetGroupHealth(targetGroup) ' +
      '(networkTargetGroupHealth for an NLB) or FailoverHealthCheck.cloudWatchAlarm(alarm).');
  }
  if (ipAddress === undefined && o.domainName === undefined && target.ipv6Only) {
    throw propError(ctx.scope, prop, target.description, 'has public IPv6 addresses only (DUAL_STACK_WITHOUT_PUBLIC_IPV4), but Route 53 resolves a health check\'s domain name to IPv4 only',
      'Probe an IPv6 address (ipAddress), a name with a public A record (domainName), or use a CloudWatch-alarm health check (applicationTargetGroupHealth).');
  }
  if (domainName !== undefined && ipAddress === undefined) warnPrivateZoneName(ctx, side, domainName);

  const type = protocol === FailoverHealthCheckProtocol.TCP ? route53.HealthCheckType.TCP
    : o.searchString !== undefined
      ? (protocol === FailoverHealthCheckProtocol.HTTP ? route53.HealthCheckType.HTTP_STR_MATCH : route53.HealthCheckType.HTTPS_STR_MATCH)
      : (protocol === FailoverHealthCheckProtocol.HTTP ? route53.HealthCheckType.HTTP : route53.HealthCheckType.HTTPS);
  const healthCheck = new route53.HealthCheck(ctx.scope, id, {
    type,
    fqdn: domainName,
    ipAddress,
    port,
    resourcePath: isHttp ? (o.path ?? '/health') : undefined,
    searchString: o.searchString,
    requestInterval: interval,
    failureThreshold,
    measureLatency: o.measureLatency ?? false,
    regions: o.regions,
  });
  if (target.loadBalancer && o.ipAddress === undefined && o.domainName === undefined) {
    ctx.addReachabilityCheck({ side, loadBalancer: target.loadBalancer, port });
  }
  return healthCheck;
}

function warnPrivateZoneName(ctx: FailoverBindContext, side: Side, name: string): void {
  const zoneName = ctx.zone.zoneName;
  if (!ctx.zoneIsPrivate || Token.isUnresolved(name) || Token.isUnresolved(zoneName)) return;
  const n = trimDot(name).toLowerCase();
  const z = trimDot(zoneName).toLowerCase();
  if (n === z || n.endsWith(`.${z}`)) {
    Annotations.of(ctx.scope).addWarningV2('cdk-network-patterns:failoverProbeInPrivateZone',
      `${side}: the health check resolves ${name}, which is under the private hosted zone ${zoneName}: Route 53 health checkers resolve names ` +
      'in public DNS, outside the VPC, so unless the name is also public the check will fail. Probe a public name or address, or use a CloudWatch-alarm health check.');
  }
}

/**
 * A CloudWatch alarm on a target group's minimum HealthyHostCount per minute, created in the
 * record pair, and a health check that follows it.
 */
export function bindTargetGroupHealthCheck(ctx: FailoverBindContext, side: Side, id: string,
  healthyHostCount: () => cloudwatch.IMetric, o: FailoverTargetGroupHealthOptions): route53.IHealthCheck {
  const prop = `${side}.healthCheck`;
  const minHealthy = o.minHealthyTargets ?? 1;
  const periods = o.evaluationPeriods ?? 3;
  if (!Token.isUnresolved(minHealthy) && (!Number.isInteger(minHealthy) || minHealthy < 1)) {
    throw propError(ctx.scope, `${prop}.minHealthyTargets`, minHealthy, 'must be an integer of at least 1', 'Use 1: unhealthy when no target is healthy.');
  }
  if (!Token.isUnresolved(periods) && (!Number.isInteger(periods) || periods < 1 || periods > 10)) {
    throw propError(ctx.scope, `${prop}.evaluationPeriods`, periods, 'must be an integer within 1-10', 'Use 3 (as the endpoint check\'s failure threshold).');
  }
  const alarm = new cloudwatch.Alarm(ctx.scope, `${side === 'primary' ? 'Primary' : 'Secondary'}HealthAlarm`, {
    metric: healthyHostCount(),
    threshold: minHealthy,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: periods,
    alarmDescription: `Fewer than ${minHealthy} healthy target(s) behind the ${side} of the failover pair ${ctx.scope.node.path}: Route 53 fails over while this alarm is on.`,
  });
  acknowledgeCompliance(alarm, 'CloudWatchAlarmAction',
    'This alarm is the input of a Route 53 health check: Route 53 reads its state and fails over while it is on, which is its ' +
    'action. Who gets notified is the application\'s choice: add it with alarms[i].addAlarmAction (e.g. an SNS topic).',
    [CompliancePack.NIST_800_53_R5, CompliancePack.HIPAA_SECURITY]);
  ctx.addAlarm(alarm);
  return alarmHealthCheck(ctx, id, alarm.alarmName, Stack.of(ctx.scope).region, o);
}

/** A health check that follows an alarm of this app. */
export function bindAlarmHealthCheck(ctx: FailoverBindContext, side: Side, id: string,
  alarm: cloudwatch.IAlarm, options: FailoverAlarmHealthCheckOptions): route53.IHealthCheck {
  const prop = `${side}.healthCheck`;
  validateAlarm(ctx, prop, alarm);
  const region = alarm.env.region;
  if (Token.isUnresolved(region) && Stack.of(alarm) !== Stack.of(ctx.scope)) {
    throw propError(ctx.scope, `${prop}`, alarm.node.path, 'is in another stack whose region is not known at synth',
      'Give that stack an env with a region, or use FailoverHealthCheck.cloudWatchAlarmName(alarmName, region).');
  }
  return alarmHealthCheck(ctx, id, alarm.alarmName, region, options);
}

/** A health check that follows an alarm known by name and region. */
export function bindAlarmNameHealthCheck(ctx: FailoverBindContext, side: Side, id: string,
  alarmName: string, region: string, options: FailoverAlarmHealthCheckOptions): route53.IHealthCheck {
  const prop = `${side}.healthCheck`;
  if (!Token.isUnresolved(alarmName) && (alarmName.length < 1 || alarmName.length > 256)) {
    throw propError(ctx.scope, `${prop} alarm name`, alarmName, 'must be 1-256 characters long', 'Give the alarm\'s exact name (set alarmName on the alarm in its own stack).');
  }
  if (!Token.isUnresolved(region) && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    throw propError(ctx.scope, `${prop} alarm region`, region, 'is not a region name', 'Give the alarm\'s region, e.g. \'us-west-2\'.');
  }
  return alarmHealthCheck(ctx, id, alarmName, region, options);
}

/** The CLOUDWATCH_METRIC health check on an alarm. */
function alarmHealthCheck(ctx: FailoverBindContext, id: string, alarmName: string, region: string,
  options: FailoverAlarmHealthCheckOptions): route53.IHealthCheck {
  return new route53.HealthCheck(ctx.scope, id, {
    type: route53.HealthCheckType.CLOUDWATCH_METRIC,
    alarmIdentifier: { name: alarmName, region },
    insufficientDataHealthStatus: options.insufficientDataHealthStatus ?? route53.InsufficientDataHealthStatusEnum.LAST_KNOWN_STATUS,
  });
}

/** Route 53 follows standard-resolution, single-metric alarms with a simple statistic only. */
function validateAlarm(ctx: FailoverBindContext, prop: string, alarm: cloudwatch.IAlarm): void {
  const cfn = alarm.node.defaultChild;
  if (!(cfn instanceof cloudwatch.CfnAlarm)) return;
  const fix = 'Alarm on one standard-resolution metric with Average, Minimum, Maximum, Sum or SampleCount, e.g. the target group\'s HealthyHostCount (applicationTargetGroupHealth does this).';
  if (cfn.metrics !== undefined) {
    throw propError(ctx.scope, prop, alarm.node.path, 'is a metric-math or multi-metric alarm, which Route 53 health checks don\'t support', fix);
  }
  if (cfn.extendedStatistic !== undefined) {
    throw propError(ctx.scope, prop, alarm.node.path, `uses the extended statistic ${cfn.extendedStatistic}, which Route 53 health checks don't support`, fix);
  }
  if (cfn.statistic !== undefined && !Token.isUnresolved(cfn.statistic) && !ALARM_STATISTICS.includes(cfn.statistic)) {
    throw propError(ctx.scope, prop, alarm.node.path, `uses the statistic ${cfn.statistic}, which Route 53 health checks don't support`, fix);
  }
  if (typeof cfn.period === 'number' && cfn.period < 60) {
    throw propError(ctx.scope, prop, alarm.node.path, `has a ${cfn.period} s period (a high-resolution alarm), which Route 53 health checks don't support`, fix);
  }
}
