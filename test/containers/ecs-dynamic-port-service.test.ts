import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { egressRows, ingressRows, userDataText } from './helpers';
import {
  EcsDynamicPortService, EcsDynamicPortServiceProps, NetworkAssertions, NetworkEndpoint, NlbServiceLoadBalancerOptions,
  ServiceLoadBalancer, ServiceLoadBalancerType, Tier, TieredVpc, TieredVpcProps,
} from '../../src';
import { APP, naclRows, nagFindings, PUBLIC, TEST_AZS } from '../util';

const ANY = '0.0.0.0/0';
const CERT_ARN = 'arn:aws:acm:us-east-1:111111111111:certificate/11111111-2222-3333-4444-555555555555';
const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx');
const WEB_ACL_ARN = 'arn:aws:wafv2:us-east-1:111111111111:regional/webacl/web/a1b2c3d4-5678-90ab-cdef-0123456789ab';

/** A region-bound stack (ELB access log delivery is per Region). */
function regionStack(): Stack {
  return new Stack(new App(), 'Test', { env: { region: 'us-east-1' } });
}

/** Builds the service once; tests read the template, nag and the analyzer from the same stack. */
function build(props: Partial<EcsDynamicPortServiceProps> = {}, vpcProps: TieredVpcProps = {}, stack = regionStack()) {
  const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS, ...vpcProps });
  const svc = new EcsDynamicPortService(stack, 'Web', { network: net, image: IMAGE, containerPort: 8080, ...props });
  const template = Template.fromStack(stack);
  const albSg = svc.loadBalancerConnections.securityGroups[0];
  const albSgPath = albSg.node.path;
  return { stack, net, svc, template, albSg, albSgPath };
}

let defaults: ReturnType<typeof build> | undefined;
/** The default build, made once for the tests that only read it (they never add to it). */
function built(): ReturnType<typeof build> {
  defaults ??= build();
  return defaults;
}

function withCertificate(stack: Stack): acm.ICertificate {
  return acm.Certificate.fromCertificateArn(stack, 'Cert', CERT_ARN);
}

describe('EcsDynamicPortService: dynamic host ports, one source of truth', () => {
  test('the container port is mapped to host port 0 in a bridge-mode task definition', () => {
    // GIVEN / WHEN
    const { template } = built();
    // THEN
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      NetworkMode: 'bridge',
      RequiresCompatibilities: ['EC2'],
      ContainerDefinitions: [Match.objectLike({
        Name: 'app',
        PortMappings: [{ ContainerPort: 8080, HostPort: 0, Protocol: 'tcp' }],
      })],
    });
  });

  test('the ECS agent configuration in the user data carries the default range 32768-51677, next to ECS_CLUSTER', () => {
    const { template } = built();
    const text = userDataText(template);
    expect(text).toContain('echo ECS_DYNAMIC_HOST_PORT_RANGE=32768-51677 >> /etc/ecs/ecs.config');
    expect(text).toContain('echo ECS_CLUSTER=${Token} >> /etc/ecs/ecs.config');
    expect(text.match(/ECS_DYNAMIC_HOST_PORT_RANGE/g)).toHaveLength(1);
  });

  test('the instance security group admits exactly that range, only from the load balancer\'s security group', () => {
    const { stack, svc, template, albSgPath } = built();
    expect(ingressRows(stack, template, svc.instanceSecurityGroup)).toEqual([`tcp 32768-51677 sg ${albSgPath}`]);
  });

  test('aws-cdk-lib\'s own 32768-65535 rule is never created, in either direction', () => {
    const { template } = built();
    for (const type of ['AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SecurityGroupEgress']) {
      for (const r of Object.values<any>(template.findResources(type))) {
        expect(r.Properties.ToPort).not.toBe(65535);
      }
    }
  });

  test('the load balancer\'s security group sends only to the instances, on that range only', () => {
    const { stack, svc, template, albSg } = built();
    expect(egressRows(stack, template, albSg)).toEqual([`tcp 32768-51677 sg ${svc.instanceSecurityGroup.node.path}`]);
  });

  test('the instances admit nothing else: no SSH, no key pair', () => {
    const { stack, svc, template } = built();
    expect(ingressRows(stack, template, svc.instanceSecurityGroup).some((r) => /\b22\b/.test(r))).toBe(false);
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ KeyName: Match.absent() }),
    });
  });

  test('the public and app tier NACLs carry the same range both ways, with the load balancer\'s return range', () => {
    const { stack, net, template } = built();
    const rows = naclRows(stack, net, template);
    expect(rows).toEqual(expect.arrayContaining([
      `public out tcp 32768-51677 ${APP}`,
      `app in tcp 32768-51677 ${PUBLIC}`,
      `app out tcp 1024-65535 ${PUBLIC}`,
      `public in tcp 1024-65535 ${APP}`,
    ]));
    // No other host port range reaches the app tier from the public tier.
    expect(rows.filter((r) => r.startsWith('app in') && r.endsWith(PUBLIC))).toEqual([`app in tcp 32768-51677 ${PUBLIC}`]);
  });

  test('the flow is recorded on the tiered VPC', () => {
    const { net } = built();
    expect(net.flows).toEqual(expect.arrayContaining([expect.objectContaining({
      fromPath: 'Test/Web/LoadBalancer',
      toPath: 'Test/Web/Instances',
      fromTier: 'public',
      toTier: 'app',
      protocol: 'tcp',
      fromPort: 32768,
      toPort: 51677,
      ephemeralFromPort: 1024,
      ephemeralToPort: 65535,
    })]));
  });

  test.each([
    [1024, 2374],
    [30000, 32767],
    [51681, 65535],
  ])('an overridden range %d-%d flows into the agent config, the SG rule and the NACLs alike', (from, to) => {
    const { stack, net, svc, template, albSgPath } = build({ dynamicHostPortRange: ec2.Port.tcpRange(from, to) });
    expect(userDataText(template)).toContain(`ECS_DYNAMIC_HOST_PORT_RANGE=${from}-${to} `);
    expect(ingressRows(stack, template, svc.instanceSecurityGroup)).toEqual([`tcp ${from}-${to} sg ${albSgPath}`]);
    expect(naclRows(stack, net, template)).toEqual(expect.arrayContaining([`app in tcp ${from}-${to} ${PUBLIC}`, `public out tcp ${from}-${to} ${APP}`]));
    expect(svc.dynamicHostPortRange.toString()).toBe(`${from}-${to}`);
  });

  test('a fixed host port is mapped as given and is the only port admitted', () => {
    const { stack, net, svc, template, albSgPath } = build({ hostPort: 8080, desiredCount: 2, maxInstances: 4 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ PortMappings: [{ ContainerPort: 8080, HostPort: 8080, Protocol: 'tcp' }] })],
    });
    expect(ingressRows(stack, template, svc.instanceSecurityGroup)).toEqual([`tcp 8080 sg ${albSgPath}`]);
    expect(naclRows(stack, net, template)).toContain(`app in tcp 8080 ${PUBLIC}`);
    expect(svc.trafficPorts.toString()).toBe('8080');
  });
});

