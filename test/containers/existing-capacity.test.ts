import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { egressRows, ingressRows, userDataText } from './helpers';
import { EcsDynamicPortService, EcsDynamicPortServiceProps, NetworkAssertions, NetworkEndpoint, ServiceLoadBalancer, Tier, TieredVpc } from '../../src';
import { APP, naclRows, nagFindings, PUBLIC, TEST_AZS } from '../util';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx');

interface PlatformOptions {
  /** The tier the container instances run in. */
  readonly tier?: Tier;
  /** Add the capacity provider to the cluster. */
  readonly addToCluster?: boolean;
  /** The security group's allowAllOutbound. */
  readonly allowAllOutbound?: boolean;
  /** The group's maximum size. */
  readonly maxCapacity?: number;
}

/** The platform team's shared capacity: a cluster, and an auto scaling group capacity provider of its own making. */
function platform(options: PlatformOptions = {}) {
  const stack = new Stack(new App(), 'Test', { env: { region: 'us-east-1' } });
  const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: net.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  const securityGroup = new ec2.SecurityGroup(stack, 'SharedInstancesSg', { vpc: net.vpc, allowAllOutbound: options.allowAllOutbound ?? false });
  const launchTemplate = new ec2.LaunchTemplate(stack, 'SharedLaunchTemplate', {
    machineImage: ecs.EcsOptimizedImage.amazonLinux2023(),
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MEDIUM),
    userData: ec2.UserData.forLinux(),
    securityGroup,
    requireImdsv2: true,
    role: new iam.Role(stack, 'SharedInstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }),
  });
  const group = new autoscaling.AutoScalingGroup(stack, 'SharedInstances', {
    vpc: net.vpc,
    vpcSubnets: net.tierSubnets(options.tier ?? Tier.APP),
    launchTemplate,
    minCapacity: 2,
    maxCapacity: options.maxCapacity ?? 6,
  });
  const provider = new ecs.AsgCapacityProvider(stack, 'SharedCapacity', { autoScalingGroup: group, enableManagedTerminationProtection: false });
  if (options.addToCluster ?? true) cluster.addAsgCapacityProvider(provider);
  return { stack, net, cluster, provider, group, securityGroup };
}

function service(p: ReturnType<typeof platform>, id = 'Web', props: Partial<EcsDynamicPortServiceProps> = {}): EcsDynamicPortService {
  return new EcsDynamicPortService(p.stack, id, {
    network: p.net,
    cluster: p.cluster,
    capacityProvider: p.provider,
    image: IMAGE,
    containerPort: 8080,
    loadBalancer: ServiceLoadBalancer.alb({ accessLogs: false }),
    ...props,
  });
}

describe('EcsDynamicPortService on existing capacity (capacityProvider)', () => {
  // GIVEN the platform team's cluster and capacity; WHEN a service runs on them
  const p = platform();
  const svc = service(p);
  const template = Template.fromStack(p.stack);
  const albSg = svc.loadBalancerConnections.securityGroups[0];

  test('the service creates no instances, launch template or capacity provider of its own', () => {
    template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 1);
    template.resourceCountIs('AWS::EC2::LaunchTemplate', 1);
    template.resourceCountIs('AWS::ECS::CapacityProvider', 1);
    expect(svc.autoScalingGroup).toBe(p.group);
    expect(svc.capacityProvider).toBe(p.provider);
    expect(svc.instanceSecurityGroup).toBe(p.securityGroup);
    expect(svc.launchTemplate).toBeUndefined();
  });

  test('the service places its tasks with the given capacity provider, in the given cluster', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      Cluster: p.stack.resolve(p.cluster.clusterName),
      CapacityProviderStrategy: [{ CapacityProvider: p.stack.resolve(p.provider.capacityProviderName), Weight: 1 }],
    });
  });

  test('the range is written once into the shared instances\' ECS agent configuration', () => {
    const text = userDataText(template);
    expect(text).toContain('echo ECS_DYNAMIC_HOST_PORT_RANGE=32768-51677 >> /etc/ecs/ecs.config');
    expect(text.match(/ECS_DYNAMIC_HOST_PORT_RANGE/g)).toHaveLength(1);
  });

  test('the shared instances\' security group admits the load balancer on that range only, and the load balancer sends only there', () => {
    expect(ingressRows(p.stack, template, p.securityGroup)).toEqual([`tcp 32768-51677 sg ${albSg.node.path}`]);
    expect(egressRows(p.stack, template, albSg)).toEqual([`tcp 32768-51677 sg ${p.securityGroup.node.path}`]);
  });

  test('the public and app tier NACLs carry the range both ways for instances the service did not create', () => {
    expect(naclRows(p.stack, p.net, template)).toEqual(expect.arrayContaining([
      `public out tcp 32768-51677 ${APP}`,
      `app in tcp 32768-51677 ${PUBLIC}`,
    ]));
  });

  test('the analyzer finds the load balancer -> shared instances flow open, and nothing from the internet to the instances', () => {
    const assertions = NetworkAssertions.fromStack(p.stack);
    const lb = NetworkEndpoint.of(svc.loadBalancer);
    const instances = NetworkEndpoint.of(p.group);
    assertions.expectReachable(lb, instances, ec2.Port.tcpRange(32768, 51677));
    assertions.expectUnreachable(lb, instances, ec2.Port.tcp(51678));
    assertions.expectUnreachable(NetworkEndpoint.internet(), instances, ec2.Port.tcp(32768));
    assertions.expectOnlyDeclaredFlows(p.net);
  });
});

