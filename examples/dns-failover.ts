/**
 * Scenario: active-passive across two regions with Route 53 failover routing:
 *
 *   app.<zone>  --PRIMARY (health check HTTPS /health)-->   ALB in us-east-1 (public tier of a TieredVpc)
 *               --SECONDARY (health check HTTPS /health)--> ALB in us-west-2 (public tier of a TieredVpc)
 *
 * While the primary's health check passes, Route 53 answers with the us-east-1 ALB; when it
 * fails (3 failed probes, 30 s apart), with the us-west-2 ALB. Both answers are alias records
 * with evaluate-target-health. Each ALB admits 443 from the internet through a declared flow (its
 * security group rule and both NACL directions), which is also what lets the Route 53 health
 * checkers, outside the VPC, reach it; the failover construct checks that at synth. Each ALB
 * answers /health with a fixed 200 response, standing in for your service.
 *
 * Two stacks, one per region, each with its network and ALB; the primary's (us-east-1) also
 * holds the public hosted zone and the failover pair. The primary ALB is passed as a construct
 * (same stack); the secondary by its DNS name and canonical hosted zone id, literal values, so
 * no cross-region reference is needed.
 *
 * Practices: failover routing, primary us-east-1 and secondary us-west-2, with health checks on
 * /health every 30 s (Route 53's default interval) and a failure threshold of 3 consecutive
 * failed checks (its default), so a dead primary leaves the answers in about 90 s
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html).
 * Alias records for the load balancers rather than CNAMEs: an alias follows the load balancer's
 * changing addresses, also works at the zone apex, and with evaluate-target-health takes on the
 * load balancer's health
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html).
 * Every opening is a declared flow; NACLs are stateless, so each request entry has its reply
 * entry on the client's ephemeral ports
 * (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html).
 *
 * Synthesize (no AWS credentials needed):
 *   npx cdk synth --app "npx ts-node -P test/tsconfig.json examples/dns-failover.ts"
 * Deploy (your domain, an ACM certificate for it in each region):
 *   1. npx cdk deploy DnsFailoverWest --app "npx ts-node -P test/tsconfig.json examples/dns-failover.ts" \
 *        -c westCertificateArn=arn:aws:acm:us-west-2:<account>:certificate/<id>
 *      and note its AlbDnsName output.
 *   2. npx cdk deploy DnsFailoverEast --app "npx ts-node -P test/tsconfig.json examples/dns-failover.ts" \
 *        -c zoneName=<your domain> -c eastCertificateArn=arn:aws:acm:us-east-1:<account>:certificate/<id> \
 *        -c westCertificateArn=... -c westAlbDnsName=<AlbDnsName from step 1>
 *   3. Delegate the domain to the zone's name servers (NameServers output).
 * Try it: `dig app.<your domain>` answers with the us-east-1 ALB; delete its /health rule
 * (or the listener) and, about 90 s later, with the us-west-2 ALB.
 * Tear down: the ALBs have deletion protection; turn it off first in each region (`aws elbv2
 * modify-load-balancer-attributes --load-balancer-arn <arn> --attributes
 * Key=deletion_protection.enabled,Value=false`), then `cdk destroy` both stacks. The access log
 * buckets are retained.
 *
 * Compliance (NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1 packs): the ALBs have deletion
 * protection and access logs, the log buckets are versioned and TLS-only; what can't be fixed
 * here is acknowledged below with its reason (ALB access logs support SSE-S3 only; no WAF for a
 * fixed-response stand-in).
 */
