import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import {
  bindAutoScalingGroup, bindCustom, bindEcsService, bindInstances, bindIpAddresses, BoundTargets, ResolvedTargets,
} from './private/resolve-targets';
import { Tier } from '../network/tier';
import { ITieredVpc } from '../network/tiered-vpc';

/** Options shared by every kind of `NlbTarget`. */
export interface NlbTargetOptions {
  /**
   * The tier the targets run in; the flows' NACL entries name this tier.
   *
   * When the targets' subnets can be read from the template (auto scaling groups, instances and
   * `awsvpc` ECS services created in this app; IP addresses), the tier is derived from them and
   * a different value here is an error: a wrong tier would compile NACL entries for subnets the
   * traffic never crosses.
   * @default - derived from the targets' subnets or addresses; `Tier.APP` when they can't be read
   */
  readonly tier?: Tier;
}

/** Options of an ECS service target. */
export interface EcsServiceTargetOptions extends NlbTargetOptions {
  /**
   * The container that receives the traffic.
   * @default - the task definition's default (first essential) container
   */
  readonly containerName?: string;
  /**
   * The container port that receives the traffic.
   * @default - the container's first port mapping
   */
  readonly containerPort?: number;
  /**
   * The security groups the traffic must be admitted by.
   * For `bridge` and `host` tasks, which share their container instance's network interface,
   * pass the container instances' auto scaling group: `cluster.addAsgCapacityProvider` doesn't
   * add its security groups to the cluster's connections.
   * @default - the service itself for `awsvpc` tasks (each task's ENI carries the service's
   * security groups); for `bridge` and `host` tasks the cluster's connections (filled only by the
   * older `cluster.addCapacity`/`addAutoScalingGroup`; an error when empty)
   */
  readonly connectable?: ec2.IConnectable;
  /**
   * The ports the tasks receive traffic on, for the flows, when the default is not right: e.g.
   * the range an ECS agent is pinned to with `ECS_DYNAMIC_HOST_PORT_RANGE`.
   * @default - from the container's port mapping: the host port when fixed, the container port
   * for `awsvpc`; required for `bridge` mode dynamic host ports (the range the agent is pinned to)
   */
  readonly trafficPort?: ec2.Port;
}

/** Options of IP address targets. */
export interface IpTargetsOptions extends NlbTargetOptions {
  /**
   * The security groups of the network interfaces that own the addresses, when you know them:
   * the flows then admit the load balancer by security group reference (SG referencing SG).
   *
   * Without it the construct can't touch the targets' own security groups (an IP target has
   * none that the load balancer knows of): the load balancer's security group then reaches
   * exactly these addresses (/32 egress rules), the tier NACLs carry the flows, and a
   * `cdk-network-patterns:nlbIpTargetsUnmanaged` warning reminds you that the targets' security
   * groups must admit the load balancer's security group yourself.
   * @default - none: /32 egress rules on the load balancer's security group, and a warning
   */
  readonly connectable?: ec2.IConnectable;
}

/** Options of a target of any kind you register yourself. */
export interface CustomNlbTargetOptions extends NlbTargetOptions {
  /** The security groups that must admit the load balancer (the targets' `IConnectable`). */
  readonly connectable: ec2.IConnectable;
  /**
   * How the target group registers the target.
   * @default elbv2.TargetType.INSTANCE
   */
  readonly targetType?: elbv2.TargetType;
  /**
   * The ports the targets actually receive traffic on, when they differ from the listener's
   * target port (e.g. the 32768-65535 range of ECS dynamic host ports). The flows open these.
   * @default - the listener's target port
   */
  readonly trafficPort?: ec2.Port;
}

/** What kind of targets an `NlbTarget` stands for. */
export enum NlbTargetKind {
  /** An EC2 auto scaling group. */
  AUTO_SCALING_GROUP = 'auto scaling group',
  /** EC2 instances. */
  INSTANCES = 'instances',
  /** An ECS service. */
  ECS_SERVICE = 'ECS service',
  /** IP addresses inside the VPC. */
  IP_ADDRESSES = 'IP addresses',
  /** Any `INetworkLoadBalancerTarget`. */
  CUSTOM = 'custom target',
}

