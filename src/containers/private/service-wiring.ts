import { Annotations, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { NlbTarget } from '../../load-balancing/nlb-target';
import { validateClientCidrs } from '../../load-balancing/private/clients';
import { TieredNetworkLoadBalancer } from '../../load-balancing/tiered-network-load-balancer';
import { ClientOptions } from '../../network/client-options';
import { FlowEndpoint } from '../../network/flow-endpoint';
import { Tier } from '../../network/tier';
import { ITieredVpc } from '../../network/tiered-vpc';
import { EphemeralRange } from '../../ports/ephemeral-range';
import { WellKnownPorts } from '../../ports/well-known-ports';
import { acknowledgeCompliance, acknowledgeControlTower, CompliancePack, createLogEncryptionKey, ManagedPolicyRole } from '../../private/compliance';
import { propError } from '../../private/errors';
import { isAnyAddress } from '../../private/ipv6-cidr';
import { EcsServiceBaseProps } from '../ecs-service-props';
import {
  AlbServiceLoadBalancerOptions, NlbServiceLoadBalancerOptions, ServiceLoadBalancer, ServiceLoadBalancerType,
} from '../service-load-balancer';

/** The container's name in the task definition. */
export const CONTAINER_NAME = 'app';

/** Defaults shared by both service constructs. */
export const DEFAULTS = {
  desiredCount: 2,
  cpu: 256,
  memoryLimitMiB: 512,
  minHealthyPercent: 100,
  maxHealthyPercent: 200,
  healthCheckPath: '/',
  deregistrationDelay: Duration.seconds(30),
  clientCidrs: ['0.0.0.0/0'],
  dualStackClientCidrs: ['0.0.0.0/0', '::/0'],
  logRetention: logs.RetentionDays.ONE_YEAR,
};

/** The base props with every default applied. */
export interface ResolvedBaseProps {
  readonly desiredCount: number;
  readonly cpu: number;
  readonly memoryLimitMiB: number;
  readonly minHealthyPercent: number;
  readonly maxHealthyPercent: number;
  readonly loadBalancer: ServiceLoadBalancer;
  readonly alb: AlbServiceLoadBalancerOptions;
  readonly nlb: NlbServiceLoadBalancerOptions;
  readonly clientCidrs: string[];
  /** Internet-facing in the public tier, or internal in the app tier. */
  readonly internetFacing: boolean;
}

/** A regional WAFv2 web ACL (AWS WAF developer guide, "AWS WAF resource ARNs"). */
const WEB_ACL_ARN = /^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/[A-Za-z0-9_-]+\/[a-f0-9-]+$/;

function isConcrete(value: unknown): value is number {
  return typeof value === 'number' && !Token.isUnresolved(value);
}

function checkInteger(scope: Construct, prop: string, value: number | undefined, min: number, max: number, fix: string): void {
  if (!isConcrete(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw propError(scope, prop, value, `must be an integer between ${min} and ${max}`, fix);
  }
}

/**
 * Validates the props both service constructs share and applies their defaults.
 * `networkMode` is the only mode the construct supports; `otherConstruct` names the one to use instead.
 */
export function validateBaseProps(
  scope: Construct,
  props: EcsServiceBaseProps,
  networkMode: ecs.NetworkMode,
  otherConstruct: string,
): ResolvedBaseProps {
  if (props.containerPort === undefined || props.containerPort === null) {
    throw propError(scope, 'containerPort', props.containerPort, 'is required',
      'Give the port the container listens on, e.g. containerPort: 8080: the load balancer sends traffic to it.');
  }
  checkInteger(scope, 'containerPort', props.containerPort, 1, 65535,
    'Give the port the container listens on, e.g. 8080.');
  if (props.networkMode !== undefined && props.networkMode !== networkMode) {
    const fargate = networkMode === ecs.NetworkMode.AWS_VPC;
    throw propError(scope, 'networkMode', props.networkMode,
      fargate
        ? 'must be awsvpc: Fargate supports no other network mode (no bridge, no host ports; each task gets its own ENI and security group)'
        : 'must be bridge: this construct maps each task\'s container port to a dynamic host port on shared instances',
      fargate
        ? `Omit networkMode, or use ${otherConstruct} for bridge mode with dynamic host ports on EC2 instances.`
        : `Omit networkMode, or use ${otherConstruct} for awsvpc tasks with their own ENI and security group.`);
  }
  const desiredCount = props.desiredCount ?? DEFAULTS.desiredCount;
  checkInteger(scope, 'desiredCount', desiredCount, 0, 10000, 'Give a whole number of tasks.');
  const cpu = props.cpu ?? DEFAULTS.cpu;
  checkInteger(scope, 'cpu', cpu, 1, 196608, 'Give CPU units per task (1024 = one vCPU).');
  const memoryLimitMiB = props.memoryLimitMiB ?? DEFAULTS.memoryLimitMiB;
  checkInteger(scope, 'memoryLimitMiB', memoryLimitMiB, 6, 4194304, 'Give memory per task in MiB (at least 6, the ECS minimum).');
  const minHealthyPercent = props.minHealthyPercent ?? DEFAULTS.minHealthyPercent;
  checkInteger(scope, 'minHealthyPercent', minHealthyPercent, 0, 100,
    'Give a percentage of desiredCount between 0 and 100 (100 keeps full capacity during deployments).');
  const maxHealthyPercent = props.maxHealthyPercent ?? DEFAULTS.maxHealthyPercent;
  checkInteger(scope, 'maxHealthyPercent', maxHealthyPercent, 100, 1000,
    'Give a percentage of desiredCount of at least 100 (200 starts a full set of new tasks beside the old ones).');
  if (isConcrete(minHealthyPercent) && isConcrete(maxHealthyPercent) && minHealthyPercent >= maxHealthyPercent) {
    throw propError(scope, 'minHealthyPercent', minHealthyPercent, `must be below maxHealthyPercent (${maxHealthyPercent})`,
      'A deployment must be able to start a new task before stopping an old one: e.g. 100 and 200, or 50 and 100.');
  }

  const loadBalancer = props.loadBalancer ?? ServiceLoadBalancer.alb();
  const network = loadBalancer.loadBalancerType === ServiceLoadBalancerType.NETWORK;
  const alb = loadBalancer._albOptions;
  const nlb = loadBalancer._nlbOptions;
  const internetFacing = (network ? nlb.internetFacing : alb.internetFacing) ?? true;
  const dualStack = props.network.dualStack;
  const clientCidrs = (network ? nlb.clientCidrs : alb.clientCidrs)
    ?? (internetFacing ? (dualStack ? DEFAULTS.dualStackClientCidrs : DEFAULTS.clientCidrs) : []);
  if (internetFacing && clientCidrs.length === 0) {
    throw propError(scope, 'loadBalancer.clientCidrs', clientCidrs, 'must name at least one CIDR',
      `Give the clients' CIDRs, or omit clientCidrs to admit anyone (${(dualStack ? DEFAULTS.dualStackClientCidrs : DEFAULTS.clientCidrs).join(' and ')}).`);
  }
  if (!internetFacing && clientCidrs.some((c) => c.endsWith('/0'))) {
    throw propError(scope, 'loadBalancer.clientCidrs', clientCidrs,
      'must not contain 0.0.0.0/0 for an internal load balancer: it has private addresses only, and the app tier\'s NACL would admit every address',
      'Name the private networks that reach it (a peered VPC, a VPN or Direct Connect range), admit workloads in the VPC with allowLoadBalancerClient, or make it internet-facing.');
  }
  validateClientCidrs(scope, 'loadBalancer.clientCidrs', clientCidrs, props.network, internetFacing
    ? 'The load balancer faces the internet: its clients are outside the VPC. Reach the service from inside the VPC through its own security group (service.connections) with TieredVpc.addFlow.'
    : 'Clients inside the VPC are admitted by security group reference: service.allowLoadBalancerClient(workload, tier); keep clientCidrs for networks outside the VPC.');
  const path = network ? nlb.healthCheckPath : alb.healthCheckPath;
  if (path !== undefined && !Token.isUnresolved(path) && !path.startsWith('/')) {
    throw propError(scope, 'loadBalancer.healthCheckPath', path, 'must start with /', 'Give an absolute path, e.g. /health.');
  }
  const delay = network ? nlb.deregistrationDelay : alb.deregistrationDelay;
  if (delay !== undefined && !Token.isUnresolved(delay.toSeconds()) && (delay.toSeconds() < 0 || delay.toSeconds() > 3600)) {
    throw propError(scope, 'loadBalancer.deregistrationDelay', `${delay.toSeconds()} seconds`, 'must be between 0 and 3600 seconds',
      'Elastic Load Balancing accepts 0-3600 s; 30 s suits most web services.');
  }
  const regionless = Token.isUnresolved(Stack.of(scope).region);
  if (network) {
    checkInteger(scope, 'loadBalancer.port', nlb.port, 1, 65535, 'Give the listener port clients connect to, e.g. 443 or 9092.');
    if (nlb.accessLogBucket && regionless) {
      throw propError(scope, 'loadBalancer.accessLogBucket', nlb.accessLogBucket.node.path,
        'needs the stack\'s Region: Elastic Load Balancing delivers access logs from a per-Region principal',
        'Give the stack an env with a region (e.g. env: { region: \'us-east-1\' }), or omit accessLogBucket.');
    }
  } else {
    const webAclArn = alb.webAclArn;
    if (webAclArn !== undefined && !Token.isUnresolved(webAclArn) && !WEB_ACL_ARN.test(webAclArn)) {
      throw propError(scope, 'loadBalancer.webAclArn', webAclArn,
        'must be the ARN of a regional AWS WAF web ACL (arn:<partition>:wafv2:<region>:<account>:regional/webacl/<name>/<id>)',
        'Give the ARN of a web ACL with scope REGIONAL in the load balancer\'s Region (e.g. webAcl.attrArn); a CLOUDFRONT-scope web ACL cannot be associated with a load balancer.');
    }
    if (alb.sslPolicy && !alb.certificate) {
      throw propError(scope, 'loadBalancer.sslPolicy', alb.sslPolicy, 'needs a certificate: without one the load balancer has no HTTPS listener',
        'Give ServiceLoadBalancer.alb({ certificate, sslPolicy }), or omit sslPolicy.');
    }
    if ((alb.accessLogs ?? true) && regionless) {
      throw propError(scope, 'loadBalancer.accessLogs', true,
        'need the stack\'s Region: Elastic Load Balancing delivers access logs from a per-Region principal',
        'Give the stack an env with a region (e.g. env: { region: \'us-east-1\' }), or turn logs off with ServiceLoadBalancer.alb({ accessLogs: false }).');
    }
  }
  return { desiredCount, cpu, memoryLimitMiB, minHealthyPercent, maxHealthyPercent, loadBalancer, alb, nlb, clientCidrs, internetFacing };
}

/**
 * The given cluster, which must be in the tiered VPC, or a new one with Container Insights on
 * (AwsSolutions-ECS4).
 */
export function createCluster(scope: Construct, net: ITieredVpc, cluster?: ecs.Cluster): ecs.Cluster {
  if (cluster) {
    if (cluster.vpc !== net.vpc) {
      throw propError(scope, 'cluster', cluster.node.path, `must be in the tiered VPC ${net.node.path}, but is in ${cluster.vpc.node.path}`,
        'Create the shared cluster with vpc: tieredVpc.vpc, or omit cluster to let the service create its own.');
    }
    return cluster;
  }
  return new ecs.Cluster(scope, 'Cluster', {
    vpc: net.vpc,
    containerInsightsV2: ecs.ContainerInsights.ENABLED,
  });
}

/** The container log group (AwsSolutions-ECS7) and the key that encrypts it (CloudWatchLogGroupEncrypted). */
export function createLogGroup(scope: Construct, props: EcsServiceBaseProps): { logGroup: logs.LogGroup; key: kms.IKey } {
  const key = props.logEncryptionKey
    ?? createLogEncryptionKey(scope, 'LogKey', `Encrypts the container logs of ${scope.node.path}`);
  const logGroup = new logs.LogGroup(scope, 'Logs', {
    retention: props.logRetention ?? DEFAULTS.logRetention,
    removalPolicy: RemovalPolicy.RETAIN,
    encryptionKey: key,
  });
  return { logGroup, key };
}

/**
 * The task definition's roles: ECS's execution role (image pulls, the log driver) and the tasks'
 * own role, each keeping the grants aws-cdk-lib and the user add in a customer managed policy
 * rather than an inline one (IAMNoInlinePolicy).
 */
export function createTaskRoles(scope: Construct): { executionRole: iam.Role; taskRole: iam.Role } {
  const assumedBy = new iam.ServicePrincipal('ecs-tasks.amazonaws.com');
  return {
    executionRole: new ManagedPolicyRole(scope, 'ExecutionRole', {
      assumedBy, description: `ECS task execution role of ${scope.node.path}: image pulls and the log driver`,
    }),
    taskRole: new ManagedPolicyRole(scope, 'TaskRole', {
      assumedBy, description: `Role of the tasks of ${scope.node.path}`,
    }),
  };
}

/**
 * The findings an Application Load Balancer's access log bucket can't clear: ALB access logs
 * support SSE-S3 only, and logging or replicating the log bucket is an account-level choice.
 */
function acknowledgeAccessLogBucket(bucket: s3.Bucket): void {
  const noServerLogs = 'This bucket only receives the load balancer\'s access logs; server access logs for it would need another ' +
    'bucket, and that one another. Reads of the logs can be audited with CloudTrail S3 data events.';
  Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: noServerLogs });
  acknowledgeCompliance(bucket, 'S3BucketLoggingEnabled', noServerLogs);
  acknowledgeCompliance(bucket, 'S3DefaultEncryptionKMS',
    'An Application Load Balancer writes access logs only to buckets encrypted with SSE-S3 (AWS ELB user guide, "Enable access ' +
    'logs for your Application Load Balancer": the only server-side encryption supported); with SSE-KMS the logs are never delivered.');
  acknowledgeCompliance(bucket, 'S3BucketReplicationEnabled',
    'Replication needs a second bucket (usually in another Region or a log-archive account) and a replication role: where ' +
    'access logs are copied is an account-level decision the construct cannot make. The bucket is versioned and retained on stack deletion.');
  acknowledgeControlTower(bucket, 'CT.S3.PR.10', 's3_bucket_default_encryption_kms_check',
    'An Application Load Balancer delivers access logs only to a bucket encrypted with SSE-S3 (Amazon S3 managed keys); with ' +
    'SSE-KMS the logs are never delivered. https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html');
  acknowledgeControlTower(bucket, 'CT.S3.PR.2', 's3_bucket_logging_enabled_check', noServerLogs);
  acknowledgeControlTower(bucket, 'CT.S3.PR.4', 's3_event_notifications_enabled_check',
    'Nothing consumes events of this bucket: the load balancer writes a log object every five minutes and readers query them ' +
    '(Athena, for example). Add a notification on `accessLogBucket` where a pipeline needs one.');
  acknowledgeControlTower(bucket, 'CT.S3.PR.9', 's3_bucket_object_lock_enabled_check',
    'S3 Object Lock makes objects undeletable for a retention period and can never be turned off on the bucket: a legal or ' +
    'regulatory retention decision for the account, not a default a reusable construct can take. The bucket is versioned and ' +
    'retained on stack deletion; pass your own locked bucket as accessLogBucket. https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html');
}

