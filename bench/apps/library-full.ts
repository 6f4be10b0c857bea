/**
 * The benchmark's full architecture, written with the library: a three-tier VPC (three AZs, a
 * NAT gateway per AZ, flow logs, gateway endpoints) holding
 *
 *   internet --443/80--> ALB (public) --dynamic host ports--> ECS on EC2, bridge mode (app)
 *   partners --8443--> NLB with a static IP per AZ (public) --dynamic host ports--> the same ECS service
 *   Lambda (app) --5432--> RDS Proxy (data, IAM auth, TLS) --5432--> PostgreSQL (data, Multi-AZ)
 *   Route 53: app.example.com failover, primary the ALB (HTTPS /health), secondary a standby ALB in us-west-2
 *
 * bench/apps/handwritten-full.ts builds the same resources with plain aws-cdk-lib; bench/run.ts
 * compares their synth time and lines of code.
 */
import { App, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import {
  EcsDynamicPortService, FailoverHealthCheck, FailoverRecord, FailoverTarget, NlbTarget, ProxiedDatabase, ServiceLoadBalancer, Tier,
  TieredNetworkLoadBalancer, TieredVpc,
} from '../../src';

/** A handler stub (the lambda-rds-proxy example has the real one, bundled with esbuild). */
const HANDLER = 'exports.handler = async () => ({ proxy: process.env.DB_PROXY_ENDPOINT });';

export class LibraryFullStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const net = new TieredVpc(this, 'Network', { availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] });
    const zone = new route53.PublicHostedZone(this, 'Zone', { zoneName: 'example.com' });
    const certificate = new acm.Certificate(this, 'Certificate', {
      domainName: 'app.example.com', validation: acm.CertificateValidation.fromDns(zone),
    });

    // ECS on EC2 in bridge mode behind an HTTPS ALB.
    const web = new EcsDynamicPortService(this, 'Web', {
      network: net,
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
      containerPort: 8080,
      loadBalancer: ServiceLoadBalancer.alb({ certificate, healthCheckPath: '/health' }),
    });

    // Partners reach the same service over TCP through static IPs they can allowlist.
    const partners = new TieredNetworkLoadBalancer(this, 'PartnerNlb', { network: net, internetFacing: true, clientCidrs: ['203.0.113.0/24'] });
    partners.addListener('Api', {
      port: 8443,
      targets: [NlbTarget.custom(web.service.loadBalancerTarget({ containerName: web.container.containerName, containerPort: 8080 }),
        { connectable: web, trafficPort: web.trafficPorts })],
    });

    // Lambda -> RDS Proxy -> PostgreSQL, IAM auth over TLS.
    const db = new ProxiedDatabase(this, 'Database', { network: net });
    const fn = new lambda.Function(this, 'ApiFunction', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(HANDLER),
      vpc: net.vpc,
      vpcSubnets: net.tierSubnets(Tier.APP),
      securityGroups: [new ec2.SecurityGroup(this, 'ApiFunctionSg', { vpc: net.vpc, allowAllOutbound: false, description: 'API function' })],
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'AWS-maintained policy for the function\'s own log group writes.',
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      reason: 'AWS-maintained policy for the ENIs of a function in a VPC.',
    });
    db.connectFunction(fn);

    // app.example.com: the ALB while its /health passes, the us-west-2 standby otherwise.
    new FailoverRecord(this, 'AppRecord', {
      zone,
      recordName: 'app',
      primary: { target: FailoverTarget.loadBalancer(web.loadBalancer), setIdentifier: 'us-east-1' },
      secondary: {
        target: FailoverTarget.loadBalancerAttributes({
          dnsName: 'standby-1234567890.us-west-2.elb.amazonaws.com', canonicalHostedZoneId: 'Z1H1FL5HABSF5', region: 'us-west-2',
        }),
        setIdentifier: 'us-west-2',
        healthCheck: FailoverHealthCheck.endpoint(),
      },
    });
  }
}

/** Builds the stack into `app`. */
export function build(app: App): Stack[] {
  return [new LibraryFullStack(app, 'LibraryFull', { env: { region: 'us-east-1', account: process.env.CDK_DEFAULT_ACCOUNT } })];
}

if (require.main === module) {
  build(new App());
}
