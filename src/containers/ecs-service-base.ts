import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EcsServiceBaseProps } from './ecs-service-props';
import {
  allowLoadBalancerFrom, BuiltLoadBalancer, buildLoadBalancer, CONTAINER_NAME, createLogGroup, declareEgress, ResolvedBaseProps, ServiceTargets,
} from './private/service-wiring';
import { TieredNetworkLoadBalancer } from '../load-balancing/tiered-network-load-balancer';
import { ClientOptions } from '../network/client-options';
import { Tier } from '../network/tier';
import { ITieredVpc } from '../network/tiered-vpc';
import { propError } from '../private/errors';

/** The container settings that differ between the launch types. */
interface AppContainerOptions {
  /** CPU units reserved for the container (EC2 launch type; Fargate sizes the task instead). */
  readonly cpu?: number;
  /** The container's hard memory limit (EC2 launch type). */
  readonly memoryLimitMiB?: number;
  /** The host port (bridge mode: 0 for dynamic mapping); none with awsvpc. */
  readonly hostPort?: number;
}

/** What a service made, once its load balancer is wired. */
interface ServiceParts {
  readonly cluster: ecs.Cluster;
  readonly container: ecs.ContainerDefinition;
  readonly logGroup: logs.LogGroup;
  readonly logEncryptionKey: kms.IKey;
  readonly trafficPorts: ec2.Port;
  readonly connections: ec2.Connections;
  readonly built: BuiltLoadBalancer;
}

/**
 * What `EcsDynamicPortService` (EC2 launch type, bridge mode) and `EcsFargateService` (Fargate,
 * awsvpc) have in common: a cluster, one application container logging to an encrypted log group,
 * a load balancer in front of the tasks, and the declared flows between them. Each subclass
 * creates its capacity, task definition and service; the attributes below mean the same in both.
 *
 * Not meant to be extended outside this library.
 *
 * @example
 * // Code that works with either service takes the base type: here, admit an app-tier
 * // workload to each service's internal load balancer.
 * declare const worker: ec2.IConnectable;
 * const services: EcsServiceBase[] = [
 *   new EcsFargateService(this, 'Web', {
 *     network: net,
 *     image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx'),
 *     containerPort: 8080,
 *     loadBalancer: ServiceLoadBalancer.alb({ internetFacing: false }),
 *   }),
 * ];
 * for (const s of services) {
 *   s.allowLoadBalancerClient(worker, Tier.APP);
 * }
 */
export abstract class EcsServiceBase extends Construct implements ec2.IConnectable {
  private readonly net: ITieredVpc;
  private parts?: ServiceParts;
  private logging?: { readonly logGroup: logs.LogGroup; readonly key: kms.IKey };

  protected constructor(scope: Construct, id: string, props: EcsServiceBaseProps) {
    super(scope, id);
    this.net = props.network;
  }

  /** The ECS cluster (Container Insights on when the construct creates it). */
  public get cluster(): ecs.Cluster { return this.wired().cluster; }
  /** The application container. */
  public get container(): ecs.ContainerDefinition { return this.wired().container; }
  /** The load balancer (an ALB or an NLB, after `loadBalancer`). */
  public get loadBalancer(): elbv2.BaseLoadBalancer { return this.wired().built.loadBalancer; }
  /**
   * The Application Load Balancer.
   * @default - none when the load balancer is an NLB
   */
  public get applicationLoadBalancer(): elbv2.ApplicationLoadBalancer | undefined { return this.wired().built.applicationLoadBalancer; }
  /**
   * The library's Network Load Balancer.
   * @default - none when the load balancer is an ALB
   */
  public get networkLoadBalancer(): TieredNetworkLoadBalancer | undefined { return this.wired().built.networkLoadBalancer; }
  /** The load balancer's connections (its security group). */
  public get loadBalancerConnections(): ec2.Connections { return this.wired().built.connections; }
  /** The listener that forwards to the service (ALB: HTTPS 443 with a certificate, HTTP 80 without; NLB: the TCP/TLS listener). */
  public get listener(): elbv2.BaseListener { return this.wired().built.listener; }
  /** The target group ECS registers the tasks in (instance id + host port in bridge mode, task IP + container port with awsvpc). */
  public get targetGroup(): elbv2.TargetGroupBase { return this.wired().built.targetGroup; }
  /**
   * The load balancer's access log bucket.
   * @default - none when access logs are off
   */
  public get accessLogBucket(): s3.IBucket | undefined { return this.wired().built.accessLogBucket; }
  /** The container log group. */
  public get logGroup(): logs.LogGroup { return this.wired().logGroup; }
  /** The KMS key that encrypts the container log group. */
  public get logEncryptionKey(): kms.IKey { return this.wired().logEncryptionKey; }
  /** The ports the load balancer reaches the tasks on: the host ports in bridge mode, the container port with awsvpc. */
  public get trafficPorts(): ec2.Port { return this.wired().trafficPorts; }
  /** The connections the load balancer's traffic enters: the container instances' (bridge mode) or the tasks' (awsvpc) security groups. */
  public get connections(): ec2.Connections { return this.wired().connections; }

