import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import {
  FailoverHealthCheck, FailoverHealthCheckProtocol, FailoverRecord, FailoverRecordEndpoint, FailoverTarget,
  FlowEndpoint, NetworkAssertions, NetworkEndpoint, NetworkPatternsChecks, Tier, TieredVpc, WellKnownPorts,
} from '../../src';
import { nagFindings, TEST_AZS, testStack } from '../util';

const WEST_DNS = 'web-1234567890.us-west-2.elb.amazonaws.com';
const WEST_ZONE_ID = 'Z1H1FL5HABSF5';
const PUBLIC_IP = '52.95.110.1';
const PUBLIC_IP_2 = '52.95.110.2';
const PUBLIC_IPV6 = '2600:1f18:4000::1';

/** A load balancer target in another region, by literal attributes. */
function west(overrides: { internetFacing?: boolean; ipAddressType?: elbv2.IpAddressType } = {}): FailoverTarget {
  return FailoverTarget.loadBalancerAttributes({ dnsName: WEST_DNS, canonicalHostedZoneId: WEST_ZONE_ID, region: 'us-west-2', ...overrides });
}

interface AlbOptions {
  readonly internetFacing?: boolean;
  readonly ipAddressType?: elbv2.IpAddressType;
  /** Declare the internet -> ALB flow on this port (none when false). */
  readonly flowPort?: number | false;
  readonly flowCidrs?: string[];
  readonly listenerPort?: number;
}

/** A stack with a TieredVpc, an ALB in it (listener + flow on 443 by default) and a public zone. */
function setup(options: AlbOptions = {}, stack: Stack = testStack()) {
  const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
  const internetFacing = options.internetFacing ?? true;
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', {
    vpc: net.vpc,
    internetFacing,
    ipAddressType: options.ipAddressType,
    vpcSubnets: net.tierSubnets(internetFacing ? Tier.PUBLIC : Tier.APP),
  });
  const listener = alb.addListener('Listener', {
    port: options.listenerPort ?? 443,
    protocol: elbv2.ApplicationProtocol.HTTP,
    open: false,
    defaultAction: elbv2.ListenerAction.fixedResponse(200),
  });
  const targetGroup = listener.addTargets('Targets', { port: 8080, protocol: elbv2.ApplicationProtocol.HTTP });
  const flowPort = options.flowPort ?? 443;
  if (flowPort !== false && internetFacing) {
    net.addFlow(FlowEndpoint.internet({ cidrs: options.flowCidrs }), FlowEndpoint.workload(alb, { tier: Tier.PUBLIC }), ec2.Port.tcp(flowPort));
  }
  const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
  return { stack, net, alb, targetGroup, zone };
}

/** A failover pair in `setup()`'s stack: primary the in-stack ALB, secondary the west ALB. */
function pair(options: AlbOptions = {}, primary: Partial<FailoverRecordEndpoint> = {}, secondary: Partial<FailoverRecordEndpoint> = {}, recordName: string | null = 'api') {
  const s = setup(options);
  const failover = new FailoverRecord(s.stack, 'Api', {
    zone: s.zone,
    recordName: recordName ?? undefined,
    primary: { target: FailoverTarget.loadBalancer(s.alb), ...primary },
    secondary: { target: west(), ...secondary },
  });
  return { ...s, failover };
}

/** A pair of plain targets in a stack with just a zone (no VPC). */
/** `recordName` null: the zone apex. */
function valuePair(primary: FailoverRecordEndpoint, secondary: FailoverRecordEndpoint, recordName: string | null = 'api', zoneKind: 'public' | 'private' = 'public') {
  const stack = testStack();
  const zone = zoneKind === 'public'
    ? new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' })
    : new route53.PrivateHostedZone(stack, 'Zone', { zoneName: 'example.com', vpc: new ec2.Vpc(stack, 'Vpc', { availabilityZones: TEST_AZS, natGateways: 0 }) });
  const failover = new FailoverRecord(stack, 'Api', { zone, recordName: recordName ?? undefined, primary, secondary });
  return { stack, zone, failover };
}

function warnings(stack: Stack, id: string): string[] {
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(id)).map((w) => String(w.entry.data));
}

