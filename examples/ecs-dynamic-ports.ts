/**
 * Scenario: six copies of a web container that listens on port 8080 run on two EC2 container
 * instances, three per instance, behind an internet-facing Application Load Balancer. In bridge
 * network mode each copy is mapped to its own host port (hostPort 0), so the three copies on one
 * instance don't collide on 8080; ECS registers each task's instance and host port in the target
 * group, and the load balancer health-checks the same ports.
 *
 *   clients --443 (80 redirects)--> ALB (public tier) --32768-51677--> container instances (app tier)
 *        instance A: 0.0.0.0:327xx -> 8080, 0.0.0.0:327yy -> 8080, 0.0.0.0:327zz -> 8080
 *        instance B: the same, on host ports of its own
 *   container instances --443 via the NAT gateway--> image pulls (public.ecr.aws), ECS, CloudWatch Logs
 *
 * The dynamic host port range has one source of truth: `EcsDynamicPortService` writes
 * `ECS_DYNAMIC_HOST_PORT_RANGE=32768-51677` into /etc/ecs/ecs.config through the launch
 * template's user data and compiles the same range into the instances' only security group rule
 * (from the load balancer's security group) and the public and app tiers' NACL entries. The
 * default stops at 51677, below the ports ECS reserves on a container instance for its agent,
 * 51678-51680, which a common Linux ephemeral range such as 32768-60999 would expose to the load
 * balancer (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-config.html). No SSH: no key pair, no port 22; reach an
 * instance with Session Manager (the instance role has AmazonSSMManagedInstanceCore; the agent
 * reaches SSM through the NAT gateway).
 *
 * The container: public.ecr.aws/nginx/nginx (the official nginx image, which listens on 80),
 * started with a command that rewrites its `listen 80;` to `listen 8080;`, so it listens on
 * 8080 with no Docker build. t3.small instances (about 1.9 GiB for tasks) and 512 MiB per task
 * make three tasks per instance; during a deployment (maxHealthyPercent 200) the capacity
 * provider's managed scaling adds instances for the new copies, up to four.
 *
 * Practices: ECS dynamic port mapping, hostPort 0, and the instances' security group admits the
 * load balancer's security group on the dynamic range only, not the whole VPC
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-bridge.html). The
 * ALB terminates TLS on 443 and redirects 80 to it
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html).
 * NACLs are stateless, so each request entry has its reply entry on the client's ephemeral ports
 * (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html). No SSH anywhere:
 * Session Manager opens a shell through the SSM agent's outbound connection, with no inbound port
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html).
 *
 * Synthesize (no AWS credentials needed; without a certificate the ALB listens on HTTP 80 only,
 * with a warning):
 *   npx cdk synth --app "npx ts-node -P test/tsconfig.json examples/ecs-dynamic-ports.ts"
 * Deploy (us-east-1), with an ACM certificate for your domain in us-east-1:
 *   npx cdk deploy --app "npx ts-node -P test/tsconfig.json examples/ecs-dynamic-ports.ts" \
 *     -c certificateArn=arn:aws:acm:us-east-1:<account>:certificate/<id>
 * Try it: `curl -k https://<LoadBalancerDns output>/` answers from six tasks in turn;
 * `aws ssm start-session --target <instance id>` then `docker ps` shows three containers, each
 * with its own 0.0.0.0:<host port>->8080/tcp.
 * Tear down: the ALB has deletion protection; turn it off first (`aws elbv2
 * modify-load-balancer-attributes --load-balancer-arn <arn> --attributes
 * Key=deletion_protection.enabled,Value=false`), then `npx cdk destroy ...`. Managed termination protection leaves the instances protected
 * from scale-in, which can hold the auto scaling group's deletion (aws-cdk issue 18179); if it
 * waits, run `aws autoscaling set-instance-protection --no-protected-from-scale-in
 * --auto-scaling-group-name <group> --instance-ids <ids>`.
 */