/** The tasks a load balancer sends traffic to. */
export interface ServiceTargets {
  /** The ECS service whose tasks ECS registers. */
  readonly service: ecs.BaseService;
  /** The container port (the target group's nominal port; ECS registers each task's real port). */
  readonly containerPort: number;
  /** INSTANCE for bridge mode (instance id + host port), IP for awsvpc (task ENI + container port). */
  readonly targetType: elbv2.TargetType;
  /** The security groups the traffic enters: the container instances, or the tasks' ENIs. */
  readonly connectable: ec2.IConnectable;
  /** The ports the tasks really receive traffic on: the dynamic host port range, a fixed host port, or the container port. */
  readonly trafficPorts: ec2.Port;
  /** What those ports are, for the flow's description. */
  readonly trafficDescription: string;
}

/** What `buildLoadBalancer` made. */
export interface BuiltLoadBalancer {
  readonly loadBalancer: elbv2.BaseLoadBalancer;
  readonly connections: ec2.Connections;
  readonly listener: elbv2.BaseListener;
  readonly targetGroup: elbv2.TargetGroupBase;
  readonly applicationLoadBalancer?: elbv2.ApplicationLoadBalancer;
  readonly networkLoadBalancer?: TieredNetworkLoadBalancer;
  readonly accessLogBucket?: s3.IBucket;
  /** The tier the load balancer sits in: public when internet-facing, app when internal. */
  readonly tier: Tier;
  /** The listener ports clients connect to. */
  readonly listenerPorts: ec2.Port[];
}

