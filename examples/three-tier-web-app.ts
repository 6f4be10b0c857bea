/**
 * Scenario: the classic three-tier web application, with every opening a declared flow:
 *
 *   clients --443 (80 redirects to 443)--> ALB (public tier, TLS ends here)
 *   ALB --8080--> web tasks on Fargate (app tier, one ENI and security group per task)
 *   web tasks --5432, TLS, IAM token--> RDS Proxy (data tier) --5432--> PostgreSQL 17 (data tier, Multi-AZ)
 *   web tasks --443--> internet through the NAT gateway in their AZ (image pulls, ECS, CloudWatch Logs)
 *   web tasks --443--> the ssmmessages interface endpoint (ECS Exec, i.e. Session Manager)
 *
 * and nothing else: the internet reaches the ALB on 80 and 443 only, the tasks only from the
 * ALB's security group, the proxy only from the tasks' security group, the database only from the
 * proxy (and the secret rotation function). No SSH anywhere: Fargate tasks run no SSH daemon and
 * open no port 22; a shell in a task is a Session Manager session through ECS Exec.
 *
 * The container: public.ecr.aws/nginx/nginx (the official nginx image, which listens on 80),
 * started with a command that rewrites its `listen 80;` to `listen 8080;`: it stands in for your
 * application. The tasks get DB_PROXY_ENDPOINT, DB_PORT, DB_NAME and DB_USER, and their task role
 * holds `rds-db:connect` on this proxy for that user: an application connects over TLS with an IAM
 * auth token signed by the task role (e.g. @aws-sdk/rds-signer), as examples/lambda-rds-proxy does.
 *
 * The tasks are not Lambda functions, so they connect with `ProxiedDatabase.allowClient` (the flow
 * web tasks -> proxy) rather than `connectFunction`, and the IAM grant is a customer managed
 * policy on the task role.
 *
 * Practices: the ALB terminates TLS on 443 and redirects 80 to 443
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html).
 * Three tiers whose security groups reference each other: a rule naming a group admits every
 * network interface in it, whatever its address
 * (https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html). Fargate tasks use
 * the awsvpc network mode: each task has its own network interface and binds its container port
 * there, with no host port mapping
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html).
 * Connection pooling through RDS Proxy, which reuses database connections across clients
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html). NACLs are stateless,
 * so each request entry has its reply entry on the client's ephemeral ports
 * (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html). One NAT gateway
 * per AZ, each AZ routing to its own
 * (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html). No SSH: a shell in a
 * task is a Session Manager session through ECS Exec
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html).
 *
 * Synthesize (no AWS credentials needed; without a certificate the ALB gets a placeholder ARN
 * and the synth leaves a warning):
 *   npx cdk synth --app "npx ts-node -P test/tsconfig.json examples/three-tier-web-app.ts"
 * Deploy (us-east-1), with an ACM certificate for your domain in us-east-1:
 *   npx cdk bootstrap
 *   npx cdk deploy --app "npx ts-node -P test/tsconfig.json examples/three-tier-web-app.ts" \
 *     -c certificateArn=arn:aws:acm:us-east-1:<account>:certificate/<id>
 * Try it: `curl -I http://<LoadBalancerDns output>/` answers 301 to https; `curl -k https://<LoadBalancerDns>/`
 * answers from the tasks. A shell in a task, without SSH:
 *   aws ecs execute-command --cluster <ClusterName output> --task <task id> --container app --interactive --command /bin/bash
 * and from it `timeout 3 bash -c "</dev/tcp/$DB_PROXY_ENDPOINT/5432" && echo proxy reachable`.
 * Tear down: the database (final snapshot kept) and the ALB have deletion protection; turn it off first
 * (`aws rds modify-db-instance --db-instance-identifier <id> --no-deletion-protection` and `aws elbv2
 * modify-load-balancer-attributes --load-balancer-arn <arn> --attributes Key=deletion_protection.enabled,Value=false`),
 * then `cdk destroy`.
 */
import { Annotations, App, ArnFormat, CfnOutput, Fn, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EcsFargateService, ProxiedDatabase, ServiceLoadBalancer, Tier, TieredVpc } from '../src';

/** The port the container listens on. */
export const CONTAINER_PORT = 8080;

/** Synthesizes without context; replace with your certificate (`-c certificateArn=...`) to deploy. */
export const PLACEHOLDER_CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

/**
 * Starts nginx on 8080: the official image's default server listens on 80, and this rewrites
 * that one line before starting nginx in the foreground.
 */
const NGINX_ON_8080 = [
  '/bin/sh', '-c',
  `sed -i -E 's/^([[:space:]]*listen[[:space:]]+)80;/\\1${CONTAINER_PORT};/' /etc/nginx/conf.d/default.conf && exec nginx -g 'daemon off;'`,
];

/** Properties of the example stack. */
export interface ThreeTierWebAppStackProps extends StackProps {
  /**
   * An ACM certificate (in the stack's region) for the ALB's HTTPS listener.
   * @default - the `certificateArn` context value, else PLACEHOLDER_CERTIFICATE_ARN (with a warning)
   */
  readonly certificateArn?: string;
}

export class ThreeTierWebAppStack extends Stack {
  public readonly network: TieredVpc;
  public readonly database: ProxiedDatabase;
  public readonly web: EcsFargateService;

  constructor(scope: Construct, id: string, props: ThreeTierWebAppStackProps = {}) {
    super(scope, id, props);

    // ECS Exec (Session Manager for containers) uses the ssmmessages endpoint only: the admin
    // channel stays inside the VPC. EcsFargateService declares the tasks -> endpoint flow.
    this.network = new TieredVpc(this, 'Network', {
      availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES],
    });
    const net = this.network;