describe('failover records', () => {
  test('a PRIMARY and a SECONDARY record for one name, with distinct set identifiers and alias evaluate-target-health', () => {
    // GIVEN / WHEN
    const { stack, alb, failover } = pair();
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Route53::RecordSet', 2);
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'api.example.com.',
      Type: 'A',
      Failover: 'PRIMARY',
      SetIdentifier: 'primary',
      HealthCheckId: stack.resolve(failover.primaryHealthCheck.healthCheckId),
      AliasTarget: {
        DNSName: { 'Fn::Join': ['', ['dualstack.', stack.resolve(alb.loadBalancerDnsName)]] },
        HostedZoneId: stack.resolve(alb.loadBalancerCanonicalHostedZoneId),
        EvaluateTargetHealth: true,
      },
      TTL: Match.absent(),
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'api.example.com.',
      Type: 'A',
      Failover: 'SECONDARY',
      SetIdentifier: 'secondary',
      HealthCheckId: Match.absent(),
      AliasTarget: { DNSName: `dualstack.${WEST_DNS}`, HostedZoneId: WEST_ZONE_ID, EvaluateTargetHealth: true },
      TTL: Match.absent(),
    });
    expect(failover.recordTypes).toEqual([route53.RecordType.A]);
    expect(failover.domainName).toBe('api.example.com.');
    expect(failover.primaryRecords).toHaveLength(1);
    expect(failover.secondaryRecords).toHaveLength(1);
    expect(failover.secondaryHealthCheck).toBeUndefined();
  });

  test('set identifiers can be overridden', () => {
    const { stack } = pair({}, { setIdentifier: 'us-east-1' }, { setIdentifier: 'us-west-2' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Route53::RecordSet', { Failover: 'PRIMARY', SetIdentifier: 'us-east-1' });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Failover: 'SECONDARY', SetIdentifier: 'us-west-2' });
  });

  test('the record name defaults to the zone apex, where an alias is allowed', () => {
    const { stack } = pair({}, {}, {}, null);
    Template.fromStack(stack).allResourcesProperties('AWS::Route53::RecordSet', { Name: 'example.com.' });
  });

  test('a comment lands on both records', () => {
    const s = setup();
    new FailoverRecord(s.stack, 'Api', {
      zone: s.zone,
      recordName: 'api',
      comment: 'regional failover',
      primary: { target: FailoverTarget.loadBalancer(s.alb) },
      secondary: { target: west() },
    });
    Template.fromStack(s.stack).allResourcesProperties('AWS::Route53::RecordSet', { Comment: 'regional failover' });
  });

  test('dual-stack load balancers on both sides get an A and an AAAA pair', () => {
    const dualStack = elbv2.IpAddressType.DUAL_STACK;
    const { stack, failover } = pair({ ipAddressType: dualStack }, {}, { target: west({ ipAddressType: dualStack }) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Route53::RecordSet', 4);
    for (const type of ['A', 'AAAA']) {
      for (const [side, id] of [['PRIMARY', 'primary'], ['SECONDARY', 'secondary']]) {
        template.hasResourceProperties('AWS::Route53::RecordSet', { Type: type, Failover: side, SetIdentifier: id, AliasTarget: Match.objectLike({ EvaluateTargetHealth: true }) });
      }
    }
    // the A and the AAAA record of the primary carry the same health check
    for (const type of ['A', 'AAAA']) {
      template.hasResourceProperties('AWS::Route53::RecordSet', { Type: type, Failover: 'PRIMARY', HealthCheckId: stack.resolve(failover.primaryHealthCheck.healthCheckId) });
    }
    expect(failover.recordTypes).toEqual([route53.RecordType.A, route53.RecordType.AAAA]);
    expect(failover.primaryRecords).toHaveLength(2);
  });

  test('when only one side is dual-stack, no AAAA pair is created and a warning says why', () => {
    const { stack, failover } = pair({ ipAddressType: elbv2.IpAddressType.DUAL_STACK });
    Template.fromStack(stack).resourceCountIs('AWS::Route53::RecordSet', 2);
    expect(failover.recordTypes).toEqual([route53.RecordType.A]);
    expect(warnings(stack, 'AAAA records are not created')).toHaveLength(1);
  });

  test('an IP address target is an A record with a 60 s TTL by default; an IPv6 one an AAAA record', () => {
    const { stack } = valuePair(
      { target: FailoverTarget.ipAddresses([PUBLIC_IP, PUBLIC_IPV6]), healthCheck: FailoverHealthCheck.endpoint({ ipAddress: PUBLIC_IP }) },
      { target: FailoverTarget.ipAddresses([PUBLIC_IP_2, '2600:1f18:4000::2']) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Route53::RecordSet', 4);
    template.hasResourceProperties('AWS::Route53::RecordSet', { Type: 'A', Failover: 'PRIMARY', ResourceRecords: [PUBLIC_IP], TTL: '60', AliasTarget: Match.absent() });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Type: 'AAAA', Failover: 'PRIMARY', ResourceRecords: [PUBLIC_IPV6], TTL: '60' });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Type: 'A', Failover: 'SECONDARY', ResourceRecords: [PUBLIC_IP_2], TTL: '60' });
  });

  test('the TTL can be overridden', () => {
    const { stack } = valuePair(
      { target: FailoverTarget.ipAddress(PUBLIC_IP, { ttl: Duration.seconds(30) }) },
      { target: FailoverTarget.ipAddress(PUBLIC_IP_2, { ttl: Duration.seconds(10) }) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Route53::RecordSet', { Failover: 'PRIMARY', TTL: '30' });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Failover: 'SECONDARY', TTL: '10' });
    expect(warnings(stack, 'TTL')).toEqual([]);
  });

  test('a TTL above 300 s leaves a warning: failover waits for caches to expire', () => {
    const { stack } = valuePair(
      { target: FailoverTarget.ipAddress(PUBLIC_IP, { ttl: Duration.minutes(30) }) },
      { target: FailoverTarget.ipAddress(PUBLIC_IP_2) });
    expect(warnings(stack, 'TTL 1800 s')).toHaveLength(1);
  });

  test('domain name targets are a CNAME pair with a 60 s TTL, and the health check resolves the primary\'s name', () => {
    const { stack } = valuePair(
      { target: FailoverTarget.domainName('app-east.example.net') },
      { target: FailoverTarget.domainName('app-west.example.net', { ttl: Duration.seconds(20) }) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Route53::RecordSet', { Type: 'CNAME', Failover: 'PRIMARY', ResourceRecords: ['app-east.example.net'], TTL: '60' });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Type: 'CNAME', Failover: 'SECONDARY', ResourceRecords: ['app-west.example.net'], TTL: '20' });
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ FullyQualifiedDomainName: 'app-east.example.net', IPAddress: Match.absent() }),
    });
  });
});