test('the service\'s own resources raise no unacknowledged AwsSolutions or NetworkPatterns finding on existing capacity', () => {
  // GIVEN / WHEN
  const p = platform();
  service(p);
  // THEN (the platform team's instances are theirs to make compliant)
  expect(nagFindings(p.stack).filter((f) => f.includes(' @ Test/Web/'))).toEqual([]);
});

describe('EcsDynamicPortService: two services share one capacity provider', () => {
  test('with the same range: the agent configuration keeps one line, each load balancer is admitted', () => {
    const p = platform();
    const a = service(p, 'A');
    const b = service(p, 'B');
    const template = Template.fromStack(p.stack);
    expect(userDataText(template).match(/ECS_DYNAMIC_HOST_PORT_RANGE/g)).toHaveLength(1);
    expect(ingressRows(p.stack, template, p.securityGroup)).toEqual([
      `tcp 32768-51677 sg ${a.loadBalancerConnections.securityGroups[0].node.path}`,
      `tcp 32768-51677 sg ${b.loadBalancerConnections.securityGroups[0].node.path}`,
    ].sort());
  });

  test('fails when a second service asks for another range: the instances have one', () => {
    const p = platform();
    service(p, 'A');
    expect(() => service(p, 'B', { dynamicHostPortRange: ec2.Port.tcpRange(40000, 45000) }))
      .toThrow(/Test\/B: dynamicHostPortRange differs from the range 32768-51677 .*Test\/SharedInstances.*got 'tcp 40000-45000'.*ec2\.Port\.tcpRange\(32768, 51677\)/s);
  });

  test('fails when the instances\' owner pinned another range in their user data', () => {
    const p = platform();
    p.group.addUserData('echo ECS_DYNAMIC_HOST_PORT_RANGE=50000-51000 >> /etc/ecs/ecs.config');
    expect(() => service(p)).toThrow(/differs from the range 50000-51000/);
  });

  test('a range the owner already pinned to the same value is not written twice', () => {
    const p = platform();
    p.group.addUserData('echo ECS_DYNAMIC_HOST_PORT_RANGE=40000-45000 >> /etc/ecs/ecs.config');
    service(p, 'Web', { dynamicHostPortRange: ec2.Port.tcpRange(40000, 45000) });
    expect(userDataText(Template.fromStack(p.stack)).match(/ECS_DYNAMIC_HOST_PORT_RANGE/g)).toHaveLength(1);
  });
});

/**
 * The README's shared capacity: a tiered VPC, a cluster, and an auto scaling group that makes its
 * own security group and user data (machineImage, instanceType), as the cluster's capacity provider.
 */
function readmeCapacity(stack: Stack) {
  const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: net.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  const instances = new autoscaling.AutoScalingGroup(stack, 'SharedInstances', {
    vpc: net.vpc,
    vpcSubnets: net.tierSubnets(Tier.APP),
    machineImage: ecs.EcsOptimizedImage.amazonLinux2023(),
    instanceType: new ec2.InstanceType('t3.medium'),
    allowAllOutbound: false,
    requireImdsv2: true,
    minCapacity: 2,
    maxCapacity: 6,
  });
  const capacity = new ecs.AsgCapacityProvider(stack, 'SharedCapacity', { autoScalingGroup: instances });
  cluster.addAsgCapacityProvider(capacity);
  return { net, cluster, instances, capacity };
}

