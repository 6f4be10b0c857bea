import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import { HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { egressRows, ingressRows } from './helpers';
import {
  EcsFargateService, EcsFargateServiceProps, EphemeralRange, NetworkAssertions, NetworkEndpoint, ServiceLoadBalancer, Tier, TieredVpc,
  TieredVpcProps,
} from '../../src';
import { APP, naclRows, nagFindings, PUBLIC, TEST_AZS } from '../util';

const ANY = '0.0.0.0/0';
const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx');

function regionStack(): Stack {
  return new Stack(new App(), 'Test', { env: { region: 'us-east-1' } });
}

/** Builds the service once; tests read the template, nag and the analyzer from the same stack. */
function build(props: Partial<EcsFargateServiceProps> = {}, vpcProps: TieredVpcProps = {}, stack = regionStack()) {
  const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS, ...vpcProps });
  const svc = new EcsFargateService(stack, 'Web', { network: net, image: IMAGE, containerPort: 8080, ...props });
  const template = Template.fromStack(stack);
  const albSg = svc.loadBalancerConnections.securityGroups[0];
  return { stack, net, svc, template, albSg };
}

let defaults: ReturnType<typeof build> | undefined;
/** The default build, made once for the tests that only read it (they never add to it). */
function built(): ReturnType<typeof build> {
  defaults ??= build();
  return defaults;
}

describe('EcsFargateService: awsvpc, no host ports', () => {
  test('the task definition is awsvpc and maps the container port only, no host port', () => {
    const { template } = built();
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      NetworkMode: 'awsvpc',
      RequiresCompatibilities: ['FARGATE'],
      Cpu: '256',
      Memory: '512',
      ContainerDefinitions: [Match.objectLike({ Name: 'app', PortMappings: [{ ContainerPort: 8080, Protocol: 'tcp' }] })],
    });
  });

  test('each task gets an ENI in the app tier with the task security group and no public IP', () => {
    const { stack, net, svc, template } = built();
    const appSubnets = net.selectTierSubnets(Tier.APP).subnetIds.map((s) => stack.resolve(s));
    template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      PlatformVersion: 'LATEST',
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          AssignPublicIp: 'DISABLED',
          Subnets: appSubnets,
          SecurityGroups: [stack.resolve(svc.taskSecurityGroup.securityGroupId)],
        },
      },
    });
  });

  test('the task security group admits exactly the container port, only from the load balancer\'s security group', () => {
    const { stack, svc, template, albSg } = built();
    expect(ingressRows(stack, template, svc.taskSecurityGroup)).toEqual([`tcp 8080 sg ${albSg.node.path}`]);
    expect(egressRows(stack, template, albSg)).toEqual([`tcp 8080 sg ${svc.taskSecurityGroup.node.path}`]);
  });

  test('the NACL entries name the container port, not a host port range', () => {
    const { stack, net, template } = built();
    const rows = naclRows(stack, net, template);
    expect(rows).toEqual(expect.arrayContaining([`app in tcp 8080 ${PUBLIC}`, `public out tcp 8080 ${APP}`, `app out tcp 1024-65535 ${PUBLIC}`]));
    expect(rows.filter((r) => r.startsWith('app in') && r.endsWith(PUBLIC))).toEqual([`app in tcp 8080 ${PUBLIC}`]);
  });

  test('the target group registers task IPs, health-checked on the traffic port', () => {
    const { stack, svc, template } = built();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip', Port: 8080, HealthCheckPort: 'traffic-port', HealthCheckPath: '/',
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [{ ContainerName: 'app', ContainerPort: 8080, TargetGroupArn: stack.resolve(svc.targetGroup.targetGroupArn) }],
    });
  });

  test('the same deployment defaults as the EC2 variant: 2 tasks, circuit breaker with rollback, 100/200', () => {
    const { template } = built();
    template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 2,
      DeploymentConfiguration: Match.objectLike({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100, MaximumPercent: 200,
      }),
    });
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
  });

  test('the shared props mean the same thing: count, percents, cpu, memory, command, environment', () => {
    const { template } = build({
      desiredCount: 3,
      minHealthyPercent: 50,
      maxHealthyPercent: 150,
      cpu: 512,
      memoryLimitMiB: 1024,
      command: ['nginx', '-g', 'daemon off;'],
      environment: { MODE: 'demo' },
      platformVersion: ecs.FargatePlatformVersion.VERSION1_4,
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 3,
      PlatformVersion: '1.4.0',
      DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 50, MaximumPercent: 150 }),
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '512',
      Memory: '1024',
      ContainerDefinitions: [Match.objectLike({ Command: ['nginx', '-g', 'daemon off;'], Environment: [{ Name: 'MODE', Value: 'demo' }] })],
    });
  });

  test('the tasks reach the internet on 443 through the NAT gateway and the interface endpoints', () => {
    const { stack, net, svc, template } = build({}, { sessionManagerEndpoints: true });
    const endpointSgs = net.interfaceEndpoints.map((e) => `tcp 443 sg ${e.connections.securityGroups[0].node.path}`);
    expect(egressRows(stack, template, svc.taskSecurityGroup)).toEqual([`tcp 443 ${ANY}`, ...endpointSgs].sort());
  });

  test('the construct is connectable through the task security group', () => {
    const { svc } = build();
    expect(svc.connections.securityGroups).toEqual([svc.taskSecurityGroup]);
    expect(svc.trafficPorts.toString()).toBe('8080');
  });

  test('HTTPS with a certificate, as in the EC2 variant', () => {
    const stack = regionStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc');
    const { template } = build({ loadBalancer: ServiceLoadBalancer.alb({ certificate }) }, {}, stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
  });

  test('AwsSolutions and NetworkPatterns: no unacknowledged findings', () => {
    const { stack } = build();
    expect(nagFindings(stack)).toEqual([]);
  });


  test('NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1: no unacknowledged findings (HTTPS)', () => {
    // Every rule of these packs is an error: none is tolerated.
    const stack = regionStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc');
    build({ loadBalancer: ServiceLoadBalancer.alb({ certificate }) }, {}, stack);
    expect(nagFindings(stack, [new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks()])).toEqual([]);
  });

  test('logs encrypted with the construct\'s key, and the execution and task roles\' permissions in customer managed policies', () => {
    const { stack, svc, template } = built();
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: stack.resolve((svc.logEncryptionKey as kms.Key).keyArn) });
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [stack.resolve(svc.taskDefinition.executionRole!.roleName)],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] })]) },
    });
    expect(svc.taskDefinition.taskRole.node.path).toBe('Test/Web/TaskRole');
  });

  test('grants to the task role land in its customer managed policy', () => {
    const stack = regionStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const svc = new EcsFargateService(stack, 'Web', { network: net, image: IMAGE, containerPort: 8080 });
    const key = kms.Key.fromKeyArn(stack, 'Data', 'arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555');
    key.grantDecrypt(svc.taskDefinition.taskRole);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [stack.resolve(svc.taskDefinition.taskRole.roleName)],
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'kms:Decrypt', Resource: key.keyArn })] },
    });
  });
});