describe('EcsDynamicPortService: capacity', () => {
  test('the launch template: ECS-optimized Amazon Linux 2023, IMDSv2 required, encrypted gp3 root, detailed monitoring, instance profile', () => {
    const { template } = built();
    const params = template.toJSON().Parameters;
    const amiParam = Object.entries<any>(params).find(([, p]) => p.Default === '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id');
    expect(amiParam).toBeDefined();
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        ImageId: { Ref: amiParam![0] },
        InstanceType: 't3.small',
        MetadataOptions: { HttpTokens: 'required' },
        Monitoring: { Enabled: true },
        IamInstanceProfile: Match.anyValue(),
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeSize: 30, VolumeType: 'gp3' } }],
      }),
    });
  });

  test('the instance type can be overridden', () => {
    const { template } = build({ instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7I, ec2.InstanceSize.LARGE) });
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: Match.objectLike({ InstanceType: 'm7i.large' }) });
  });

  test('the instance role has AmazonSSMManagedInstanceCore for Session Manager', () => {
    const { stack, svc, template } = built();
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] }),
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] }],
    });
    expect(stack.resolve(svc.instanceRole.roleArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^WebInstanceRole/), 'Arn'] });
  });

  test('the auto scaling group: app tier subnets, 2-4 instances by default, new instances protected for managed termination', () => {
    const { stack, net, template } = built();
    const appSubnets = net.selectTierSubnets(Tier.APP).subnetIds.map((s) => stack.resolve(s));
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '2',
      MaxSize: '4',
      NewInstancesProtectedFromScaleIn: true,
      VPCZoneIdentifier: appSubnets,
      NotificationConfigurations: Match.absent(),
    });
  });

  test('instance counts and scaling notifications can be overridden', () => {
    const stack = regionStack();
    const topic = sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:us-east-1:111111111111:scaling');
    const { template } = build({ minInstances: 1, maxInstances: 6, scalingNotificationsTopic: topic }, {}, stack);
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '1',
      MaxSize: '6',
      NotificationConfigurations: [Match.objectLike({ TopicARN: 'arn:aws:sns:us-east-1:111111111111:scaling' })],
    });
  });

  test('the capacity provider: managed scaling at 100 % and managed termination protection', () => {
    const { template } = built();
    template.hasResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: Match.objectLike({
        ManagedScaling: Match.objectLike({ Status: 'ENABLED', TargetCapacity: 100 }),
        ManagedTerminationProtection: 'ENABLED',
      }),
    });
  });

  test('managed termination protection can be turned off', () => {
    const { template } = build({ managedTerminationProtection: false });
    template.hasResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: Match.objectLike({ ManagedTerminationProtection: 'DISABLED' }),
    });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { NewInstancesProtectedFromScaleIn: Match.absent() });
  });

  test('the capacity provider\'s target capacity can be overridden', () => {
    const { template } = build({ targetCapacityPercent: 80 });
    template.hasResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: Match.objectLike({ ManagedScaling: Match.objectLike({ TargetCapacity: 80 }) }),
    });
  });

  test('the cluster has Container Insights on and the capacity provider associated', () => {
    const { stack, svc, template } = built();
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: [stack.resolve(svc.capacityProvider.capacityProviderName)],
    });
  });
});