/**
 * The load balancer in the public tier, its listeners, the target group the tasks are registered
 * in, and the flows internet -> load balancer -> tasks.
 */
export function buildLoadBalancer(scope: Construct, net: ITieredVpc, resolved: ResolvedBaseProps, targets: ServiceTargets): BuiltLoadBalancer {
  return resolved.loadBalancer.loadBalancerType === ServiceLoadBalancerType.NETWORK
    ? buildNlb(scope, net, resolved, targets)
    : buildAlb(scope, net, resolved, targets);
}

/**
 * The internet-facing ALB: HTTPS 443 (+ HTTP 80 redirect) with a certificate, HTTP 80 alone
 * (with a warning) without. Listeners are created closed (`open: false`); the openings are the
 * declared flows internet -> ALB on each listener port and ALB -> tasks on the traffic ports.
 */
function buildAlb(scope: Construct, net: ITieredVpc, resolved: ResolvedBaseProps, targets: ServiceTargets): BuiltLoadBalancer {
  const alb = resolved.alb;
  const lbTier = resolved.internetFacing ? Tier.PUBLIC : Tier.APP;
  const loadBalancer = new elbv2.ApplicationLoadBalancer(scope, 'LoadBalancer', {
    vpc: net.vpc,
    internetFacing: resolved.internetFacing,
    vpcSubnets: net.tierSubnets(lbTier),
    dropInvalidHeaderFields: true,
    deletionProtection: alb.deletionProtection ?? true,
    // Dual stack when the VPC is: clients reach it over IPv4 and IPv6; it reaches the tasks over IPv4.
    ipAddressType: net.dualStack ? elbv2.IpAddressType.DUAL_STACK : undefined,
  });
  if (alb.webAclArn !== undefined) {
    // An L1: aws-cdk-lib has no L2 for AWS WAF.
    new wafv2.CfnWebACLAssociation(scope, 'WebAclAssociation', {
      resourceArn: loadBalancer.loadBalancerArn,
      webAclArn: alb.webAclArn,
    });
  } else {
    acknowledgeCompliance(loadBalancer, 'ALBWAFEnabled',
      'A WAF web ACL\'s rules belong to the application behind the load balancer (a managed rule set that suits a form ' +
      'application blocks a file-upload API) and each web ACL and rule is billed monthly, so the construct picks none; the ' +
      'load balancer drops invalid header fields and admits only the declared listener ports. Pass ' +
      'ServiceLoadBalancer.alb({ webAclArn }) to associate your web ACL.',
      [CompliancePack.NIST_800_53_R5, CompliancePack.PCI_DSS_321]);
  }

  let accessLogBucket: s3.IBucket | undefined;
  if (alb.accessLogs ?? true) {
    accessLogBucket = alb.accessLogBucket;
    if (!accessLogBucket) {
      const bucket = new s3.Bucket(scope, 'AccessLogs', {
        encryption: s3.BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        versioned: true,
        // A lifecycle policy that deletes no log (AWS Control Tower CT.S3.PR.3, CT.S3.PR.6): parts of
        // uploads that never completed are removed after a week. How long logs are kept is the account's choice.
        // https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpu-abort-incomplete-mpu-lifecycle-config.html
        lifecycleRules: [{ id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) }],
        removalPolicy: RemovalPolicy.RETAIN,
      });
      acknowledgeAccessLogBucket(bucket);
      accessLogBucket = bucket;
    }
    loadBalancer.logAccessLogs(accessLogBucket);
  } else {
    Annotations.of(scope).addWarningV2('cdk-network-patterns:loadBalancerAccessLogsOff',
      'The load balancer writes no access logs (accessLogs: false): requests that reach it leave no trace. Turn them on in production.');
    Validations.of(loadBalancer).acknowledge({
      id: 'AwsSolutions-ELB2',
      reason: 'Access logs were turned off explicitly with ServiceLoadBalancer.alb({ accessLogs: false }); the construct leaves the warning cdk-network-patterns:loadBalancerAccessLogsOff.',
    });
  }

  const targetGroup = new elbv2.ApplicationTargetGroup(scope, 'TargetGroup', {
    vpc: net.vpc,
    port: targets.containerPort,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targetType: targets.targetType,
    deregistrationDelay: alb.deregistrationDelay ?? DEFAULTS.deregistrationDelay,
    healthCheck: {
      // The port each task was registered with: a dynamic host port in bridge mode.
      port: 'traffic-port',
      protocol: elbv2.Protocol.HTTP,
      path: alb.healthCheckPath ?? DEFAULTS.healthCheckPath,
    },
  });

  let listener: elbv2.ApplicationListener;
  // An internal load balancer without client CIDRs admits only workloads (allowLoadBalancerClient).
  const clients = resolved.clientCidrs.length ? FlowEndpoint.internet({ cidrs: resolved.clientCidrs }) : undefined;
  const lbEnd = FlowEndpoint.workload(loadBalancer, { tier: lbTier, ephemeralRange: EphemeralRange.ELB });
  const listenerPorts: ec2.Port[] = [];
  if (alb.certificate) {
    listener = loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromCertificateManager(alb.certificate)],
      sslPolicy: alb.sslPolicy ?? elbv2.SslPolicy.RECOMMENDED_TLS,
      open: false,
      defaultTargetGroups: [targetGroup],
    });
    const redirect = loadBalancer.addRedirect({
      sourcePort: 80,
      sourceProtocol: elbv2.ApplicationProtocol.HTTP,
      targetPort: 443,
      targetProtocol: elbv2.ApplicationProtocol.HTTPS,
      open: false,
    });
    acknowledgeCompliance(redirect, 'ELBv2ACMCertificateRequired',
      'This HTTP 80 listener only answers with a redirect to HTTPS 443 (ALBHttpToHttpsRedirection holds), which carries the ' +
      'ACM certificate: it serves no content, and an HTTP listener can hold no certificate.');
    listenerPorts.push(WellKnownPorts.HTTPS, WellKnownPorts.HTTP);
    if (clients) {
      net.addFlow(clients, lbEnd, WellKnownPorts.HTTPS, { description: `clients -> ${loadBalancer.node.path} https 443` });
      net.addFlow(clients, lbEnd, WellKnownPorts.HTTP, { description: `clients -> ${loadBalancer.node.path} http 80 (redirect to 443)` });
    }
  } else {
    Annotations.of(scope).addWarningV2('cdk-network-patterns:httpOnlyLoadBalancer',
      'The load balancer listens on HTTP 80 only: traffic between clients and the load balancer is not encrypted. ' +
      'Give ServiceLoadBalancer.alb({ certificate }) for HTTPS 443 with HTTP 80 redirecting to it.');
    listener = loadBalancer.addListener('Http', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultTargetGroups: [targetGroup],
    });
    listenerPorts.push(WellKnownPorts.HTTP);
    if (clients) net.addFlow(clients, lbEnd, WellKnownPorts.HTTP, { description: `clients -> ${loadBalancer.node.path} http 80` });
  }
  if (resolved.clientCidrs.some(isAnyAddress)) {
    Validations.of(loadBalancer).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'An internet-facing load balancer: its listener ports (80/443 only) are open to every client by design ' +
        '(clientCidrs narrows them); nothing behind it is reachable from the internet.',
    });
  }

  registerTasks(targets, targetGroup);
  net.addFlow(lbEnd, FlowEndpoint.workload(targets.connectable, { tier: Tier.APP }), targets.trafficPorts,
    { description: `${loadBalancer.node.path} -> ${nameOf(targets.connectable)} on ${targets.trafficDescription}` });
  return {
    loadBalancer,
    connections: loadBalancer.connections,
    listener,
    targetGroup,
    applicationLoadBalancer: loadBalancer,
    accessLogBucket,
    tier: lbTier,
    listenerPorts,
  };
}

