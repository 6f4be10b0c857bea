import { App, Stack, StackProps } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { ingressRows } from './helpers';
import {
  EcsDynamicPortService, EcsFargateService, NetworkAssertions, NetworkEndpoint, ServiceLoadBalancer, Tier, TieredVpc, WellKnownPorts,
} from '../../src';
import { APP, naclRows, nagFindings, TEST_AZS } from '../util';

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx');
const ENV = { region: 'us-east-1' };

/** The platform team's stack: the tiered VPC and one ECS cluster for every service. */
class NetworkStack extends Stack {
  public readonly net: TieredVpc;
  public readonly cluster: ecs.Cluster;
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.net = new TieredVpc(this, 'Net', { availabilityZones: TEST_AZS });
    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc: this.net.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  }
}

interface WorkloadProps extends StackProps {
  readonly network: NetworkStack;
}

/** A team's stack: an internal API, reached only from the web service of the other team's stack. */
class ApiStack extends Stack {
  public readonly api: EcsFargateService;
  constructor(scope: Construct, id: string, props: WorkloadProps) {
    super(scope, id, props);
    this.api = new EcsFargateService(this, 'Api', {
      network: props.network.net,
      cluster: props.network.cluster,
      image: IMAGE,
      containerPort: 8080,
      loadBalancer: ServiceLoadBalancer.alb({ internetFacing: false, accessLogs: false }),
    });
  }
}

class WebStack extends Stack {
  public readonly web: EcsFargateService;
  constructor(scope: Construct, id: string, props: WorkloadProps & { readonly api: EcsFargateService }) {
    super(scope, id, props);
    this.web = new EcsFargateService(this, 'Web', {
      network: props.network.net,
      cluster: props.network.cluster,
      image: IMAGE,
      containerPort: 8080,
      loadBalancer: ServiceLoadBalancer.alb({ accessLogs: false }),
    });
    props.api.allowLoadBalancerClient(this.web.service, Tier.APP);
  }
}

// GIVEN one network stack shared by two workload stacks
const app = new App();
const network = new NetworkStack(app, 'Network', { env: ENV });
const apiStack = new ApiStack(app, 'ApiTeam', { env: ENV, network });
const webStack = new WebStack(app, 'WebTeam', { env: ENV, network, api: apiStack.api });

describe('a network stack shared by several workload stacks', () => {
  test('the app synthesizes without a dependency cycle; the network stack depends on no workload stack', () => {
    const assembly = app.synth();
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual(['ApiTeam', 'Network', 'WebTeam']);
    expect(network.dependencies).toEqual([]);
    // The API team's stack holds the rule admitting the web tasks' group, so it deploys after the web team's.
    expect(apiStack.dependencies.map((s) => s.stackName).sort()).toEqual(['Network', 'WebTeam']);
    expect(webStack.dependencies.map((s) => s.stackName)).toEqual(['Network']);
  });

  test('both services run in the shared cluster; neither creates its own', () => {
    for (const stack of [apiStack, webStack]) {
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::ECS::Cluster', 0);
      template.hasResourceProperties('AWS::ECS::Service', { Cluster: { 'Fn::ImportValue': Match.stringLikeRegexp('^Network:') } });
    }
    Template.fromStack(network).resourceCountIs('AWS::ECS::Cluster', 1);
  });

  test('the NACL entries of every flow are in the network stack, which owns the NACLs', () => {
    const rows = naclRows(network, network.net);
    // internal ALB (app tier) -> API tasks (app tier), web tasks -> internal ALB: within the app tier
    expect(rows).toEqual(expect.arrayContaining([`app in tcp 8080 ${APP}`, `app out tcp 8080 ${APP}`, `app in tcp 80 ${APP}`, `app out tcp 80 ${APP}`]));
    for (const stack of [apiStack, webStack]) Template.fromStack(stack).resourceCountIs('AWS::EC2::NetworkAclEntry', 0);
  });

  test('the internal ALB sits in the app tier, admits the web tasks\' security group on 80 only, and nothing from a CIDR', () => {
    const template = Template.fromStack(apiStack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    const albSg = apiStack.api.loadBalancerConnections.securityGroups[0];
    const rows = ingressRows(apiStack, template, albSg).concat(ingressRows(webStack, Template.fromStack(webStack), albSg));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/^tcp 80 /);
    expect(rows.join()).not.toContain('0.0.0.0/0');
  });

  test('the analyzer over the three stacks: the web tasks reach the internal API; the internet reaches neither it nor its tasks', () => {
    const net = NetworkAssertions.fromStacks([network, apiStack, webStack]);
    const apiAlb = NetworkEndpoint.of(apiStack.api.loadBalancer);
    net.expectReachable(NetworkEndpoint.of(webStack.web.service), apiAlb, WellKnownPorts.HTTP);
    net.expectReachable(apiAlb, NetworkEndpoint.of(apiStack.api.service), ec2.Port.tcp(8080));
    net.expectUnreachable(NetworkEndpoint.internet(), apiAlb, WellKnownPorts.HTTP);
    net.expectUnreachable(NetworkEndpoint.internet(), NetworkEndpoint.of(apiStack.api.service), ec2.Port.tcp(8080));
    net.expectReachable(NetworkEndpoint.internet(), NetworkEndpoint.of(webStack.web.loadBalancer), WellKnownPorts.HTTP);
  });

  test('no unacknowledged AwsSolutions or NetworkPatterns finding in any of the stacks', () => {
    expect([network, apiStack, webStack].flatMap((s) => nagFindings(s))).toEqual([]);
  });
});

