import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import {
  EphemeralRange, NatGatewayMode, NetworkAssertions, NetworkEndpoint, NetworkPatternsChecks, NlbListenerOptions, NlbTarget, Tier,
  TieredNetworkLoadBalancer, TieredNetworkLoadBalancerProps, TieredVpc, TieredVpcProps,
} from '../../src';
import { nagFindings, TEST_AZS, testStack } from '../util';
import { APP, DATA, egressRows, ingressRows, naclRows, PUBLIC, serverGroup, sgRef, tierGroup } from './fixtures';

const PARTNER = '203.0.113.0/24';
const ANY = '0.0.0.0/0';
const TWO_AZS = TEST_AZS.slice(0, 2);
const COMPLIANCE_PACKS = () => [new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks()];

interface WorldOptions {
  readonly net?: TieredVpcProps;
  readonly nlb?: Partial<TieredNetworkLoadBalancerProps>;
  readonly listener?: Partial<NlbListenerOptions>;
  readonly stack?: Stack;
}

/** A tiered VPC, a server group in the app tier and an NLB with one listener on 9092 in front of it. */
function world(o: WorldOptions = {}) {
  const stack = o.stack ?? testStack();
  const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS, ...o.net });
  const servers = tierGroup(stack, 'Servers', net);
  const nlb = new TieredNetworkLoadBalancer(stack, 'Nlb', { network: net, internetFacing: true, ...o.nlb });
  const listener = nlb.addListener('Kafka', { port: 9092, targets: [NlbTarget.autoScalingGroup(servers)], ...o.listener });
  return { stack, net, servers, nlb, listener, serversSg: servers.connections.securityGroups[0] as ec2.SecurityGroup };
}

function warnings(stack: Stack, id: string) {
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(id));
}

describe('TieredNetworkLoadBalancer: internet-facing defaults', () => {
  test('an internet-facing NLB with its own security group, cross-zone on, deletion protection on', () => {
    const { stack, nlb } = world();
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      Scheme: 'internet-facing',
      SecurityGroups: [stack.resolve(nlb.securityGroup.securityGroupId)],
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }]),
      Subnets: Match.absent(),
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'true' }]),
    });
    expect(nlb.tier).toBe(Tier.PUBLIC);
    expect(nlb.connections.securityGroups).toEqual([nlb.securityGroup]);
  });

  test('one Elastic IP per AZ, mapped to the public subnet of that AZ, exposed as staticIps', () => {
    const { stack, net, nlb } = world();
    const t = Template.fromStack(stack);
    expect(nlb.elasticIps).toHaveLength(3);
    const publicSubnets = net.selectTierSubnets(Tier.PUBLIC).subnets;
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      SubnetMappings: nlb.elasticIps.map((eip, i) => ({
        SubnetId: stack.resolve(publicSubnets[i].subnetId),
        AllocationId: stack.resolve(eip.attrAllocationId),
      })),
    });
    for (const [i, eip] of nlb.elasticIps.entries()) {
      t.hasResourceProperties('AWS::EC2::EIP', { Domain: 'vpc', Tags: [{ Key: 'Name', Value: `Test/Nlb ${TEST_AZS[i]}` }] });
      expect(stack.resolve(nlb.staticIps[i])).toEqual(stack.resolve(eip.attrPublicIp));
    }
    expect(stack.resolve(nlb.staticIps[0])).toEqual({ 'Fn::GetAtt': [stack.resolve(nlb.elasticIps[0].logicalId), 'PublicIp'] });
    t.templateMatches({ Outputs: Match.absent() });
  });

  test('the security group admits anyone on the listener port only, and reaches the servers only', () => {
    const { stack, nlb, serversSg } = world();
    const t = Template.fromStack(stack);
    expect(ingressRows(stack, nlb.securityGroup, t)).toEqual([`tcp 9092-9092 <- ${ANY}`]);
    expect(egressRows(stack, nlb.securityGroup, t)).toEqual([`tcp 9092-9092 -> ${sgRef(stack, serversSg)}`]);
    // the servers admit the load balancer's security group, never a CIDR (client IP preservation included)
    expect(ingressRows(stack, serversSg, t)).toEqual([`tcp 9092-9092 <- ${sgRef(stack, nlb.securityGroup)}`]);
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Test/Nlb: internet-facing NLB; admits its clients on the listener ports, reaches only its targets',
    });
  });

  test('a TCP listener forwarding to an instance target group on the same port, AWS health-check defaults left to AWS', () => {
    const { stack, listener } = world();
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 9092,
      Protocol: 'TCP',
      SslPolicy: Match.absent(),
      Certificates: Match.absent(),
      DefaultActions: [{ Type: 'forward', TargetGroupArn: stack.resolve(listener.targetGroup.targetGroupArn) }],
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 9092,
      Protocol: 'TCP',
      TargetType: 'instance',
      TargetGroupAttributes: [{ Key: 'preserve_client_ip.enabled', Value: 'true' }],
      HealthCheckProtocol: Match.absent(),
      HealthCheckPort: Match.absent(),
      HealthCheckPath: Match.absent(),
      HealthCheckIntervalSeconds: Match.absent(),
      HealthCheckTimeoutSeconds: Match.absent(),
      HealthyThresholdCount: Match.absent(),
      UnhealthyThresholdCount: Match.absent(),
      Matcher: Match.absent(),
    });
    t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { TargetGroupARNs: [stack.resolve(listener.targetGroup.targetGroupArn)] });
    expect(listener.preserveClientIp).toBe(true);
    expect(listener.targetType).toBe(elbv2.TargetType.INSTANCE);
    expect(listener.targetProtocol).toBe(elbv2.Protocol.TCP);
  });

  test('NACLs: clients <-> public tier, public <-> app tier, and the preserved client IPs <-> app tier, both ways', () => {
    const { stack, net } = world();
    expect(naclRows(stack, net)).toEqual([
      `app in tcp 9092 ${ANY}`, // client IP preservation: the servers see the clients' addresses
      `app in tcp 9092 ${PUBLIC}`,
      `app out tcp 1024-65535 ${ANY}`,
      `app out tcp 1024-65535 ${PUBLIC}`,
      `public in tcp 1024-65535 ${APP}`,
      `public in tcp 9092 ${ANY}`,
      `public out tcp 1024-65535 ${ANY}`,
      `public out tcp 9092 ${APP}`,
    ].sort());
  });

  test('the flows it declares', () => {
    const { net } = world();
    expect(net.flows.map((f) => `${f.from} -> ${f.to} ${f.protocol} ${f.fromPort} (return ${f.ephemeralFromPort}-${f.ephemeralToPort})`)).toEqual([
      'internet 0.0.0.0/0 -> Test/Nlb tcp 9092 (return 1024-65535)',
      'Test/Nlb -> Test/Servers tcp 9092 (return 1024-65535)',
      'internet 0.0.0.0/0 -> tier app tcp 9092 (return 1024-65535)',
    ]);
  });

  test('the Elastic IP quota (3 NAT + 3 static = 6 > 5) is reported once, as a NetworkPatterns-EIP1 warning that does not fail the report', () => {
    const { stack } = world();
    Template.fromStack(stack);
    // No annotation of its own: the nag pack's finding is the one report.
    expect(warnings(stack, 'elasticIpQuota')).toHaveLength(0);
    const report = new NetworkPatternsChecks().validateScope(stack);
    const eip = report.violations.filter((v) => v.ruleName === 'NetworkPatterns-EIP1');
    expect(eip.flatMap((v) => v.violatingResources.map((r) => r.constructPath))).toEqual(['Test/Nlb/ElasticIp3']);
    expect(eip[0].severity).toBe('warning');
    expect(report.success).toBe(true);
  });

  test.each([
    ['2 AZs (2 NAT + 2 static)', { availabilityZones: TWO_AZS }],
    ['no NAT gateway (0 + 3)', { natGatewayMode: NatGatewayMode.NONE }],
  ])('no quota finding with %s', (_, netProps) => {
    const { stack } = world({ net: netProps });
    Template.fromStack(stack);
    expect(nagFindings(stack, [new NetworkPatternsChecks()]).filter((f) => f.startsWith('NetworkPatterns-EIP1'))).toEqual([]);
  });

  test('AwsSolutions and NetworkPatterns: no findings (ELB2 acknowledged: no TLS listener to log; EC23 acknowledged on the NLB only)', () => {
    const { stack } = world({ net: { availabilityZones: TWO_AZS } });
    Template.fromStack(stack); // synthesize: the access-log acknowledgment is decided at synth
    expect(nagFindings(stack)).toEqual([]);
    expect(nagFindings(stack, [new NetworkPatternsChecks()])).toEqual([]);
  });

  test('NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1: no findings with TLS passed through to the targets (ELBLoggingEnabled acknowledged: no TLS listener to log)', () => {
    // Every rule of these packs is an error: none is tolerated.
    const { stack } = world({ net: { availabilityZones: TWO_AZS }, listener: { targetsTerminateTls: true } });
    Template.fromStack(stack); // synthesize: the access-log acknowledgment is decided at synth
    expect(nagFindings(stack, COMPLIANCE_PACKS())).toEqual([]);
  });

  test('NetworkPatterns flags the 6th Elastic IP of a 3-AZ stack with 3 NAT gateways, as the warning says', () => {
    const { stack } = world();
    Template.fromStack(stack);
    expect(nagFindings(stack, [new NetworkPatternsChecks()])).toEqual(['NetworkPatterns-EIP1 @ Test/Nlb/ElasticIp3']);
  });
});

