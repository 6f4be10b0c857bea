import { Annotations, Stack, Token, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { EcsServiceBase } from './ecs-service-base';
import { EcsServiceBaseProps } from './ecs-service-props';
import { createCluster, createTaskRoles, validateBaseProps } from './private/service-wiring';
import { Tier } from '../network/tier';
import { ITieredVpc } from '../network/tiered-vpc';
import { acknowledgeControlTower, ManagedPolicyRole } from '../private/compliance';
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
  /**
   * Existing EC2 capacity to run the tasks on, instead of instances of the service's own: an
   * auto scaling group capacity provider that the platform team created and added to `cluster`
   * (`cluster.addAsgCapacityProvider(provider)`; a capacity provider must be associated with a
   * cluster before a service can use it). Its auto scaling group must run in the app tier of
   * `vpc`, from a launch template whose security group and user data the construct can read.
   *
   * The dynamic host port range stays one value: the construct writes `dynamicHostPortRange`
   * into the group's user data (`ECS_DYNAMIC_HOST_PORT_RANGE`) unless it is already there, and
   * declares the flows load balancer -> group's security group on it, so the security group rule
   * and the public and app tiers' NACL entries cover instances the construct doesn't create.
   * The service must be in the stack of the group's security group (the rule admitting the load
   * balancer lives there and references the load balancer's group; across stacks that is a
   * dependency cycle, refused at synth). Every service sharing the group must use the same range
   * (a different one is refused), and
   * the instance settings (`instanceType`, `minInstances`, `maxInstances`,
   * `targetCapacityPercent`, `managedTerminationProtection`, `scalingNotificationsTopic`) belong
   * to the group's owner: they are refused here.
   *
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/asg-capacity-providers.html
   * @see https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PutClusterCapacityProviders.html
   * @default - the service creates its own launch template, auto scaling group and capacity provider
   */
  readonly capacityProvider?: ecs.AsgCapacityProvider;
}

/** The props that size or configure instances the construct creates: refused with existing capacity. */
const OWN_CAPACITY_PROPS = [
  'instanceType', 'minInstances', 'maxInstances', 'targetCapacityPercent', 'managedTerminationProtection', 'scalingNotificationsTopic',
] as const;

/** `ECS_DYNAMIC_HOST_PORT_RANGE=from-to` as written in user data. */
const RANGE_LINE = /ECS_DYNAMIC_HOST_PORT_RANGE=(\d+)-(\d+)/g;

/** The capacity the tasks run on, created by the construct or given. */
interface Capacity {
  readonly cluster: ecs.Cluster;
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  readonly capacityProvider: ecs.AsgCapacityProvider;
  readonly connections: ec2.Connections;
  readonly instanceSecurityGroup: ec2.ISecurityGroup;
  readonly instanceRole: iam.IRole;
  readonly launchTemplate?: ec2.LaunchTemplate;
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
 * scaling and managed termination protection. Or existing capacity (`capacityProvider`): a
 * platform team's auto scaling group capacity provider in the app tier, already added to
 * `cluster`; the construct then pins the same range in that group's user data and declares the
 * same flows to that group's security groups, and refuses a capacity provider its cluster doesn't
 * have, a group outside the app tier, or a range other than the one the group already has.
 * Deployments: circuit breaker with rollback, min and max healthy percent explicit, tasks spread
 * across AZs and packed by memory.
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
export class EcsDynamicPortService extends EcsServiceBase {
  /** The bridge-mode task definition. */
  public readonly taskDefinition: ecs.Ec2TaskDefinition;
  /** The ECS service. */
  public readonly service: ecs.Ec2Service;
  /**
   * The container instances' launch template.
   * @default - none when the capacity is given (`capacityProvider`)
   */
  public readonly launchTemplate?: ec2.LaunchTemplate;
  /** The container instances: the service's own, or the given capacity provider's group. */
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  /** The capacity provider the service places its tasks with: the service's own, or the given one. */
  public readonly capacityProvider: ecs.AsgCapacityProvider;
  /**
   * The container instances' security group: admits the load balancer on the host ports only.
   * With `capacityProvider`, the first security group of the given auto scaling group (the flows
   * use all of them: `connections`).
   */
  public readonly instanceSecurityGroup: ec2.ISecurityGroup;
  /** The container instances' role: the service's own, or the given auto scaling group's. */
  public readonly instanceRole: iam.IRole;
  /** The dynamic host port range, as written into `ECS_DYNAMIC_HOST_PORT_RANGE`. */
  public readonly dynamicHostPortRange: ec2.Port;