import { Annotations, App, CfnOutput, Duration, Fn, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { FailoverHealthCheck, FailoverRecord, FailoverTarget, FlowEndpoint, Tier, TieredVpc, WellKnownPorts } from '../src';

/** The ALB's canonical hosted zone id in us-west-2 (Elastic Load Balancing endpoints and quotas, AWS General Reference). */
const US_WEST_2_ALB_ZONE_ID = 'Z1H1FL5HABSF5';
/** Synthesizes without context; replace with the deployed us-west-2 ALB's DNS name (`-c westAlbDnsName=...`). */
const PLACEHOLDER_WEST_DNS = 'replace-with-west-alb-1234567890.us-west-2.elb.amazonaws.com';

/** Properties of a regional stack. */
export interface DnsFailoverRegionStackProps extends StackProps {
  /** The AZs of the region, fixed so the stack synthesizes without credentials. */
  readonly availabilityZones: string[];
  /** An ACM certificate in this region for the record name (e.g. app.example.com). */
  readonly certificateArn: string;
}

/** One region: a TieredVpc and an internet-facing ALB answering HTTPS, /health -> 200. */
export class DnsFailoverRegionStack extends Stack {
  public readonly network: TieredVpc;
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;

  constructor(scope: Construct, id: string, props: DnsFailoverRegionStackProps) {
    super(scope, id, props);
    this.network = new TieredVpc(this, 'Network', { availabilityZones: props.availabilityZones });
    const vpc = this.network.vpc;

    const albSecurityGroup = new ec2.SecurityGroup(this, 'AlbSg', {
      vpc, allowAllOutbound: false, description: 'Internet-facing ALB (public tier)',
    });
    Validations.of(albSecurityGroup).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'The internet-facing ALB is the public entry point: it admits 0.0.0.0/0 on 443 only, which is also the range the Route 53 health checkers come from.',
    });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: true,
      vpcSubnets: this.network.tierSubnets(Tier.PUBLIC),
      securityGroup: albSecurityGroup,
      dropInvalidHeaderFields: true,
      // The record's alias points at this ALB's DNS name: a deleted (or replaced) ALB leaves it dangling.
      deletionProtection: true,
    });
    for (const pack of ['NIST.800.53.R5', 'PCI.DSS.321']) {
      Validations.of(this.loadBalancer).acknowledge({
        id: `${pack}-ALBWAFEnabled`,
        reason: 'This ALB stands in for your service and answers only fixed responses (/health 200, 404 otherwise): there is no ' +
          'application for WAF rules to protect. Associate a regional web ACL (wafv2.CfnWebACLAssociation) with the ALB in front of ' +
          'a real service; its rules depend on that service.',
      });
    }

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED, // ALB access logs support SSE-S3 only
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      // Deletes no log: only parts of uploads that never completed (AWS Control Tower CT.S3.PR.3, CT.S3.PR.6).
      lifecycleRules: [{ id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const noServerLogs = 'This bucket only receives the ALB access logs; logging access to the log bucket itself would need another bucket, and so on. ' +
      'Reads of the logs can be audited with CloudTrail S3 data events.';
    Validations.of(accessLogs).acknowledge({ id: 'AwsSolutions-S1', reason: noServerLogs });
    for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) {
      Validations.of(accessLogs).acknowledge({ id: `${pack}-S3BucketLoggingEnabled`, reason: noServerLogs });
      Validations.of(accessLogs).acknowledge({
        id: `${pack}-S3DefaultEncryptionKMS`,
        reason: 'An Application Load Balancer delivers access logs only to buckets encrypted with SSE-S3 (AWS ELB user guide, ' +
          '"Enable access logs for your Application Load Balancer"); with SSE-KMS no log is delivered.',
      });
      Validations.of(accessLogs).acknowledge({
        id: `${pack}-S3BucketReplicationEnabled`,
        reason: 'Replicating access logs needs a second bucket (another Region or a log-archive account) and a replication role: ' +
          'an account-level choice outside this example. The bucket is versioned and retained on stack deletion.',
      });
    }
    Validations.of(accessLogs).acknowledge(
      { id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', reason: `[CT.S3.PR.2] ${noServerLogs}` },
      {
        id: 'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check',
        reason: '[CT.S3.PR.10] An Application Load Balancer delivers access logs only to buckets encrypted with SSE-S3; with SSE-KMS ' +
          'no log is delivered. https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html',
      },
      {
        id: 'cdk-validator-cfnguard::s3_event_notifications_enabled_check',
        reason: '[CT.S3.PR.4] Nothing consumes events of this bucket: the ALB writes a log object every five minutes and readers query them.',
      },
      {
        id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
        reason: '[CT.S3.PR.9] Object Lock makes logs undeletable for a retention period and can never be turned off on the bucket: a ' +
          'legal retention decision for the account, not this example. https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html',
      },
    );
    this.loadBalancer.logAccessLogs(accessLogs, 'alb');

    const listener = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      open: false, // the declared flow below opens it, SG and NACLs together
      defaultAction: elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'not found' }),
    });
    listener.addAction('Health', {
      priority: 10,
      conditions: [elbv2.ListenerCondition.pathPatterns(['/health'])],
      action: elbv2.ListenerAction.fixedResponse(200, { contentType: 'text/plain', messageBody: `OK from ${this.region}` }),
    });

    // Clients and the Route 53 health checkers (ROUTE53_HEALTHCHECKS ranges, inside 0.0.0.0/0) -> ALB on 443.
    this.network.addFlow(FlowEndpoint.internet(), FlowEndpoint.workload(this.loadBalancer, { tier: Tier.PUBLIC }), WellKnownPorts.HTTPS,
      { description: 'clients and Route 53 health checkers -> ALB (HTTPS)' });

    new CfnOutput(this, 'AlbDnsName', { value: this.loadBalancer.loadBalancerDnsName });
  }
}

