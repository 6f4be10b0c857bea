/**
 * Scenario: a real-time collaborative code editor designed for 500,000 concurrent editing
 * sessions of 4 participants each, 2,000,000 WebSocket connections, with every opening a
 * declared flow:
 *
 *   browsers --wss:// 443--> NLB (public tier, TCP pass-through: TLS ends at the servers)
 *   NLB --443--> WebSocket servers, ECS on Fargate (app tier, one ENI and security group per task)
 *   servers --6379, TLS, IAM auth--> ElastiCache (Redis OSS 7.1) pub/sub (data tier), admitting only the servers' group
 *   servers --443--> DynamoDB (documents), through the VPC's gateway endpoint
 *   servers --443--> internet through the NAT gateway in their AZ (image pulls, ECS, CloudWatch Logs, ECS Exec)
 *
 * and nothing else. No SSH anywhere: the tasks run no SSH daemon and no rule opens 22; a shell in
 * a server is a Session Manager session through ECS Exec.
 *
 * Sizing, from the design inputs below: 2,000,000 connections / 50,000 per server (what one
 * event-driven server holds once its file-descriptor limit is raised) = 40 servers, + 50% headroom
 * (to absorb a lost AZ and the reconnection storm that follows) = 60. The server count is a
 * parameter: `serverCount` (prop, or `-c serverCount=60`), default 2 so that a test deploy stays
 * cheap; DESIGN_SERVER_COUNT (60) is the figure for the full load. Each server's open-file limit
 * is raised to 131,072 (every socket is a file descriptor: 50,000 client sockets plus the Redis,
 * DynamoDB and log connections, with room above Fargate's default of 65,535,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Ulimit.html); the 50,000 per
 * server is a design input, so size cpu and memory from a load test.
 *
 * Why each piece:
 * - NLB, not ALB: connections live for hours and an NLB passes TCP through, layer 4, without
 *   terminating HTTP. An NLB still closes a connection on which neither side sent anything for
 *   its TCP idle timeout (350 s by default), so the listener's is raised to 6,000 s, the most AWS
 *   allows; only a TCP listener can change it (a TLS listener's is fixed at 350 s), one more
 *   reason the TLS ends at the servers. Servers and clients still send WebSocket pings well within
 *   6,000 s. The servers hold the certificate for wss://collab.<your domain>.
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/network/update-idle-timeout.html
 * - NLB health checks every 5 s, 2 failures: a dead server leaves the rotation within 10 s, its
 *   clients reconnect with backoff (and jitter, so that they do not all return at once) to the
 *   others; the servers keep no session state, so any server will do.
 * - No Elastic IPs on the NLB: an internet-facing NLB keeps one address per AZ for its lifetime
 *   anyway, and 3 NAT gateways + 3 NLB Elastic IPs would exceed the default quota of 5 per Region.
 *   https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html
 * - Redis pub/sub per session (each server publishes a participant's edits on the session's
 *   channel and relays what it receives to its own clients of that session) in cluster mode:
 *   3 shards of a primary and a replica in different AZs, Multi-AZ with automatic failover; sessions hash to shards with
 *   sharded pub/sub (SSUBSCRIBE / SPUBLISH "session:<id>"), so adding shards adds throughput.
 *   Transit and at-rest encryption on; no shared AUTH token: RBAC with IAM authentication
 *   (the servers' task role signs a short-lived token for their RBAC user, REDIS_USER), and the
 *   built-in "default" user (full access, no password) is replaced by a disabled one.
 * - DynamoDB (document storage): the route tables of the app and data tiers send DynamoDB's
 *   prefix list to the gateway endpoint the TieredVpc creates, so the servers' requests never
 *   reach the NAT gateway or the internet. The flow model has no prefix-list end: the flow
 *   servers -> internet 443 is what opens the servers' security group and the NACLs for those
 *   requests (NACL entries name 0.0.0.0/0, which covers DynamoDB's public addresses).
 *
 * The container: public.ecr.aws/nginx/nginx (the official nginx image, Debian-based, whose
 * ca-certificates package brings the openssl CLI), started with a command that generates a
 * self-signed certificate and rewrites the default server's `listen 80;` to `listen 443 ssl`: a
 * placeholder that answers TLS on 443, no Docker build. Replace it with your WebSocket server; it
 * gets REDIS_ENDPOINT, REDIS_PORT, REDIS_USER, REDIS_REPLICATION_GROUP_ID and TABLE_NAME.
 *
 * Practices: wss:// on 443, NLB with TCP pass-through, stateless WebSocket servers, Redis pub/sub
 * on 6379 admitting only the servers' security group, DynamoDB on 443 through a VPC endpoint, no
 * SSH. An NLB for long-lived connections (any TCP port, idle timeout up to 6,000 s; an ALB is an
 * HTTP proxy). Fargate tasks use the awsvpc network mode: each task has its own network interface
 * and security group, so rules name the task's group rather than a host's
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html).
 * Security groups that reference security groups: a rule naming the servers' group admits every
 * task in it, whatever its address
 * (https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html). A gateway endpoint
 * for DynamoDB, free, keeps that traffic off the NAT gateway
 * (https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html). NACLs are
 * stateless, so every NACL entry for a request has its entry for the reply on the client's
 * ephemeral ports (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html).
 * One NAT gateway per AZ, each AZ routing to its own: a NAT gateway is redundant only inside its
 * AZ (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html).
 *
 * Synthesize (no AWS credentials needed):
 *   npx cdk synth --app "npx ts-node -P test/tsconfig.json examples/collaborative-editor.ts"
 * Deploy (us-east-1), a test deploy with 2 servers, or the 60 of the full load:
 *   npx cdk bootstrap
 *   npx cdk deploy --app "npx ts-node -P test/tsconfig.json examples/collaborative-editor.ts" [-c serverCount=60]
 * Try it: `curl -k https://<LoadBalancerDns output>/` completes a TLS handshake with a server
 * (the placeholder's self-signed certificate). A shell in a server, without SSH:
 *   aws ecs execute-command --cluster <ClusterName output> --task <task id> --container server --interactive --command /bin/bash
 * Tear down: the load balancer has deletion protection; turn it off first (`aws elbv2 modify-load-balancer-attributes
 * --load-balancer-arn <arn> --attributes Key=deletion_protection.enabled,Value=false`), then `cdk destroy`; the table
 * (deletion protection, retained), the log group and its key stay.
 */