describe('endpoint health checks', () => {
  test('defaults: HTTPS on 443, /health, every 30 s, failure threshold 3, on the load balancer\'s DNS name; only the primary is checked', () => {
    const { stack, alb } = pair();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Route53::HealthCheck', 1);
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: {
        Type: 'HTTPS',
        Port: 443,
        ResourcePath: '/health',
        RequestInterval: 30,
        FailureThreshold: 3,
        MeasureLatency: false,
        EnableSNI: true,
        Inverted: false,
        FullyQualifiedDomainName: stack.resolve(alb.loadBalancerDnsName),
        IPAddress: Match.absent(),
        Regions: Match.absent(),
        SearchString: Match.absent(),
      },
      HealthCheckTags: [{ Key: 'Name', Value: 'api.example.com primary' }],
    });
  });

  test('every setting can be overridden', () => {
    const { stack } = pair({ flowPort: 8443, listenerPort: 8443 }, {
      healthCheck: FailoverHealthCheck.endpoint({
        protocol: FailoverHealthCheckProtocol.HTTP,
        port: 8443,
        path: '/ready',
        searchString: 'OK',
        interval: Duration.seconds(10),
        failureThreshold: 2,
        regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
        measureLatency: true,
      }),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({
        Type: 'HTTP_STR_MATCH',
        Port: 8443,
        ResourcePath: '/ready',
        SearchString: 'OK',
        RequestInterval: 10,
        FailureThreshold: 2,
        Regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
        MeasureLatency: true,
      }),
    });
  });

  test.each([
    [FailoverHealthCheckProtocol.HTTP, 'HTTP', 80],
    [FailoverHealthCheckProtocol.HTTPS, 'HTTPS', 443],
  ])('protocol %s defaults to port %s', (protocol, type, port) => {
    const { stack } = pair({ flowPort: port, listenerPort: port }, { healthCheck: FailoverHealthCheck.endpoint({ protocol }) });
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ Type: type, Port: port }) });
  });

  test('HTTPS with a search string is HTTPS_STR_MATCH', () => {
    const { stack } = pair({}, { healthCheck: FailoverHealthCheck.endpoint({ searchString: 'healthy' }) });
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ Type: 'HTTPS_STR_MATCH', SearchString: 'healthy' }) });
  });

  test('a TCP check has a port and no path', () => {
    const { stack } = pair({}, { healthCheck: FailoverHealthCheck.endpoint({ protocol: FailoverHealthCheckProtocol.TCP, port: 443 }) });
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ Type: 'TCP', Port: 443, ResourcePath: Match.absent(), EnableSNI: Match.absent() }),
    });
  });

  test.each([1, 10])('failure threshold %s is accepted', (failureThreshold) => {
    const { stack } = pair({}, { healthCheck: FailoverHealthCheck.endpoint({ failureThreshold }) });
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ FailureThreshold: failureThreshold }) });
  });

  test('the secondary can have its own health check', () => {
    const { stack, failover } = pair({}, {}, { healthCheck: FailoverHealthCheck.endpoint({ failureThreshold: 5 }) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Route53::HealthCheck', 2);
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ FullyQualifiedDomainName: WEST_DNS, FailureThreshold: 5, Type: 'HTTPS' }),
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Failover: 'SECONDARY', HealthCheckId: stack.resolve(failover.secondaryHealthCheck!.healthCheckId) });
  });

  test('a single IP address target is probed by address', () => {
    const { stack } = valuePair({ target: FailoverTarget.ipAddress(PUBLIC_IP) }, { target: FailoverTarget.ipAddress(PUBLIC_IP_2) });
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ IPAddress: PUBLIC_IP, FullyQualifiedDomainName: Match.absent() }),
    });
  });

  test('the probed name and address can be overridden (Host header and SNI follow the name)', () => {
    const { stack } = pair({}, { healthCheck: FailoverHealthCheck.endpoint({ domainName: 'api-east.example.com', ipAddress: PUBLIC_IP }) });
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ FullyQualifiedDomainName: 'api-east.example.com', IPAddress: PUBLIC_IP }),
    });
  });

  test('an existing health check is used as given', () => {
    const s = setup();
    const existing = route53.HealthCheck.fromHealthCheckId(s.stack, 'Existing', 'abcdef01-2345-6789-abcd-ef0123456789');
    new FailoverRecord(s.stack, 'Api', {
      zone: s.zone,
      recordName: 'api',
      primary: { target: FailoverTarget.loadBalancer(s.alb), healthCheck: FailoverHealthCheck.fromHealthCheck(existing) },
      secondary: { target: west() },
    });
    const template = Template.fromStack(s.stack);
    template.resourceCountIs('AWS::Route53::HealthCheck', 0);
    template.hasResourceProperties('AWS::Route53::RecordSet', { Failover: 'PRIMARY', HealthCheckId: 'abcdef01-2345-6789-abcd-ef0123456789' });
  });
});