describe('EcsDynamicPortService: the service', () => {
  test('defaults: 2 tasks, circuit breaker with rollback, 100/200 healthy percent, the capacity provider, AZ spread then binpack', () => {
    const { stack, svc, template } = built();
    template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 2,
      DeploymentConfiguration: Match.objectLike({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      }),
      CapacityProviderStrategy: [{ CapacityProvider: stack.resolve(svc.capacityProvider.capacityProviderName), Weight: 1 }],
      LaunchType: Match.absent(),
      PlacementStrategies: [
        { Type: 'spread', Field: 'attribute:ecs.availability-zone' },
        { Type: 'binpack', Field: 'MEMORY' },
      ],
      LoadBalancers: [{ ContainerName: 'app', ContainerPort: 8080, TargetGroupArn: stack.resolve(svc.targetGroup.targetGroupArn) }],
    });
  });

  test('task count, healthy percents, cpu, memory, command, environment and log retention can be overridden', () => {
    const { template } = build({
      desiredCount: 6,
      minHealthyPercent: 50,
      maxHealthyPercent: 150,
      cpu: 512,
      memoryLimitMiB: 256,
      command: ['nginx', '-g', 'daemon off;'],
      environment: { MODE: 'demo' },
      logRetention: logs.RetentionDays.ONE_WEEK,
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 6,
      DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 50, MaximumPercent: 150 }),
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Cpu: 512, Memory: 256, Command: ['nginx', '-g', 'daemon off;'], Environment: [{ Name: 'MODE', Value: 'demo' }],
      })],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  test('container defaults: 256 CPU units, 512 MiB, the image\'s own command, no environment, awslogs kept a year (AWS Control Tower CT.CLOUDWATCH.PR.2)', () => {
    const { stack, svc, template } = built();
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Image: 'public.ecr.aws/nginx/nginx',
        Cpu: 256,
        Memory: 512,
        Command: Match.absent(),
        Environment: Match.absent(),
        LogConfiguration: Match.objectLike({ LogDriver: 'awslogs', Options: Match.objectLike({ 'awslogs-group': stack.resolve(svc.logGroup.logGroupName) }) }),
      })],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: stack.resolve(svc.logEncryptionKey.keyArn) });
  });

  test('the instances reach the internet on 443 only, through the NAT gateway', () => {
    const { stack, net, svc, template } = built();
    expect(egressRows(stack, template, svc.instanceSecurityGroup)).toEqual([`tcp 443 ${ANY}`]);
    expect(naclRows(stack, net, template)).toEqual(expect.arrayContaining([
      `app out tcp 443 ${ANY}`, `app in tcp 1024-65535 ${ANY}`, `public in tcp 443 ${APP}`, `public out tcp 443 ${ANY}`,
    ]));
  });

  test('the instances reach the VPC\'s interface endpoints by default', () => {
    const { stack, net, svc, template } = build({}, { sessionManagerEndpoints: true });
    const endpointSgs = net.interfaceEndpoints.map((e) => `tcp 443 sg ${e.connections.securityGroups[0].node.path}`);
    expect(egressRows(stack, template, svc.instanceSecurityGroup)).toEqual([`tcp 443 ${ANY}`, ...endpointSgs].sort());
  });

  test('allowInterfaceEndpoints: false leaves the endpoints closed to the instances', () => {
    const { stack, svc, template } = build({ allowInterfaceEndpoints: false }, { sessionManagerEndpoints: true });
    expect(egressRows(stack, template, svc.instanceSecurityGroup)).toEqual([`tcp 443 ${ANY}`]);
  });

  test('the construct is connectable through the instance security group', () => {
    const { svc } = build();
    expect(svc.connections.securityGroups).toEqual([svc.instanceSecurityGroup]);
  });
});

