import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EcsServiceBaseProps } from './ecs-service-props';
import {
  allowLoadBalancerFrom, BuiltLoadBalancer, buildLoadBalancer, CONTAINER_NAME, createCluster, createLogGroup, createTaskRoles,
  declareEgress, validateBaseProps,
} from './private/service-wiring';
import { TieredNetworkLoadBalancer } from '../load-balancing/tiered-network-load-balancer';
import { ClientOptions } from '../network/client-options';
import { Tier } from '../network/tier';
import { ITieredVpc } from '../network/tiered-vpc';

/**
 * Properties of an `EcsFargateService`: the same as `EcsDynamicPortService`'s where they mean
 * the same thing, without the instance and host port settings Fargate has no use for.
 */
export interface EcsFargateServiceProps extends EcsServiceBaseProps {
  /**
   * The Fargate platform version.
   * @default ecs.FargatePlatformVersion.LATEST
   */
  readonly platformVersion?: ecs.FargatePlatformVersion;
}

/**
 * The Fargate contrast to `EcsDynamicPortService` (see https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html): each task gets its own ENI, private IP and
 * security group in the app tier, binds its container port directly, and the load balancer
 * registers the task's IP and container port. No host ports, no dynamic range, no instances:
 * the task security group admits the load balancer's security group on the container port
 * only, and the NACL entries name that one port.
 *
 * Compliance: as `EcsDynamicPortService` (encrypted container logs, customer managed policies for
 * the execution and task roles, load balancer deletion protection and access logs).
 *
 * @example
 * const net = new TieredVpc(this, 'Net');
 * new EcsFargateService(this, 'Web', {
 *   network: net,
 *   image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx'),
 *   containerPort: 8080,
 *   loadBalancer: ServiceLoadBalancer.alb({ certificate }),
 * });
 */
export class EcsFargateService extends Construct implements ec2.IConnectable {
  /** The ECS cluster (Container Insights on). */
  public readonly cluster: ecs.Cluster;
  /** The awsvpc task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The application container. */
  public readonly container: ecs.ContainerDefinition;
  /** The ECS service. */
  public readonly service: ecs.FargateService;
  /** The tasks' security group (one per task ENI): admits the load balancer on the container port only. */
  public readonly taskSecurityGroup: ec2.SecurityGroup;
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
  /** The target group ECS registers the tasks in (task IP + container port). */
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
  /** The port the load balancer reaches the tasks on: the container port itself. */
  public readonly trafficPorts: ec2.Port;
  /** The tasks' connections (the task security group). */
  public readonly connections: ec2.Connections;

  private readonly built: BuiltLoadBalancer;
  private readonly net: ITieredVpc;

  constructor(scope: Construct, id: string, props: EcsFargateServiceProps) {
    super(scope, id);
    const resolved = validateBaseProps(this, props, ecs.NetworkMode.AWS_VPC, 'EcsDynamicPortService');
    const net: ITieredVpc = this.net = props.network;
    this.trafficPorts = ec2.Port.tcp(props.containerPort);

    this.cluster = createCluster(this, net, props.cluster);
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: resolved.cpu,
      memoryLimitMiB: resolved.memoryLimitMiB,
      ...createTaskRoles(this),
    });
    const logging = createLogGroup(this, props);
    this.logGroup = logging.logGroup;
    this.logEncryptionKey = logging.key;
    this.container = this.taskDefinition.addContainer(CONTAINER_NAME, {
      image: props.image,
      command: props.command,
      environment: props.environment,
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: CONTAINER_NAME }),
      // awsvpc: the container binds its port on the task's own ENI; there is no host port to map.
      portMappings: [{ containerPort: props.containerPort, protocol: ecs.Protocol.TCP }],
    });

    this.taskSecurityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: net.vpc,
      allowAllOutbound: false,
      description: `Fargate tasks of ${this.node.path}: the load balancer on the container port, nothing else`,
    });
    this.connections = this.taskSecurityGroup.connections;
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      platformVersion: props.platformVersion ?? ecs.FargatePlatformVersion.LATEST,
      desiredCount: resolved.desiredCount,
      minHealthyPercent: resolved.minHealthyPercent,
      maxHealthyPercent: resolved.maxHealthyPercent,
      circuitBreaker: { enable: true, rollback: true },
      securityGroups: [this.taskSecurityGroup],
      vpcSubnets: net.tierSubnets(Tier.APP),
      assignPublicIp: false,
    });

    // The load balancer, and the flow load balancer -> tasks on the container port itself.
    const built = this.built = buildLoadBalancer(this, net, resolved, {
      service: this.service,
      containerPort: props.containerPort,
      targetType: elbv2.TargetType.IP,
      connectable: this.service,
      trafficPorts: this.trafficPorts,
      trafficDescription: `the container port ${props.containerPort} (awsvpc: no host ports)`,
    });
    this.loadBalancer = built.loadBalancer;
    this.applicationLoadBalancer = built.applicationLoadBalancer;
    this.networkLoadBalancer = built.networkLoadBalancer;
    this.loadBalancerConnections = built.connections;
    this.listener = built.listener;
    this.targetGroup = built.targetGroup;
    this.accessLogBucket = built.accessLogBucket;
    declareEgress(net, this.service, this.service.node.path, props.allowInterfaceEndpoints);
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
