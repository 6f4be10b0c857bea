import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { EcsServiceBase } from './ecs-service-base';
import { EcsServiceBaseProps } from './ecs-service-props';
import { createCluster, createTaskRoles, validateBaseProps } from './private/service-wiring';
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
export class EcsFargateService extends EcsServiceBase {
  /** The awsvpc task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The ECS service. */
  public readonly service: ecs.FargateService;
  /** The tasks' security group (one per task ENI): admits the load balancer on the container port only. */
  public readonly taskSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: EcsFargateServiceProps) {
    super(scope, id, props);
    const resolved = validateBaseProps(this, props, ecs.NetworkMode.AWS_VPC, 'EcsDynamicPortService');
    const net: ITieredVpc = props.network;
    const trafficPorts = ec2.Port.tcp(props.containerPort);

    const cluster = createCluster(this, net, props.cluster);
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: resolved.cpu,
      memoryLimitMiB: resolved.memoryLimitMiB,
      ...createTaskRoles(this),
    });
    // awsvpc: the container binds its port on the task's own ENI; there is no host port to map.
    // The one container's hard memory limit is the task's memory (AWS Control Tower CT.ECS.PR.7).
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_memory
    const container = this._addAppContainer(this.taskDefinition, props, { memoryLimitMiB: resolved.memoryLimitMiB });

    this.taskSecurityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: net.vpc,
      allowAllOutbound: false,
      description: `Fargate tasks of ${this.node.path}: the load balancer on the container port, nothing else`,
    });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
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
    this._wireLoadBalancer(resolved, props, {
      cluster,
      container,
      connections: this.taskSecurityGroup.connections,
      targets: {
        service: this.service,
        containerPort: props.containerPort,
        targetType: elbv2.TargetType.IP,
        connectable: this.service,
        trafficPorts,
        trafficDescription: `the container port ${props.containerPort} (awsvpc: no host ports)`,
      },
      egress: this.service,
    });
  }
}