describe('EcsDynamicPortService: the load balancer', () => {
  test('default: internet-facing ALB in the public tier, HTTP 80 only, with a warning', () => {
    const { stack, net, svc, template, albSg } = built();
    const publicSubnets = net.vpc.selectSubnets({ subnetGroupName: 'Public' }).subnetIds.map((s) => stack.resolve(s));
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      Subnets: publicSubnets,
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' }]),
    });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: stack.resolve(svc.targetGroup.targetGroupArn) }],
    });
    expect(ingressRows(stack, template, albSg)).toEqual([`tcp 80 ${ANY}`]);
    Annotations.fromStack(stack).hasWarning('/Test/Web', Match.stringLikeRegexp('HTTP 80 only.*httpOnlyLoadBalancer'));
    expect(svc.applicationLoadBalancer).toBe(svc.loadBalancer);
    expect(svc.networkLoadBalancer).toBeUndefined();
    expect(ServiceLoadBalancer.alb().loadBalancerType).toBe(ServiceLoadBalancerType.APPLICATION);
    expect(ServiceLoadBalancer.nlb().loadBalancerType).toBe(ServiceLoadBalancerType.NETWORK);
  });

  test('with a certificate: HTTPS 443 with the recommended TLS policy, and HTTP 80 redirecting to it, no warning', () => {
    const stack = regionStack();
    const { svc, template, albSg } = build({ loadBalancer: ServiceLoadBalancer.alb({ certificate: withCertificate(stack) }) }, {}, stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: CERT_ARN }],
      SslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: stack.resolve(svc.targetGroup.targetGroupArn) }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80, Protocol: 'HTTP', DefaultActions: [Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Port: '443', Protocol: 'HTTPS' }) })],
    });
    expect(ingressRows(stack, template, albSg)).toEqual([`tcp 443 ${ANY}`, `tcp 80 ${ANY}`]);
    Annotations.fromStack(stack).hasNoWarning('/Test/Web', Match.stringLikeRegexp('httpOnlyLoadBalancer'));
  });

  test('the TLS policy can be overridden', () => {
    const stack = regionStack();
    const loadBalancer = ServiceLoadBalancer.alb({ certificate: withCertificate(stack), sslPolicy: elbv2.SslPolicy.TLS13_13 });
    const { template } = build({ loadBalancer }, {}, stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, SslPolicy: elbv2.SslPolicy.TLS13_13 });
  });

  test('clientCidrs narrows the listeners to those clients, in the SG and the public NACL', () => {
    const { stack, net, template, albSg } = build({ loadBalancer: ServiceLoadBalancer.alb({ clientCidrs: ['203.0.113.0/24', '198.51.100.0/24'] }) });
    expect(ingressRows(stack, template, albSg)).toEqual(['tcp 80 198.51.100.0/24', 'tcp 80 203.0.113.0/24']);
    const publicIn80 = naclRows(stack, net, template).filter((r) => r.startsWith('public in tcp 80 '));
    expect(publicIn80).toEqual(['public in tcp 80 198.51.100.0/24', 'public in tcp 80 203.0.113.0/24']);
  });

  test('target group: instance targets, health check on the traffic port at /, 30 s draining', () => {
    const { template } = built();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'instance',
      Protocol: 'HTTP',
      HealthCheckPort: 'traffic-port',
      HealthCheckProtocol: 'HTTP',
      HealthCheckPath: '/',
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
    });
  });

  test('health check path and deregistration delay can be overridden', () => {
    const { template } = build({ loadBalancer: ServiceLoadBalancer.alb({ healthCheckPath: '/health', deregistrationDelay: Duration.seconds(120) }) });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPort: 'traffic-port',
      HealthCheckPath: '/health',
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '120' }]),
    });
  });

  test('access logs go to a bucket of the construct by default: SSE-S3, versioned, TLS only, public access blocked, retained', () => {
    const { stack, svc, template } = built();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: stack.resolve(svc.accessLogBucket!.bucketName) },
      ]),
    });
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) }),
    });
  });

  test('access logs can go to a bucket you give', () => {
    const stack = regionStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Logs', 'my-alb-logs');
    const { svc, template } = build({ loadBalancer: ServiceLoadBalancer.alb({ accessLogBucket: bucket }) }, {}, stack);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(svc.accessLogBucket).toBe(bucket);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.bucket', Value: 'my-alb-logs' }]),
    });
  });

  test('deletion protection is on by default', () => {
    const { template } = built();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'true' }]),
    });
  });

  test('deletion protection can be turned off', () => {
    const { template } = build({ loadBalancer: ServiceLoadBalancer.alb({ deletionProtection: false }) });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'false' }]),
    });
  });

  test('no web ACL by default', () => {
    const { template } = built();
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
  });

  test('webAclArn associates that regional web ACL with the ALB', () => {
    const { stack, svc, template } = build({ loadBalancer: ServiceLoadBalancer.alb({ webAclArn: WEB_ACL_ARN }) });
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: stack.resolve(svc.loadBalancer.loadBalancerArn),
      WebACLArn: WEB_ACL_ARN,
    });
    expect(nagFindings(stack, [new NIST80053R5Checks(), new PCIDSS321Checks()]).filter((f) => f.includes('WAF'))).toEqual([]);
  });

  test('accessLogs: false writes no logs and leaves a warning (and works without a Region)', () => {
    const stack = new Stack(new App(), 'Test');
    const { svc, template } = build({ loadBalancer: ServiceLoadBalancer.alb({ accessLogs: false }) }, {}, stack);
    expect(svc.accessLogBucket).toBeUndefined();
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.not(Match.arrayWith([{ Key: 'access_logs.s3.enabled', Value: 'true' }])),
    });
    Annotations.fromStack(stack).hasWarning('/Test/Web', Match.stringLikeRegexp('loadBalancerAccessLogsOff'));
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('EcsDynamicPortService: reachability, proven by the analyzer', () => {
  test('load balancer -> instances on the dynamic range: yes; internet -> instances: no; instances -> internet 443 via NAT: yes', () => {
    const { stack, net, svc } = built();
    const a = NetworkAssertions.fromStack(stack);
    const lb = NetworkEndpoint.of(svc.loadBalancer);
    const instances = NetworkEndpoint.of(svc.autoScalingGroup);
    const internet = NetworkEndpoint.internet();
    a.expectReachable(internet, lb, ec2.Port.tcp(80));
    a.expectReachable(lb, instances, ec2.Port.tcpRange(32768, 51677));
    a.expectReachable(lb, NetworkEndpoint.of(svc.service), ec2.Port.tcpRange(32768, 51677));
    a.expectUnreachable(internet, instances, ec2.Port.tcpRange(32768, 51677));
    a.expectUnreachable(internet, instances, ec2.Port.tcp(22));
    a.expectReachable(instances, internet, ec2.Port.tcp(443));
    a.expectOnlyDeclaredFlows(net);
  });

  test.each([32767, 51678, 51680, 60999])('load balancer -> instances on %d, outside the range: no', (port) => {
    const { stack, svc } = built();
    NetworkAssertions.fromStack(stack)
      .expectUnreachable(NetworkEndpoint.of(svc.loadBalancer), NetworkEndpoint.of(svc.autoScalingGroup), ec2.Port.tcp(port));
  });

  test('an overridden range is what the load balancer reaches, and nothing of the default', () => {
    const { stack, svc } = build({ dynamicHostPortRange: ec2.Port.tcpRange(51681, 60999) });
    const a = NetworkAssertions.fromStack(stack);
    const lb = NetworkEndpoint.of(svc.loadBalancer);
    const instances = NetworkEndpoint.of(svc.autoScalingGroup);
    a.expectReachable(lb, instances, ec2.Port.tcpRange(51681, 60999));
    a.expectUnreachable(lb, instances, ec2.Port.tcp(32768));
  });

  test('with HTTPS and narrowed clients: those clients reach 443 and 80, others nothing', () => {
    const stack = regionStack();
    const { net, svc } = build({ loadBalancer: ServiceLoadBalancer.alb({ certificate: withCertificate(stack), clientCidrs: ['203.0.113.0/24'] }) }, {}, stack);
    const a = NetworkAssertions.fromStack(stack);
    const lb = NetworkEndpoint.of(svc.loadBalancer);
    a.expectReachable(NetworkEndpoint.internet('203.0.113.0/24'), lb, ec2.Port.tcp(443));
    a.expectReachable(NetworkEndpoint.internet('203.0.113.0/24'), lb, ec2.Port.tcp(80));
    a.expectUnreachable(NetworkEndpoint.internet('198.51.100.0/24'), lb, ec2.Port.tcp(443));
    a.expectOnlyDeclaredFlows(net);
  });
});