describe('private targets: CloudWatch-alarm health checks', () => {
  function internalPair(healthCheck: (tg: elbv2.ApplicationTargetGroup, stack: Stack) => FailoverHealthCheck) {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: TEST_AZS, natGateways: 0 });
    const zone = new route53.PrivateHostedZone(stack, 'Zone', { zoneName: 'internal.example.com', vpc });
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: false });
    const targetGroup = alb.addListener('Listener', { port: 80, open: false }).addTargets('Targets', { port: 8080, protocol: elbv2.ApplicationProtocol.HTTP });
    const failover = new FailoverRecord(stack, 'Api', {
      zone,
      recordName: 'api',
      primary: { target: FailoverTarget.loadBalancer(alb), healthCheck: healthCheck(targetGroup, stack) },
      secondary: { target: west({ internetFacing: false }) },
    });
    return { stack, alb, targetGroup, failover };
  }

  test('target group health: an alarm on HealthyHostCount below 1 for 3 minutes, and a CLOUDWATCH_METRIC health check on it', () => {
    const { stack, failover } = internalPair((tg) => FailoverHealthCheck.applicationTargetGroupHealth(tg));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HealthyHostCount',
      Statistic: 'Minimum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 3,
    });
    expect(failover.alarms).toHaveLength(1);
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: {
        Type: 'CLOUDWATCH_METRIC',
        AlarmIdentifier: { Name: stack.resolve(failover.alarms[0].alarmName), Region: { Ref: 'AWS::Region' } },
        InsufficientDataHealthStatus: 'LastKnownStatus',
        Inverted: false,
      },
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Failover: 'PRIMARY', AliasTarget: Match.objectLike({ EvaluateTargetHealth: true }) });
  });

  test('target group health settings can be overridden', () => {
    const { stack } = internalPair((tg) => FailoverHealthCheck.applicationTargetGroupHealth(tg, {
      minHealthyTargets: 2, evaluationPeriods: 5, insufficientDataHealthStatus: route53.InsufficientDataHealthStatusEnum.UNHEALTHY,
    }));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 2, EvaluationPeriods: 5 });
    template.hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ InsufficientDataHealthStatus: 'Unhealthy' }) });
  });

  test('an NLB target group works the same way', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: TEST_AZS, natGateways: 0 });
    const zone = new route53.PrivateHostedZone(stack, 'Zone', { zoneName: 'internal.example.com', vpc });
    const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc, internetFacing: false });
    const tg = nlb.addListener('Listener', { port: 9092 }).addTargets('Targets', { port: 9092 });
    new FailoverRecord(stack, 'Kafka', {
      zone,
      recordName: 'kafka',
      primary: { target: FailoverTarget.loadBalancer(nlb), healthCheck: FailoverHealthCheck.networkTargetGroupHealth(tg) },
      secondary: { target: west({ internetFacing: false }) },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/NetworkELB', MetricName: 'HealthyHostCount', Statistic: 'Minimum' });
    template.hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ Type: 'CLOUDWATCH_METRIC' }) });
  });

  test('a CloudWatch alarm of the app is followed by name and region', () => {
    let alarm!: cloudwatch.Alarm;
    const { stack } = internalPair((tg, s) => {
      alarm = new cloudwatch.Alarm(s, 'Unhealthy', { metric: tg.metrics.unhealthyHostCount(), threshold: 1, evaluationPeriods: 2 });
      return FailoverHealthCheck.cloudWatchAlarm(alarm);
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Name: stack.resolve(alarm.alarmName), Region: { Ref: 'AWS::Region' } } }),
    });
  });

  test('an alarm in another region is followed by its literal name and region', () => {
    const { stack } = internalPair(() => FailoverHealthCheck.cloudWatchAlarmName('api-west-unhealthy', 'us-west-2'));
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ AlarmIdentifier: { Name: 'api-west-unhealthy', Region: 'us-west-2' }, InsufficientDataHealthStatus: 'LastKnownStatus' }),
    });
  });

  test('private IP addresses in a private zone, with alarm health checks', () => {
    const { stack } = valuePair(
      { target: FailoverTarget.ipAddress('10.0.64.10'), healthCheck: FailoverHealthCheck.cloudWatchAlarmName('db-east', 'us-east-1') },
      { target: FailoverTarget.ipAddress('10.1.64.10') }, 'db', 'private');
    Template.fromStack(stack).hasResourceProperties('AWS::Route53::RecordSet', { Name: 'db.example.com.', Failover: 'PRIMARY', ResourceRecords: ['10.0.64.10'] });
  });

  test('fails on an internal load balancer in a public zone (it would publish private addresses)', () => {
    const s = setup();
    expect(() => new FailoverRecord(s.stack, 'Api', {
      zone: s.zone,
      recordName: 'api',
      primary: { target: FailoverTarget.loadBalancer(s.alb) },
      secondary: { target: west({ internetFacing: false }) },
    })).toThrow(/^Test\/Api: secondary\.target is internal \(private addresses only\), but the hosted zone is public.*got 'load balancer .*PrivateHostedZone.*\[FailoverPrivateAddressInPublicZone\]$/);
  });

  test('a probed name under a private zone leaves a warning: checkers resolve public DNS', () => {
    const { stack } = valuePair(
      { target: FailoverTarget.domainName('east.example.com') },
      { target: FailoverTarget.domainName('west.example.com') }, 'app', 'private');
    expect(warnings(stack, 'under the private hosted zone')).toHaveLength(1);
  });
});

describe('across regions', () => {
  function regional(app: App, id: string, region: string) {
    const stack = new Stack(app, id, { env: { region } });
    const net = new TieredVpc(stack, 'Net', { availabilityZones: ['a', 'b', 'c'].map((z) => `${region}${z}`) });
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc: net.vpc, internetFacing: true, vpcSubnets: net.tierSubnets(Tier.PUBLIC) });
    alb.addListener('Listener', { port: 443, protocol: elbv2.ApplicationProtocol.HTTP, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(200) });
    net.addFlow(FlowEndpoint.internet(), FlowEndpoint.workload(alb, { tier: Tier.PUBLIC }), ec2.Port.tcp(443));
    return { stack, alb };
  }

  test('two regional stacks and a zone stack: the records take literal names, no cross-region reference', () => {
    // GIVEN
    const app = new App();
    const east = regional(app, 'East', 'us-east-1');
    regional(app, 'West', 'us-west-2');
    const zoneStack = new Stack(app, 'Dns', { env: { region: 'us-east-1' } });
    const zone = new route53.PublicHostedZone(zoneStack, 'Zone', { zoneName: 'example.com' });
    // WHEN: same region by construct, the other region by attributes
    new FailoverRecord(zoneStack, 'Api', {
      zone,
      recordName: 'api',
      primary: { target: FailoverTarget.loadBalancer(east.alb) },
      secondary: { target: west(), healthCheck: FailoverHealthCheck.endpoint() },
    });
    // THEN
    const assembly = app.synth();
    const template = Template.fromStack(zoneStack);
    template.resourceCountIs('AWS::Route53::RecordSet', 2);
    template.hasResourceProperties('AWS::Route53::RecordSet', { Failover: 'SECONDARY', AliasTarget: { DNSName: `dualstack.${WEST_DNS}`, HostedZoneId: WEST_ZONE_ID, EvaluateTargetHealth: true } });
    template.hasResourceProperties('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ FullyQualifiedDomainName: WEST_DNS }) });
    expect(JSON.stringify(template.toJSON())).not.toContain('West');
    expect(assembly.getStackByName('Dns').dependencies.map((d) => d.id).filter((d) => !d.endsWith('.assets'))).toEqual(['East']);
    expect(nagFindings(zoneStack)).toEqual([]);
  });

  test('fails with a load balancer construct from another region: it names loadBalancerAttributes', () => {
    const app = new App();
    const westStack = regional(app, 'West', 'us-west-2');
    const zoneStack = new Stack(app, 'Dns', { env: { region: 'us-east-1' } });
    const zone = new route53.PublicHostedZone(zoneStack, 'Zone', { zoneName: 'example.com' });
    expect(() => new FailoverRecord(zoneStack, 'Api', {
      zone,
      recordName: 'api',
      primary: { target: FailoverTarget.ipAddress(PUBLIC_IP) },
      secondary: { target: FailoverTarget.loadBalancer(westStack.alb) },
    })).toThrow(/Dns\/Api: secondary.target is in us-west-2, but the records are in us-east-1.*FailoverTarget.loadBalancerAttributes/);
  });

  test('fails with an alias target in another partition', () => {
    const app = new App();
    const zoneStack = new Stack(app, 'Dns', { env: { region: 'us-east-1' } });
    const zone = new route53.PublicHostedZone(zoneStack, 'Zone', { zoneName: 'example.com' });
    expect(() => new FailoverRecord(zoneStack, 'Api', {
      zone,
      recordName: 'api',
      primary: { target: FailoverTarget.ipAddress(PUBLIC_IP) },
      secondary: { target: FailoverTarget.loadBalancerAttributes({ dnsName: 'web-1.cn-north-1.elb.amazonaws.com.cn', canonicalHostedZoneId: 'Z1GDH35T77C1KE', region: 'cn-north-1' }) },
    })).toThrow(/secondary.target is in partition aws-cn, but the hosted zone's stack is in aws/);
  });
});