describe('TieredNetworkLoadBalancer: reachability (analyzer)', () => {
  test('internet -> listener: yes; internet -> servers directly: no; NLB -> servers: yes; every NACL passes the return traffic', () => {
    const { stack, nlb, servers } = world({ nlb: { clientCidrs: [PARTNER] } });
    const a = NetworkAssertions.fromStack(stack);
    a.expectReachable(NetworkEndpoint.internet(PARTNER), NetworkEndpoint.of(nlb), ec2.Port.tcp(9092));
    a.expectUnreachable(NetworkEndpoint.internet('198.51.100.0/24'), NetworkEndpoint.of(nlb), ec2.Port.tcp(9092)); // only the partner
    a.expectUnreachable(NetworkEndpoint.internet(PARTNER), NetworkEndpoint.of(nlb), ec2.Port.tcp(9093));
    a.expectUnreachable(NetworkEndpoint.internet(PARTNER), NetworkEndpoint.of(servers), ec2.Port.tcp(9092));
    a.expectUnreachable(NetworkEndpoint.internet(), NetworkEndpoint.of(servers), ec2.Port.tcp(22));
    a.expectReachable(NetworkEndpoint.of(nlb), NetworkEndpoint.of(servers), ec2.Port.tcp(9092));
    a.expectUnreachable(NetworkEndpoint.of(nlb), NetworkEndpoint.of(servers), ec2.Port.tcp(9093));
    a.expectUnreachable(NetworkEndpoint.of(servers), NetworkEndpoint.internet(), ec2.Port.tcp(443));
  });

  test('every declared flow passes, no undeclared opening; the preserved-IP flow is checked on the targets\' NACLs', () => {
    const { stack, net } = world({ nlb: { clientCidrs: [PARTNER] } });
    const a = NetworkAssertions.fromStack(stack);
    const verdicts = a.declaredFlowVerdicts(net).map((v) => [v.flow.description, v.answer.verdict]);
    expect(verdicts).toEqual([
      [`clients ${PARTNER} -> Test/Nlb listener tcp 9092`, 'reachable'],
      ['Test/Nlb -> Test/Servers tcp 9092 (listener 9092)', 'reachable'],
      [`clients ${PARTNER} -> tier app tcp 9092 (client IP preserved through Test/Nlb)`, 'reachable'],
    ]);
    // the NLB relays the partner's packets with their own address: only the app tier's NACLs apply
    const preserved = a.declaredFlowVerdicts(net)[2].answer.reasons;
    expect(preserved[0]).toMatch(/^reachable: all 3 subnet path\(s\) pass the NACLs in both directions/);
    expect(preserved).toContainEqual(expect.stringMatching(/^note: NACL-only flow/));
    expect(() => a.expectOnlyDeclaredFlows(net)).not.toThrow();
  });

  test('the preserved-IP flow is blocked when the targets\' NACL lacks the clients\' return entry', () => {
    const { stack, net } = world({ nlb: { clientCidrs: [PARTNER] } });
    net.networkAcl(Tier.APP).addEntry('DenyPartnerReturn', {
      ruleNumber: 1,
      cidr: ec2.AclCidr.ipv4(PARTNER),
      traffic: ec2.AclTraffic.tcpPortRange(1024, 65535),
      direction: ec2.TrafficDirection.EGRESS,
      ruleAction: ec2.Action.DENY,
    });
    const verdict = NetworkAssertions.fromStack(stack).declaredFlowVerdicts(net)[2].answer;
    expect(verdict.verdict).toBe('blocked');
    expect(verdict.reasons[0]).toMatch(/^blocked: NACL .*AppAcl outbound/);
  });

  test('a target port that differs from the listener port, and a separate health-check port, are reachable from the NLB', () => {
    const { stack, nlb, servers } = world({ listener: { targetPort: 19092, healthCheck: { port: 8080, protocol: elbv2.Protocol.HTTP, path: '/health' } } });
    const a = NetworkAssertions.fromStack(stack);
    a.expectReachable(NetworkEndpoint.internet(), NetworkEndpoint.of(nlb), ec2.Port.tcp(9092));
    a.expectReachable(NetworkEndpoint.of(nlb), NetworkEndpoint.of(servers), ec2.Port.tcp(19092));
    a.expectReachable(NetworkEndpoint.of(nlb), NetworkEndpoint.of(servers), ec2.Port.tcp(8080));
    a.expectUnreachable(NetworkEndpoint.of(nlb), NetworkEndpoint.of(servers), ec2.Port.tcp(9092));
  });

  test('internal: the admitted workload reaches the listener, the internet reaches nothing', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const servers = tierGroup(stack, 'Servers', net);
    const web = tierGroup(stack, 'Web', net, Tier.PUBLIC);
    const nlb = new TieredNetworkLoadBalancer(stack, 'Nlb', { network: net, internetFacing: false });
    nlb.addListener('Db', { port: 3306, targets: [NlbTarget.autoScalingGroup(servers)] });
    nlb.allowClient(web, Tier.PUBLIC, { ephemeralRange: EphemeralRange.LINUX });
    const a = NetworkAssertions.fromStack(stack);
    a.expectReachable(NetworkEndpoint.of(web), NetworkEndpoint.of(nlb), ec2.Port.tcp(3306));
    a.expectReachable(NetworkEndpoint.of(nlb), NetworkEndpoint.of(servers), ec2.Port.tcp(3306));
    a.expectUnreachable(NetworkEndpoint.internet(), NetworkEndpoint.of(nlb), ec2.Port.tcp(3306));
    a.expectUnreachable(NetworkEndpoint.of(web), NetworkEndpoint.of(servers), ec2.Port.tcp(3306));
  });

  test('UDP listener: internet -> NLB on UDP, NLB -> servers on UDP and the TCP health check', () => {
    const { stack, nlb, servers } = world({ listener: { port: 5683, protocol: elbv2.Protocol.UDP } });
    const a = NetworkAssertions.fromStack(stack);
    a.expectReachable(NetworkEndpoint.internet(), NetworkEndpoint.of(nlb), ec2.Port.udp(5683));
    a.expectReachable(NetworkEndpoint.of(nlb), NetworkEndpoint.of(servers), ec2.Port.udp(5683));
    a.expectReachable(NetworkEndpoint.of(nlb), NetworkEndpoint.of(servers), ec2.Port.tcp(5683));
    a.expectUnreachable(NetworkEndpoint.internet(), NetworkEndpoint.of(nlb), ec2.Port.tcp(5683));
  });
});