/**
 * The internet-facing NLB (the library's TieredNetworkLoadBalancer): one TCP or TLS listener
 * whose target is the service, registered with the traffic ports given here. The NLB construct
 * declares the flows clients -> NLB on the listener port and NLB -> tasks on those ports (and on
 * nothing else: no 32768-65535 of its own).
 */
function buildNlb(scope: Construct, net: ITieredVpc, resolved: ResolvedBaseProps, targets: ServiceTargets): BuiltLoadBalancer {
  const options = resolved.nlb;
  const nlb = new TieredNetworkLoadBalancer(scope, 'LoadBalancer', {
    network: net,
    internetFacing: resolved.internetFacing,
    clientCidrs: resolved.clientCidrs,
    staticIps: options.staticIps ?? false,
    accessLogBucket: options.accessLogBucket,
    deletionProtection: options.deletionProtection ?? true,
  });
  const target = targets.service.loadBalancerTarget({ containerName: CONTAINER_NAME, containerPort: targets.containerPort });
  const listener = nlb.addListener('Listener', {
    port: options.port ?? targets.containerPort,
    certificates: options.certificate ? [elbv2.ListenerCertificate.fromCertificateManager(options.certificate)] : undefined,
    targetsTerminateTls: options.targetsTerminateTls,
    targetPort: targets.containerPort,
    preserveClientIp: options.preserveClientIp ?? false,
    deregistrationDelay: options.deregistrationDelay ?? DEFAULTS.deregistrationDelay,
    healthCheck: options.healthCheckPath ? { protocol: elbv2.Protocol.HTTP, path: options.healthCheckPath } : undefined,
    targets: [NlbTarget.custom(target, {
      connectable: targets.connectable,
      targetType: targets.targetType,
      trafficPort: targets.trafficPorts,
      tier: Tier.APP,
    })],
  });
  return {
    loadBalancer: nlb.loadBalancer,
    connections: nlb.connections,
    listener: listener.listener,
    targetGroup: listener.targetGroup,
    networkLoadBalancer: nlb,
    accessLogBucket: options.accessLogBucket,
    tier: nlb.tier,
    listenerPorts: [ec2.Port.tcp(listener.port)],
  };
}