describe('the two sides and the zone', () => {
  test('fails when the secondary is the primary\'s own load balancer', () => {
    const s = setup();
    expect(() => new FailoverRecord(s.stack, 'Api', {
      zone: s.zone,
      recordName: 'api',
      primary: { target: FailoverTarget.loadBalancer(s.alb) },
      secondary: { target: FailoverTarget.loadBalancer(s.alb) },
    })).toThrow(/^Test\/Api: secondary\.target is the same target as the primary, so the pair can never fail over.*got 'load balancer Test\/Alb'.*\[FailoverSameTarget\]$/);
  });

  test.each<[string, string[], string[]]>([
    ['the same address', ['52.95.110.1'], ['52.95.110.1']],
    ['the same addresses in another order', ['52.95.110.1', '52.95.110.2'], ['52.95.110.2', '52.95.110.1']],
  ])('fails on IP address targets naming %s', (_, a, b) => {
    expect(() => valuePair({ target: FailoverTarget.ipAddresses(a) }, { target: FailoverTarget.ipAddresses(b) }))
      .toThrow(/secondary\.target is the same target as the primary.*\[FailoverSameTarget\]$/);
  });

  test('fails on domain names differing only in case and the trailing dot', () => {
    expect(() => valuePair({ target: FailoverTarget.domainName('east.example.net') }, { target: FailoverTarget.domainName('EAST.example.net.') }))
      .toThrow(/\[FailoverSameTarget\]$/);
  });

  test('fails on one load balancer given by attributes, with and without dualstack.', () => {
    const s = setup();
    expect(() => new FailoverRecord(s.stack, 'Api', {
      zone: s.zone,
      recordName: 'api',
      primary: { target: west() },
      secondary: { target: FailoverTarget.loadBalancerAttributes({ dnsName: `dualstack.${WEST_DNS}`, canonicalHostedZoneId: WEST_ZONE_ID, region: 'us-west-2' }) },
    })).toThrow(/\[FailoverSameTarget\]$/);
  });

  test('accepts two different targets of each kind', () => {
    expect(() => valuePair(
      { target: FailoverTarget.ipAddresses(['52.95.110.1', '52.95.110.2']), healthCheck: FailoverHealthCheck.endpoint({ ipAddress: '52.95.110.1' }) },
      { target: FailoverTarget.ipAddress('52.95.110.2') })).not.toThrow();
    expect(() => valuePair({ target: FailoverTarget.domainName('east.example.net') }, { target: FailoverTarget.domainName('west.example.net') })).not.toThrow();
    expect(() => pair()).not.toThrow();
  });

  test.each(['10.0.64.10', '192.168.1.1', 'fd00::1'])('fails on the private address %s in a public zone', (address) => {
    expect(() => valuePair({ target: FailoverTarget.ipAddress('52.95.110.1') }, { target: FailoverTarget.ipAddress(address) }))
      .toThrow(new RegExp(`^Test/Api: secondary\\.target is in .*, a private, local or non-routable range, but the hosted zone is public.*got '${address}'.*PrivateHostedZone.*\\[FailoverPrivateAddressInPublicZone\\]$`));
  });

  test('accepts a public address in a public zone', () => {
    expect(() => valuePair({ target: FailoverTarget.ipAddress('52.95.110.1') }, { target: FailoverTarget.ipAddress('52.94.133.1') })).not.toThrow();
  });
});