describe('EcsDynamicPortService: behind the library\'s NLB', () => {
  function buildNlb(options: NlbServiceLoadBalancerOptions = {}, props: Partial<EcsDynamicPortServiceProps> = {}, stack = regionStack()) {
    return build({ containerPort: 9092, loadBalancer: ServiceLoadBalancer.nlb(options), ...props }, {}, stack);
  }

  test('a TCP listener on the container port, instance targets, TCP health check on the traffic port, no client IP preservation', () => {
    const { stack, svc, template } = buildNlb();
    expect(svc.applicationLoadBalancer).toBeUndefined();
    expect(svc.networkLoadBalancer).toBeDefined();
    expect(svc.loadBalancer).toBe(svc.networkLoadBalancer!.loadBalancer);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Type: 'network', Scheme: 'internet-facing' });
    template.resourceCountIs('AWS::EC2::EIP', 3); // the NAT gateways' only: no static NLB addresses by default
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 9092, Protocol: 'TCP' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'instance',
      Protocol: 'TCP',
      HealthCheckPath: Match.absent(),
      TargetGroupAttributes: Match.arrayWith([
        { Key: 'deregistration_delay.timeout_seconds', Value: '30' },
        { Key: 'preserve_client_ip.enabled', Value: 'false' },
      ]),
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [{ ContainerName: 'app', ContainerPort: 9092, TargetGroupArn: stack.resolve(svc.targetGroup.targetGroupArn) }],
    });
  });

  test('the instance SG admits the dynamic range from the NLB\'s SG only, and the NACLs carry that range only', () => {
    const { stack, net, svc, template, albSg: nlbSg } = buildNlb();
    expect(ingressRows(stack, template, svc.instanceSecurityGroup)).toEqual([`tcp 32768-51677 sg ${nlbSg.node.path}`]);
    expect(egressRows(stack, template, nlbSg)).toEqual([`tcp 32768-51677 sg ${svc.instanceSecurityGroup.node.path}`]);
    expect(ingressRows(stack, template, nlbSg)).toEqual([`tcp 9092 ${ANY}`]);
    const rows = naclRows(stack, net, template);
    expect(rows.filter((r) => r.startsWith('app in') && !r.includes('1024-65535'))).toEqual([`app in tcp 32768-51677 ${PUBLIC}`]);
  });

  test('the analyzer: internet -> NLB yes, NLB -> instances on the range yes, internet -> instances no', () => {
    const { stack, net, svc } = buildNlb();
    const a = NetworkAssertions.fromStack(stack);
    const lb = NetworkEndpoint.of(svc.loadBalancer);
    const instances = NetworkEndpoint.of(svc.autoScalingGroup);
    a.expectReachable(NetworkEndpoint.internet(), lb, ec2.Port.tcp(9092));
    a.expectReachable(lb, instances, ec2.Port.tcpRange(32768, 51677));
    a.expectUnreachable(NetworkEndpoint.internet(), instances, ec2.Port.tcpRange(32768, 51677));
    a.expectReachable(instances, NetworkEndpoint.internet(), ec2.Port.tcp(443));
    a.expectOnlyDeclaredFlows(net);
  });

  test('listener port, TLS certificate, HTTP health check path, static IPs and draining can be set', () => {
    const stack = regionStack();
    const { template } = buildNlb({
      port: 443, certificate: withCertificate(stack), healthCheckPath: '/health', staticIps: true, deregistrationDelay: Duration.seconds(10),
    }, {}, stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'TLS', Certificates: [{ CertificateArn: CERT_ARN }] });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Protocol: 'TCP',
      HealthCheckProtocol: 'HTTP',
      HealthCheckPath: '/health',
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '10' }]),
    });
    template.resourceCountIs('AWS::EC2::EIP', 6);
  });

  test('preserveClientIp: the app NACL admits the clients on the range, the instance SG still only the NLB', () => {
    const { stack, net, svc, template, albSg: nlbSg } = buildNlb({ preserveClientIp: true, clientCidrs: ['203.0.113.0/24'] });
    expect(naclRows(stack, net, template)).toContain('app in tcp 32768-51677 203.0.113.0/24');
    expect(ingressRows(stack, template, svc.instanceSecurityGroup)).toEqual([`tcp 32768-51677 sg ${nlbSg.node.path}`]);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetGroupAttributes: Match.arrayWith([{ Key: 'preserve_client_ip.enabled', Value: 'true' }]),
    });
  });

  test('AwsSolutions and NetworkPatterns: no unacknowledged findings', () => {
    const { stack } = buildNlb();
    expect(nagFindings(stack)).toEqual([]);
  });

  test('deletion protection is on by default and can be turned off', () => {
    const on = buildNlb().template;
    on.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'true' }]),
    });
    const off = buildNlb({ deletionProtection: false }).template;
    off.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'false' }]),
    });
  });

  test('targetsTerminateTls: TLS passes through a TCP listener, and the packs\' certificate finding is acknowledged on it', () => {
    const packs = [new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks()];
    const plain = buildNlb({ port: 443 });
    expect(nagFindings(plain.stack, packs).filter((f) => f.includes('ELBv2ACMCertificateRequired'))).toHaveLength(3);
    const passThrough = buildNlb({ port: 443, targetsTerminateTls: true });
    passThrough.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'TCP', Certificates: Match.absent() });
    expect(nagFindings(passThrough.stack, packs)).toEqual([]);
  });

  test('fails when the listener port is out of range', () => {
    expect(() => buildNlb({ port: 0 })).toThrow(/Test\/Web: loadBalancer\.port must be an integer between 1 and 65535, got 0/);
  });

  test('fails when a client CIDR is malformed', () => {
    expect(() => buildNlb({ clientCidrs: ['10.0.0.1/8'] })).toThrow(/loadBalancer\.clientCidrs must be an IPv4 CIDR block/);
  });

  test.each([
    ['a CloudFront-scope web ACL', 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/web/0123'],
    ['a classic WAF web ACL', 'arn:aws:waf-regional:us-east-1:111111111111:webacl/0123'],
  ])('fails when webAclArn is %s', (_what, arn) => {
    expect(() => build({ loadBalancer: ServiceLoadBalancer.alb({ webAclArn: arn }) }))
      .toThrow(/Test\/Web: loadBalancer\.webAclArn must be the ARN of a regional AWS WAF web ACL/);
  });

  test('fails when access logs are asked for in a stack without a Region', () => {
    const stack = new Stack(new App(), 'Test');
    const bucket = s3.Bucket.fromBucketName(stack, 'Logs', 'my-nlb-logs');
    expect(() => buildNlb({ accessLogBucket: bucket }, {}, stack)).toThrow(/loadBalancer\.accessLogBucket needs the stack's Region/);
  });
});