/**
 * Admits a workload of the tiered VPC to the load balancer's listener ports: declared flows,
 * security group referencing security group, and the NACL entries of both tiers.
 */
export function allowLoadBalancerFrom(net: ITieredVpc, built: BuiltLoadBalancer,
  client: ec2.IConnectable, tier: Tier, options: ClientOptions = {}): void {
  if (built.networkLoadBalancer) {
    built.networkLoadBalancer.allowClient(client, tier, options);
    return;
  }
  const lbEnd = FlowEndpoint.workload(built.loadBalancer as elbv2.ApplicationLoadBalancer, { tier: built.tier, ephemeralRange: EphemeralRange.ELB });
  for (const port of built.listenerPorts) {
    const clientEnd = FlowEndpoint.workload(client, { tier: tier, ephemeralRange: options.ephemeralRange, name: options.name });
    net.addFlow(clientEnd, lbEnd, port,
      { description: `${clientEnd.name} -> ${built.loadBalancer.node.path} ${port.toString()}` });
  }
}

function nameOf(connectable: ec2.IConnectable): string {
  return FlowEndpoint.workload(connectable, { tier: Tier.APP }).name;
}

/**
 * Registers the service's tasks in the ALB target group WITHOUT any security group rule.
 *
 * aws-cdk-lib's `service.attachToApplicationTargetGroup` (and `loadBalancerTarget()`,
 * `listener.addTargets`) calls `targetGroup.registerConnectable(service, portRange)`, which
 * writes load balancer SG -> service SG rules of its own: for bridge mode the hard-coded
 * `EPHEMERAL_PORT_RANGE` 32768-65535 of aws-ecs `task-definition` (aws-cdk issues 9778, 12812).
 * Here the only rules are the declared flows, so the tasks are registered through the ELBv2
 * path that registers the target and the dependency on the listener but opens nothing
 * (`attachToNetworkTargetGroup` uses only the ITargetGroup members `targetGroupArn` and
 * `loadBalancerAttached`, which an ApplicationTargetGroup has too).
 */