  constructor(scope: Construct, id: string, props: EcsDynamicPortServiceProps) {
    super(scope, id, props);
    const resolved = validateBaseProps(this, props, ecs.NetworkMode.BRIDGE, 'EcsFargateService');
    const range = props.dynamicHostPortRange ?? ec2.Port.tcpRange(DEFAULT_RANGE_FROM, DEFAULT_RANGE_TO);
    const { from, to } = this.validateRange(range);
    const hostPort = props.hostPort ?? 0;
    const existing = props.capacityProvider;
    const minInstances = props.minInstances ?? 2;
    const maxInstances = existing ? maxSizeOf(existing.autoScalingGroup) : (props.maxInstances ?? 4);
    if (existing) this.validateExistingCapacityProps(props);
    this.validateCapacity(props, hostPort, from, to, minInstances, maxInstances, resolved.desiredCount, resolved.maxHealthyPercent);
    this.dynamicHostPortRange = range;
    const trafficPorts = hostPort === 0 ? range : ec2.Port.tcp(hostPort);
    const net: ITieredVpc = props.network;

    const capacity = existing
      ? this.useCapacity(props, net, existing, from, to)
      : this.createCapacity(props, net, from, to, minInstances, maxInstances!);
    const cluster = capacity.cluster;
    this.autoScalingGroup = capacity.autoScalingGroup;
    this.capacityProvider = capacity.capacityProvider;
    this.instanceSecurityGroup = capacity.instanceSecurityGroup;
    this.instanceRole = capacity.instanceRole;
    this.launchTemplate = capacity.launchTemplate;

    // The task: bridge mode, the container port mapped to a dynamic host port.
    this.taskDefinition = new ecs.Ec2TaskDefinition(this, 'TaskDefinition', { networkMode: ecs.NetworkMode.BRIDGE, ...createTaskRoles(this) });
    acknowledgeControlTower(this.taskDefinition, 'CT.ECS.PR.4', 'ecs_awsvpc_networking_enabled_check',
      'Bridge mode is what this construct is for: many copies of a container share an instance, each on its own dynamic host ' +
      'port, with the instances\' security group admitting the load balancer on the dynamic port range only. With awsvpc every task ' +
      'would need its own network interface (EcsFargateService is that choice). ' +
      'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-bridge.html');
    const container = this._addAppContainer(this.taskDefinition, props, { cpu: resolved.cpu, memoryLimitMiB: resolved.memoryLimitMiB, hostPort });

    this.service = new ecs.Ec2Service(this, 'Service', {
      cluster,
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
    this._wireLoadBalancer(resolved, props, {
      cluster,
      container,
      connections: capacity.connections,
      targets: {
        service: this.service,
        containerPort: props.containerPort,
        targetType: elbv2.TargetType.INSTANCE,
        connectable: this.autoScalingGroup,
        trafficPorts,
        trafficDescription: hostPort === 0
          ? `the ECS dynamic host port range ${from}-${to} (ECS_DYNAMIC_HOST_PORT_RANGE)`
          : `the fixed host port ${hostPort}`,
      },
      egress: this.autoScalingGroup,
    });
  }

  /** The service's own capacity: ECS-optimized AL2023 instances in the app tier, reached only through the declared flows. */
  private createCapacity(props: EcsDynamicPortServiceProps, net: ITieredVpc, from: number, to: number,
    minInstances: number, maxInstances: number): Capacity {
    const instanceSecurityGroup = new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
      vpc: net.vpc,
      allowAllOutbound: false,
      description: `ECS container instances of ${this.node.path}: the load balancer on the host ports, nothing else`,
    });
    // The ECS agent's permissions (written by ecs.Cluster) land in a customer managed policy, not an inline one.
    const instanceRole = new ManagedPolicyRole(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `ECS container instances of ${this.node.path}`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    Validations.of(instanceRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      reason: 'Session Manager replaces SSH (no key pair, no port 22); AmazonSSMManagedInstanceCore is ' +
        'the policy AWS maintains for the SSM agent, tracking the agent\'s API calls as they change.',
    });
    const userData = ec2.UserData.forLinux();
    // The single source of truth for the host ports; the ECS cluster appends ECS_CLUSTER to the same file.
    userData.addCommands(`echo ECS_DYNAMIC_HOST_PORT_RANGE=${from}-${to} >> /etc/ecs/ecs.config`);
    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(),
      instanceType: props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.SMALL),
      userData,
      role: instanceRole,
      securityGroup: instanceSecurityGroup,
      requireImdsv2: true,
      detailedMonitoring: true,
      blockDevices: [{
        deviceName: '/dev/xvda',
        volume: ec2.BlockDeviceVolume.ebs(30, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }),
      }],
    });
    const autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Instances', {
      vpc: net.vpc,
      vpcSubnets: net.tierSubnets(Tier.APP),
      launchTemplate: launchTemplate,
      minCapacity: minInstances,
      maxCapacity: maxInstances,
      notifications: props.scalingNotificationsTopic ? [{ topic: props.scalingNotificationsTopic }] : undefined,
    });
    acknowledgeControlTower(autoScalingGroup, 'CT.AUTOSCALING.PR.1', 'autoscaling_multiple_az_check',
      'The group spans every AZ of the VPC: it launches into the app tier\'s subnets, one per AZ (VPCZoneIdentifier). The control ' +
      'reads only the AvailabilityZones property, which a group in a VPC does not need. ' +
      'https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-add-az-console.html');
    acknowledgeControlTower(autoScalingGroup, 'CT.AUTOSCALING.PR.6', 'autoscaling_mixed_instances_policy_multiple_instance_types_check',
      'The container instances are of the one instanceType the service is sized for (task CPU and memory are packed onto it); ' +
      'several types are a capacity and cost choice for the account. Use the `autoScalingGroup` to add a mixed instances policy. ' +
      'https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-mixed-instances-groups.html');
    if (!props.scalingNotificationsTopic) {
      Validations.of(autoScalingGroup).acknowledge({
        id: 'AwsSolutions-AS3',
        reason: 'The ECS capacity provider\'s managed scaling owns this group\'s size and ECS reports every scaling decision ' +
          'in the cluster and service events; pass scalingNotificationsTopic to be notified of launches and terminations too.',
      });
    }

    const cluster = createCluster(this, net, props.cluster);
    const capacityProvider = new ecs.AsgCapacityProvider(this, 'CapacityProvider', {
      autoScalingGroup: autoScalingGroup,
      enableManagedScaling: true,
      enableManagedTerminationProtection: props.managedTerminationProtection ?? true,
      targetCapacityPercent: props.targetCapacityPercent ?? 100,
    });
    cluster.addAsgCapacityProvider(capacityProvider);
    // As cluster.addAutoScalingGroup does: bridge-mode services on this cluster share the instances' network interfaces.
    cluster.connections.addSecurityGroup(instanceSecurityGroup);
    Validations.of(instanceRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Written by aws-cdk-lib\'s ecs.Cluster for the ECS agent: ecs:DiscoverPollEndpoint and ecr:GetAuthorizationToken ' +
        'support no resource-level permissions, ecs:Poll and ecs:StartTelemetrySession are conditioned on this cluster\'s ARN, ' +
        'and the agent creates log streams for log groups named only at task launch.',
    });
    Validations.of(instanceRole).acknowledge({
      id: 'AwsSolutions-IAM5[Action::ecs:Submit*]',
      reason: 'Written by aws-cdk-lib\'s ecs.Cluster for the ECS agent and scoped to this cluster\'s ARN: ecs:Submit* are the ' +
        'agent\'s task, container and attachment state reports.',
    });
    return {
      cluster,
      autoScalingGroup,
      capacityProvider,
      instanceSecurityGroup,
      instanceRole,
      launchTemplate,
      connections: instanceSecurityGroup.connections,
    };
  }

  /** The instance settings belong to the owner of existing capacity: refused rather than silently ignored. */
  private validateExistingCapacityProps(props: EcsDynamicPortServiceProps): void {
    for (const prop of OWN_CAPACITY_PROPS) {
      const value = props[prop];
      if (value !== undefined) {
        throw propError(this, prop, value instanceof Construct ? value.node.path : String(value),
          'configures instances the service creates, but capacityProvider gives existing capacity: the setting would be ignored',
          `Set it on the auto scaling group or capacity provider where they are created (${props.capacityProvider!.node.path}), or omit capacityProvider to let the service create its own instances.`);
      }
    }
  }

  /**
   * Existing capacity: a capacity provider of the given cluster, whose auto scaling group runs in
   * the app tier, with the dynamic host port range pinned in its user data.
   */
  private useCapacity(props: EcsDynamicPortServiceProps, net: ITieredVpc, provider: ecs.AsgCapacityProvider, from: number, to: number): Capacity {
    const prop = 'capacityProvider';
    if (!props.cluster) {
      throw propError(this, 'cluster', undefined, `is required with capacityProvider (${provider.node.path}): a capacity provider serves the one cluster it is associated with`,
        'Pass the cluster the capacity provider was added to (cluster.addAsgCapacityProvider(provider)). ' +
        'See https://docs.aws.amazon.com/AmazonECS/latest/developerguide/asg-capacity-providers.html');
    }
    const cluster = createCluster(this, net, props.cluster);
    if (!cluster.capacityProviderNames.includes(provider.capacityProviderName)) {
      const names = cluster.capacityProviderNames.length;
      throw propError(this, prop, provider.node.path,
        `is not associated with the cluster ${cluster.node.path} (which has ${names === 0 ? 'no capacity provider' : `${names} other capacity provider${names === 1 ? '' : 's'}`}): ` +
        'ECS refuses a service whose capacity provider strategy names a capacity provider its cluster doesn\'t have',
        'Add it to the cluster where both are created: cluster.addAsgCapacityProvider(provider). See https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PutClusterCapacityProviders.html');
    }
    const group = provider.autoScalingGroup;
    this.checkAppTier(net, provider);
    let connections: ec2.Connections;
    try {
      connections = group.connections;
    } catch {
      throw propError(this, prop, group.node.path, 'has no security group the construct can read (its launch template is imported)',
        'Create the auto scaling group with a launch template that has a securityGroup (ec2.LaunchTemplate securityGroup), so the flows can admit the load balancer to it.');
    }
    if (connections.securityGroups.length === 0) {
      throw propError(this, prop, group.node.path, 'has no security group, so no flow can admit the load balancer to its instances',
        'Give its launch template a securityGroup (allowAllOutbound: false), so the declared flows write its only rules.');
    }
    const here = Stack.of(this);
    const elsewhere = connections.securityGroups.find((sg) => Stack.of(sg) !== here);
    if (elsewhere) {
      throw propError(this, prop, provider.node.path,
        `has its instances' security group ${elsewhere.node.path} in the stack ${Stack.of(elsewhere).stackName}, but this service is in ${here.stackName}: ` +
        'the rule that admits the load balancer is written with that security group (in its stack) and references the load balancer\'s, ' +
        'while the service references the cluster and the capacity provider, so each stack would depend on the other',
        `Create the service in ${Stack.of(elsewhere).stackName}, the stack of its capacity, or omit capacityProvider to give the service instances of its own in ${here.stackName}.`);
    }
    const open = connections.securityGroups.filter((sg) => sg instanceof ec2.SecurityGroup && sg.allowAllOutbound);
    if (open.length > 0) {
      Annotations.of(this).addWarningV2('cdk-network-patterns:ecsCapacityAllOutbound',
        `The container instances' security group ${open[0].node.path} allows all outbound traffic (aws-cdk-lib's default), which no declared flow covers: ` +
        'create it with allowAllOutbound: false and let the declared flows (HTTPS to the internet through the NAT gateway, the interface endpoints) write its egress rules.');
    }
    this.pinHostPortRange(group, from, to);
    return {
      cluster,
      autoScalingGroup: group,
      capacityProvider: provider,
      connections,
      instanceSecurityGroup: connections.securityGroups[0],
      instanceRole: group.role,
    };
  }

  /** Refuses an auto scaling group whose subnets are not the tiered VPC's app tier: its NACL entries would name subnets the traffic never crosses. */
  private checkAppTier(net: ITieredVpc, provider: ecs.AsgCapacityProvider): void {
    const group = provider.autoScalingGroup;
    const stack = Stack.of(this);
    const cfn = group.node.defaultChild as autoscaling.CfnAutoScalingGroup;
    const subnets = stack.resolve(cfn.vpcZoneIdentifier);
    if (!Array.isArray(subnets) || subnets.length === 0) {
      Annotations.of(this).addWarningV2('cdk-network-patterns:ecsCapacityTierUnknown',
        `The subnets of ${group.node.path} can't be read at synth, so the construct can't confirm it runs in the app tier of ${net.node.path}, where the flows' NACL entries admit the load balancer. ` +
        'Create it with vpcSubnets: net.tierSubnets(Tier.APP).');
      return;
    }
    const appSubnets = new Set(net.selectTierSubnets(Tier.APP).subnetIds.map((id) => JSON.stringify(stack.resolve(id))));
    const outside = subnets.filter((id) => !appSubnets.has(JSON.stringify(id)));
    if (outside.length > 0) {
      throw propError(this, 'capacityProvider', provider.node.path,
        `has its auto scaling group ${group.node.path} in subnets outside the app tier of ${net.node.path} (${outside.length} of ${subnets.length}): ` +
        'the flows\' NACL entries admit the load balancer to the app tier only, so the tasks on those instances would be unreachable',
        'Create the auto scaling group in the app tier: vpc: net.vpc, vpcSubnets: net.tierSubnets(Tier.APP).');
    }
  }

  /**
   * Writes the range into the group's ECS agent configuration, once: a group already pinned to the
   * same range (by another service, or by its owner) is left as it is; another range is refused.
   */
  private pinHostPortRange(group: autoscaling.AutoScalingGroup, from: number, to: number): void {
    let userData: ec2.UserData;
    try {
      userData = group.userData;
    } catch {
      throw propError(this, 'capacityProvider', group.node.path, 'has user data the construct can\'t read, so it can\'t pin the ECS agent\'s dynamic host port range',
        'Create the auto scaling group from an ec2.LaunchTemplate with userData (e.g. ec2.UserData.forLinux()), so ECS_DYNAMIC_HOST_PORT_RANGE can be written into it. ' +
        'See https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-config.html');
    }
    const pinned = [...userData.render().matchAll(RANGE_LINE)].map((m) => `${m[1]}-${m[2]}`);
    const other = pinned.find((r) => r !== `${from}-${to}`);
    if (other) {
      throw propError(this, 'dynamicHostPortRange', `tcp ${from}-${to}`,
        `differs from the range ${other} already written into the ECS agent configuration of ${group.node.path}: the agent has one range per instance, so the flows would open ports the tasks don't use and miss the ones they do`,
        `Give dynamicHostPortRange: ec2.Port.tcpRange(${other.replace('-', ', ')}), the range of the shared instances.`);
    }
    if (pinned.length === 0) userData.addCommands(`echo ECS_DYNAMIC_HOST_PORT_RANGE=${from}-${to} >> /etc/ecs/ecs.config`);
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
    minInstances: number, maxInstances: number | undefined, desiredCount: number, maxHealthyPercent: number): void {
    const concrete = (v: number | undefined): v is number => v !== undefined && !Token.isUnresolved(v);
    if (concrete(minInstances) && (!Number.isInteger(minInstances) || minInstances < 0)) {
      throw propError(this, 'minInstances', minInstances, 'must be a whole number of at least 0', 'Give e.g. 2 (one instance per AZ in two AZs).');
    }
    if (!props.capacityProvider && concrete(maxInstances) && (!Number.isInteger(maxInstances) || maxInstances < 1)) {
      throw propError(this, 'maxInstances', maxInstances, 'must be a whole number of at least 1', 'Give e.g. 4.');
    }
    if (concrete(minInstances) && concrete(maxInstances) && minInstances > maxInstances && !props.capacityProvider) {
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
          `(maxHealthyPercent ${maxHealthyPercent} during deployments) and ${props.capacityProvider ? `the capacity provider's auto scaling group holds at most ${maxInstances} instances` : `maxInstances is ${maxInstances}`}`,
          'Omit hostPort (or 0) to map each task to a dynamic host port so that many tasks share an instance ' +
          (props.capacityProvider ? 'or raise the auto scaling group\'s maximum size.' : 'or raise maxInstances.'));
      }
    }
  }
}

/** The group's maximum size, when the template states it as a number. */
function maxSizeOf(group: autoscaling.AutoScalingGroup): number | undefined {
  const max = (group.node.defaultChild as autoscaling.CfnAutoScalingGroup).maxSize;
  if (Token.isUnresolved(max)) return undefined;
  const n = Number(max);
  return Number.isFinite(n) ? n : undefined;
}