    // PostgreSQL 17, Multi-AZ, encrypted, deletion protection, rotated credentials, TLS forced;
    // RDS Proxy with TLS and IAM auth required, in the data tier of the three AZs.
    this.database = new ProxiedDatabase(this, 'Database', { network: net });
    const db = this.database;

    const certificateArn: string = props.certificateArn ?? this.node.tryGetContext('certificateArn') ?? PLACEHOLDER_CERTIFICATE_ARN;
    const certificate = acm.Certificate.fromCertificateArn(this, 'Certificate', certificateArn);

    // ALB (public tier): HTTPS 443 with the certificate, HTTP 80 redirecting to it; the flows
    // internet -> ALB (80, 443), ALB -> tasks (8080), tasks -> internet (443 via NAT) and
    // tasks -> interface endpoints (443) are declared by the construct.
    this.web = new EcsFargateService(this, 'Web', {
      network: net,
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
      command: NGINX_ON_8080,
      containerPort: CONTAINER_PORT,
      desiredCount: 2,
      environment: {
        DB_PROXY_ENDPOINT: db.proxyEndpoint,
        DB_PORT: String(db.proxyPort),
        DB_NAME: db.databaseName,
        DB_USER: db.username,
      },
      loadBalancer: ServiceLoadBalancer.alb({ certificate, healthCheckPath: '/' }),
    });
    const web = this.web;
    Validations.of(web.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'The environment holds where the database is (proxy endpoint, port, database and user names), no secret: the tasks ' +
        'authenticate with short-lived IAM tokens signed by the task role, so there is no password to inject from Secrets Manager.',
    });
    const standIn = 'The stand-in image (public nginx) starts as root and writes its cache and pid file under /var, as its official ' +
      'image does; your own image should set a non-root user and a read-only root filesystem with a volume for what it writes ' +
      '(the task definition is web.taskDefinition). https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html';
    Validations.of(web.taskDefinition).acknowledge(
      { id: 'cdk-validator-cfnguard::ecs_task_definition_nonroot_user_check', reason: `[CT.ECS.PR.3] ${standIn}` },
      { id: 'cdk-validator-cfnguard::ecs_containers_readonly_access_check', reason: `[CT.ECS.PR.6] ${standIn}` },
    );

    // web tasks -> RDS Proxy on the proxy port: the task security group -> the proxy's security
    // group, and the app and data tiers' NACL entries both ways. The tasks get no path to the
    // database itself (only the proxy and the rotation function reach it).
    db.allowClient(web.service, Tier.APP);

    this.enableEcsExec(web);
    this.grantProxyConnect(web, db);

    new CfnOutput(this, 'LoadBalancerDns', {
      value: web.loadBalancer.loadBalancerDnsName,
      description: 'The ALB\'s DNS name: point your domain at it (alias record)',
    });
    new CfnOutput(this, 'ClusterName', { value: web.cluster.clusterName, description: 'For aws ecs execute-command --cluster' });
    new CfnOutput(this, 'ProxyEndpoint', { value: db.proxyEndpoint });

    if (certificateArn === PLACEHOLDER_CERTIFICATE_ARN) {
      Annotations.of(this).addWarningV2('cdk-network-patterns:exampleCertificatePlaceholder',
        'The ALB uses a placeholder certificate ARN: deploy with -c certificateArn=<an ACM certificate in us-east-1>.');
    }
  }

  /**
   * ECS Exec: a shell in a running task through Session Manager, no SSH. The service is built
   * inside EcsFargateService, so the flag is set on its CloudFormation resource; the task role
   * gets the four ssmmessages actions (the only ones ECS Exec needs).
   */
  private enableEcsExec(web: EcsFargateService): void {
    (web.service.node.defaultChild as ecs.CfnService).enableExecuteCommand = true;
    const policy = new iam.ManagedPolicy(this, 'EcsExecPolicy', {
      description: 'ECS Exec (Session Manager) channels for the web tasks',
      statements: [new iam.PolicyStatement({
        actions: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
        resources: ['*'],
      })],
    });
    web.taskDefinition.taskRole.addManagedPolicy(policy);
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'The ssmmessages actions ECS Exec needs support no resource-level permissions (Service Authorization Reference, ' +
        'Amazon Session Manager Message Gateway Service): the session itself is authorized by ecs:ExecuteCommand on the cluster and task, ' +
        'which the operator\'s role holds; this is the price of Session Manager instead of SSH.',
    });
  }

  /**
   * `rds-db:connect` on this proxy for the database user, as a customer managed policy on the task
   * role (the ARN `grantConnect` writes: arn:aws:rds-db:<region>:<account>:dbuser:<proxy resource id>/<user>).
   */
  private grantProxyConnect(web: EcsFargateService, db: ProxiedDatabase): void {
    const proxyResourceId = Fn.select(6, Fn.split(':', db.proxy.dbProxyArn));
    web.taskDefinition.taskRole.addManagedPolicy(new iam.ManagedPolicy(this, 'DatabaseConnectPolicy', {
      description: 'IAM auth to the RDS Proxy for the web tasks (one proxy, one user)',
      statements: [new iam.PolicyStatement({
        actions: ['rds-db:connect'],
        resources: [this.formatArn({
          service: 'rds-db',
          resource: 'dbuser',
          resourceName: `${proxyResourceId}/${db.username}`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        })],
      })],
    }));
  }
}

/** Builds the example's stacks into `app` (the main job calls this with the checks registered). */
export function build(app: App): Stack[] {
  return [new ThreeTierWebAppStack(app, 'ThreeTierWebApp', { env: { region: 'us-east-1', account: process.env.CDK_DEFAULT_ACCOUNT } })];
}

if (require.main === module) {
  build(new App());
}