describe('TieredNetworkLoadBalancer options', () => {
  test('clientCidrs: the listener admits the partner only; the preserved client IPs in the app NACL are the partner\'s', () => {
    const { stack, net, nlb } = world({ nlb: { clientCidrs: [PARTNER, '198.51.100.7/32'] } });
    const t = Template.fromStack(stack);
    expect(ingressRows(stack, nlb.securityGroup, t)).toEqual(['tcp 9092-9092 <- 198.51.100.7/32', `tcp 9092-9092 <- ${PARTNER}`]);
    const rows = naclRows(stack, net, t);
    expect(rows).toEqual(expect.arrayContaining([
      `public in tcp 9092 ${PARTNER}`, `public out tcp 1024-65535 ${PARTNER}`,
      `app in tcp 9092 ${PARTNER}`, `app out tcp 1024-65535 ${PARTNER}`,
      'app in tcp 9092 198.51.100.7/32',
    ]));
    expect(rows.filter((r) => r.endsWith(ANY))).toEqual([]);
    expect(nlb.clientCidrs).toEqual([PARTNER, '198.51.100.7/32']);
  });

  test('clientCidrs without 0.0.0.0/0: no EC23 acknowledgment needed, none made', () => {
    const { stack, nlb } = world({ net: { availabilityZones: TWO_AZS }, nlb: { clientCidrs: [PARTNER] } });
    Template.fromStack(stack);
    expect(nagFindings(stack)).toEqual([]);
    expect(JSON.stringify(nlb.securityGroup.node.metadata)).not.toMatch(/EC23/);
  });

  test('clientCidrs covering the whole VPC (a corporate 10.0.0.0/8) are accepted', () => {
    const { nlb } = world({ nlb: { internetFacing: false, clientCidrs: ['10.0.0.0/8'] } });
    expect(nlb.clientCidrs).toEqual(['10.0.0.0/8']);
  });

  test('staticIps false: public subnets, no Elastic IP, no quota warning', () => {
    const { stack, net, nlb } = world({ nlb: { staticIps: false } });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Subnets: net.selectTierSubnets(Tier.PUBLIC).subnetIds.map((s) => stack.resolve(s)),
      SubnetMappings: Match.absent(),
    });
    t.resourceCountIs('AWS::EC2::EIP', 3); // the NAT gateways' only
    expect(nlb.staticIps).toEqual([]);
    expect(nagFindings(stack, [new NetworkPatternsChecks()]).filter((f) => f.startsWith('NetworkPatterns-EIP1'))).toEqual([]);
  });

  test('elasticIpAllocationIds: existing addresses mapped per AZ, none created', () => {
    const ids = ['eipalloc-0a', 'eipalloc-0b', 'eipalloc-0c'];
    const { stack, nlb } = world({ nlb: { elasticIpAllocationIds: ids } });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      SubnetMappings: ids.map((id) => Match.objectLike({ AllocationId: id })),
    });
    t.resourceCountIs('AWS::EC2::EIP', 3);
    expect(nlb.elasticIps).toEqual([]);
    expect(nlb.staticIps).toEqual([]);
    // The existing addresses hold quota too: with the 3 NAT gateways' new ones, 6 addresses in the Region.
    expect(nagFindings(stack, [new NetworkPatternsChecks()]).filter((f) => f.startsWith('NetworkPatterns-EIP1'))).toEqual([
      'NetworkPatterns-EIP1 @ Test/Nlb/Resource/Resource',
    ]);
  });

  test('staticIpOutputs: one output per AZ, inside the construct\'s scope', () => {
    const { stack, nlb } = world({ nlb: { staticIpOutputs: true } });
    const outputs = Template.fromStack(stack).findOutputs('*');
    const values = Object.entries<any>(outputs).map(([k, o]) => [k, o.Value, o.Description]);
    expect(values).toHaveLength(3);
    for (const [i, eip] of nlb.elasticIps.entries()) {
      const [key, value, description] = values[i];
      expect(key).toMatch(/^NlbStaticIp\d/);
      expect(value).toEqual(stack.resolve(eip.attrPublicIp));
      expect(description).toBe(`Static IP of Test/Nlb in ${TEST_AZS[i]}: give it to the clients' allowlist`);
    }
    expect(nlb.node.tryFindChild('StaticIp1')).toBeDefined();
  });

  test('crossZone off, clientRoutingPolicy, deletion protection off and name', () => {
    const { stack } = world({
      nlb: {
        crossZone: false,
        deletionProtection: false,
        loadBalancerName: 'partner-kafka',
        clientRoutingPolicy: elbv2.ClientRoutingPolicy.AVAILABILITY_ZONE_AFFINITY,
      },
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Name: 'partner-kafka' });
    for (const attribute of [
      { Key: 'load_balancing.cross_zone.enabled', Value: 'false' },
      { Key: 'deletion_protection.enabled', Value: 'false' },
      { Key: 'dns_record.client_routing_policy', Value: 'availability_zone_affinity' },
    ]) {
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { LoadBalancerAttributes: Match.arrayWith([attribute]) });
    }
  });

  test('internal: app tier, no Elastic IP, admits nobody until allowClient, and says so', () => {
    const { stack, net, nlb } = world({ nlb: { internetFacing: false } });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      Subnets: net.selectTierSubnets(Tier.APP).subnetIds.map((s) => stack.resolve(s)),
    });
    t.resourceCountIs('AWS::EC2::EIP', 3);
    expect(nlb.tier).toBe(Tier.APP);
    expect(nlb.clientCidrs).toEqual([]);
    expect(ingressRows(stack, nlb.securityGroup, t)).toEqual([]);
    expect(warnings(stack, 'nlbNoClients')).toHaveLength(1);
    t.hasResourceProperties('AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('internal NLB') });
  });

  test('internal allowClient: SG reference for every listener (before and after), NACL entries between the tiers', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const servers = tierGroup(stack, 'Servers', net, Tier.DATA);
    const web = tierGroup(stack, 'Web', net, Tier.PUBLIC);
    const nlb = new TieredNetworkLoadBalancer(stack, 'Nlb', { network: net, internetFacing: false });
    nlb.addListener('Mysql', { port: 3306, targets: [NlbTarget.autoScalingGroup(servers)] });
    nlb.allowClient(web, Tier.PUBLIC, { ephemeralRange: EphemeralRange.LINUX, name: 'web' });
    nlb.addListener('Admin', { port: 33062, targets: [NlbTarget.autoScalingGroup(servers)] });
    const t = Template.fromStack(stack);
    const webSg = web.connections.securityGroups[0];
    expect(ingressRows(stack, nlb.securityGroup, t)).toEqual([
      `tcp 33062-33062 <- ${sgRef(stack, webSg)}`, `tcp 3306-3306 <- ${sgRef(stack, webSg)}`,
    ].sort());
    expect(naclRows(stack, net, t)).toEqual([
      // web (public) -> NLB (app), LINUX ephemeral range back
      `public out tcp 3306 ${APP}`, `public out tcp 33062 ${APP}`, `public in tcp 32768-60999 ${APP}`,
      `app in tcp 3306 ${PUBLIC}`, `app in tcp 33062 ${PUBLIC}`, `app out tcp 32768-60999 ${PUBLIC}`,
      // NLB (app) -> servers (data)
      `app out tcp 3306 ${DATA}`, `app out tcp 33062 ${DATA}`, `app in tcp 1024-65535 ${DATA}`,
      `data in tcp 3306 ${APP}`, `data in tcp 33062 ${APP}`, `data out tcp 1024-65535 ${APP}`,
      // client IP preservation: the data tier sees the web tier's addresses (NACL only, tier -> tier;
      // the flow model writes both tiers' sides, so the web tier's NACL gets the mirror entries too)
      `data in tcp 3306 ${PUBLIC}`, `data in tcp 33062 ${PUBLIC}`, `data out tcp 32768-60999 ${PUBLIC}`,
      `public out tcp 3306 ${DATA}`, `public out tcp 33062 ${DATA}`, `public in tcp 32768-60999 ${DATA}`,
    ].sort());
    expect(warnings(stack, 'nlbNoClients')).toHaveLength(0);
    // the servers admit the NLB only, not the web tier directly
    expect(ingressRows(stack, servers.connections.securityGroups[0] as ec2.SecurityGroup, t)).toEqual([
      `tcp 33062-33062 <- ${sgRef(stack, nlb.securityGroup)}`, `tcp 3306-3306 <- ${sgRef(stack, nlb.securityGroup)}`,
    ].sort());
  });

  test('internal allowClient from a client in the NLB\'s own tier: preserved IPs need nothing more', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const servers = tierGroup(stack, 'Servers', net, Tier.APP);
    const api = tierGroup(stack, 'Api', net, Tier.APP);
    const nlb = new TieredNetworkLoadBalancer(stack, 'Nlb', { network: net, internetFacing: false });
    nlb.allowClient(api, Tier.APP);
    nlb.addListener('Svc', { port: 7000, targets: [NlbTarget.autoScalingGroup(servers)] });
    expect(naclRows(stack, net)).toEqual([
      `app in tcp 1024-65535 ${APP}`, `app in tcp 7000 ${APP}`, `app out tcp 1024-65535 ${APP}`, `app out tcp 7000 ${APP}`,
    ]);
    expect(net.flows).toHaveLength(2);
  });

  test('internal with clients outside the VPC (on premises over VPN)', () => {
    const { stack, net, nlb } = world({ nlb: { internetFacing: false, clientCidrs: ['172.16.0.0/12'] } });
    const t = Template.fromStack(stack);
    expect(ingressRows(stack, nlb.securityGroup, t)).toEqual(['tcp 9092-9092 <- 172.16.0.0/12']);
    expect(naclRows(stack, net, t)).toEqual(expect.arrayContaining(['app in tcp 9092 172.16.0.0/12', 'app out tcp 1024-65535 172.16.0.0/12']));
  });

  test('access logs to a bucket with a prefix; ELB2 then needs no acknowledgment', () => {
    const stack = new Stack(new App(), 'Logged', { env: { region: 'us-east-1', account: '111111111111' } });
    const bucket = new s3.Bucket(stack, 'Logs', {
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsPrefix: 'server-access/',
    });
    const { nlb } = world({ stack, net: { availabilityZones: TWO_AZS }, nlb: { accessLogBucket: bucket, accessLogPrefix: 'nlb' } });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: stack.resolve(bucket.bucketName) },
        { Key: 'access_logs.s3.prefix', Value: 'nlb' },
      ]),
    });
    expect(nlb.accessLogsEnabled).toBe(true);
    expect(JSON.stringify(nlb.loadBalancer.node.metadata)).not.toMatch(/ELB2/);
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('listeners', () => {
  test.each([
    [elbv2.Protocol.TCP, ['tcp']],
    [elbv2.Protocol.UDP, ['udp']],
    [elbv2.Protocol.TCP_UDP, ['tcp', 'udp']],
  ])('%s listener: listener, target group and flows in its protocols', (protocol, protos) => {
    const { stack, net, nlb, serversSg } = world({ listener: { port: 5000, protocol } });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 5000, Protocol: protocol });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 5000, Protocol: protocol });
    expect(ingressRows(stack, nlb.securityGroup, t)).toEqual(protos.map((p) => `${p} 5000-5000 <- ${ANY}`).sort());
    // health checks are TCP, on the traffic port: a UDP-only service gets the TCP port opened too
    const toServers = [...new Set([...protos, 'tcp'])].map((p) => `${p} 5000-5000 -> ${sgRef(stack, serversSg)}`).sort();
    expect(egressRows(stack, nlb.securityGroup, t)).toEqual(toServers);
    const rows = naclRows(stack, net, t);
    for (const p of protos) {
      expect(rows).toEqual(expect.arrayContaining([`public in ${p} 5000 ${ANY}`, `public out ${p} 1024-65535 ${ANY}`, `app in ${p} 5000 ${PUBLIC}`, `app in ${p} 5000 ${ANY}`]));
    }
  });

  test('UDP target groups always preserve client IPs: no attribute written (AWS refuses it), flows compiled for preserved IPs', () => {
    const { stack, listener } = world({ listener: { port: 5683, protocol: elbv2.Protocol.UDP } });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Protocol: 'UDP', TargetGroupAttributes: Match.absent() });
    expect(listener.preserveClientIp).toBe(true);
  });

  test('TLS: certificate, the recommended TLS 1.2/1.3 policy, TCP to the targets; ELB2 stays until access logs are given', () => {
    const stack = testStack();
    const cert = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc');
    const { listener } = world({
      stack,
      net: { availabilityZones: TWO_AZS },
      listener: { port: 9094, certificates: [elbv2.ListenerCertificate.fromCertificateManager(cert)] },
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 9094,
      Protocol: 'TLS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc' }],
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 9094, Protocol: 'TCP' });
    expect(listener.protocol).toBe(elbv2.Protocol.TLS);
    expect(nagFindings(stack)).toEqual(['AwsSolutions-ELB2 @ Test/Nlb/Resource/Resource']);
  });

  test('a plaintext TCP listener keeps the packs\' ELBv2ACMCertificateRequired finding; targetsTerminateTls acknowledges it on that listener', () => {
    const plain = world({ net: { availabilityZones: TWO_AZS } });
    Template.fromStack(plain.stack);
    expect(nagFindings(plain.stack, COMPLIANCE_PACKS())).toEqual([
      'HIPAA.Security-ELBv2ACMCertificateRequired @ Test/Nlb/Kafka/Resource/Resource',
      'NIST.800.53.R5-ELBv2ACMCertificateRequired @ Test/Nlb/Kafka/Resource/Resource',
      'PCI.DSS.321-ELBv2ACMCertificateRequired @ Test/Nlb/Kafka/Resource/Resource',
    ]);
    const passThrough = world({ net: { availabilityZones: TWO_AZS }, listener: { targetsTerminateTls: true } });
    const t = Template.fromStack(passThrough.stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 9092, Protocol: 'TCP', Certificates: Match.absent() });
    expect(nagFindings(passThrough.stack, COMPLIANCE_PACKS())).toEqual([]);
  });

  test('TLS options: explicit protocol, policy, ALPN, re-encryption to the targets, several certificates', () => {
    const stack = testStack();
    const certs = ['a', 'b'].map((c) => elbv2.ListenerCertificate.fromArn(`arn:aws:acm:us-east-1:111111111111:certificate/${c}`));
    world({
      stack,
      listener: {
        port: 443,
        protocol: elbv2.Protocol.TLS,
        certificates: certs,
        sslPolicy: elbv2.SslPolicy.FIPS_TLS13_12_RES,
        alpnPolicy: elbv2.AlpnPolicy.HTTP2_PREFERRED,
        targetProtocol: elbv2.Protocol.TLS,
        targetPort: 8443,
      },
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'TLS', SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04', AlpnPolicy: ['HTTP2Preferred'],
    });
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerCertificate', 1);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8443, Protocol: 'TLS' });
  });

  test.each([1, 65535])('port %d (boundary) is accepted', (port) => {
    const { stack } = world({ listener: { port } });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: port });
  });

  test('several listeners, target port differing from the listener port', () => {
    const { stack, net, nlb, servers, serversSg } = world();
    nlb.addListener('Tls', { port: 9094, targetPort: 19094, targets: [NlbTarget.autoScalingGroup(servers)] });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 19094 });
    expect(ingressRows(stack, nlb.securityGroup, t)).toEqual([`tcp 9092-9092 <- ${ANY}`, `tcp 9094-9094 <- ${ANY}`]);
    expect(ingressRows(stack, serversSg, t)).toEqual([
      `tcp 19094-19094 <- ${sgRef(stack, nlb.securityGroup)}`, `tcp 9092-9092 <- ${sgRef(stack, nlb.securityGroup)}`,
    ]);
    expect(naclRows(stack, net, t)).toEqual(expect.arrayContaining([`public in tcp 9094 ${ANY}`, `public out tcp 19094 ${APP}`, `app in tcp 19094 ${PUBLIC}`]));
    expect(nlb.listeners.map((l) => l.port)).toEqual([9092, 9094]);
  });

  test('per-listener clientCidrs', () => {
    const { stack, nlb, servers } = world({ nlb: { clientCidrs: [PARTNER] } });
    nlb.addListener('Other', { port: 9100, clientCidrs: ['198.51.100.0/24'], targets: [NlbTarget.autoScalingGroup(servers)] });
    expect(ingressRows(stack, nlb.securityGroup, Template.fromStack(stack))).toEqual([
      `tcp 9092-9092 <- ${PARTNER}`, 'tcp 9100-9100 <- 198.51.100.0/24',
    ]);
  });

  test('tcpIdleTimeout', () => {
    const { stack } = world({ listener: { tcpIdleTimeout: Duration.seconds(3600) } });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      ListenerAttributes: [{ Key: 'tcp.idle_timeout.seconds', Value: '3600' }],
    });
  });

  test('health check: every option rendered, and its own port opened from the NLB', () => {
    const { stack, net, nlb, serversSg } = world({
      listener: {
        healthCheck: {
          protocol: elbv2.Protocol.HTTP,
          port: 8080,
          path: '/health',
          healthyHttpCodes: '200',
          interval: Duration.seconds(10),
          timeout: Duration.seconds(5),
          healthyThresholdCount: 3,
          unhealthyThresholdCount: 2,
        },
      },
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckProtocol: 'HTTP',
      HealthCheckPort: '8080',
      HealthCheckPath: '/health',
      Matcher: { HttpCode: '200' },
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 3,
      UnhealthyThresholdCount: 2,
    });
    expect(egressRows(stack, nlb.securityGroup, t)).toEqual([
      `tcp 8080-8080 -> ${sgRef(stack, serversSg)}`, `tcp 9092-9092 -> ${sgRef(stack, serversSg)}`,
    ]);
    const rows = naclRows(stack, net, t);
    expect(rows).toEqual(expect.arrayContaining([`public out tcp 8080 ${APP}`, `app in tcp 8080 ${PUBLIC}`]));
    // health checks come from the NLB only: the clients' addresses are not admitted on 8080
    expect(rows).not.toContain(`app in tcp 8080 ${ANY}`);
  });

  test.each([
    [elbv2.Protocol.TCP], [elbv2.Protocol.HTTPS],
  ])('health check protocol %s', (protocol) => {
    const { stack } = world({ listener: { healthCheck: { protocol } } });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckProtocol: protocol });
  });

  test('deregistration delay', () => {
    const { stack } = world({ listener: { deregistrationDelay: Duration.seconds(30) } });
    Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
    });
  });

  test('preserveClientIp false: the attribute, and no client CIDR in the targets\' tier NACL', () => {
    const { stack, net, listener } = world({ listener: { preserveClientIp: false } });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetGroupAttributes: [{ Key: 'preserve_client_ip.enabled', Value: 'false' }],
    });
    expect(naclRows(stack, net, t).filter((r) => r.startsWith('app') && r.endsWith(ANY))).toEqual([]);
    expect(listener.preserveClientIp).toBe(false);
  });

  test('addTargets later: more targets in the same group, with their flows', () => {
    const { stack, nlb, listener } = world();
    const more = tierGroup(stack, 'More', nlb.network);
    listener.addTargets(NlbTarget.autoScalingGroup(more));
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { TargetGroupARNs: [stack.resolve(listener.targetGroup.targetGroupArn)] });
    expect(ingressRows(stack, more.connections.securityGroups[0] as ec2.SecurityGroup, t)).toEqual([`tcp 9092-9092 <- ${sgRef(stack, nlb.securityGroup)}`]);
  });
});