import { App, ArnFormat, CfnOutput, Duration, Names, RemovalPolicy, Stack, StackProps, Token, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  FlowEndpoint, NlbTarget, Tier, TieredNetworkLoadBalancer, TieredVpc, WellKnownPorts,
} from '../src';

/** Design input: concurrent WebSocket connections at peak, 500,000 sessions x 4 participants. */
export const DESIGN_CONNECTIONS = 2_000_000;
/** Design input: connections one event-driven server holds with its file-descriptor limit raised. */
export const DESIGN_CONNECTIONS_PER_SERVER = 50_000;
/** Design input: headroom over the minimum server count (a lost AZ, reconnection storms). */
export const DESIGN_HEADROOM = 0.5;
/** The server count for the full load: 2,000,000 / 50,000 = 40 servers, + 50% = 60. */
export const DESIGN_SERVER_COUNT = Math.ceil((DESIGN_CONNECTIONS / DESIGN_CONNECTIONS_PER_SERVER) * (1 + DESIGN_HEADROOM));
/** The default server count: a test deploy. */
export const DEFAULT_SERVER_COUNT = 2;

/**
 * The port the servers listen on: wss://, WebSocket over TLS. Never ws:// on 80 in production: it
 * carries the documents in the clear, and proxies on the way often break its unencrypted upgrade.
 */