describe('EcsFargateService: allowLoadBalancerClient', () => {
  test('admits a workload to the internal load balancer\'s listener port with its ephemeral range and name', () => {
    const stack = regionStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const svc = new EcsFargateService(stack, 'Web', {
      network: net,
      image: IMAGE,
      containerPort: 8080,
      loadBalancer: ServiceLoadBalancer.alb({ internetFacing: false, accessLogs: false }),
    });
    const client = new ec2.SecurityGroup(stack, 'Reporting', { vpc: net.vpc, allowAllOutbound: false });
    svc.allowLoadBalancerClient(client, Tier.APP, { ephemeralRange: EphemeralRange.LINUX, name: 'reporting' });
    const template = Template.fromStack(stack);

    const flow = net.flows.find((f) => f.fromPath === 'Test/Reporting');
    expect(flow).toMatchObject({ from: 'reporting', fromPort: 80, toPort: 80, ephemeralFromPort: 32768, ephemeralToPort: 60999 });
    expect(flow!.description).toMatch(/^reporting -> Test\/Web\//);
    expect(ingressRows(stack, template, svc.loadBalancerConnections.securityGroups[0])).toEqual(['tcp 80 sg Test/Reporting']);
    expect(naclRows(stack, net, template)).toEqual(expect.arrayContaining([`app out tcp 32768-60999 ${APP}`]));
  });
});

describe('EcsFargateService: reachability, proven by the analyzer', () => {
  test('load balancer -> tasks on the container port: yes; on host port ranges: no; internet -> tasks: no; tasks -> internet 443: yes', () => {
    const { stack, net, svc } = built();
    const a = NetworkAssertions.fromStack(stack);
    const lb = NetworkEndpoint.of(svc.loadBalancer);
    const tasks = NetworkEndpoint.of(svc.service);
    const internet = NetworkEndpoint.internet();
    a.expectReachable(internet, lb, ec2.Port.tcp(80));
    a.expectReachable(lb, tasks, ec2.Port.tcp(8080));
    a.expectUnreachable(lb, tasks, ec2.Port.tcp(32768));
    a.expectUnreachable(internet, tasks, ec2.Port.tcp(8080));
    a.expectReachable(tasks, internet, ec2.Port.tcp(443));
    a.expectOnlyDeclaredFlows(net);
  });

  test('behind the library\'s NLB: the same, with IP targets on the container port', () => {
    const { stack, net, svc, template, albSg: nlbSg } = build({ loadBalancer: ServiceLoadBalancer.nlb({ port: 443 }) });
    expect(svc.networkLoadBalancer).toBeDefined();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'ip', Port: 8080, Protocol: 'TCP' });
    expect(ingressRows(stack, template, svc.taskSecurityGroup)).toEqual([`tcp 8080 sg ${nlbSg.node.path}`]);
    const a = NetworkAssertions.fromStack(stack);
    a.expectReachable(NetworkEndpoint.internet(), NetworkEndpoint.of(svc.loadBalancer), ec2.Port.tcp(443));
    a.expectReachable(NetworkEndpoint.of(svc.loadBalancer), NetworkEndpoint.of(svc.service), ec2.Port.tcp(8080));
    a.expectUnreachable(NetworkEndpoint.internet(), NetworkEndpoint.of(svc.service), ec2.Port.tcp(8080));
    a.expectOnlyDeclaredFlows(net);
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('EcsFargateService: bad input', () => {
  test.each([ecs.NetworkMode.BRIDGE, ecs.NetworkMode.HOST])('fails when the network mode is %s (Fargate is awsvpc only)', (mode) => {
    expect(() => build({ networkMode: mode }))
      .toThrow(/Test\/Web: networkMode must be awsvpc: Fargate supports no other network mode.*use EcsDynamicPortService for bridge mode/);
  });

  test('fails when the container port is missing', () => {
    expect(() => build({ containerPort: undefined as unknown as number })).toThrow(/Test\/Web: containerPort is required/);
  });

  test('fails when minHealthyPercent is not below maxHealthyPercent', () => {
    expect(() => build({ minHealthyPercent: 100, maxHealthyPercent: 100 })).toThrow(/minHealthyPercent must be below maxHealthyPercent/);
  });
});