describe('targets', () => {
  function bare(stack: Stack = testStack()) {
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const nlb = new TieredNetworkLoadBalancer(stack, 'Nlb', { network: net, internetFacing: true });
    return { stack, net, nlb };
  }

  test('instances: registered by id, each instance\'s security group admits the NLB, tier derived from the subnet', () => {
    const { stack, net, nlb } = bare();
    const sg = new ec2.SecurityGroup(stack, 'InstSg', { vpc: net.vpc, allowAllOutbound: false });
    const instance = new ec2.Instance(stack, 'Inst', {
      vpc: net.vpc,
      vpcSubnets: net.tierSubnets(Tier.APP),
      securityGroup: sg,
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    });
    nlb.addListener('Svc', { port: 7000, targets: [NlbTarget.instances([instance])] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'instance', Targets: [{ Id: stack.resolve(instance.instanceId) }] });
    expect(ingressRows(stack, sg, t)).toEqual([`tcp 7000-7000 <- ${sgRef(stack, nlb.securityGroup)}`]);
    expect(naclRows(stack, net, t)).toContain(`app in tcp 7000 ${PUBLIC}`);
  });

  test('an awsvpc (Fargate) ECS service: IP targets, the service\'s security group, client IP preservation off by default', () => {
    const { stack, net, nlb } = bare();
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: net.vpc });
    const task = new ecs.FargateTaskDefinition(stack, 'Task');
    task.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx'), portMappings: [{ containerPort: 8080 }] });
    const sg = new ec2.SecurityGroup(stack, 'SvcSg', { vpc: net.vpc, allowAllOutbound: false });
    const service = new ecs.FargateService(stack, 'Svc', { cluster, taskDefinition: task, vpcSubnets: net.tierSubnets(Tier.APP), securityGroups: [sg] });
    const listener = nlb.addListener('Web', { port: 443, targetPort: 8080, targets: [NlbTarget.ecsService(service)] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip', Port: 8080, TargetGroupAttributes: [{ Key: 'preserve_client_ip.enabled', Value: 'false' }],
    });
    t.hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [{ ContainerName: 'app', ContainerPort: 8080, TargetGroupArn: stack.resolve(listener.targetGroup.targetGroupArn) }],
    });
    expect(ingressRows(stack, sg, t)).toEqual([`tcp 8080-8080 <- ${sgRef(stack, nlb.securityGroup)}`]);
    const rows = naclRows(stack, net, t);
    expect(rows).toContain(`app in tcp 8080 ${PUBLIC}`);
    expect(rows.filter((r) => r.startsWith('app') && r.endsWith(ANY))).toEqual([]);
    expect(listener.preserveClientIp).toBe(false);
  });

  test('fails for an ECS service in bridge mode with dynamic host ports and no pinned range', () => {
    const { stack, net, nlb } = bare();
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: net.vpc });
    const capacity = new autoscaling.AutoScalingGroup(stack, 'Capacity', {
      vpc: net.vpc,
      vpcSubnets: net.tierSubnets(Tier.APP),
      allowAllOutbound: false,
      instanceType: new ec2.InstanceType('t3.small'),
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(),
    });
    cluster.addAsgCapacityProvider(new ecs.AsgCapacityProvider(stack, 'Cap', { autoScalingGroup: capacity }));
    const task = new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode: ecs.NetworkMode.BRIDGE });
    task.addContainer('app', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx'), memoryLimitMiB: 256, portMappings: [{ containerPort: 8080, hostPort: 0 }],
    });
    const service = new ecs.Ec2Service(stack, 'Svc', { cluster, taskDefinition: task });
    expect(() => nlb.addListener('Web', {
      port: 443, targetPort: 8080, targets: [NlbTarget.ecsService(service, { containerName: 'app', containerPort: 8080, connectable: capacity })],
    })).toThrow(/trafficPort must be given for Test\/Svc's bridge mode dynamic host ports \(hostPort 0\), got undefined\. Pass the range the ECS agent is pinned to/);
    // pinned: exactly that range, from the NLB's security group only
    const listener = nlb.addListener('Web2', {
      port: 443,
      targetPort: 8080,
      targets: [NlbTarget.ecsService(service, { containerName: 'app', containerPort: 8080, connectable: capacity, trafficPort: ec2.Port.tcpRange(32768, 51677) })],
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'instance' });
    const capSg = capacity.connections.securityGroups[0] as ec2.SecurityGroup;
    expect(ingressRows(stack, capSg, t)).toEqual([`tcp 32768-51677 <- ${sgRef(stack, nlb.securityGroup)}`]);
    expect(naclRows(stack, net, t)).toEqual(expect.arrayContaining([`app in tcp 32768-51677 ${PUBLIC}`]));
    expect(listener.preserveClientIp).toBe(true);
  });

  test('an ECS service with host ports pinned by ECS_DYNAMIC_HOST_PORT_RANGE: trafficPort', () => {
    const { stack, net, nlb } = bare();
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: net.vpc });
    const sg = new ec2.SecurityGroup(stack, 'HostsSg', { vpc: net.vpc, allowAllOutbound: false });
    const capacity = new autoscaling.AutoScalingGroup(stack, 'Capacity', {
      vpc: net.vpc,
      vpcSubnets: net.tierSubnets(Tier.APP),
      securityGroup: sg,
      instanceType: new ec2.InstanceType('t3.small'),
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(),
    });
    cluster.addAsgCapacityProvider(new ecs.AsgCapacityProvider(stack, 'Cap', { autoScalingGroup: capacity }));
    const task = new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode: ecs.NetworkMode.BRIDGE });
    task.addContainer('app', { image: ecs.ContainerImage.fromRegistry('x'), memoryLimitMiB: 256, portMappings: [{ containerPort: 8080 }] });
    const service = new ecs.Ec2Service(stack, 'Svc', { cluster, taskDefinition: task });
    nlb.addListener('Web', { port: 443, targetPort: 8080, targets: [NlbTarget.ecsService(service, { connectable: sg, trafficPort: ec2.Port.tcpRange(49153, 51000) })] });
    expect(ingressRows(stack, sg, Template.fromStack(stack))).toEqual([`tcp 49153-51000 <- ${sgRef(stack, nlb.securityGroup)}`]);
  });

  test('IP addresses without a security group: IP targets, /32 egress from the NLB, tier from the address, a warning', () => {
    const { stack, net, nlb } = bare();
    nlb.addListener('Svc', { port: 7000, targets: [NlbTarget.ipAddresses(['10.0.64.10', '10.0.65.20'])] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip',
      Targets: [{ Id: '10.0.64.10' }, { Id: '10.0.65.20' }],
      TargetGroupAttributes: [{ Key: 'preserve_client_ip.enabled', Value: 'false' }],
    });
    expect(egressRows(stack, nlb.securityGroup, t)).toEqual(['tcp 7000-7000 -> 10.0.64.10/32', 'tcp 7000-7000 -> 10.0.65.20/32']);
    expect(naclRows(stack, net, t)).toEqual(expect.arrayContaining([`public out tcp 7000 ${APP}`, `app in tcp 7000 ${PUBLIC}`]));
    expect(warnings(stack, 'nlbIpTargetsUnmanaged')).toHaveLength(1);
  });

  test('IP addresses with their security group: SG reference, no warning', () => {
    const { stack, net, nlb } = bare();
    const sg = new ec2.SecurityGroup(stack, 'EniSg', { vpc: net.vpc, allowAllOutbound: false });
    nlb.addListener('Svc', { port: 7000, targets: [NlbTarget.ipAddresses(['10.0.70.10'], { connectable: sg })] });
    const t = Template.fromStack(stack);
    expect(ingressRows(stack, sg, t)).toEqual([`tcp 7000-7000 <- ${sgRef(stack, nlb.securityGroup)}`]);
    expect(warnings(stack, 'nlbIpTargetsUnmanaged')).toHaveLength(0);
  });

  test('a custom target with its connectable, target type and traffic ports', () => {
    const { stack, net, nlb } = bare();
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc: net.vpc, allowAllOutbound: false });
    nlb.addListener('Svc', {
      port: 7000,
      preserveClientIp: false,
      targets: [NlbTarget.custom(new targets.InstanceIdTarget('i-0123456789abcdef0'), {
        connectable: sg, tier: Tier.APP, targetType: elbv2.TargetType.INSTANCE, trafficPort: ec2.Port.tcpRange(7000, 7010),
      })],
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Targets: [{ Id: 'i-0123456789abcdef0' }] });
    expect(ingressRows(stack, sg, t)).toEqual([`tcp 7000-7010 <- ${sgRef(stack, nlb.securityGroup)}`]);
  });
});