import { App, CfnOutput, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { EcsDynamicPortService, ServiceLoadBalancer, TieredVpc } from '../src';

/** The port the container listens on. */
export const CONTAINER_PORT = 8080;

/**
 * Starts nginx on 8080: the official image's default server listens on 80, and this rewrites
 * that one line before starting nginx in the foreground.
 */
const NGINX_ON_8080 = [
  '/bin/sh', '-c',
  `sed -i -E 's/^([[:space:]]*listen[[:space:]]+)80;/\\1${CONTAINER_PORT};/' /etc/nginx/conf.d/default.conf && exec nginx -g 'daemon off;'`,
];

/** Properties of the example stack. */
export interface EcsDynamicPortsStackProps extends StackProps {
  /**
   * An ACM certificate for the HTTPS listener.
   * @default - the `certificateArn` context value; without one, HTTP 80 only (with a warning)
   */
  readonly certificateArn?: string;
}

export class EcsDynamicPortsStack extends Stack {
  public readonly network: TieredVpc;
  public readonly web: EcsDynamicPortService;

  constructor(scope: Construct, id: string, props: EcsDynamicPortsStackProps = {}) {
    super(scope, id, props);
    this.network = new TieredVpc(this, 'Network', { availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] });

    const certificateArn: string | undefined = props.certificateArn ?? this.node.tryGetContext('certificateArn');
    const certificate = certificateArn ? acm.Certificate.fromCertificateArn(this, 'Certificate', certificateArn) : undefined;

    this.web = new EcsDynamicPortService(this, 'Web', {
      network: this.network,
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
      command: NGINX_ON_8080,
      containerPort: CONTAINER_PORT,
      desiredCount: 6,
      cpu: 256,
      memoryLimitMiB: 512,
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.SMALL),
      minInstances: 2,
      maxInstances: 4,
      loadBalancer: ServiceLoadBalancer.alb({ certificate, healthCheckPath: '/' }),
    });

    if (!certificate) {
      // Without a certificate the ALB can only listen on HTTP 80 (the construct leaves the warning
      // cdk-network-patterns:httpOnlyLoadBalancer); these findings go away with -c certificateArn=...
      const reason = 'The example synthesizes without a certificate so that it needs no domain: the ALB then listens on HTTP 80 only ' +
        '(warning cdk-network-patterns:httpOnlyLoadBalancer). Deploy with -c certificateArn=<ACM certificate> for HTTPS 443, ' +
        'with HTTP 80 redirecting to it, which clears this finding.';
      for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) {
        Validations.of(this.web.listener).acknowledge({ id: `${pack}-ALBHttpToHttpsRedirection`, reason });
        Validations.of(this.web.listener).acknowledge({ id: `${pack}-ELBv2ACMCertificateRequired`, reason });
      }
      Validations.of(this.web.listener).acknowledge({ id: 'cdk-validator-cfnguard::alb_http_to_https_redirection_check', reason: `[CT.ELASTICLOADBALANCING.PR.1] ${reason}` });
    }
    const standIn = 'The stand-in image (public nginx) starts as root and writes its cache and pid file under /var, as its official ' +
      'image does; your own image should set a non-root user and a read-only root filesystem with a volume for what it writes ' +
      '(the task definition is this.web.taskDefinition). https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html';
    Validations.of(this.web.taskDefinition).acknowledge(
      { id: 'cdk-validator-cfnguard::ecs_task_definition_nonroot_user_check', reason: `[CT.ECS.PR.3] ${standIn}` },
      { id: 'cdk-validator-cfnguard::ecs_containers_readonly_access_check', reason: `[CT.ECS.PR.6] ${standIn}` },
    );

    new CfnOutput(this, 'LoadBalancerDns', {
      value: this.web.loadBalancer.loadBalancerDnsName,
      description: 'The ALB\'s DNS name: point your domain at it (alias record) or curl it directly',
    });
    new CfnOutput(this, 'DynamicHostPortRange', {
      value: this.web.dynamicHostPortRange.toString(),
      description: 'ECS_DYNAMIC_HOST_PORT_RANGE on every container instance, and the only ports the ALB may reach',
    });
  }
}

/** Builds the example's stacks into `app` (the main job calls this with the checks registered). */
export function build(app: App): Stack[] {
  return [new EcsDynamicPortsStack(app, 'EcsDynamicPorts', { env: { region: 'us-east-1', account: process.env.CDK_DEFAULT_ACCOUNT } })];
}

if (require.main === module) {
  build(new App());
}