/**
 * A set of targets behind a `TieredNetworkLoadBalancer` listener, with what the flow model needs
 * to know about them: the security groups that must admit the load balancer (their
 * `IConnectable`), the tier they run in, and how the target group registers them.
 *
 * | factory | registered as | security groups the flows use |
 * | --- | --- | --- |
 * | `autoScalingGroup(asg)` | instance | the group's |
 * | `instances([...])` | instance | each instance's |
 * | `ecsService(service)` | ip (`awsvpc`) or instance (`bridge`, `host`) | the service's (`awsvpc`) or the cluster capacity's |
 * | `ipAddresses([...])` | ip | `connectable` if given, else none: /32 egress from the load balancer |
 * | `custom(target, {connectable})` | as given | `connectable` |
 *
 * @example
 * nlb.addListener('Kafka', { port: 9092, targets: [NlbTarget.autoScalingGroup(brokers)] });
 */
export class NlbTarget {
  /**
   * The instances of an auto scaling group (registered by the group itself as they launch).
   */
  public static autoScalingGroup(group: autoscaling.AutoScalingGroup, options: NlbTargetOptions = {}): NlbTarget {
    return new NlbTarget(NlbTargetKind.AUTO_SCALING_GROUP, options,
      (scope, net, where) => bindAutoScalingGroup(scope, net, group, options.tier, where));
  }

  /** EC2 instances, registered by instance id. */
  public static instances(instances: ec2.Instance[], options: NlbTargetOptions = {}): NlbTarget {
    const list = [...instances];
    return new NlbTarget(NlbTargetKind.INSTANCES, options, (scope, net, where) => bindInstances(scope, net, list, options.tier, where));
  }

  /**
   * An ECS service: `awsvpc` tasks are registered by IP (each task has its own ENI), `bridge`
   * and `host` tasks by container instance and host port (see https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html). With `bridge` mode and a dynamic host port (hostPort 0), give `trafficPort`: the
   * range the ECS agent is pinned to (`EcsDynamicPortService` pins it and opens exactly it).
   */
  public static ecsService(service: ecs.BaseService, options: EcsServiceTargetOptions = {}): NlbTarget {
    return new NlbTarget(NlbTargetKind.ECS_SERVICE, options, (scope, net, where) => bindEcsService(scope, net, service, options, where));
  }

  /**
   * IP addresses inside the VPC (e.g. ENIs of a service the construct can't see). The tier is
   * derived from the addresses; addresses outside the VPC CIDR are refused.
   */
  public static ipAddresses(addresses: string[], options: IpTargetsOptions = {}): NlbTarget {
    const list = [...addresses];
    return new NlbTarget(NlbTargetKind.IP_ADDRESSES, options,
      (scope, net, where) => bindIpAddresses(scope, net, list, options.connectable, options.tier, where));
  }

  /** Any `INetworkLoadBalancerTarget`, with the security groups that must admit the load balancer. */
  public static custom(target: elbv2.INetworkLoadBalancerTarget, options: CustomNlbTargetOptions): NlbTarget {
    return new NlbTarget(NlbTargetKind.CUSTOM, options, (scope, net, where) => bindCustom(scope, net, target, options.connectable, options, where));
  }

  private constructor(
    /** What kind of targets these are. */
    public readonly kind: NlbTargetKind,
    /** The options given. */
    public readonly options: NlbTargetOptions,
    private readonly binder: (scope: Construct, net: ITieredVpc, where: string) => BoundTargets,
  ) {}

  /**
   * Binds the targets to a listener's VPC: the elbv2 targets, the security groups that admit the
   * load balancer and their tiers, checked against the VPC (`where` names the targets in messages).
   * @internal
   */
  public _bind(scope: Construct, net: ITieredVpc, where: string): ResolvedTargets {
    return { kind: this.kind, ...this.binder(scope, net, where) };
  }
}