  /**
   * Admits a workload of the tiered VPC to the load balancer's listener ports, as declared flows
   * (security group referencing security group, and the NACL entries of both tiers). This is how
   * clients inside the VPC reach an internal load balancer.
   * @param client the client workload (its security groups)
   * @param tier the tier the client runs in
   * @param options the client's ephemeral range (for the NACL return entries) and a name for the flows
   */
  public allowLoadBalancerClient(client: ec2.IConnectable, tier: Tier, options: ClientOptions = {}): void {
    allowLoadBalancerFrom(this.net, this.wired().built, client, tier, options);
  }

  /**
   * The application container, logging to the service's encrypted log group, with its one port mapping.
   * @internal
   */
  protected _addAppContainer(taskDefinition: ecs.TaskDefinition, props: EcsServiceBaseProps, options: AppContainerOptions): ecs.ContainerDefinition {
    const logging = this.logging = createLogGroup(this, props);
    return taskDefinition.addContainer(CONTAINER_NAME, {
      image: props.image,
      command: props.command,
      environment: props.environment,
      cpu: options.cpu,
      memoryLimitMiB: options.memoryLimitMiB,
      logging: ecs.LogDrivers.awsLogs({ logGroup: logging.logGroup, streamPrefix: CONTAINER_NAME }),
      portMappings: [{ containerPort: props.containerPort, hostPort: options.hostPort, protocol: ecs.Protocol.TCP }],
    });
  }

  /**
   * The load balancer and the flows load balancer -> tasks on `targets.trafficPorts`, then the
   * tasks' own outbound flows from `egress` (the security groups the tasks' traffic leaves by).
   * @internal
   */
  protected _wireLoadBalancer(resolved: ResolvedBaseProps, props: EcsServiceBaseProps, parts: {
    readonly cluster: ecs.Cluster;
    readonly container: ecs.ContainerDefinition;
    readonly connections: ec2.Connections;
    readonly targets: ServiceTargets;
    readonly egress: ec2.IConnectable & Construct;
  }): void {
    if (!this.logging) {
      throw propError(this, 'container', undefined, 'was wired before it was created', 'Create the container with _addAppContainer first.');
    }
    const built = buildLoadBalancer(this, this.net, resolved, parts.targets);
    this.parts = {
      cluster: parts.cluster,
      container: parts.container,
      logGroup: this.logging.logGroup,
      logEncryptionKey: this.logging.key,
      trafficPorts: parts.targets.trafficPorts,
      connections: parts.connections,
      built,
    };
    declareEgress(this.net, parts.egress, parts.egress.node.path, props.allowInterfaceEndpoints);
  }

  private wired(): ServiceParts {
    if (!this.parts) {
      throw propError(this, 'loadBalancer', undefined, 'is read before the service is wired', 'Read the service\'s attributes after its constructor returns.');
    }
    return this.parts;
  }
}