const WSS_PORT = 443;
/** The NLB's TCP idle timeout ceiling (AWS accepts 60-6000 s). */
const MAX_TCP_IDLE_TIMEOUT = Duration.seconds(6000);
/** The container's name in the task definition. */
const CONTAINER_NAME = 'server';

/**
 * Starts nginx with TLS on 443: a self-signed certificate generated at start, and the default
 * server's `listen 80;` rewritten to `listen 443 ssl` with that certificate.
 */
const NGINX_TLS_ON_443 = [
  '/bin/sh', '-c',
  'openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=collab.example.com" ' +
  '-keyout /etc/nginx/server.key -out /etc/nginx/server.crt && ' +
  `sed -i -E 's|^([[:space:]]*listen[[:space:]]+)80;|\\1${WSS_PORT} ssl; ssl_certificate /etc/nginx/server.crt; ssl_certificate_key /etc/nginx/server.key;|' ` +
  '/etc/nginx/conf.d/default.conf && exec nginx -g \'daemon off;\'',
];

/** Properties of the Redis pub/sub layer. */
export interface PubSubRedisProps {
  /** The tiered VPC: the nodes go in its data tier. */
  readonly network: TieredVpc;
}

/**
 * ElastiCache (Redis OSS) for pub/sub, in the data tier: aws-cdk-lib has only L1s for
 * ElastiCache, so this is the replication group, its subnet group, its users and a security group
 * with no rules of its own (the flows add them), wrapped as one `IConnectable` workload.
 */
export class PubSubRedis extends Construct implements ec2.IConnectable {
  /** The replication group (cluster mode, 3 shards of 2 nodes). */
  public readonly replicationGroup: elasticache.CfnReplicationGroup;
  /** Its security group: admits only the flows declared to it; no egress. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The security group, for flows. */
  public readonly connections: ec2.Connections;
  /** The RBAC user the servers connect as, with IAM authentication. */
  public readonly serversUserId: string;
  /** The port clients connect to. */
  public readonly port = WellKnownPorts.REDIS.toRuleJson().fromPort as number;