describe('internal load balancer with world-wide client CIDRs', () => {
  test.each([
    ['0.0.0.0/0', ['0.0.0.0/0']],
    ['two halves of the world', ['0.0.0.0/1', '128.0.0.0/1']],
  ])('warns on clientCidrs %s: an internal NLB admits every connected network', (_, clientCidrs) => {
    const { stack } = world({ nlb: { internetFacing: false, clientCidrs } });
    const found = warnings(stack, 'internalNlbWorldClients');
    expect(found).toHaveLength(1);
    expect(found[0].id).toBe('/Test/Nlb');
    expect(found[0].entry.data).toMatch(/internal load balancer admits .* \(every IPv4 address\).*Name the peered or on-premises ranges instead/);
  });

  test('warns on a listener of an internal NLB whose own clientCidrs cover the world', () => {
    const { stack } = world({ nlb: { internetFacing: false }, listener: { clientCidrs: ['0.0.0.0/0'] } });
    expect(warnings(stack, 'internalNlbWorldClients').map((w) => w.id)).toEqual(['/Test/Nlb/Kafka']);
  });

  test.each<[string, Partial<TieredNetworkLoadBalancerProps>]>([
    ['an internal NLB with an on-premises range', { internetFacing: false, clientCidrs: ['10.0.0.0/8'] }],
    ['an internal NLB with half of the world', { internetFacing: false, clientCidrs: ['0.0.0.0/1'] }],
    ['an internet-facing NLB open to the world', { internetFacing: true, clientCidrs: ['0.0.0.0/0'] }],
  ])('no warning for %s', (_, nlb) => {
    const { stack } = world({ nlb });
    expect(warnings(stack, 'internalNlbWorldClients')).toHaveLength(0);
  });
});