describe('reachability of the health check through the flow model', () => {
  test('accepts the health-check flow declared on the load balancer\'s security group (as the README declares it)', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const albSg = new ec2.SecurityGroup(stack, 'AlbSg', { vpc: net.vpc, allowAllOutbound: false });
    net.addFlow(FlowEndpoint.internet(), FlowEndpoint.workload(albSg, { tier: Tier.PUBLIC }), WellKnownPorts.HTTPS);
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc: net.vpc, internetFacing: true, securityGroup: albSg, vpcSubnets: net.tierSubnets(Tier.PUBLIC) });
    alb.addListener('Listener', { port: 443, protocol: elbv2.ApplicationProtocol.HTTP, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(200) });
    new FailoverRecord(stack, 'Api', {
      zone: new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' }),
      recordName: 'api',
      primary: { target: FailoverTarget.loadBalancer(alb) },
      secondary: { target: west() },
    });
    expect(() => Template.fromStack(stack)).not.toThrow();
    expect(warnings(stack, 'failoverHealthCheckCidrs')).toEqual([]);
  });

  test('a flow on another security group of the VPC does not count', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const other = new ec2.SecurityGroup(stack, 'Other', { vpc: net.vpc, allowAllOutbound: false });
    net.addFlow(FlowEndpoint.internet(), FlowEndpoint.workload(other, { tier: Tier.PUBLIC }), WellKnownPorts.HTTPS);
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc: net.vpc, internetFacing: true, vpcSubnets: net.tierSubnets(Tier.PUBLIC) });
    alb.addListener('Listener', { port: 443, protocol: elbv2.ApplicationProtocol.HTTP, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(200) });
    new FailoverRecord(stack, 'Api', {
      zone: new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' }),
      recordName: 'api',
      primary: { target: FailoverTarget.loadBalancer(alb) },
      secondary: { target: west() },
    });
    expect(() => Template.fromStack(stack)).toThrow(/primary.healthCheck port 443 is not admitted from the internet to Test\/Alb/);
  });

  test('fails when no declared flow admits the check\'s port from the internet, and says how to open it', () => {
    const { stack } = pair({ flowPort: false });
    expect(() => Template.fromStack(stack)).toThrow(
      /Test\/Api: primary.healthCheck port 443 is not admitted from the internet to Test\/Alb.*net.addFlow\(FlowEndpoint.internet\(\), FlowEndpoint.workload\(loadBalancer, \{ tier: Tier.PUBLIC \}\), ec2.Port.tcp\(443\)\)/s);
  });

  test('fails when the declared flow admits another port than the check\'s', () => {
    const { stack } = pair({ flowPort: 80, listenerPort: 443 });
    expect(() => Template.fromStack(stack)).toThrow(/not admitted from the internet/);
  });

  test('a flow declared after the failover pair counts (the check runs at synth)', () => {
    const { stack, net, alb } = pair({ flowPort: false });
    net.addFlow(FlowEndpoint.internet(), FlowEndpoint.workload(alb, { tier: Tier.PUBLIC }), ec2.Port.tcp(443));
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('a flow from narrower CIDRs than the internet leaves a warning', () => {
    const { stack } = pair({ flowCidrs: ['198.51.100.0/24'] });
    expect(warnings(stack, 'ROUTE53_HEALTHCHECKS')).toHaveLength(1);
  });

  test('fails when the load balancer has no listener on the check\'s port', () => {
    const { stack } = pair({ listenerPort: 443 }, { healthCheck: FailoverHealthCheck.endpoint({ port: 8443 }) });
    expect(() => Template.fromStack(stack)).toThrow(/primary.healthCheck port 8443 has no listener on Test\/Alb, got listeners on \[443\]/);
  });

  test('a load balancer outside a TieredVpc is not checked against flows', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: TEST_AZS, natGateways: 0 });
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
    alb.addListener('Listener', { port: 443, protocol: elbv2.ApplicationProtocol.HTTP, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(200) });
    const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
    new FailoverRecord(stack, 'Api', { zone, recordName: 'api', primary: { target: FailoverTarget.loadBalancer(alb) }, secondary: { target: west() } });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});

describe('reachability, cross-checked with the analyzer (src/verify)', () => {
  test('where the construct accepts the declared flow, the analyzer finds the checkers\' path open (SG, NACLs both ways, routes)', () => {
    const { stack, alb } = pair();
    const assertions = NetworkAssertions.fromStack(stack);
    assertions.expectReachable(NetworkEndpoint.internet(), NetworkEndpoint.of(alb), ec2.Port.tcp(443));
    // 54.183.255.128/26: a ROUTE53_HEALTHCHECKS range (us-west-1) of ip-ranges.json
    assertions.expectReachable(NetworkEndpoint.internet('54.183.255.128/26'), NetworkEndpoint.of(alb), ec2.Port.tcp(443));
  });

  test('where the construct refuses (no flow declared), the analyzer finds the path blocked', () => {
    const { stack, alb } = setup({ flowPort: false });
    NetworkAssertions.fromStack(stack).expectUnreachable(NetworkEndpoint.internet(), NetworkEndpoint.of(alb), ec2.Port.tcp(443));
  });
});

