import { Token, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { EcsServiceBaseProps } from './ecs-service-props';
import { ManagedPolicyRole } from '../private/compliance';
import {
  allowLoadBalancerFrom, BuiltLoadBalancer, buildLoadBalancer, CONTAINER_NAME, createCluster, createLogGroup, createTaskRoles,
  declareEgress, validateBaseProps,
} from './private/service-wiring';
import { TieredNetworkLoadBalancer } from '../load-balancing/tiered-network-load-balancer';
import { ClientOptions } from '../network/client-options';
import { Tier } from '../network/tier';
import { ITieredVpc } from '../network/tiered-vpc';
import { ErrorCode, propError } from '../private/errors';
import { describePort, portProblem, toPortSpec } from '../private/port-spec';

/**
 * Host ports ECS reserves on every container instance: SSH 22, the Docker daemon 2375/2376 and
 * the ECS agent 51678-51680 (ECS API reference, PortMapping.hostPort).
 * @see https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html
 */
const ECS_RESERVED_HOST_PORTS = [22, 2375, 2376, 51678, 51679, 51680];

/** First and last port of the default dynamic host port range. */
const DEFAULT_RANGE_FROM = 32768;
const DEFAULT_RANGE_TO = 51677;

/** Properties of an `EcsDynamicPortService`. */
export interface EcsDynamicPortServiceProps extends EcsServiceBaseProps {
  /**
   * The host ports ECS maps containers to: written once into every container instance's ECS
   * agent configuration (`ECS_DYNAMIC_HOST_PORT_RANGE` in /etc/ecs/ecs.config) and, from the
   * same value, into the load balancer SG -> instance SG rule and the public and app tiers'
   * NACL entries. A TCP range within 1024-65535 that contains none of ECS's reserved host
   * ports (22, 2375, 2376, 51678-51680), e.g. `ec2.Port.tcpRange(32768, 51677)`.
   *
   * Without the pin, the agent uses the instance's `/proc/sys/net/ipv4/ip_local_port_range`
   * (ECS container agent configuration, `ECS_DYNAMIC_HOST_PORT_RANGE`; 32768-60999 on current
   * Linux kernels; 49153-65535 when the agent can't read it: ECS API reference,
   * PortMapping.hostPort), a range no security group written at synth time can know. The AWS
   * docs name no other range for the ECS-optimized AMI.
   *
   * @default ec2.Port.tcpRange(32768, 51677) - the Linux kernel's ephemeral range (32768-60999) (see https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html)
   * stopped below the ECS agent's reserved ports 51678-51680, which that range contains and
   * which must never be admitted from the load balancer
   */
  readonly dynamicHostPortRange?: ec2.Port;
  /**
   * A fixed host port instead of dynamic mapping. Each instance can then run only one task of
   * the service, so `desiredCount` (and the extra tasks of a deployment, `maxHealthyPercent`)
   * must fit in `maxInstances`. The port must lie outside `dynamicHostPortRange` and ECS's
   * reserved ports.
   * @default 0 - dynamic host port mapping from `dynamicHostPortRange`
   */
  readonly hostPort?: number;
  /**
   * The container instances' type.
   * @default ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.SMALL)
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * The fewest container instances.
   * @default 2 - one per AZ in two AZs
   */
  readonly minInstances?: number;
  /**
   * The most container instances.
   * @default 4
   */
  readonly maxInstances?: number;
  /**
   * The capacity provider's target utilization of the instances (managed scaling), 1-100.
   * @default 100 - scale out only when tasks can't be placed
   */
  readonly targetCapacityPercent?: number;
  /**
   * Managed termination protection: managed scaling never terminates an instance that still runs
   * tasks of the service (the auto scaling group protects new instances from scale-in). Stack
   * deletion can then wait on the group until the instances' scale-in protection is removed
   * (aws-cdk issue 18179): `aws autoscaling set-instance-protection --no-protected-from-scale-in`.
   * @default true
   */
  readonly managedTerminationProtection?: boolean;
  /**
   * An SNS topic for the auto scaling group's launch and terminate notifications (AwsSolutions-AS3).
   * @default - none: the capacity provider's managed scaling owns the group's size, and ECS
   * reports every scaling decision in the cluster's and service's events
   */
  readonly scalingNotificationsTopic?: sns.ITopic;
}

/**
 * An ECS service on the EC2 launch type in the app tier, in bridge network mode with dynamic
 * host port mapping, behind a load balancer in the public tier (see https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html).
 *
 * Many copies of a container that listens on one port (e.g. 8080) share an instance: each is
 * mapped to its own host port (hostPort 0), and ECS registers each task's instance and host
 * port in the target group; the health check goes to the same traffic port. The dynamic host
 * port range has ONE source of truth, `dynamicHostPortRange`: the construct writes it into the
 * ECS agent's configuration (`ECS_DYNAMIC_HOST_PORT_RANGE`) through the launch template's user
 * data and declares from the same value the flow load balancer -> instances, which becomes the
 * only ingress rule of the instances' security group (from the load balancer's security group
 * only) and the public and app tiers' NACL entries. aws-cdk-lib's own rule (32768-65535, aws-cdk
 * issues 9778 and 12812) is never created.
 *
 * Capacity: an auto scaling group from a launch template on the ECS-optimized Amazon Linux 2023
 * AMI, IMDSv2 required, encrypted gp3 root volume, no key pair and no port 22 (Session Manager:
 * the instance role has AmazonSSMManagedInstanceCore), in a capacity provider with managed
 * scaling and managed termination protection. Deployments: circuit breaker with rollback, min
 * and max healthy percent explicit, tasks spread across AZs and packed by memory.
 *
 * Compliance (cdk-nag NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1 packs, besides AwsSolutions):
 * the container log group is encrypted with a rotated customer managed KMS key; the instance,
 * execution and task roles keep every grant in customer managed policies, never inline; the
 * load balancer has deletion protection and access logs (ALB: to a versioned, TLS-only, SSE-S3
 * bucket). What a reusable construct can't decide is acknowledged with its reason: no WAF web
 * ACL unless `webAclArn` is given, the ALB log bucket's SSE-S3 (the only encryption ALB access
 * logs support), its server access logs and replication.
 *
 * @example
 * const net = new TieredVpc(this, 'Net');
 * new EcsDynamicPortService(this, 'Web', {
 *   network: net,
 *   image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx'),
 *   containerPort: 8080,
 *   desiredCount: 6,
 *   loadBalancer: ServiceLoadBalancer.alb({ certificate }),
 * });
 */
export class EcsDynamicPortService extends Construct implements ec2.IConnectable {
  /** The ECS cluster (Container Insights on). */
  public readonly cluster: ecs.Cluster;
  /** The bridge-mode task definition. */
  public readonly taskDefinition: ecs.Ec2TaskDefinition;
  /** The application container. */
  public readonly container: ecs.ContainerDefinition;
  /** The ECS service. */
  public readonly service: ecs.Ec2Service;
  /** The container instances' launch template. */
  public readonly launchTemplate: ec2.LaunchTemplate;
  /** The container instances. */
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  /** The capacity provider the service places its tasks with. */
  public readonly capacityProvider: ecs.AsgCapacityProvider;
  /** The container instances' security group: admits the load balancer on the host ports only. */
  public readonly instanceSecurityGroup: ec2.SecurityGroup;
  /** The container instances' role. */
  public readonly instanceRole: iam.Role;
  /** The load balancer (an ALB or an NLB, after `loadBalancer`). */
  public readonly loadBalancer: elbv2.BaseLoadBalancer;
  /**
   * The Application Load Balancer.
   * @default - none when the load balancer is an NLB
   */
  public readonly applicationLoadBalancer?: elbv2.ApplicationLoadBalancer;
  /**
   * The library's Network Load Balancer.
   * @default - none when the load balancer is an ALB
   */
  public readonly networkLoadBalancer?: TieredNetworkLoadBalancer;
  /** The load balancer's connections (its security group). */
  public readonly loadBalancerConnections: ec2.Connections;
  /** The listener that forwards to the service (ALB: HTTPS 443 with a certificate, HTTP 80 without; NLB: the TCP/TLS listener). */
  public readonly listener: elbv2.BaseListener;
  /** The target group ECS registers the tasks in (instance id + host port). */
  public readonly targetGroup: elbv2.TargetGroupBase;
  /**
   * The load balancer's access log bucket.
   * @default - none when access logs are off
   */
  public readonly accessLogBucket?: s3.IBucket;
  /** The container log group. */
  public readonly logGroup: logs.LogGroup;
  /** The KMS key that encrypts the container log group. */
  public readonly logEncryptionKey: kms.IKey;
  /** The dynamic host port range, as written into `ECS_DYNAMIC_HOST_PORT_RANGE`. */
  public readonly dynamicHostPortRange: ec2.Port;
  /** The host ports the load balancer reaches the tasks on: the dynamic range, or the fixed `hostPort`. */
  public readonly trafficPorts: ec2.Port;
  /** The container instances' connections (the instance security group). */
  public readonly connections: ec2.Connections;

  private readonly built: BuiltLoadBalancer;
  private readonly net: ITieredVpc;

  constructor(scope: Construct, id: string, props: EcsDynamicPortServiceProps) {
    super(scope, id);
    const resolved = validateBaseProps(this, props, ecs.NetworkMode.BRIDGE, 'EcsFargateService');
    const range = props.dynamicHostPortRange ?? ec2.Port.tcpRange(DEFAULT_RANGE_FROM, DEFAULT_RANGE_TO);
    const { from, to } = this.validateRange(range);
    const hostPort = props.hostPort ?? 0;
    const minInstances = props.minInstances ?? 2;
    const maxInstances = props.maxInstances ?? 4;
    this.validateCapacity(props, hostPort, from, to, minInstances, maxInstances, resolved.desiredCount, resolved.maxHealthyPercent);
    this.dynamicHostPortRange = range;
    this.trafficPorts = hostPort === 0 ? range : ec2.Port.tcp(hostPort);
    const net: ITieredVpc = this.net = props.network;

    // Capacity: ECS-optimized AL2023 instances in the app tier, reached only through the flows below.
    this.instanceSecurityGroup = new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
      vpc: net.vpc,
      allowAllOutbound: false,
      description: `ECS container instances of ${this.node.path}: the load balancer on the host ports, nothing else`,
    });
    this.connections = this.instanceSecurityGroup.connections;
    // The ECS agent's permissions (written by ecs.Cluster) land in a customer managed policy, not an inline one.
    this.instanceRole = new ManagedPolicyRole(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `ECS container instances of ${this.node.path}`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    Validations.of(this.instanceRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      reason: 'Session Manager replaces SSH (no key pair, no port 22); AmazonSSMManagedInstanceCore is ' +
        'the policy AWS maintains for the SSM agent, tracking the agent\'s API calls as they change.',
    });
    const userData = ec2.UserData.forLinux();
    // The single source of truth for the host ports; the ECS cluster appends ECS_CLUSTER to the same file.
    userData.addCommands(`echo ECS_DYNAMIC_HOST_PORT_RANGE=${from}-${to} >> /etc/ecs/ecs.config`);
    this.launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(),
      instanceType: props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.SMALL),
      userData,
      role: this.instanceRole,
      securityGroup: this.instanceSecurityGroup,
      requireImdsv2: true,
      detailedMonitoring: true,
      blockDevices: [{
        deviceName: '/dev/xvda',
        volume: ec2.BlockDeviceVolume.ebs(30, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }),
      }],
    });
    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Instances', {
      vpc: net.vpc,
      vpcSubnets: net.tierSubnets(Tier.APP),
      launchTemplate: this.launchTemplate,
      minCapacity: minInstances,
      maxCapacity: maxInstances,
      notifications: props.scalingNotificationsTopic ? [{ topic: props.scalingNotificationsTopic }] : undefined,
    });
    if (!props.scalingNotificationsTopic) {
      Validations.of(this.autoScalingGroup).acknowledge({
        id: 'AwsSolutions-AS3',
        reason: 'The ECS capacity provider\'s managed scaling owns this group\'s size and ECS reports every scaling decision ' +
          'in the cluster and service events; pass scalingNotificationsTopic to be notified of launches and terminations too.',
      });
    }

    this.cluster = createCluster(this, net, props.cluster);
    this.capacityProvider = new ecs.AsgCapacityProvider(this, 'CapacityProvider', {
      autoScalingGroup: this.autoScalingGroup,
      enableManagedScaling: true,
      enableManagedTerminationProtection: props.managedTerminationProtection ?? true,
      targetCapacityPercent: props.targetCapacityPercent ?? 100,
    });
    this.cluster.addAsgCapacityProvider(this.capacityProvider);
    // As cluster.addAutoScalingGroup does: bridge-mode services on this cluster share the instances' network interfaces.
    this.cluster.connections.addSecurityGroup(this.instanceSecurityGroup);
    Validations.of(this.instanceRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Written by aws-cdk-lib\'s ecs.Cluster for the ECS agent: ecs:DiscoverPollEndpoint and ecr:GetAuthorizationToken ' +
        'support no resource-level permissions, ecs:Poll and ecs:StartTelemetrySession are conditioned on this cluster\'s ARN, ' +
        'and the agent creates log streams for log groups named only at task launch.',
    });
    Validations.of(this.instanceRole).acknowledge({
      id: 'AwsSolutions-IAM5[Action::ecs:Submit*]',
      reason: 'Written by aws-cdk-lib\'s ecs.Cluster for the ECS agent and scoped to this cluster\'s ARN: ecs:Submit* are the ' +
        'agent\'s task, container and attachment state reports.',
    });

    // The task: bridge mode, the container port mapped to a dynamic host port.
    this.taskDefinition = new ecs.Ec2TaskDefinition(this, 'TaskDefinition', { networkMode: ecs.NetworkMode.BRIDGE, ...createTaskRoles(this) });
    const logging = createLogGroup(this, props);
    this.logGroup = logging.logGroup;
    this.logEncryptionKey = logging.key;
    this.container = this.taskDefinition.addContainer(CONTAINER_NAME, {
      image: props.image,
      command: props.command,
      environment: props.environment,
      cpu: resolved.cpu,
      memoryLimitMiB: resolved.memoryLimitMiB,
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: CONTAINER_NAME }),
      portMappings: [{ containerPort: props.containerPort, hostPort, protocol: ecs.Protocol.TCP }],
    });

    this.service = new ecs.Ec2Service(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: resolved.desiredCount,
      minHealthyPercent: resolved.minHealthyPercent,
      maxHealthyPercent: resolved.maxHealthyPercent,
      circuitBreaker: { enable: true, rollback: true },
      capacityProviderStrategies: [{ capacityProvider: this.capacityProvider.capacityProviderName, weight: 1 }],
      placementStrategies: [
        ecs.PlacementStrategy.spreadAcross(ecs.BuiltInAttributes.AVAILABILITY_ZONE),
        ecs.PlacementStrategy.packedByMemory(),
      ],
    });

    // The load balancer, and the flow load balancer -> instances on the host ports: the same value as the agent's range.
    const built = this.built = buildLoadBalancer(this, net, resolved, {
      service: this.service,
      containerPort: props.containerPort,
      targetType: elbv2.TargetType.INSTANCE,
      connectable: this.autoScalingGroup,
      trafficPorts: this.trafficPorts,
      trafficDescription: hostPort === 0
        ? `the ECS dynamic host port range ${from}-${to} (ECS_DYNAMIC_HOST_PORT_RANGE)`
        : `the fixed host port ${hostPort}`,
    });
    this.loadBalancer = built.loadBalancer;
    this.applicationLoadBalancer = built.applicationLoadBalancer;
    this.networkLoadBalancer = built.networkLoadBalancer;
    this.loadBalancerConnections = built.connections;
    this.listener = built.listener;
    this.targetGroup = built.targetGroup;
    this.accessLogBucket = built.accessLogBucket;
    declareEgress(net, this.autoScalingGroup, this.autoScalingGroup.node.path, props.allowInterfaceEndpoints);
  }

  private validateRange(range: ec2.Port): { from: number; to: number } {
    const prop = 'dynamicHostPortRange';
    const problem = portProblem(range);
    if (problem) {
      throw propError(this, prop, range.toString(), problem, 'Give ec2.Port.tcpRange(from, to) with concrete ports, e.g. ec2.Port.tcpRange(32768, 51677).');
    }
    const spec = toPortSpec(range);
    if (spec.protocol !== 'tcp') {
      throw propError(this, prop, describePort(spec), 'must be a TCP range (the load balancer reaches the tasks over TCP)',
        'Give ec2.Port.tcpRange(from, to), e.g. ec2.Port.tcpRange(32768, 51677).');
    }
    if (spec.from < 1024 || spec.to > 65535) {
      throw propError(this, prop, describePort(spec), 'must lie within 1024-65535 (ports below 1024 are well-known ports, never handed out dynamically)',
        'Give a range inside 1024-65535, e.g. ec2.Port.tcpRange(32768, 51677).');
    }
    const reserved = ECS_RESERVED_HOST_PORTS.filter((p) => spec.from <= p && p <= spec.to);
    if (reserved.length > 0) {
      throw propError(this, prop, describePort(spec),
        `includes ECS's reserved host ports ${reserved.join(', ')} (SSH 22, Docker 2375/2376, ECS agent 51678-51680), which the load balancer must never reach`,
        'Give a range that avoids them, e.g. ec2.Port.tcpRange(32768, 51677) or ec2.Port.tcpRange(51681, 60999).');
    }
    return { from: spec.from, to: spec.to };
  }

  private validateCapacity(props: EcsDynamicPortServiceProps, hostPort: number, from: number, to: number,
    minInstances: number, maxInstances: number, desiredCount: number, maxHealthyPercent: number): void {
    const concrete = (v: number) => !Token.isUnresolved(v);
    if (concrete(minInstances) && (!Number.isInteger(minInstances) || minInstances < 0)) {
      throw propError(this, 'minInstances', minInstances, 'must be a whole number of at least 0', 'Give e.g. 2 (one instance per AZ in two AZs).');
    }
    if (concrete(maxInstances) && (!Number.isInteger(maxInstances) || maxInstances < 1)) {
      throw propError(this, 'maxInstances', maxInstances, 'must be a whole number of at least 1', 'Give e.g. 4.');
    }
    if (concrete(minInstances) && concrete(maxInstances) && minInstances > maxInstances) {
      throw propError(this, 'minInstances', minInstances, `must not exceed maxInstances (${maxInstances})`, 'Raise maxInstances or lower minInstances.');
    }
    const target = props.targetCapacityPercent;
    if (target !== undefined && concrete(target) && (!Number.isInteger(target) || target < 1 || target > 100)) {
      throw propError(this, 'targetCapacityPercent', target, 'must be an integer between 1 and 100',
        'Give the utilization managed scaling aims for; 100 scales out only when tasks can\'t be placed.');
    }
    if (!concrete(hostPort)) return;
    if (!Number.isInteger(hostPort) || hostPort < 0 || hostPort > 65535) {
      throw propError(this, 'hostPort', hostPort, 'must be 0 (dynamic) or a port between 1 and 65535',
        'Omit hostPort to map dynamic host ports from dynamicHostPortRange.');
    }
    if (hostPort === 0) {
      // Each task takes one host port of the range on its instance; at the peak of a deployment,
      // with every task on one instance (one instance running, or all others full), they all need one.
      if (concrete(desiredCount) && concrete(maxHealthyPercent)) {
        const peak = Math.ceil(desiredCount * maxHealthyPercent / 100);
        const size = to - from + 1;
        if (size < peak) {
          throw propError(this, 'dynamicHostPortRange', `tcp ${from}-${to}`,
            `holds ${size} host port${size === 1 ? '' : 's'}, fewer than the ${peak} tasks it may have to place on one instance ` +
            `(desiredCount ${desiredCount}, up to ${maxHealthyPercent}% during deployments): ECS would leave the others pending`,
            `Widen the range to at least ${peak} ports, e.g. ec2.Port.tcpRange(32768, 51677). ` +
            'See https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-config.html (ECS_DYNAMIC_HOST_PORT_RANGE).',
            ErrorCode.ECS_DYNAMIC_RANGE_TOO_SMALL);
        }
      }
      return;
    }
    if (ECS_RESERVED_HOST_PORTS.includes(hostPort)) {
      throw propError(this, 'hostPort', hostPort, 'is one of ECS\'s reserved host ports (22, 2375, 2376, 51678-51680)',
        'Omit hostPort to map dynamic host ports, or pick another port.');
    }
    if (from <= hostPort && hostPort <= to) {
      throw propError(this, 'hostPort', hostPort, `lies inside dynamicHostPortRange ${from}-${to}, whose ports ECS hands out to other tasks`,
        'Omit hostPort to map dynamic host ports, or pick a port outside the range (ECS API reference: PortMapping.hostPort).');
    }
    if (concrete(desiredCount) && concrete(maxHealthyPercent) && concrete(maxInstances)) {
      const peak = Math.ceil(desiredCount * maxHealthyPercent / 100);
      if (peak > maxInstances) {
        throw propError(this, 'hostPort', hostPort,
          `is fixed, so each instance runs at most one task, but desiredCount ${desiredCount} needs up to ${peak} tasks at once ` +
          `(maxHealthyPercent ${maxHealthyPercent} during deployments) and maxInstances is ${maxInstances}`,
          'Omit hostPort (or 0) to map each task to a dynamic host port so that many tasks share an instance ' +
          'or raise maxInstances.');
      }
    }
  }

  /**
   * Admits a workload of the tiered VPC to the load balancer's listener ports, as declared flows
   * (security group referencing security group, and the NACL entries of both tiers). This is how
   * clients inside the VPC reach an internal load balancer.
   * @param client the client workload (its security groups)
   * @param tier the tier the client runs in
   * @param options the client's ephemeral range (for the NACL return entries) and a name for the flows
   */
  public allowLoadBalancerClient(client: ec2.IConnectable, tier: Tier, options: ClientOptions = {}): void {
    allowLoadBalancerFrom(this.net, this.built, client, tier, options);
  }
}