function registerTasks(targets: ServiceTargets, targetGroup: elbv2.ApplicationTargetGroup): void {
  const target = targets.service.loadBalancerTarget({ containerName: CONTAINER_NAME, containerPort: targets.containerPort });
  targetGroup.addTarget({
    attachToApplicationTargetGroup: (group: elbv2.IApplicationTargetGroup) =>
      target.attachToNetworkTargetGroup(group as unknown as elbv2.INetworkTargetGroup),
  });
}

/**
 * The tasks' own outbound flows: HTTPS to the internet through the NAT gateway (image pulls,
 * the ECS agent, CloudWatch Logs), and in a dual-stack VPC over IPv6 through the egress-only
 * internet gateway too; and 443 to the VPC's interface endpoints.
 */
export function declareEgress(net: ITieredVpc, workload: ec2.IConnectable, name: string, allowInterfaceEndpoints: boolean | undefined): void {
  const through = net.dualStack ? 'the NAT gateway (IPv4) and the egress-only internet gateway (IPv6)' : 'the NAT gateway';
  net.addFlow(FlowEndpoint.workload(workload, { tier: Tier.APP }), FlowEndpoint.internet({ cidrs: net.dualStack ? ['0.0.0.0/0', '::/0'] : undefined }), WellKnownPorts.HTTPS,
    { description: `${name} -> internet https 443 through ${through} (image pulls, ECS and CloudWatch Logs APIs)` });
  if (allowInterfaceEndpoints ?? true) {
    net.allowInterfaceEndpoints(workload, Tier.APP);
  }
}
