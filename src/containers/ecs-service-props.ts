import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ServiceLoadBalancer } from './service-load-balancer';
import { ITieredVpc } from '../network/tiered-vpc';

/**
 * Properties shared by `EcsDynamicPortService` (EC2 launch type, bridge mode, dynamic host
 * ports) and `EcsFargateService` (Fargate, awsvpc): each means the same thing in both.
 */
export interface EcsServiceBaseProps {
  /** The tiered VPC: the load balancer goes in the public tier, the tasks in the app tier. */
  readonly network: ITieredVpc;
  /**
   * An ECS cluster to run in, shared with other services (it must be in `network`). A platform team
   * creates one cluster per environment; each service then adds its tasks and, unless it is given
   * the cluster's capacity (`EcsDynamicPortService`'s `capacityProvider`), its own auto scaling
   * group and capacity provider.
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/clusters.html
   * @default - a cluster of the service's own, with Container Insights on
   */
  readonly cluster?: ecs.Cluster;
  /** The container image, e.g. `ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx')`. */
  readonly image: ecs.ContainerImage;
  /**
   * The port the container listens on, 1-65535 (e.g. 8080). Required: the load balancer sends
   * traffic to it (through a dynamic host port in bridge mode, directly with awsvpc).
   */
  readonly containerPort: number;
  /**
   * The command that starts the container.
   * @default - the image's own command
   */
  readonly command?: string[];
  /**
   * Environment variables of the container. Keep secrets out of them (AwsSolutions-ECS2 flags
   * any): use `ecs.Secret` through `taskDefinition` instead.
   * @default - none
   */
  readonly environment?: { [key: string]: string };
  /**
   * The load balancer in front of the service.
   * @default ServiceLoadBalancer.alb() - internet-facing ALB, HTTP 80 only (with a warning) unless given a certificate
   */
  readonly loadBalancer?: ServiceLoadBalancer;
  /**
   * How many tasks the service runs.
   * @default 2
   */
  readonly desiredCount?: number;
  /**
   * CPU units of each task (1024 = one vCPU).
   * @default 256
   */
  readonly cpu?: number;
  /**
   * Memory of each task, in MiB (a hard limit).
   * @default 512
   */
  readonly memoryLimitMiB?: number;
  /**
   * The lower limit of running tasks during a deployment, as a percentage of `desiredCount`
   * (0-100).
   * @default 100 - deployments never reduce capacity
   */
  readonly minHealthyPercent?: number;
  /**
   * The upper limit of running tasks during a deployment, as a percentage of `desiredCount`,
   * above `minHealthyPercent`.
   * @default 200 - a full set of new tasks starts beside the old ones
   */
  readonly maxHealthyPercent?: number;
  /**
   * The task's network mode. `EcsDynamicPortService` accepts only BRIDGE (host ports mapped
   * dynamically), `EcsFargateService` only AWS_VPC (Fargate supports no other mode: each task
   * gets its own ENI and security group; see
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html).
   * @default - ecs.NetworkMode.BRIDGE for EcsDynamicPortService, ecs.NetworkMode.AWS_VPC for EcsFargateService
   */
  readonly networkMode?: ecs.NetworkMode;
  /**
   * Let the tasks reach the VPC's interface endpoints on 443 (declared flows, SG referencing
   * SG). A no-op when the VPC has none.
   * @default true
   */
  readonly allowInterfaceEndpoints?: boolean;
  /**
   * Retention of the container log group (AwsSolutions-ECS7: container logging on). The default
   * keeps a year, the least AWS Control Tower's proactive control CT.CLOUDWATCH.PR.2 accepts.
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The KMS key that encrypts the container log group (NIST 800-53, HIPAA and PCI DSS packs:
   * CloudWatchLogGroupEncrypted). Its key policy must let the CloudWatch Logs service principal
   * of the stack's Region use it (CloudWatch Logs user guide, "Encrypt log data in CloudWatch
   * Logs using AWS KMS").
   * @default - a customer managed key created by the construct: rotated yearly, retained on stack
   * deletion (like the log group), usable by CloudWatch Logs for this account's log groups
   */
  readonly logEncryptionKey?: kms.IKey;
}