/** Properties of the primary's stack. */
export interface DnsFailoverPrimaryStackProps extends DnsFailoverRegionStackProps {
  /** The public hosted zone's domain. */
  readonly zoneName: string;
  /** The secondary ALB's DNS name (another region: a literal, not a reference). */
  readonly secondaryDnsName: string;
  /** The secondary ALB's canonical hosted zone id. */
  readonly secondaryCanonicalHostedZoneId: string;
  /** The secondary ALB's region. */
  readonly secondaryRegion: string;
}

/** The primary region, plus the public hosted zone and the failover pair for `app.<zone>`. */
export class DnsFailoverPrimaryStack extends DnsFailoverRegionStack {
  public readonly zone: route53.PublicHostedZone;
  public readonly failover: FailoverRecord;

  constructor(scope: Construct, id: string, props: DnsFailoverPrimaryStackProps) {
    super(scope, id, props);
    this.zone = new route53.PublicHostedZone(this, 'Zone', { zoneName: props.zoneName });
    this.failover = new FailoverRecord(this, 'App', {
      zone: this.zone,
      recordName: 'app',
      primary: {
        target: FailoverTarget.loadBalancer(this.loadBalancer),
        setIdentifier: this.region,
        // default health check: HTTPS /health on 443, every 30 s, failure threshold 3
      },
      secondary: {
        target: FailoverTarget.loadBalancerAttributes({
          dnsName: props.secondaryDnsName,
          canonicalHostedZoneId: props.secondaryCanonicalHostedZoneId,
          region: props.secondaryRegion,
        }),
        setIdentifier: props.secondaryRegion,
        // checked too: if both sides fail, Route 53 answers with the primary rather than a dead secondary
        healthCheck: FailoverHealthCheck.endpoint(),
      },
    });
    if (props.secondaryDnsName === PLACEHOLDER_WEST_DNS) {
      Annotations.of(this.failover).addWarningV2('cdk-network-patterns:exampleWestDnsPlaceholder',
        'The secondary points at a placeholder DNS name: deploy DnsFailoverWest first and pass its AlbDnsName output with -c westAlbDnsName=...');
    }
    new CfnOutput(this, 'NameServers', { value: Fn.join(',', this.zone.hostedZoneNameServers ?? []) });
    new CfnOutput(this, 'RecordName', { value: this.failover.domainName });
  }
}

/** Builds the example's stacks into `app` (the main job calls this with the checks registered). */
export function build(app: App): Stack[] {
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const context = (key: string, fallback: string): string => app.node.tryGetContext(key) ?? fallback;
  const west = new DnsFailoverRegionStack(app, 'DnsFailoverWest', {
    env: { account, region: 'us-west-2' },
    availabilityZones: ['us-west-2a', 'us-west-2b', 'us-west-2c'],
    certificateArn: context('westCertificateArn', 'arn:aws:acm:us-west-2:123456789012:certificate/11111111-2222-3333-4444-555555555555'),
  });
  const east = new DnsFailoverPrimaryStack(app, 'DnsFailoverEast', {
    env: { account, region: 'us-east-1' },
    availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    certificateArn: context('eastCertificateArn', 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555'),
    zoneName: context('zoneName', 'example.com'),
    secondaryDnsName: context('westAlbDnsName', PLACEHOLDER_WEST_DNS),
    secondaryCanonicalHostedZoneId: US_WEST_2_ALB_ZONE_ID,
    secondaryRegion: 'us-west-2',
  });
  return [east, west];
}

if (require.main === module) {
  build(new App());
}