describe('EcsDynamicPortService: cdk-nag', () => {
  test('AwsSolutions and NetworkPatterns: no unacknowledged findings (HTTP only)', () => {
    const { stack } = build();
    expect(nagFindings(stack)).toEqual([]);
  });

  test('AwsSolutions: no unacknowledged findings (HTTPS, narrowed clients, scaling notifications)', () => {
    const stack = regionStack();
    const topic = sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:us-east-1:111111111111:scaling');
    build({
      loadBalancer: ServiceLoadBalancer.alb({ certificate: withCertificate(stack), clientCidrs: ['203.0.113.0/24'] }),
      scalingNotificationsTopic: topic,
    }, {}, stack);
    expect(nagFindings(stack)).toEqual([]);
  });

  test('NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1: no unacknowledged findings (HTTPS)', () => {
    // Every rule of these packs is an error: none is tolerated.
    const stack = regionStack();
    build({ loadBalancer: ServiceLoadBalancer.alb({ certificate: withCertificate(stack) }) }, {}, stack);
    expect(nagFindings(stack, [new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks()])).toEqual([]);
  });

});

describe('EcsDynamicPortService: logs and roles', () => {
  test('the container log group is encrypted with a rotated customer managed key that CloudWatch Logs may use', () => {
    const { stack, svc, template } = built();
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: stack.resolve((svc.logEncryptionKey as kms.Key).keyArn) });
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        EnableKeyRotation: true,
        KeyPolicy: Match.objectLike({
          Statement: Match.arrayWith([Match.objectLike({
            Principal: { Service: 'logs.us-east-1.amazonaws.com' },
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
          })]),
        }),
      }),
    });
  });

  test('the log group can be encrypted with a key you give', () => {
    const stack = regionStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555');
    const { svc, template } = build({ logEncryptionKey: key }, {}, stack);
    expect(svc.logEncryptionKey).toBe(key);
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: key.keyArn });
    template.resourceCountIs('AWS::KMS::Key', 1); // the tiered VPC's flow log key only
  });

  test('the instance, execution and task roles keep their permissions in customer managed policies, none inline', () => {
    const { stack, svc, template } = built();
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [stack.resolve(svc.instanceRole.roleName)],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['ecs:RegisterContainerInstance']) })]) },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [stack.resolve(svc.taskDefinition.executionRole!.roleName)],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] })]) },
    });
  });
});