describe('TieredNetworkLoadBalancer bad input', () => {
  test.each([0, 65536, 1.5, -1])('fails when the listener port is %s (outside 1-65535)', (port) => {
    expect(() => world({ listener: { port } })).toThrow(new RegExp(`Test/Nlb/Kafka: port must be an integer between 1 and 65535, got ${port}\\.`));
  });

  test.each([0, 70000])('fails when the target port is %s', (targetPort) => {
    expect(() => world({ listener: { targetPort } })).toThrow(/Test\/Nlb\/Kafka: targetPort must be an integer between 1 and 65535/);
  });

  test('fails when the health-check port is outside 1-65535', () => {
    expect(() => world({ listener: { healthCheck: { port: 0 } } })).toThrow(/healthCheck.port must be an integer between 1 and 65535, got 0/);
  });

  test('fails when a TLS listener has no certificate', () => {
    expect(() => world({ listener: { protocol: elbv2.Protocol.TLS } }))
      .toThrow(/Test\/Nlb\/Kafka: certificates must name at least one certificate for a TLS listener, got \[\]\. Give certificates/);
  });

  test('fails when certificates are given to a TCP listener', () => {
    expect(() => world({ listener: { protocol: elbv2.Protocol.TCP, certificates: [elbv2.ListenerCertificate.fromArn('arn:aws:acm:us-east-1:1:certificate/x')] } }))
      .toThrow(/certificates are only for TLS listeners, not TCP/);
  });

  test('fails when targetsTerminateTls is set on a TLS listener', () => {
    const certificates = [elbv2.ListenerCertificate.fromArn('arn:aws:acm:us-east-1:1:certificate/x')];
    expect(() => world({ listener: { certificates, targetsTerminateTls: true } }))
      .toThrow(/Test\/Nlb\/Kafka: targetsTerminateTls is only for TCP listeners, not TLS, got true\. Drop it: this TLS listener terminates TLS at the load balancer/);
  });

  test('fails when targetsTerminateTls is set on a UDP listener', () => {
    expect(() => world({ listener: { port: 5683, protocol: elbv2.Protocol.UDP, targetsTerminateTls: true } }))
      .toThrow(/Test\/Nlb\/Kafka: targetsTerminateTls is only for TCP listeners, not UDP, got true/);
  });

  test('fails when an SSL policy is given to a TCP listener', () => {
    expect(() => world({ listener: { sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS } })).toThrow(/sslPolicy is only for TLS listeners/);
  });

  test.each([elbv2.Protocol.UDP, elbv2.Protocol.TCP_UDP, elbv2.Protocol.TLS])('fails on a %s health check', (protocol) => {
    expect(() => world({ listener: { port: 5683, protocol: elbv2.Protocol.UDP, healthCheck: { protocol } } }))
      .toThrow(new RegExp(`healthCheck.protocol must be one of TCP, HTTP, HTTPS \\(there are no ${protocol} health checks\\), got '${protocol}'. Check a UDP service over TCP or HTTP`));
  });

  test('fails when a health-check path is given to a TCP check', () => {
    expect(() => world({ listener: { healthCheck: { path: '/health' } } })).toThrow(/healthCheck.path is only for HTTP and HTTPS health checks, not TCP/);
  });

  test('fails when a health-check path is relative', () => {
    expect(() => world({ listener: { healthCheck: { protocol: elbv2.Protocol.HTTP, path: 'health' } } })).toThrow(/healthCheck.path must start with \//);
  });

  test.each([
    [{ interval: Duration.seconds(4) }, /healthCheck.interval must be a whole number of seconds between 5 and 300, got '4 s'/],
    [{ interval: Duration.seconds(301) }, /healthCheck.interval must be .* between 5 and 300/],
    [{ timeout: Duration.seconds(1) }, /healthCheck.timeout must be .* between 2 and 120/],
    [{ healthyThresholdCount: 1 }, /healthCheck.healthyThresholdCount must be an integer between 2 and 10, got 1/],
    [{ unhealthyThresholdCount: 11 }, /healthCheck.unhealthyThresholdCount must be an integer between 2 and 10, got 11/],
    [{ healthyHttpCodes: '200' }, /healthCheck.healthyHttpCodes is only for HTTP and HTTPS/],
  ])('fails on health-check setting %j', (healthCheck, message) => {
    expect(() => world({ listener: { healthCheck } })).toThrow(message);
  });

  test.each([
    [elbv2.Protocol.HTTP], [elbv2.Protocol.HTTPS],
  ])('fails on an %s listener (an ALB\'s job)', (protocol) => {
    expect(() => world({ listener: { protocol } })).toThrow(/protocol must be one of TCP, TLS, UDP, TCP_UDP.*Application Load Balancer/);
  });

  test('fails when the target protocol does not fit the listener', () => {
    expect(() => world({ listener: { targetProtocol: elbv2.Protocol.UDP } })).toThrow(/targetProtocol must be TCP for a TCP listener, got 'UDP'/);
  });

  test('fails when client IP preservation is turned off on UDP', () => {
    expect(() => world({ listener: { protocol: elbv2.Protocol.UDP, preserveClientIp: false } }))
      .toThrow(/preserveClientIp can't be turned off for UDP target groups/);
  });

  test.each([59, 6001])('fails on tcpIdleTimeout %d s', (s) => {
    expect(() => world({ listener: { tcpIdleTimeout: Duration.seconds(s) } })).toThrow(/tcpIdleTimeout must be between 60 and 6000 seconds/);
  });

  test.each([elbv2.Protocol.UDP, elbv2.Protocol.TCP_UDP])('fails on tcpIdleTimeout for a %s listener', (protocol) => {
    expect(() => world({ listener: { protocol, tcpIdleTimeout: Duration.seconds(600) } }))
      .toThrow(new RegExp(`tcpIdleTimeout is only for TCP listeners, not ${protocol}, got '600 s'`));
  });

  test('fails on tcpIdleTimeout for a TLS listener (fixed at 350 s)', () => {
    const certificates = [elbv2.ListenerCertificate.fromArn('arn:aws:acm:us-east-1:1:certificate/x')];
    expect(() => world({ listener: { certificates, tcpIdleTimeout: Duration.seconds(600) } })).toThrow(/tcpIdleTimeout is only for TCP listeners, not TLS.*fixed at 350 s/);
  });

  test('fails on deregistrationDelay over 3600 s', () => {
    expect(() => world({ listener: { deregistrationDelay: Duration.seconds(3601) } })).toThrow(/deregistrationDelay must be between 0 and 3600 seconds/);
  });

  test('fails when static IPs are asked for an internal NLB', () => {
    expect(() => world({ nlb: { internetFacing: false, staticIps: true } }))
      .toThrow(/Test\/Nlb: staticIps is only for internet-facing load balancers \(an internal NLB has no public address\), got true\. Set internetFacing: true/);
  });

  test('fails when allocation ids are given for an internal NLB', () => {
    expect(() => world({ nlb: { internetFacing: false, elasticIpAllocationIds: ['eipalloc-1', 'eipalloc-2', 'eipalloc-3'] } }))
      .toThrow(/elasticIpAllocationIds needs an internet-facing load balancer with staticIps on/);
  });

  test('fails when the allocation ids are not one per AZ', () => {
    expect(() => world({ nlb: { elasticIpAllocationIds: ['eipalloc-1'] } }))
      .toThrow(/elasticIpAllocationIds must give exactly one allocation id per AZ \(3\), got \['eipalloc-1'\]. List one per AZ in the VPC's AZ order \(us-east-1a, us-east-1b, us-east-1c\)/);
  });

  test('fails when outputs are asked without Elastic IPs', () => {
    expect(() => world({ nlb: { staticIps: false, staticIpOutputs: true } })).toThrow(/staticIpOutputs needs Elastic IPs created by this construct/);
  });

  test('fails when targets are outside the VPC (an auto scaling group of another VPC)', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const other = new ec2.Vpc(stack, 'Other', { availabilityZones: TEST_AZS.slice(0, 2), natGateways: 0 });
    const stray = serverGroup(stack, 'Stray', other, { subnetType: ec2.SubnetType.PRIVATE_ISOLATED });
    const nlb = new TieredNetworkLoadBalancer(stack, 'Nlb', { network: net, internetFacing: true });
    expect(() => nlb.addListener('Svc', { port: 7000, targets: [NlbTarget.autoScalingGroup(stray)] }))
      .toThrow(/Test\/Nlb\/Svc: targets\[0\]: targets are outside the load balancer's VPC \(security group Test\/StraySg belongs to another VPC\), got 'Test\/Stray'\. Place the targets in Test\/Net's VPC/);
  });

  test('fails when IP targets are outside the VPC', () => {
    expect(() => world({ listener: { targets: [NlbTarget.ipAddresses(['192.168.1.10'])] } }))
      .toThrow(/targets\[0\]: addresses is outside the VPC's subnets \(public 10.0.0.0\/18, app 10.0.64.0\/18, data 10.0.128.0\/18\), got '192.168.1.10'/);
  });

  test('fails when an IP target is malformed', () => {
    expect(() => world({ listener: { targets: [NlbTarget.ipAddresses(['10.0.64'])] } })).toThrow(/addresses must be an IPv4 address, got '10.0.64'/);
  });

  test('fails when an ECS service runs in another VPC', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const other = new ec2.Vpc(stack, 'Other', { availabilityZones: TEST_AZS.slice(0, 2), natGateways: 0 });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: other });
    const task = new ecs.FargateTaskDefinition(stack, 'Task');
    task.addContainer('app', { image: ecs.ContainerImage.fromRegistry('x'), portMappings: [{ containerPort: 80 }] });
    const service = new ecs.FargateService(stack, 'Svc', { cluster, taskDefinition: task });
    const nlb = new TieredNetworkLoadBalancer(stack, 'Nlb', { network: net, internetFacing: true });
    expect(() => nlb.addListener('Svc', { port: 80, targets: [NlbTarget.ecsService(service)] }))
      .toThrow(/service runs in a cluster outside the load balancer's VPC/);
  });

  test.each([
    ['203.0.113.0', /must be an IPv4 CIDR block whose address is its network address, got '203.0.113.0'/],
    ['203.0.113.1/24', /must be an IPv4 CIDR block whose address is its network address, got '203.0.113.1\/24'/],
    ['300.0.0.0/8', /must be an IPv4 CIDR block/],
    ['203.0.113.0/33', /must be an IPv4 CIDR block/],
    ['::/0', /clientCidrs is IPv6, but this VPC is not dual stack, got '::\/0'\. Create the TieredVpc with ipProtocol: ec2\.IpProtocol\.DUAL_STACK.*\[FlowInternetCidrInvalid\]/],
    ['10.0.64.0/24', /clientCidrs lies inside the VPC \(10\.0\.0\.0\/16\): addresses inside the VPC are workloads or tiers, not internet peers, got '10.0.64.0\/24'\. Admit them with allowClient.*\[FlowInternetCidrInsideVpc\]/],
  ])('fails when a client CIDR is malformed: %s', (cidr, message) => {
    expect(() => world({ nlb: { clientCidrs: [cidr] } })).toThrow(message);
  });

  test('fails when a listener\'s client CIDR is malformed', () => {
    expect(() => world({ listener: { clientCidrs: ['nope'] } })).toThrow(/Test\/Nlb\/Kafka: clientCidrs must be an IPv4 CIDR block/);
  });

  test('fails when an internet-facing NLB admits no client CIDR', () => {
    expect(() => world({ nlb: { clientCidrs: [] } })).toThrow(/clientCidrs must name at least one CIDR for an internet-facing load balancer/);
  });

  test('fails when a workload is admitted to an internet-facing NLB', () => {
    const { stack, nlb, net } = world();
    const web = tierGroup(stack, 'Web', net);
    expect(() => nlb.allowClient(web, Tier.APP)).toThrow(/Test\/Nlb: allowClient admits a workload inside the VPC to an internet-facing load balancer/);
  });

  test('fails when a bridge-mode ECS service gives no container-instance security group', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: net.vpc });
    const task = new ecs.Ec2TaskDefinition(stack, 'Task', { networkMode: ecs.NetworkMode.BRIDGE });
    task.addContainer('app', { image: ecs.ContainerImage.fromRegistry('x'), memoryLimitMiB: 256, portMappings: [{ containerPort: 80 }] });
    const service = new ecs.Ec2Service(stack, 'Svc', { cluster, taskDefinition: task });
    const nlb = new TieredNetworkLoadBalancer(stack, 'Nlb', { network: net, internetFacing: true });
    expect(() => nlb.addListener('Svc', { port: 80, targets: [NlbTarget.ecsService(service, { trafficPort: ec2.Port.tcpRange(32768, 51677) })] }))
      .toThrow(/targets\[0\]: connectable carries no security group of the container instances .*Pass connectable: the container instances' auto scaling group/);
  });

  test('fails when an ECS target names a container that does not exist', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: net.vpc });
    const task = new ecs.FargateTaskDefinition(stack, 'Task');
    task.addContainer('app', { image: ecs.ContainerImage.fromRegistry('x'), portMappings: [{ containerPort: 80 }] });
    const service = new ecs.FargateService(stack, 'Svc', { cluster, taskDefinition: task, vpcSubnets: net.tierSubnets(Tier.APP) });
    const nlb = new TieredNetworkLoadBalancer(stack, 'Nlb', { network: net, internetFacing: true });
    expect(() => nlb.addListener('Svc', { port: 80, targets: [NlbTarget.ecsService(service, { containerName: 'web' })] }))
      .toThrow(/containerName names no container of the service's task definition, got 'web'/);
    expect(() => nlb.addListener('Svc2', { port: 81, targets: [NlbTarget.ecsService(service, { containerPort: 81 })] }))
      .toThrow(/containerPort is not a port mapping of container app, got 81/);
  });

  test('fails when the given tier contradicts an IP target\'s address', () => {
    expect(() => world({ listener: { targets: [NlbTarget.ipAddresses(['10.0.64.10'], { tier: Tier.PUBLIC })] } }))
      .toThrow(/tier contradicts address 10.0.64.10, which is in the app tier, got 'public'/);
  });

  test('fails when two listeners share a port', () => {
    const { nlb, servers } = world();
    expect(() => nlb.addListener('Again', { port: 9092, protocol: elbv2.Protocol.UDP, targets: [NlbTarget.autoScalingGroup(servers)] }))
      .toThrow(/Test\/Nlb\/Again: port is already used by listener Kafka \(TCP\), got 9092\. .*TCP_UDP/);
  });

  test('fails when a listener has no targets', () => {
    expect(() => world({ listener: { targets: [] } })).toThrow(/targets must name at least one target set/);
  });

  test('fails when instance and IP targets are mixed', () => {
    const { nlb, servers } = world();
    expect(() => nlb.addListener('Mixed', { port: 7000, targets: [NlbTarget.autoScalingGroup(servers), NlbTarget.ipAddresses(['10.0.64.10'])] }))
      .toThrow(/targets mix target types \(instance, ip\)/);
  });

  test('fails when data-tier targets sit behind an internet-facing NLB', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const db = tierGroup(stack, 'Db', net, Tier.DATA);
    const nlb = new TieredNetworkLoadBalancer(stack, 'Nlb', { network: net, internetFacing: true });
    expect(() => nlb.addListener('Db', { port: 5432, targets: [NlbTarget.autoScalingGroup(db)] }))
      .toThrow(/targets are in the data tier behind an internet-facing load balancer, got 'Test\/Db'/);
  });

  test('fails when the given tier contradicts the targets\' subnets', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const servers = tierGroup(stack, 'Servers', net, Tier.APP);
    const nlb = new TieredNetworkLoadBalancer(stack, 'Nlb', { network: net, internetFacing: true });
    expect(() => nlb.addListener('Svc', { port: 7000, targets: [NlbTarget.autoScalingGroup(servers, { tier: Tier.PUBLIC })] }))
      .toThrow(/tier contradicts Test\/Servers, whose subnets are in the app tier, got 'public'/);
  });

  test('fails when access logs are asked on an environment-agnostic stack', () => {
    const stack = testStack();
    const bucket = new s3.Bucket(stack, 'Logs');
    expect(() => world({ stack, nlb: { accessLogBucket: bucket } })).toThrow(/accessLogBucket needs a stack with an explicit region/);
  });
});
