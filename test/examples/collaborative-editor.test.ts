import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { normalizedTemplate } from './normalize';
import {
  build, CollaborativeEditorStack, DEFAULT_SERVER_COUNT, DESIGN_CONNECTIONS, DESIGN_CONNECTIONS_PER_SERVER, DESIGN_HEADROOM,
  DESIGN_SERVER_COUNT,
} from '../../examples/collaborative-editor';
import { NetworkAssertions, NetworkEndpoint, Tier, WellKnownPorts } from '../../src';
import { nagFindings } from '../util';

// GIVEN the example app WHEN synthesized once
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = build(app)[0] as CollaborativeEditorStack;
const template = Template.fromStack(stack);
const net = NetworkAssertions.fromStack(stack);
const internet = NetworkEndpoint.internet();
const nlb = NetworkEndpoint.of(stack.loadBalancer);
const servers = NetworkEndpoint.of(stack.servers);
const redis = NetworkEndpoint.of(stack.redis);

/** The stack's single resource of `type`, as its properties. */
function only(type: string): any {
  const all = Object.values<any>(template.findResources(type));
  expect(all).toHaveLength(1);
  return all[0].Properties;
}

test('snapshot', () => {
  expect(normalizedTemplate(template)).toMatchSnapshot();
});

test('browsers -> NLB -> servers on 443, servers -> Redis on 6379 and -> 443 (DynamoDB, AWS APIs), return traffic included', () => {
  net.expectReachable(internet, nlb, WellKnownPorts.HTTPS);
  net.expectReachable(nlb, servers, WellKnownPorts.HTTPS);
  net.expectReachable(servers, redis, WellKnownPorts.REDIS);
  net.expectReachable(servers, internet, WellKnownPorts.HTTPS);
  expect(net.declaredFlowVerdicts(stack.network).filter((v) => v.answer.verdict !== 'reachable')).toEqual([]);
});

test('only the NLB faces the internet, and Redis admits the servers on 6379 only', () => {
  net.expectUnreachable(internet, servers, WellKnownPorts.HTTPS);
  net.expectUnreachable(internet, redis, WellKnownPorts.REDIS);
  net.expectUnreachable(internet, nlb, WellKnownPorts.HTTP);
  net.expectUnreachable(nlb, redis, WellKnownPorts.REDIS);
  net.expectUnreachable(servers, redis, ec2.Port.tcp(6380));
  net.expectUnreachable(servers, redis, WellKnownPorts.HTTPS);
  net.expectUnreachable(redis, internet, WellKnownPorts.HTTPS);
  net.expectUnreachable(redis, servers, WellKnownPorts.HTTPS);
});

test('no SSH anywhere: port 22 is closed to every workload, ECS Exec (Session Manager) is on', () => {
  for (const to of [nlb, servers, redis]) net.expectUnreachable(internet, to, WellKnownPorts.SSH);
  net.expectUnreachable(nlb, servers, WellKnownPorts.SSH);
  expect(only('AWS::ECS::Service').EnableExecuteCommand).toBe(true);
});

test('only the declared flows are open', () => {
  net.expectOnlyDeclaredFlows(stack.network);
});

test('the NLB passes TCP 443 through, with the longest idle timeout AWS allows, and no Elastic IPs', () => {
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
    Port: 443,
    Protocol: 'TCP',
    Certificates: Match.absent(),
    ListenerAttributes: Match.arrayWith([{ Key: 'tcp.idle_timeout.seconds', Value: '6000' }]),
  });
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
    Type: 'network',
    Scheme: 'internet-facing',
    SubnetMappings: Match.absent(),
    LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'true' }]),
  });
  // 3 NAT gateways, no NLB addresses: within the default quota of 5 Elastic IPs per Region.
  template.resourceCountIs('AWS::EC2::EIP', 3);
});

test('a dead server leaves the rotation within 10 s (health checks every 5 s, 2 failures)', () => {
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
    Port: 443,
    Protocol: 'TCP',
    TargetType: 'ip',
    HealthCheckIntervalSeconds: 5,
    UnhealthyThresholdCount: 2,
  });
});

test('the servers run in the app tier, listen on 443 and may hold 131,072 open files', () => {
  const appSubnets = stack.network.selectTierSubnets(Tier.APP).subnetIds.map((s) => stack.resolve(s));
  const service = only('AWS::ECS::Service');
  expect(service.LaunchType).toBe('FARGATE');
  expect(service.DesiredCount).toBe(DEFAULT_SERVER_COUNT);
  expect(service.NetworkConfiguration.AwsvpcConfiguration).toEqual(expect.objectContaining({ AssignPublicIp: 'DISABLED', Subnets: appSubnets }));
  template.hasResourceProperties('AWS::ECS::TaskDefinition', {
    ContainerDefinitions: [Match.objectLike({
      PortMappings: [{ ContainerPort: 443, Protocol: 'tcp' }],
      Ulimits: [{ Name: 'nofile', SoftLimit: 131072, HardLimit: 131072 }],
    })],
  });
});

