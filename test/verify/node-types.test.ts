import { App, CfnResource, Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import { NetworkEndpoint, ReachabilityAnalyzer, Verdict } from '../../src';
import { testStack } from '../util';

/** One stack with every kind of node the analyzer models, placed with aws-cdk-lib L2s (and an L1 for ElastiCache). */
function nodesStack() {
  const stack = testStack('Nodes');
  const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 2 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const hosts = new autoscaling.AutoScalingGroup(stack, 'Hosts', {
    vpc, instanceType: new ec2.InstanceType('t3.micro'), machineImage: ecs.EcsOptimizedImage.amazonLinux2(),
  });
  cluster.addAsgCapacityProvider(new ecs.AsgCapacityProvider(stack, 'Capacity', { autoScalingGroup: hosts }));
  const bridgeTask = new ecs.Ec2TaskDefinition(stack, 'BridgeTask');
  bridgeTask.addContainer('web', { image: ecs.ContainerImage.fromRegistry('nginx'), memoryLimitMiB: 256, portMappings: [{ containerPort: 80 }] });
  const bridge = new ecs.Ec2Service(stack, 'Bridge', { cluster, taskDefinition: bridgeTask });
  const lonelyCluster = new ecs.Cluster(stack, 'Lonely', { vpc });
  // The older addCapacity: instances join the cluster through user data, with no capacity provider in the template.
  lonelyCluster.addCapacity('Old', { instanceType: new ec2.InstanceType('t3.micro') });
  const lonely = new ecs.Ec2Service(stack, 'LonelyBridge', { cluster: lonelyCluster, taskDefinition: bridgeTask });
  const fargateTask = new ecs.FargateTaskDefinition(stack, 'FargateTask');
  fargateTask.addContainer('api', { image: ecs.ContainerImage.fromRegistry('api') });
  const fargate = new ecs.FargateService(stack, 'Api', { cluster, taskDefinition: fargateTask });
  const db = new rds.DatabaseInstance(stack, 'Db', { vpc, engine: rds.DatabaseInstanceEngine.POSTGRES });
  const proxy = db.addProxy('Proxy', { vpc, secrets: [db.secret!] });
  const fn = new lambda.Function(stack, 'Fn', { vpc, runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
  proxy.connections.allowFrom(fn, ec2.Port.tcp(5432));
  const cacheSg = new ec2.SecurityGroup(stack, 'CacheSg', { vpc, allowAllOutbound: false });
  cacheSg.connections.allowFrom(fargate, ec2.Port.tcp(6379));
  const cacheSubnets = new elasticache.CfnSubnetGroup(stack, 'CacheSubnets', {
    description: 'cache', subnetIds: vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds,
  });
  const cache = new elasticache.CfnReplicationGroup(stack, 'Cache', {
    replicationGroupDescription: 'cache',
    engine: 'redis',
    cacheNodeType: 'cache.t3.micro',
    numCacheClusters: 2,
    cacheSubnetGroupName: cacheSubnets.ref,
    securityGroupIds: [cacheSg.securityGroupId],
  });
  const endpoint = vpc.addInterfaceEndpoint('Sqs', { service: ec2.InterfaceVpcEndpointAwsService.SQS });
  const aurora = new rds.DatabaseCluster(stack, 'Aurora', {
    vpc,
    engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
    writer: rds.ClusterInstance.serverlessV2('Writer'),
  });
  aurora.connections.allowDefaultPortFrom(fargate);
  return { stack, hosts, bridge, lonely, fargate, db, proxy, fn, cache, endpoint, aurora };
}

describe('node types', () => {
  const n = nodesStack();
  const analyzer = ReachabilityAnalyzer.fromStack(n.stack);
  const nodes = analyzer.listNodes();
  const e = (c: any) => NetworkEndpoint.of(c);

  test('the auto scaling group here uses a launch configuration (the other tests cover launch templates)', () => {
    Template.fromStack(n.stack).resourceCountIs('AWS::AutoScaling::LaunchConfiguration', 2);
  });

  test.each([
    ['Nodes/Hosts', 'auto scaling group'],
    ['Nodes/Bridge', 'ECS service (bridge/host mode)'],
    ['Nodes/Api', 'ECS service (awsvpc)'],
    ['Nodes/Db', 'RDS DB instance'],
    ['Nodes/Db/Proxy', 'RDS proxy'],
    ['Nodes/Fn', 'Lambda function'],
    ['Nodes/Cache', 'ElastiCache replication group'],
    ['Nodes/Vpc/Sqs', 'interface VPC endpoint'],
    ['Nodes/Aurora', 'RDS DB cluster'],
  ])('finds %s as a %s in two private subnets', (path, kind) => {
    const node = nodes.find((x) => x.path === path);
    expect(node).toEqual(expect.objectContaining({ kind, subnets: ['Nodes/Vpc/PrivateSubnet1', 'Nodes/Vpc/PrivateSubnet2'], unknown: [] }));
    expect(node!.securityGroups.length).toBeGreaterThan(0);
  });

  test('a bridge-mode service runs on its cluster\'s capacity-provider instances: their subnets and security groups', () => {
    const bridge = nodes.find((x) => x.path === 'Nodes/Bridge')!;
    const hosts = nodes.find((x) => x.path === 'Nodes/Hosts')!;
    expect(bridge.securityGroups).toEqual(hosts.securityGroups);
  });

  test('a bridge-mode service whose instances join the cluster through user data (ECS_CLUSTER) runs on them', () => {
    const a = analyzer.canReach(e(n.lonely), NetworkEndpoint.internet(), ec2.Port.tcp(443));
    expect(a.verdict).toBe(Verdict.REACHABLE);
    expect(a.reasons).toContainEqual(expect.stringMatching(/^note: Nodes\/LonelyBridge runs in bridge\/host mode on the container instances of Nodes\/Lonely\/Old$/));
  });

  test.each([
    ['Fn', 'proxy', 5432, Verdict.REACHABLE],
    ['proxy', 'Db', 5432, Verdict.REACHABLE], // the DB's ingress port is Fn::GetAtt Db.Endpoint.Port: read as the engine's port
    ['Fn', 'Db', 5432, Verdict.BLOCKED],
    ['fargate', 'cache', 6379, Verdict.REACHABLE],
    ['Fn', 'cache', 6379, Verdict.BLOCKED],
    ['Fn', 'endpoint', 443, Verdict.REACHABLE],
    ['fargate', 'aurora', 5432, Verdict.REACHABLE],
    ['bridge', 'internet', 443, Verdict.REACHABLE],
    ['internet', 'fargate', 80, Verdict.BLOCKED],
  ])('%s -> %s:%d is %s', (from, to, port, verdict) => {
    const ends: Record<string, NetworkEndpoint> = {
      Fn: e(n.fn),
      proxy: e(n.proxy),
      Db: e(n.db),
      fargate: e(n.fargate),
      cache: e(n.cache),
      endpoint: e(n.endpoint),
      aurora: e(n.aurora),
      bridge: e(n.bridge),
      internet: NetworkEndpoint.internet(),
    };
    expect(analyzer.canReach(ends[from], ends[to], ec2.Port.tcp(port)).verdict).toBe(verdict);
  });

  test('NetworkEndpoint.of(db) names the database, not also the proxy created under it', () => {
    const a = analyzer.canReach(e(n.fn), e(n.db), ec2.Port.tcp(5432));
    expect(a.reasons.join('\n')).not.toMatch(/Proxy/);
  });
});

describe('constructs the analyzer resolves', () => {
  test('a Secrets Manager rotation application in the VPC is a Lambda node', () => {
    const stack = new Stack(new App(), 'Rot');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const sg = new ec2.SecurityGroup(stack, 'RotationSg', { vpc, allowAllOutbound: false });
    const subnets = vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds;
    new CfnResource(stack, 'Rotation', {
      type: 'AWS::Serverless::Application',
      properties: {
        Location: { ApplicationId: 'arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationSingleUser', SemanticVersion: '1.1.367' },
        Parameters: { vpcSubnetIds: Fn.join(',', subnets), vpcSecurityGroupIds: sg.securityGroupId, functionName: 'rotate' },
      },
    });
    const nodes = ReachabilityAnalyzer.fromStack(stack).listNodes().filter((n) => n.path === 'Rot/Rotation');
    expect(nodes).toEqual([expect.objectContaining({ kind: 'Lambda function (serverless application)', securityGroups: ['Rot/RotationSg'], unknown: [] })]);
    expect(nodes[0].subnets).toHaveLength(2);
  });
});