describe('EcsDynamicPortService: bad input', () => {
  test('fails when the container port is missing', () => {
    expect(() => build({ containerPort: undefined as unknown as number }))
      .toThrow(/Test\/Web: containerPort is required, got undefined\. Give the port the container listens on/);
  });

  test.each([0, 65536, 80.5])('fails when the container port is %p', (port) => {
    expect(() => build({ containerPort: port })).toThrow(/Test\/Web: containerPort must be an integer between 1 and 65535/);
  });

  test.each([
    [2000, 3000, '2375, 2376'],
    [2376, 2400, '2376'],
    [32768, 61000, '51678, 51679, 51680'],
    [51680, 52000, '51680'],
  ])('fails when the dynamic range %d-%d includes ECS reserved host ports', (from, to, reserved) => {
    expect(() => build({ dynamicHostPortRange: ec2.Port.tcpRange(from, to) }))
      .toThrow(new RegExp(`dynamicHostPortRange includes ECS's reserved host ports ${reserved} .*got 'tcp ${from}-${to}'`));
  });

  test.each([
    [1, 1023],
    [1000, 2000],
    [20, 30],
  ])('fails when the dynamic range %d-%d leaves 1024-65535', (from, to) => {
    expect(() => build({ dynamicHostPortRange: ec2.Port.tcpRange(from, to) }))
      .toThrow(/dynamicHostPortRange must lie within 1024-65535/);
  });

  test('fails when the dynamic range is above 65535', () => {
    expect(() => build({ dynamicHostPortRange: ec2.Port.tcpRange(60000, 70000) })).toThrow(/dynamicHostPortRange must lie within 0-65535/);
  });

  test('fails when the dynamic range holds fewer host ports than the tasks it may place on one instance', () => {
    // desiredCount 2 at maxHealthyPercent 200: up to 4 tasks at once during a deployment
    expect(() => build({ dynamicHostPortRange: ec2.Port.tcpRange(40000, 40002) }))
      .toThrow(/^Test\/Web: dynamicHostPortRange holds 3 host ports, fewer than the 4 tasks it may have to place on one instance \(desiredCount 2, up to 200% during deployments\).*got 'tcp 40000-40002'\. Widen the range to at least 4 ports.*\[EcsDynamicRangeTooSmall\]$/);
    expect(() => build({ dynamicHostPortRange: ec2.Port.tcpRange(40000, 40005), desiredCount: 5, maxHealthyPercent: 150 }))
      .toThrow(/holds 6 host ports, fewer than the 8 tasks/);
  });

  test('accepts a dynamic range exactly as large as the peak of tasks', () => {
    const { svc } = build({ dynamicHostPortRange: ec2.Port.tcpRange(40000, 40003) });
    expect(svc.dynamicHostPortRange.toString()).toBe('40000-40003');
  });

  test('fails when the dynamic range is inverted', () => {
    expect(() => build({ dynamicHostPortRange: ec2.Port.tcpRange(40000, 35000) })).toThrow(/dynamicHostPortRange is an inverted range/);
  });

  test('fails when the dynamic range is UDP', () => {
    expect(() => build({ dynamicHostPortRange: ec2.Port.udpRange(32768, 40000) })).toThrow(/dynamicHostPortRange must be a TCP range/);
  });

  test('fails when the dynamic range is not a port range', () => {
    expect(() => build({ dynamicHostPortRange: ec2.Port.allTraffic() })).toThrow(/dynamicHostPortRange must be a TCP or UDP port or range/);
  });

  test('fails when the host port is fixed and more than one task per instance is wanted', () => {
    expect(() => build({ hostPort: 8080, desiredCount: 3, maxInstances: 2 }))
      .toThrow(/Test\/Web: hostPort is fixed, so each instance runs at most one task, but desiredCount 3 needs up to 6 tasks at once .*maxInstances is 2, got 8080\. Omit hostPort/);
  });

  test('fails when the host port is fixed and a deployment would need a second task on an instance', () => {
    expect(() => build({ hostPort: 8080, desiredCount: 4, maxInstances: 4 })).toThrow(/needs up to 8 tasks at once \(maxHealthyPercent 200/);
  });

  test.each([22, 2375, 51679])('fails when the fixed host port %d is reserved by ECS', (port) => {
    expect(() => build({ hostPort: port, desiredCount: 1 })).toThrow(/hostPort is one of ECS's reserved host ports/);
  });

  test('fails when the fixed host port lies in the dynamic range', () => {
    expect(() => build({ hostPort: 40000, desiredCount: 1 })).toThrow(/hostPort lies inside dynamicHostPortRange 32768-51677/);
  });

  test.each([-1, 70000])('fails when the host port is %d', (port) => {
    expect(() => build({ hostPort: port })).toThrow(/hostPort must be 0 \(dynamic\) or a port between 1 and 65535/);
  });

  test.each([ecs.NetworkMode.AWS_VPC, ecs.NetworkMode.HOST])('fails when the network mode is %s', (mode) => {
    expect(() => build({ networkMode: mode })).toThrow(/networkMode must be bridge.*use EcsFargateService for awsvpc/);
  });

  test('fails when minHealthyPercent is not below maxHealthyPercent', () => {
    expect(() => build({ minHealthyPercent: 100, maxHealthyPercent: 100 })).toThrow(/minHealthyPercent must be below maxHealthyPercent \(100\)/);
  });

  test('fails when minHealthyPercent is above 100', () => {
    expect(() => build({ minHealthyPercent: 150 })).toThrow(/minHealthyPercent must be an integer between 0 and 100/);
  });

  test('fails when maxHealthyPercent is below 100', () => {
    expect(() => build({ maxHealthyPercent: 90, minHealthyPercent: 50 })).toThrow(/maxHealthyPercent must be an integer between 100 and 1000/);
  });

  test('fails when desiredCount is negative', () => {
    expect(() => build({ desiredCount: -1 })).toThrow(/desiredCount must be an integer between 0 and 10000/);
  });

  test('fails when cpu or memory is not a positive integer', () => {
    expect(() => build({ cpu: 0 })).toThrow(/cpu must be an integer/);
    expect(() => build({ memoryLimitMiB: 2.5 })).toThrow(/memoryLimitMiB must be an integer/);
  });

  test('fails when minInstances exceeds maxInstances', () => {
    expect(() => build({ minInstances: 5, maxInstances: 3 })).toThrow(/minInstances must not exceed maxInstances \(3\)/);
  });

  test('fails when maxInstances is 0', () => {
    expect(() => build({ maxInstances: 0, minInstances: 0 })).toThrow(/maxInstances must be a whole number of at least 1/);
  });

  test('fails when minInstances is negative', () => {
    expect(() => build({ minInstances: -1 })).toThrow(/minInstances must be a whole number of at least 0/);
  });

  test.each([0, 101])('fails when targetCapacityPercent is %d', (target) => {
    expect(() => build({ targetCapacityPercent: target })).toThrow(/targetCapacityPercent must be an integer between 1 and 100/);
  });

  test.each(['10.0.0.0/33', '203.0.113.7/24', 'anywhere'])('fails when a client CIDR is %s', (cidr) => {
    expect(() => build({ loadBalancer: ServiceLoadBalancer.alb({ clientCidrs: [cidr] }) }))
      .toThrow(/loadBalancer\.clientCidrs must be an IPv4 CIDR block.*\[FlowInternetCidrInvalid\]$/);
  });

  test('fails when a client CIDR is IPv6 in a VPC that is not dual stack', () => {
    expect(() => build({ loadBalancer: ServiceLoadBalancer.alb({ clientCidrs: ['2001:db8::/32'] }) }))
      .toThrow(/loadBalancer\.clientCidrs is IPv6, but this VPC is not dual stack, got '2001:db8::\/32'\. Create the TieredVpc with ipProtocol: ec2\.IpProtocol\.DUAL_STACK.*\[FlowInternetCidrInvalid\]$/);
  });

  test('fails when a client CIDR lies inside the VPC (the same check as addFlow\'s internet ends)', () => {
    expect(() => build({ loadBalancer: ServiceLoadBalancer.alb({ clientCidrs: ['10.0.64.0/24'] }) }))
      .toThrow(/Test\/Web: loadBalancer\.clientCidrs lies inside the VPC \(10\.0\.0\.0\/16\).*got '10\.0\.64\.0\/24'\. The load balancer faces the internet.*\[FlowInternetCidrInsideVpc\]$/);
  });

  test('accepts a client CIDR next to the VPC', () => {
    expect(() => build({ loadBalancer: ServiceLoadBalancer.alb({ clientCidrs: ['10.1.0.0/16'] }) })).not.toThrow();
  });

  test('fails when clientCidrs is empty', () => {
    expect(() => build({ loadBalancer: ServiceLoadBalancer.alb({ clientCidrs: [] }) })).toThrow(/loadBalancer\.clientCidrs must name at least one CIDR/);
  });

  test('fails when the health check path is relative', () => {
    expect(() => build({ loadBalancer: ServiceLoadBalancer.alb({ healthCheckPath: 'health' }) })).toThrow(/loadBalancer\.healthCheckPath must start with \//);
  });

  test('fails when the deregistration delay is over an hour', () => {
    expect(() => build({ loadBalancer: ServiceLoadBalancer.alb({ deregistrationDelay: Duration.hours(2) }) }))
      .toThrow(/loadBalancer\.deregistrationDelay must be between 0 and 3600 seconds/);
  });

  test('fails when a TLS policy is given without a certificate', () => {
    expect(() => build({ loadBalancer: ServiceLoadBalancer.alb({ sslPolicy: elbv2.SslPolicy.TLS13_13 }) }))
      .toThrow(/loadBalancer\.sslPolicy needs a certificate/);
  });

  test('fails when access logs are on in a stack without a Region', () => {
    expect(() => build({}, {}, new Stack(new App(), 'Test')))
      .toThrow(/Test\/Web: loadBalancer\.accessLogs need the stack's Region.*accessLogs: false/);
  });
});