test('the design server count follows the sizing: 2,000,000 connections / 50,000 per server = 40, + 50% headroom = 60', () => {
  expect([DESIGN_CONNECTIONS, DESIGN_CONNECTIONS_PER_SERVER, DESIGN_HEADROOM]).toEqual([2_000_000, 50_000, 0.5]);
  expect(DESIGN_SERVER_COUNT).toBe(60);
});

test.each([
  ['the serverCount context value', { context: { serverCount: '60' } }, {}, 60],
  ['the serverCount prop', {}, { serverCount: 7 }, 7],
])('the server count comes from %s', (_name, appProps, stackProps, expected) => {
  const other = new CollaborativeEditorStack(new App(appProps), 'Sized', { env: { region: 'us-east-1' }, ...stackProps });
  Template.fromStack(other).hasResourceProperties('AWS::ECS::Service', { DesiredCount: expected });
});

test.each([0, -1, 2.5, 'many'])('fails on serverCount %p', (serverCount) => {
  expect(() => new CollaborativeEditorStack(new App({ context: { serverCount } }), 'Bad', { env: { region: 'us-east-1' } }))
    .toThrow(/Bad: serverCount must be a whole number of servers, at least 1, got .*serverCount=60/);
});

test('Redis: data tier, encrypted in transit and at rest, Multi-AZ with automatic failover, RBAC with IAM auth', () => {
  const group = only('AWS::ElastiCache::ReplicationGroup');
  expect(group).toEqual(expect.objectContaining({
    Engine: 'redis',
    Port: 6379,
    ClusterMode: 'enabled',
    NumNodeGroups: 3,
    ReplicasPerNodeGroup: 1,
    MultiAZEnabled: true,
    AutomaticFailoverEnabled: true,
    TransitEncryptionEnabled: true,
    TransitEncryptionMode: 'required',
    AtRestEncryptionEnabled: true,
    SecurityGroupIds: [stack.resolve(stack.redis.securityGroup.securityGroupId)],
  }));
  expect(group.AuthToken).toBeUndefined();
  const dataSubnets = stack.network.selectTierSubnets(Tier.DATA).subnetIds.map((s) => stack.resolve(s));
  expect(only('AWS::ElastiCache::SubnetGroup').SubnetIds).toEqual(dataSubnets);
  template.hasResourceProperties('AWS::ElastiCache::User', { UserName: 'default', AccessString: 'off -@all' });
  template.hasResourceProperties('AWS::ElastiCache::User', { UserId: stack.redis.serversUserId, AuthenticationMode: { Type: 'iam' } });
});

test('Redis\'s security group admits exactly the servers\' group on 6379 and sends nothing', () => {
  const ingress = Object.values<any>(template.findResources('AWS::EC2::SecurityGroupIngress'))
    .map((r) => r.Properties)
    .filter((p) => JSON.stringify(p.GroupId) === JSON.stringify(stack.resolve(stack.redis.securityGroup.securityGroupId)));
  expect(ingress).toEqual([expect.objectContaining({
    IpProtocol: 'tcp',
    FromPort: 6379,
    ToPort: 6379,
    SourceSecurityGroupId: stack.resolve(stack.servers.connections.securityGroups[0].securityGroupId),
  })]);
  template.hasResourceProperties('AWS::EC2::SecurityGroup', {
    GroupDescription: Match.stringLikeRegexp('Redis pub/sub'),
    SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
  });
});

test('the documents table: point-in-time recovery, encryption, deletion protection; the servers may read and write it', () => {
  template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
    Replicas: [Match.objectLike({
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    })],
    SSESpecification: { SSEEnabled: true },
  });
  const statements = Object.values<any>(template.findResources('AWS::IAM::ManagedPolicy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
  expect(statements).toEqual(expect.arrayContaining([
    expect.objectContaining({ Action: expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']), Resource: stack.resolve(stack.documents.tableArn) }),
    expect.objectContaining({ Action: 'elasticache:Connect' }),
  ]));
  // Every permission sits in a customer managed policy: no inline policy at all.
  template.resourceCountIs('AWS::IAM::Policy', 0);
});

test('the servers reach DynamoDB through the gateway endpoint of the app tier\'s route tables', () => {
  const appRouteTables = stack.network.selectTierSubnets(Tier.APP).subnets
    .map((s) => stack.resolve(s.routeTable.routeTableId));
  template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
    ServiceName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['.dynamodb'])] }),
    VpcEndpointType: 'Gateway',
    RouteTableIds: Match.arrayWith(appRouteTables),
  });
});

test('no findings from AwsSolutions and the library\'s pack', () => {
  expect(nagFindings(stack)).toEqual([]);
});

test.each([
  ['NIST 800-53 R5', new NIST80053R5Checks()],
  ['HIPAA Security', new HIPAASecurityChecks()],
  ['PCI DSS 3.2.1', new PCIDSS321Checks()],
])('no findings from the %s pack', (_name, pack) => {
  expect(nagFindings(stack, [pack])).toEqual([]);
});