describe('shared cluster and internal load balancer: bad input', () => {
  test('fails when the shared cluster is in another VPC', () => {
    const stack = new Stack(new App(), 'Test', { env: ENV });
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const other = new ec2.Vpc(stack, 'Other', { availabilityZones: TEST_AZS });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: other });
    expect(() => new EcsFargateService(stack, 'Web', { network: net, cluster, image: IMAGE, containerPort: 8080 }))
      .toThrow(/Test\/Web: cluster must be in the tiered VPC Test\/Net, but is in Test\/Other.*Create the shared cluster with vpc: tieredVpc\.vpc/);
  });

  test.each([
    ['ALB', ServiceLoadBalancer.alb({ internetFacing: false, clientCidrs: ['0.0.0.0/0'] })],
    ['NLB', ServiceLoadBalancer.nlb({ internetFacing: false, clientCidrs: ['0.0.0.0/0'] })],
  ])('fails for an internal %s that admits 0.0.0.0/0', (_kind, loadBalancer) => {
    const stack = new Stack(new App(), 'Test', { env: ENV });
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    expect(() => new EcsFargateService(stack, 'Web', { network: net, image: IMAGE, containerPort: 8080, loadBalancer }))
      .toThrow(/Test\/Web: loadBalancer\.clientCidrs must not contain 0\.0\.0\.0\/0 for an internal load balancer.*got \['0\.0\.0\.0\/0'\]\. Name the private networks/s);
  });

  test('an internal load balancer with a VPN range admits that range only, in the app tier', () => {
    const stack = new Stack(new App(), 'Test', { env: ENV });
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    new EcsFargateService(stack, 'Web', {
      network: net,
      image: IMAGE,
      containerPort: 8080,
      loadBalancer: ServiceLoadBalancer.alb({ internetFacing: false, clientCidrs: ['192.168.0.0/16'], accessLogs: false }),
    });
    const rows = naclRows(stack, net);
    expect(rows).toEqual(expect.arrayContaining(['app in tcp 80 192.168.0.0/16', 'app out tcp 1024-65535 192.168.0.0/16']));
    expect(rows.filter((r) => r.startsWith('public') && r.includes('192.168.0.0/16'))).toEqual([]);
  });

  test('an EcsDynamicPortService in a shared cluster adds its own capacity provider to it', () => {
    const stack = new Stack(new App(), 'Test', { env: ENV });
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const cluster = new ecs.Cluster(stack, 'Shared', { vpc: net.vpc });
    const svc = new EcsDynamicPortService(stack, 'Web', {
      network: net, cluster, image: IMAGE, containerPort: 8080, loadBalancer: ServiceLoadBalancer.alb({ accessLogs: false }),
    });
    expect(svc.cluster).toBe(cluster);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      Cluster: stack.resolve(cluster.clusterName),
      CapacityProviders: Match.arrayWith([stack.resolve(svc.capacityProvider.capacityProviderName)]),
    });
  });
});
