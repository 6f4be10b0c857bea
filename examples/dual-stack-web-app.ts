/**
 * Scenario: a dual-stack three-tier web application. The VPC gets an Amazon-provided IPv6 /56 next
 * to its IPv4 block, every subnet a /64, and every declared flow compiles for both families:
 *
 *   clients (IPv4 and IPv6) --443 (80 redirects to 443)--> dual-stack ALB (public tier)
 *   ALB --8080--> web tasks on Fargate (app tier)
 *   web tasks --5432, TLS, IAM token--> RDS Proxy (data tier) --5432--> PostgreSQL 17 (data tier)
 *   web tasks --443--> internet: over IPv4 through the NAT gateway in their AZ, over IPv6 through
 *                      the egress-only internet gateway (outbound only, free of NAT charges)
 *
 * and nothing else: the internet reaches the ALB on 80 and 443 in both families; no route lets the
 * internet open a connection to the app tier (the egress-only gateway admits nothing in) or to the
 * data tier (no IPv6 route at all); the NACLs carry an IPv6 entry beside every IPv4 one, so IPv6
 * traffic is neither silently dropped nor left unchecked.
 *
 * What dual stack saves and costs: every public IPv4 address is billed by the hour (the NAT
 * gateways' and the ALB's); IPv6 addresses are free, and traffic the tasks send over IPv6 leaves
 * through the egress-only gateway, which has no hourly or per-GB processing charge, instead of
 * the NAT gateway. The NAT gateways stay for IPv4-only destinations (IPv4 cannot be turned off in
 * a VPC). The tasks get IPv6 addresses once the account setting `dualStackIPv6` is on for ECS
 * (`aws ecs put-account-setting-default --name dualStackIPv6 --value enabled`).
 *
 * Synthesize (no AWS credentials needed; without a certificate the ALB gets a placeholder ARN
 * and the synth leaves a warning):
 *   npx cdk synth --app "npx ts-node -P test/tsconfig.json examples/dual-stack-web-app.ts"
 * Deploy (us-east-1), with an ACM certificate for your domain in us-east-1:
 *   npx cdk bootstrap
 *   npx cdk deploy --app "npx ts-node -P test/tsconfig.json examples/dual-stack-web-app.ts" \
 *     -c certificateArn=arn:aws:acm:us-east-1:<account>:certificate/<id>
 * Try it: `curl -6 -k https://dualstack.<LoadBalancerDns output>/` answers over IPv6 from a host
 * with IPv6, `curl -4 -k ...` over IPv4 (an ALB's IPv6 name is its DNS name prefixed with `dualstack.`).
 * Tear down: the database and the ALB have deletion protection; turn it off first, then `cdk destroy`
 * (see examples/three-tier-web-app.ts for the commands).
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

/** Starts nginx on 8080 (the official image's default server listens on 80) and on IPv6 too. */
const NGINX_ON_8080 = [
  '/bin/sh', '-c',
  `sed -i -E 's/^([[:space:]]*listen[[:space:]]+)80;/\\1${CONTAINER_PORT};/; s/^([[:space:]]*listen[[:space:]]+)\\[::\\]:80;/\\1[::]:${CONTAINER_PORT};/' ` +
  '/etc/nginx/conf.d/default.conf && exec nginx -g \'daemon off;\'',
];

/** Properties of the example stack. */
export interface DualStackWebAppStackProps extends StackProps {
  /**
   * An ACM certificate (in the stack's region) for the ALB's HTTPS listener.
   * @default - the `certificateArn` context value, else PLACEHOLDER_CERTIFICATE_ARN (with a warning)
   */
  readonly certificateArn?: string;
}

export class DualStackWebAppStack extends Stack {
  public readonly network: TieredVpc;
  public readonly database: ProxiedDatabase;
  public readonly web: EcsFargateService;

  constructor(scope: Construct, id: string, props: DualStackWebAppStackProps = {}) {
    super(scope, id, props);

    // Dual stack: an Amazon-provided /56, a /58 per tier, a /64 per subnet; ::/0 to the internet
    // gateway from the public tier, to the egress-only gateway from the app tier, none from the data tier.
    this.network = new TieredVpc(this, 'Network', {
      availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      ipProtocol: ec2.IpProtocol.DUAL_STACK,
    });
    const net = this.network;

    this.database = new ProxiedDatabase(this, 'Database', { network: net });
    const db = this.database;

    const certificateArn: string = props.certificateArn ?? this.node.tryGetContext('certificateArn') ?? PLACEHOLDER_CERTIFICATE_ARN;
    const certificate = acm.Certificate.fromCertificateArn(this, 'Certificate', certificateArn);

    // The ALB is dual stack because the VPC is; its default clients are 0.0.0.0/0 and ::/0, and
    // the construct declares internet -> ALB (80, 443), ALB -> tasks (8080) and tasks -> internet
    // (443, through the NAT gateway over IPv4 and the egress-only gateway over IPv6).
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
      loadBalancer: ServiceLoadBalancer.alb({ certificate }),
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

    // web tasks -> RDS Proxy: SG referencing SG, and the app and data tiers' NACL entries both
    // ways in both families (each tier's IPv4 block and its IPv6 /58).
    db.allowClient(web.service, Tier.APP);
    this.grantProxyConnect(web, db);

    new CfnOutput(this, 'LoadBalancerDns', {
      value: web.loadBalancer.loadBalancerDnsName,
      description: 'The ALB\'s DNS name (A records; dualstack.<name> has A and AAAA): point your domain at it (alias record)',
    });
    new CfnOutput(this, 'ProxyEndpoint', { value: db.proxyEndpoint });

    if (certificateArn === PLACEHOLDER_CERTIFICATE_ARN) {
      Annotations.of(this).addWarningV2('cdk-network-patterns:exampleCertificatePlaceholder',
        'The ALB uses a placeholder certificate ARN: deploy with -c certificateArn=<an ACM certificate in us-east-1>.');
    }
  }

  /** `rds-db:connect` on this proxy for the database user, as a customer managed policy on the task role. */
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
  return [new DualStackWebAppStack(app, 'DualStackWebApp', { env: { region: 'us-east-1', account: process.env.CDK_DEFAULT_ACCOUNT } })];
}

if (require.main === module) {
  build(new App());
}