describe('bad input', () => {
  test('fails when the primary has no health check target (two addresses, no ipAddress)', () => {
    expect(() => valuePair({ target: FailoverTarget.ipAddresses([PUBLIC_IP, PUBLIC_IP_2]) }, { target: FailoverTarget.ipAddress('52.95.110.3') }))
      .toThrow(/Test\/Api: primary.healthCheck has no health check target.*endpoint\(\{ ipAddress/);
  });

  test.each([0, 11, 2.5])('fails with failure threshold %s', (failureThreshold) => {
    expect(() => pair({}, { healthCheck: FailoverHealthCheck.endpoint({ failureThreshold }) }))
      .toThrow(new RegExp(`primary.healthCheck.failureThreshold must be an integer within 1-10, got ${failureThreshold}`));
  });

  test.each([5, 20, 60])('fails with an interval of %s s', (seconds) => {
    expect(() => pair({}, { healthCheck: FailoverHealthCheck.endpoint({ interval: Duration.seconds(seconds) }) }))
      .toThrow(new RegExp(`primary.healthCheck.interval must be 10 or 30 seconds.*got '${seconds} s'`));
  });

  test('fails with the same set identifier twice', () => {
    expect(() => pair({}, { setIdentifier: 'site' }, { setIdentifier: 'site' }))
      .toThrow(/Test\/Api: secondary.setIdentifier must differ from primary.setIdentifier, got 'site'/);
  });

  test('fails with a set identifier longer than 128 characters', () => {
    expect(() => pair({}, { setIdentifier: 'x'.repeat(129) })).toThrow(/primary.setIdentifier must be 1-128 characters long/);
  });

  test('fails with a second failover pair for the same name in the zone', () => {
    const { stack, zone, alb } = pair();
    expect(() => new FailoverRecord(stack, 'Again', {
      zone, recordName: 'api.example.com.', primary: { target: FailoverTarget.loadBalancer(alb) }, secondary: { target: west() },
    })).toThrow(/Test\/Again: recordName already has a failover pair in this zone \(Test\/Api\), got 'api.example.com.'/);
  });

  test('fails with domain name targets at the zone apex (no CNAME there)', () => {
    expect(() => valuePair({ target: FailoverTarget.domainName('east.example.net') }, { target: FailoverTarget.domainName('west.example.net') }, null))
      .toThrow(/recordName is the zone apex \(example.com\), where a CNAME is not allowed/);
  });

  test('fails when one side is a domain name and the other a load balancer', () => {
    expect(() => pair({}, {}, { target: FailoverTarget.domainName('standby.example.net') }))
      .toThrow(/secondary.target is a CNAME, but the other side \(load balancer Test\/Alb\) is answered with A records/);
  });

  test('fails when the two sides share no record type (IPv4 primary, IPv6 secondary)', () => {
    expect(() => valuePair({ target: FailoverTarget.ipAddress(PUBLIC_IP) }, { target: FailoverTarget.ipAddress(PUBLIC_IPV6) }))
      .toThrow(/secondary.target shares no record type with the primary \(primary A, secondary AAAA\)/);
  });

  test('fails with an alias DNS name that is not a load balancer\'s', () => {
    expect(() => pair({}, {}, { target: FailoverTarget.loadBalancerAttributes({ dnsName: 'www.example.net', canonicalHostedZoneId: WEST_ZONE_ID }) }))
      .toThrow(/secondary.target.dnsName is not a load balancer DNS name/);
  });

  test('fails with a canonical hosted zone id that is not one', () => {
    expect(() => pair({}, {}, { target: FailoverTarget.loadBalancerAttributes({ dnsName: WEST_DNS, canonicalHostedZoneId: 'us-west-2' }) }))
      .toThrow(/secondary.target.canonicalHostedZoneId is not a hosted zone id/);
  });

  test('fails with the records\' own hosted zone id as the alias zone', () => {
    const stack = testStack();
    const zone = route53.PublicHostedZone.fromHostedZoneAttributes(stack, 'Zone', { zoneName: 'example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' });
    expect(() => new FailoverRecord(stack, 'Api', {
      zone,
      recordName: 'api',
      primary: { target: FailoverTarget.ipAddress(PUBLIC_IP) },
      secondary: { target: FailoverTarget.loadBalancerAttributes({ dnsName: WEST_DNS, canonicalHostedZoneId: 'Z0123456789ABCDEFGHIJ' }) },
    })).toThrow(/canonicalHostedZoneId is the id of the hosted zone that holds the records/);
  });

  test('fails with an endpoint health check on an internal load balancer, and names the CloudWatch-alarm check', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: TEST_AZS, natGateways: 0 });
    const zone = new route53.PrivateHostedZone(stack, 'Zone', { zoneName: 'internal.example.com', vpc });
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: false });
    expect(() => new FailoverRecord(stack, 'Api', {
      zone, recordName: 'api', primary: { target: FailoverTarget.loadBalancer(alb) }, secondary: { target: west({ internetFacing: false }) },
    })).toThrow(/Test\/Api: primary.healthCheck aims at a private target: load balancer Test\/Alb is internal.*outside every VPC.*applicationTargetGroupHealth/);
  });

  test('fails with an endpoint health check on the secondary\'s internal load balancer', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: TEST_AZS, natGateways: 0 });
    const zone = new route53.PrivateHostedZone(stack, 'Zone', { zoneName: 'internal.example.com', vpc });
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: false });
    expect(() => new FailoverRecord(stack, 'Api', {
      zone,
      recordName: 'api',
      primary: { target: FailoverTarget.loadBalancer(alb), healthCheck: FailoverHealthCheck.cloudWatchAlarmName('api-east-unhealthy', 'us-east-1') },
      secondary: { target: west({ internetFacing: false }), healthCheck: FailoverHealthCheck.endpoint() },
    })).toThrow(/secondary.healthCheck aims at a private target/);
  });

  test.each(['10.0.64.10', '172.16.0.1', '192.168.1.1', '100.64.0.1', '127.0.0.1', 'fd00::1', 'fe80::1'])(
    'fails with an endpoint health check on the private address %s', (address) => {
      const standby = address.includes(':') ? 'fd00::99' : '10.9.9.9';
      expect(() => valuePair({ target: FailoverTarget.ipAddress(address) }, { target: FailoverTarget.ipAddress(standby) }, 'db', 'private'))
        .toThrow(/primary.healthCheck .*a private, local or non-routable range: an endpoint health check can't reach it/);
    });

  test('fails with a private ipAddress to probe', () => {
    expect(() => pair({}, { healthCheck: FailoverHealthCheck.endpoint({ ipAddress: '10.0.0.5' }) }))
      .toThrow(/primary.healthCheck.ipAddress 10.0.0.0\/8 is in|primary.healthCheck.ipAddress is in 10.0.0.0\/8/);
  });

  test('fails with an endpoint check resolving an IPv6-only load balancer', () => {
    expect(() => pair({ ipAddressType: elbv2.IpAddressType.DUAL_STACK }, {},
      { target: west({ ipAddressType: elbv2.IpAddressType.DUAL_STACK_WITHOUT_PUBLIC_IPV4 }), healthCheck: FailoverHealthCheck.endpoint() }))
      .toThrow(/secondary.healthCheck has public IPv6 addresses only.*resolves a health check's domain name to IPv4 only/);
  });

  test('fails with a TCP check without a port', () => {
    expect(() => pair({}, { healthCheck: FailoverHealthCheck.endpoint({ protocol: FailoverHealthCheckProtocol.TCP }) }))
      .toThrow(/primary.healthCheck.port is required for a TCP health check/);
  });

  test.each([
    ['path', { path: '/health' }],
    ['searchString', { searchString: 'OK' }],
  ])('fails with %s on a TCP check', (name, extra) => {
    expect(() => pair({}, { healthCheck: FailoverHealthCheck.endpoint({ protocol: FailoverHealthCheckProtocol.TCP, port: 443, ...extra }) }))
      .toThrow(new RegExp(`primary.healthCheck.${name} only applies to HTTP and HTTPS health checks`));
  });

  test('fails with a search string longer than 255 characters', () => {
    expect(() => pair({}, { healthCheck: FailoverHealthCheck.endpoint({ searchString: 'x'.repeat(256) }) }))
      .toThrow(/primary.healthCheck.searchString must be 1-255 characters long/);
  });

  test.each([0, 65536])('fails with port %s', (port) => {
    expect(() => pair({}, { healthCheck: FailoverHealthCheck.endpoint({ port }) })).toThrow(/primary.healthCheck.port must be an integer within 1-65535/);
  });

  test('fails with fewer than 3 checker regions', () => {
    expect(() => pair({}, { healthCheck: FailoverHealthCheck.endpoint({ regions: ['us-east-1', 'us-west-2'] }) }))
      .toThrow(/primary.healthCheck.regions must name at least 3 distinct checker regions/);
  });

  test('fails with a region that has no Route 53 checkers', () => {
    expect(() => pair({}, { healthCheck: FailoverHealthCheck.endpoint({ regions: ['us-east-1', 'us-west-2', 'eu-central-1'] }) }))
      .toThrow(/primary.healthCheck.regions names \['eu-central-1'\], which is not a Route 53 checker region/);
  });

  test('fails with an address that is not an IP address', () => {
    expect(() => valuePair({ target: FailoverTarget.ipAddress('app.example.net') }, { target: FailoverTarget.ipAddress(PUBLIC_IP) }))
      .toThrow(/primary.target is not an IPv4 or IPv6 address, got 'app.example.net'.*FailoverTarget.domainName/);
  });

  test('fails with no IP addresses', () => {
    expect(() => valuePair({ target: FailoverTarget.ipAddresses([]) }, { target: FailoverTarget.ipAddress(PUBLIC_IP) }))
      .toThrow(/primary.target must name at least one IP address/);
  });

  test('fails with a metric-math alarm', () => {
    const s = setup();
    const math = new cloudwatch.MathExpression({ expression: 'a + b', usingMetrics: { a: s.targetGroup.metrics.healthyHostCount(), b: s.targetGroup.metrics.unhealthyHostCount() } });
    const alarm = new cloudwatch.Alarm(s.stack, 'Math', { metric: math, threshold: 1, evaluationPeriods: 1 });
    expect(() => new FailoverRecord(s.stack, 'Api', {
      zone: s.zone, recordName: 'api', primary: { target: FailoverTarget.loadBalancer(s.alb), healthCheck: FailoverHealthCheck.cloudWatchAlarm(alarm) }, secondary: { target: west() },
    })).toThrow(/primary.healthCheck is a metric-math or multi-metric alarm, which Route 53 health checks don't support, got 'Test\/Math'/);
  });

  test('fails with a percentile alarm', () => {
    const s = setup();
    const alarm = new cloudwatch.Alarm(s.stack, 'P99', {
      metric: s.targetGroup.metrics.targetResponseTime({ statistic: 'p99' }), threshold: 1, evaluationPeriods: 1,
    });
    expect(() => new FailoverRecord(s.stack, 'Api', {
      zone: s.zone, recordName: 'api', primary: { target: FailoverTarget.loadBalancer(s.alb), healthCheck: FailoverHealthCheck.cloudWatchAlarm(alarm) }, secondary: { target: west() },
    })).toThrow(/uses the extended statistic p99, which Route 53 health checks don't support/);
  });

  test.each([
    ['minHealthyTargets', { minHealthyTargets: 0 }, /primary.healthCheck.minHealthyTargets must be an integer of at least 1/],
    ['evaluationPeriods', { evaluationPeriods: 11 }, /primary.healthCheck.evaluationPeriods must be an integer within 1-10/],
  ])('fails with a target group health %s out of range', (_name, options, message) => {
    const s = setup();
    expect(() => new FailoverRecord(s.stack, 'Api', {
      zone: s.zone, recordName: 'api', primary: { target: FailoverTarget.loadBalancer(s.alb), healthCheck: FailoverHealthCheck.applicationTargetGroupHealth(s.targetGroup, options) }, secondary: { target: west() },
    })).toThrow(message);
  });

  test('fails with an alarm region that is not a region', () => {
    expect(() => pair({}, { healthCheck: FailoverHealthCheck.cloudWatchAlarmName('api-unhealthy', 'west') }))
      .toThrow(/primary.healthCheck alarm region is not a region name, got 'west'/);
  });
});

describe('cdk-nag', () => {
  test('AwsSolutions: no findings on the failover pair, its health checks and alarms', () => {
    // The stack's ALB is the test fixture's (its ELB2/EC23 findings belong to the example, which acknowledges them).
    const { stack } = pair({}, {}, { healthCheck: FailoverHealthCheck.endpoint() });
    const s2 = setup({}, new Stack(new App(), 'Private'));
    new FailoverRecord(s2.stack, 'Api', {
      zone: s2.zone,
      recordName: 'api',
      primary: { target: FailoverTarget.loadBalancer(s2.alb), healthCheck: FailoverHealthCheck.applicationTargetGroupHealth(s2.targetGroup) },
      secondary: { target: west() },
    });
    const mine = [...nagFindings(stack), ...nagFindings(s2.stack)].filter((f) => / @ (Test|Private)\/(Api|Zone)/.test(f));
    expect(mine).toEqual([]);
  });

  test('NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1: no findings on the failover pair, its health checks and alarms', () => {
    // Every rule of these packs is an error: none is tolerated. The ALBs are the test fixture's
    // (the dns-failover example's test checks its own ALB), so only the construct's resources count.
    const packs = () => [new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks()];
    const { stack } = pair({}, {}, { healthCheck: FailoverHealthCheck.endpoint() });
    const s2 = setup({}, new Stack(new App(), 'Private'));
    new FailoverRecord(s2.stack, 'Api', {
      zone: s2.zone,
      recordName: 'api',
      primary: { target: FailoverTarget.loadBalancer(s2.alb), healthCheck: FailoverHealthCheck.applicationTargetGroupHealth(s2.targetGroup) },
      secondary: { target: west() },
    });
    const mine = [...nagFindings(stack, packs()), ...nagFindings(s2.stack, packs())].filter((f) => / @ (Test|Private)\/(Api|Zone)/.test(f));
    expect(mine).toEqual([]);
  });

  test('NetworkPatternsChecks: no findings on a stack with a failover pair in front of a TieredVpc ALB', () => {
    const { stack } = pair({}, {}, { healthCheck: FailoverHealthCheck.endpoint() });
    expect(nagFindings(stack, [new NetworkPatternsChecks()])).toEqual([]);
  });
});