  constructor(scope: Construct, id: string, props: PubSubRedisProps) {
    super(scope, id);
    const net = props.network;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: net.vpc,
      allowAllOutbound: false,
      description: `${this.node.path}: Redis pub/sub; admits only the WebSocket servers on 6379, reaches nothing`,
    });
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: WellKnownPorts.REDIS });

    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'SubnetGroup', {
      description: `${this.node.path}: the data tier`,
      subnetIds: net.selectTierSubnets(Tier.DATA).subnetIds,
    });

    // RBAC with IAM authentication: the user id must equal the user name; every user group needs a
    // user named "default", here a disabled one (the built-in default user has full access and no password).
    // Ids are unique per account and Region: suffixed with the hash of this construct's path.
    const prefix = `redis-${Names.uniqueId(this).slice(-8).toLowerCase()}`;
    this.serversUserId = `${prefix}-servers`;
    const defaultUser = new elasticache.CfnUser(this, 'DisabledDefaultUser', {
      engine: 'redis',
      userId: `${prefix}-default`,
      userName: 'default',
      accessString: 'off -@all',
      noPasswordRequired: true,
    });
    const serversUser = new elasticache.CfnUser(this, 'ServersUser', {
      engine: 'redis',
      userId: this.serversUserId,
      userName: this.serversUserId,
      authenticationMode: { Type: 'iam' },
      // Session keys and session channels (sharded ones too) only; no dangerous commands.
      accessString: 'on ~session:* &session:* +@all -@dangerous',
    });
    const userGroup = new elasticache.CfnUserGroup(this, 'UserGroup', {
      engine: 'redis',
      userGroupId: prefix,
      userIds: [defaultUser.userId, serversUser.userId],
    });
    userGroup.addResourceDependency(defaultUser);
    userGroup.addResourceDependency(serversUser);

    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'Resource', {
      replicationGroupDescription: `${this.node.path}: session pub/sub for the WebSocket servers`,
      engine: 'redis',
      engineVersion: '7.1',
      cacheNodeType: 'cache.r7g.large',
      clusterMode: 'enabled',
      cacheParameterGroupName: 'default.redis7.cluster.on',
      numNodeGroups: 3,
      replicasPerNodeGroup: 1,
      multiAzEnabled: true,
      automaticFailoverEnabled: true,
      port: this.port,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      atRestEncryptionEnabled: true,
      userGroupIds: [userGroup.userGroupId],
      autoMinorVersionUpgrade: true,
      snapshotRetentionLimit: 15,
    });
    this.replicationGroup.addResourceDependency(userGroup);

    Validations.of(this.replicationGroup).acknowledge({
      id: 'AwsSolutions-AEC5',
      reason: 'Redis on its well-known 6379 is this design\'s choice and what every client expects; another port ' +
        'would hide nothing: only the WebSocket servers\' security group reaches it, in the data tier, which has no route to the internet.',
    });
    Validations.of(this.replicationGroup).acknowledge({
      id: 'AwsSolutions-AEC6',
      reason: 'Authentication is RBAC with IAM (user group with an IAM-authenticated user, the default user disabled), which this ' +
        'rule does not recognize: it accepts only a shared AUTH token, a long-lived secret that IAM\'s short-lived signed tokens replace.',
    });
  }

  /** The cluster's configuration endpoint (cluster mode). */
  public get endpoint(): string {
    return this.replicationGroup.attrConfigurationEndPointAddress;
  }

  /** The statement that lets the servers connect as their user (IAM authentication): `elasticache:Connect` on the group and the user. */
  public connectStatement(): iam.PolicyStatement {
    const stack = Stack.of(this);
    return new iam.PolicyStatement({
      actions: ['elasticache:Connect'],
      resources: [
        stack.formatArn({ service: 'elasticache', resource: 'replicationgroup', resourceName: this.replicationGroup.ref, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        stack.formatArn({ service: 'elasticache', resource: 'user', resourceName: this.serversUserId, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      ],
    });
  }
}

/** Properties of the example stack. */
export interface CollaborativeEditorStackProps extends StackProps {
  /**
   * How many WebSocket servers (ECS tasks) run. The full load of 2,000,000 connections needs DESIGN_SERVER_COUNT (60).
   * @default - the `serverCount` context value, else DEFAULT_SERVER_COUNT (2, a test deploy)
   */
  readonly serverCount?: number;
}

export class CollaborativeEditorStack extends Stack {
  public readonly network: TieredVpc;
  public readonly loadBalancer: TieredNetworkLoadBalancer;
  public readonly servers: ecs.FargateService;
  public readonly redis: PubSubRedis;
  public readonly documents: dynamodb.TableV2;
  public readonly serverCount: number;

  constructor(scope: Construct, id: string, props: CollaborativeEditorStackProps = {}) {
    super(scope, id, props);
    this.serverCount = this.resolveServerCount(props);

    // Three tiers in three AZs, a NAT gateway per AZ, S3 and DynamoDB gateway endpoints.
    this.network = new TieredVpc(this, 'Network', { availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] });
    const net = this.network;

    this.redis = new PubSubRedis(this, 'Redis', { network: net });
    this.documents = new dynamodb.TableV2(this, 'Documents', {
      partitionKey: { name: 'documentId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'version', type: dynamodb.AttributeType.NUMBER },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.servers = this.createServers(net);

    // clients --wss 443--> NLB --443--> servers: the listener declares both flows (and the health
    // checks' port, the same 443). TCP: the TLS passes through to the servers.
    this.loadBalancer = new TieredNetworkLoadBalancer(this, 'Nlb', {
      network: net,
      internetFacing: true,
      staticIps: false,
      deletionProtection: true,
    });
    this.loadBalancer.addListener('Wss', {
      port: WSS_PORT,
      // TLS passes through to the servers (a TCP listener holds no certificate; the construct
      // acknowledges the compliance packs' ELBv2ACMCertificateRequired for this reason).
      targetsTerminateTls: true,
      targets: [NlbTarget.ecsService(this.servers, { containerName: CONTAINER_NAME, containerPort: WSS_PORT })],
      tcpIdleTimeout: MAX_TCP_IDLE_TIMEOUT,
      healthCheck: { interval: Duration.seconds(5), timeout: Duration.seconds(4), healthyThresholdCount: 2, unhealthyThresholdCount: 2 },
      // A server being replaced keeps its connections 30 s; its clients then reconnect elsewhere.
      deregistrationDelay: Duration.seconds(30),
    });

    // servers --6379--> Redis: the servers' security group is the only one Redis admits.
    net.addFlow(FlowEndpoint.workload(this.servers, { tier: Tier.APP }), FlowEndpoint.workload(this.redis, { tier: Tier.DATA }),
      WellKnownPorts.REDIS, { description: `${this.servers.node.path} -> ${this.redis.node.path} (session pub/sub)` });
    // servers --443--> DynamoDB (gateway endpoint route), AWS APIs and image pulls (NAT gateway).
    net.addFlow(FlowEndpoint.workload(this.servers, { tier: Tier.APP }), FlowEndpoint.internet(), WellKnownPorts.HTTPS,
      { description: `${this.servers.node.path} -> DynamoDB (gateway endpoint), AWS APIs and image pulls (NAT gateway) tcp 443` });

    new CfnOutput(this, 'LoadBalancerDns', {
      value: this.loadBalancer.loadBalancerDnsName,
      description: 'wss:// endpoint: point collab.<your domain> at it (alias record)',
    });
    new CfnOutput(this, 'ClusterName', { value: this.servers.cluster.clusterName, description: 'For aws ecs execute-command --cluster' });
    new CfnOutput(this, 'RedisEndpoint', { value: this.redis.endpoint });
    new CfnOutput(this, 'TableName', { value: this.documents.tableName });
  }

  private createServers(net: TieredVpc): ecs.FargateService {
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc: net.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });

    const logKey = new kms.Key(this, 'LogKey', {
      description: `Encrypts the WebSocket servers' logs of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts the log group with the key (CloudWatch Logs user guide, "Encrypt log data").
    logKey.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': this.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
      },
    }));
    // Only AWS services integrated with KMS create grants on the key (AWS Control Tower CT.KMS.PR.3).
    logKey.addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }));
    const logGroup = new logs.LogGroup(this, 'ServerLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Every permission in customer managed policies (NIST 800-53, HIPAA and PCI DSS packs:
    // IAMNoInlinePolicy); the roles are handed to ECS without policy updates, so aws-cdk-lib
    // adds no inline policy of its own.
    const executionRole = new iam.Role(this, 'ServerExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Starts the WebSocket servers: writes their logs (the image is public, no registry access needed)',
      managedPolicies: [new iam.ManagedPolicy(this, 'ServerExecutionPolicy', {
        description: 'Writes the WebSocket servers\' container logs',
        statements: [new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        })],
      })],
    });
    const serverPolicy = new iam.ManagedPolicy(this, 'ServerPolicy', {
      description: 'The WebSocket servers: Redis as their user, the documents table, ECS Exec channels',
      statements: [
        this.redis.connectStatement(),
        new iam.PolicyStatement({
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query',
            'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem'],
          resources: [this.documents.tableArn],
        }),
        new iam.PolicyStatement({
          actions: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
          resources: ['*'],
        }),
      ],
    });
    Validations.of(serverPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only the ssmmessages actions of ECS Exec have Resource "*": they support no resource-level permissions (Service ' +
        'Authorization Reference, Amazon Session Manager Message Gateway Service); the session is authorized by ecs:ExecuteCommand on ' +
        'the cluster and task, held by the operator. This is the price of Session Manager instead of SSH.',
    });
    const taskRole = new iam.Role(this, 'ServerTaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'The WebSocket servers',
      managedPolicies: [serverPolicy],
    });

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'ServerTask', {
      cpu: 1024,
      memoryLimitMiB: 2048,
      executionRole: executionRole.withoutPolicyUpdates(),
      taskRole: taskRole.withoutPolicyUpdates(),
    });
    taskDefinition.addContainer(CONTAINER_NAME, {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
      command: NGINX_TLS_ON_443,
      memoryLimitMiB: 2048,
      portMappings: [{ containerPort: WSS_PORT, protocol: ecs.Protocol.TCP }],
      ulimits: [{ name: ecs.UlimitName.NOFILE, softLimit: 131072, hardLimit: 131072 }],
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: CONTAINER_NAME }),
      environment: {
        REDIS_ENDPOINT: this.redis.endpoint,
        REDIS_PORT: String(this.redis.port),
        REDIS_USER: this.redis.serversUserId,
        REDIS_REPLICATION_GROUP_ID: this.redis.replicationGroup.ref,
        TABLE_NAME: this.documents.tableName,
      },
    });
    Validations.of(taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'The environment says where Redis and the table are (endpoint, port, user and group names, table name), no secret: the ' +
        'servers authenticate to Redis and DynamoDB with the task role (IAM), so there is no password to inject from Secrets Manager.',
    });
    const standIn = 'The stand-in image (public nginx) starts as root to bind 443 and writes its cache and pid file under /var, as its ' +
      'official image does; a real WebSocket server image should set a non-root user and a read-only root filesystem with a volume ' +
      'for what it writes. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html';
    Validations.of(taskDefinition).acknowledge(
      { id: 'cdk-validator-cfnguard::ecs_task_definition_nonroot_user_check', reason: `[CT.ECS.PR.3] ${standIn}` },
      { id: 'cdk-validator-cfnguard::ecs_containers_readonly_access_check', reason: `[CT.ECS.PR.6] ${standIn}` },
    );

    const securityGroup = new ec2.SecurityGroup(this, 'ServerSg', {
      vpc: net.vpc,
      allowAllOutbound: false,
      description: 'WebSocket servers (app tier): admit the NLB on 443; reach Redis 6379 and 443 (DynamoDB, AWS APIs)',
    });
    const service = new ecs.FargateService(this, 'Servers', {
      cluster,
      taskDefinition,
      desiredCount: this.serverCount,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      securityGroups: [securityGroup],
      vpcSubnets: net.tierSubnets(Tier.APP),
      assignPublicIp: false,
      // ECS Exec (Session Manager, no SSH); its ssmmessages permissions are in ServerPolicy.
      enableExecuteCommand: true,
    });
    return service;
  }

  private resolveServerCount(props: CollaborativeEditorStackProps): number {
    const raw: unknown = props.serverCount ?? this.node.tryGetContext('serverCount') ?? DEFAULT_SERVER_COUNT;
    const n = typeof raw === 'string' ? Number(raw) : raw;
    if (typeof n !== 'number' || (!Token.isUnresolved(n) && (!Number.isInteger(n) || n < 1))) {
      throw new Error(`${this.node.path}: serverCount must be a whole number of servers, at least 1, got ${String(raw)}. ` +
        `Give e.g. -c serverCount=${DESIGN_SERVER_COUNT} (the full load of ${DESIGN_CONNECTIONS.toLocaleString('en-US')} connections) ` +
        `or ${DEFAULT_SERVER_COUNT} for a test deploy.`);
    }
    return n;
  }
}

/** Builds the example's stacks into `app` (the main job calls this with the checks registered). */
export function build(app: App): Stack[] {
  return [new CollaborativeEditorStack(app, 'CollaborativeEditor', { env: { region: 'us-east-1', account: process.env.CDK_DEFAULT_ACCOUNT } })];
}

if (require.main === module) {
  build(new App());
}