test('an auto scaling group that makes its own security group and user data (machineImage, instanceType) works the same', () => {
  // GIVEN the group of the README's shared-infrastructure section
  const stack = new Stack(new App(), 'Test', { env: { region: 'us-east-1' } });
  const { net, cluster, instances, capacity } = readmeCapacity(stack);
  // WHEN
  const svc = new EcsDynamicPortService(stack, 'Worker', {
    network: net,
    cluster,
    capacityProvider: capacity,
    image: IMAGE,
    containerPort: 8080,
    loadBalancer: ServiceLoadBalancer.alb({ internetFacing: false, accessLogs: false }),
  });
  // THEN the group's own security group admits the load balancer on the range, and its user data pins it
  const template = Template.fromStack(stack);
  const groupSg = instances.connections.securityGroups[0];
  expect(svc.instanceSecurityGroup).toBe(groupSg);
  expect(ingressRows(stack, template, groupSg)).toEqual([`tcp 32768-51677 sg ${svc.loadBalancerConnections.securityGroups[0].node.path}`]);
  // (a launch configuration here, without the launch template feature flag)
  expect(JSON.stringify(template.toJSON()).match(/ECS_DYNAMIC_HOST_PORT_RANGE=[0-9-]+/g)).toEqual(['ECS_DYNAMIC_HOST_PORT_RANGE=32768-51677']);
  NetworkAssertions.fromStack(stack).expectOnlyDeclaredFlows(net);
});

describe('EcsDynamicPortService on existing capacity: mismatches are refused at synth', () => {
  test('fails without a cluster: a capacity provider serves the cluster it is associated with', () => {
    const p = platform();
    expect(() => service(p, 'Web', { cluster: undefined }))
      .toThrow(/Test\/Web: cluster.*is required with capacityProvider \(Test\/SharedCapacity\).*addAsgCapacityProvider/s);
  });

  test('fails when the cluster does not have the capacity provider', () => {
    const p = platform({ addToCluster: false });
    expect(() => service(p))
      .toThrow(/Test\/Web: capacityProvider is not associated with the cluster Test\/Cluster \(which has no capacity provider\).*got 'Test\/SharedCapacity'.*cluster\.addAsgCapacityProvider/s);
  });

  test.each([Tier.PUBLIC, Tier.DATA])('fails when the instances run in the %s tier, not the app tier', (tier) => {
    const p = platform({ tier });
    expect(() => service(p))
      .toThrow(/Test\/Web: capacityProvider has its auto scaling group Test\/SharedInstances in subnets outside the app tier of Test\/Net.*got 'Test\/SharedCapacity'.*net\.tierSubnets\(Tier\.APP\)/s);
  });

  test.each<[keyof EcsDynamicPortServiceProps, unknown]>([
    ['instanceType', ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.LARGE)],
    ['minInstances', 1],
    ['maxInstances', 8],
    ['targetCapacityPercent', 80],
    ['managedTerminationProtection', false],
  ])('fails with %s: the instances belong to the capacity provider\'s owner', (prop, value) => {
    const p = platform();
    expect(() => service(p, 'Web', { [prop]: value } as Partial<EcsDynamicPortServiceProps>))
      .toThrow(new RegExp(`Test/Web: ${prop}.*configures instances the service creates, but capacityProvider gives existing capacity`, 's'));
  });

  test('fails with a fixed host port when the group cannot hold one instance per task', () => {
    const p = platform({ maxCapacity: 3 });
    expect(() => service(p, 'Web', { hostPort: 8080, desiredCount: 2 }))
      .toThrow(/hostPort.*needs up to 4 tasks at once.*the capacity provider's auto scaling group holds at most 3 instances/s);
  });

  test('warns when the instances\' security group allows all outbound traffic', () => {
    const p = platform({ allowAllOutbound: true });
    service(p);
    Annotations.fromStack(p.stack).hasWarning('/Test/Web', Match.stringLikeRegexp('SharedInstancesSg allows all outbound traffic'));
  });

  test('does not warn when the instances\' security group is closed outbound', () => {
    const p = platform();
    service(p);
    Annotations.fromStack(p.stack).hasNoWarning('/Test/Web', Match.stringLikeRegexp('allows all outbound traffic'));
  });
});

describe('EcsDynamicPortService on capacity of another stack', () => {
  test('fails: the rule admitting the load balancer would live in the capacity\'s stack, a dependency cycle between the stacks', () => {
    // GIVEN the platform stack's capacity
    const app = new App();
    const env = { region: 'us-east-1' };
    const { net, cluster, capacity } = readmeCapacity(new Stack(app, 'Platform', { env }));
    // WHEN a team's stack runs a service on it / THEN a synth-time error, not aws-cdk-lib's DependencyCycle
    const workloadStack = new Stack(app, 'Workload', { env });
    expect(() => new EcsDynamicPortService(workloadStack, 'Worker', {
      network: net,
      cluster,
      capacityProvider: capacity,
      image: IMAGE,
      containerPort: 8080,
      loadBalancer: ServiceLoadBalancer.alb({ internetFacing: false, accessLogs: false }),
    })).toThrow(/Workload\/Worker: capacityProvider has its instances' security group Platform\/SharedInstances\/InstanceSecurityGroup in the stack Platform, but this service is in Workload.*got 'Platform\/SharedCapacity'.*Create the service in Platform/s);
  });
});
