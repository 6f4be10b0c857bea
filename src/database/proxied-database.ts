import { Annotations, ArnFormat, Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ClientOptions } from '../network/client-options';
import { FlowEndpoint } from '../network/flow-endpoint';
import { subnetGroupName, Tier } from '../network/tier';
import { ITieredVpc } from '../network/tiered-vpc';
import { EphemeralRange } from '../ports/ephemeral-range';
import { WellKnownPorts } from '../ports/well-known-ports';
import { acknowledgeCompliance, acknowledgeControlTower, CompliancePack, createManagedKey, ManagedPolicyRole } from '../private/compliance';
import { ErrorCode, propError } from '../private/errors';
import { defaultEngine, EngineSpec, resolveDatabaseDefaults, ResolvedDatabaseProps } from './private/resolved-props';

/**
 * How a function connected with `ProxiedDatabase.connectFunction` reaches AWS APIs on 443.
 *
 * The IAM auth token itself needs no API call: `@aws-sdk/rds-signer` signs it locally with the
 * function's credentials. A function that only talks to the database can use `NONE`.
 */
export enum AwsApiAccess {
  /** A declared flow function -> internet on 443, through the NAT gateways of the `TieredVpc`. */
  NAT_GATEWAY = 'nat-gateway',
  /** Declared flows function -> every interface endpoint of the `TieredVpc` on 443 (`allowInterfaceEndpoints`). */
  INTERFACE_ENDPOINTS = 'interface-endpoints',
  /** No 443 at all: the function's only egress is the proxy port. */
  NONE = 'none',
}

/** RDS Proxy's longest connection borrow timeout (ConnectionBorrowTimeout: 0-300 s). */
const MAX_BORROW_TIMEOUT_SECONDS = 300;
/** RDS Proxy's longest idle client timeout (IdleClientTimeout: 1-28,800 s). */
const MAX_IDLE_CLIENT_TIMEOUT_SECONDS = 28800;

/** Properties of a `ProxiedDatabase`. */
export interface ProxiedDatabaseProps {
  /** The tiered VPC: the database and the proxy go in its data tier, the rotation function in its app tier. */
  readonly network: ITieredVpc;

  /**
   * The database engine, with a version (the TLS-forcing parameter group needs the engine's
   * parameter group family). PostgreSQL and MySQL are supported: RDS Proxy serves both, and each
   * has a parameter that refuses unencrypted connections.
   * @default rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 })
   */
  readonly engine?: rds.IInstanceEngine;

  /**
   * The instance class. Size it for production; burstable classes suit development and light load.
   * @default db.t4g.medium
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * Allocated storage in GiB (gp3), 20 to 65536.
   * @default 20
   */
  readonly allocatedStorage?: number;

  /**
   * Name of the database created in the instance: letters, digits and underscores, starting with a letter.
   * @default 'app'
   */
  readonly databaseName?: string;

  /**
   * The master user. Its credentials are generated into Secrets Manager and rotated; the proxy
   * logs in to the database with them, and functions connected with `connectFunction` connect
   * to the proxy as this user (with an IAM token when `iamAuth` is on).
   * Letters, digits and underscores, starting with a letter; at most 16 characters for MySQL, 63 for PostgreSQL.
   * @default 'dbadmin'
   */
  readonly masterUsername?: string;

  /**
   * The port the database listens on, 1150 to 65535. Only the proxy and the rotation function
   * reach it. Clients connect to the proxy, which always listens on the engine's default port
   * (5432 PostgreSQL, 3306 MySQL): RDS Proxy has no port setting (RDS Proxy limitations).
   * @default - the engine's default port (5432 PostgreSQL, 3306 MySQL)
   */
  readonly port?: number;

  /**
   * Multi-AZ: a synchronous standby in a second AZ, with automatic failover (AwsSolutions-RDS3).
   * Turning it off leaves a warning.
   * @default true
   */
  readonly multiAz?: boolean;

  /**
   * The AZs of the data tier that the proxy and the database subnet group span, at least two
   * (RDS Proxy needs subnets in two AZs).
   * @default - every AZ of the network
   */
  readonly availabilityZones?: string[];

  /**
   * Deletion protection (AwsSolutions-RDS10). Turning it off leaves a warning.
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * What happens to the instance when it leaves the stack. `DESTROY` needs `deletionProtection: false`.
   * @default RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Automated backup retention, 1 to 35 days (AwsSolutions-RDS13 refuses 0).
   * @default Duration.days(7)
   */
  readonly backupRetention?: Duration;

  /**
   * How often Secrets Manager rotates the master password (AwsSolutions-SMG4).
   * @default Duration.days(30)
   */
  readonly rotationSchedule?: Duration;

  /**
   * The KMS key that encrypts the master secret (NIST 800-53, HIPAA and PCI DSS packs:
   * SecretsManagerUsingKMSKey). The proxy and the rotation function are granted its use; a
   * customer managed key lets its key policy and CloudTrail show who may read the password,
   * which the AWS managed `aws/secretsmanager` key can't.
   * @default - a customer managed key created by the construct, rotated yearly, retained on stack deletion
   */
  readonly secretEncryptionKey?: kms.IKey;

  /**
   * The interval of RDS enhanced monitoring (OS metrics every N seconds into the RDSOSMetrics
   * log group; NIST 800-53 and HIPAA packs: RDSEnhancedMonitoringEnabled): 1, 5, 10, 15, 30 or
   * 60 seconds, or `Duration.seconds(0)` to turn it off. On, the construct creates the
   * monitoring role with AWS's managed policy AmazonRDSEnhancedMonitoringRole.
   * @default Duration.seconds(60) - the cheapest interval that still shows CPU, memory and I/O per process
   */
  readonly monitoringInterval?: Duration;

  /**
   * The database logs exported to CloudWatch Logs (NIST 800-53, HIPAA and PCI DSS packs:
   * RDSLoggingEnabled). RDS creates the log groups `/aws/rds/instance/<id>/<log>` itself, with
   * no expiry: set a retention on them where your account's log policy says so (the construct
   * does not, because aws-cdk-lib would add a custom-resource Lambda function for it). For MySQL
   * the audit log has content only with the MARIADB_AUDIT_PLUGIN option, and the general and
   * slow query logs only with `general_log` / `slow_query_log` on in `parameterGroup`.
   * @default - every log type of the engine: ['postgresql', 'upgrade'] for PostgreSQL, ['audit', 'error', 'general', 'slowquery'] for MySQL
   */
  readonly cloudwatchLogsExports?: string[];

  /**
   * A Secrets Manager interface endpoint in the app tier (e.g. from `TieredVpcProps.interfaceEndpoints`)
   * for the rotation function. Given, the rotation function reaches Secrets Manager through it
   * (a declared flow on 443, SG to SG); otherwise it goes through the NAT gateways.
   * @default - through the NAT gateways (the VPC must have some)
   */
  readonly secretsManagerEndpoint?: ec2.IInterfaceVpcEndpoint;

  /**
   * Clients must use TLS to the proxy (AWS Config `rds-proxy-tls-encryption`). Required while
   * `iamAuth` is on. Turning it off leaves a warning.
   * @default true
   */
  readonly requireTls?: boolean;

  /**
   * Clients authenticate to the proxy with IAM (an `rds-db:connect` grant and a signed token)
   * instead of the database password.
   * @default true
   */
  readonly iamAuth?: boolean;

  /**
   * The proxy's connection pool ceiling, as a percentage (1-100) of the database's `max_connections`.
   * @default 100 (the RDS Proxy default)
   */
  readonly maxConnectionsPercent?: number;

  /**
   * How many idle connections the proxy keeps open, as a percentage (0 to `maxConnectionsPercent`)
   * of the database's `max_connections`.
   * @default - half of `maxConnectionsPercent`, i.e. 50 (the RDS Proxy default)
   */
  readonly maxIdleConnectionsPercent?: number;

  /**
   * How long a client waits for a pooled connection when the pool is exhausted, 0 to 300 s in
   * whole seconds (0: wait without limit). Anything else is refused at synth.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ConnectionPoolConfiguration.html
   * @default Duration.seconds(120) (the RDS Proxy default)
   */
  readonly borrowTimeout?: Duration;

  /**
   * How long a client connection to the proxy may stay idle before the proxy closes it, 1 s to
   * 8 hours in whole seconds. Anything else is refused at synth.
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBProxy.html
   * @default Duration.minutes(30) (the RDS Proxy default)
   */
  readonly idleClientTimeout?: Duration;
}

/** Options of `ProxiedDatabase.connectFunction`. */
export interface ConnectFunctionOptions {
  /**
   * How the function reaches AWS APIs on 443.
   * @default - AwsApiAccess.NAT_GATEWAY when the network has NAT gateways, AwsApiAccess.INTERFACE_ENDPOINTS otherwise
   */
  readonly awsApiAccess?: AwsApiAccess;

  /**
   * Prefix of the environment variables set on the function: `<prefix>PROXY_ENDPOINT`,
   * `<prefix>PORT`, `<prefix>NAME`, `<prefix>USER` (and `<prefix>SECRET_ARN` when `iamAuth` is off).
   * Upper-case letters, digits and underscores, starting with a letter.
   * @default 'DB_'
   */
  readonly environmentPrefix?: string;
}

/** The engines a `ProxiedDatabase` supports, with the parameter that forces TLS on each. */
const SUPPORTED_ENGINES: Record<string, EngineSpec> = {
  // rds.force_ssl=1 refuses non-TLS connections (RDS for PostgreSQL user guide, "Requiring an SSL connection").
  postgres: {
    family: 'POSTGRESQL',
    defaultPort: 5432,
    tlsParameter: { 'rds.force_ssl': '1' },
    maxUsername: 63,
    maxDatabaseName: 63,
    logExports: ['postgresql', 'upgrade'],
  },
  // require_secure_transport=ON refuses non-TLS connections (RDS for MySQL user guide, "Requiring SSL/TLS for all connections").
  mysql: {
    family: 'MYSQL',
    defaultPort: 3306,
    tlsParameter: { require_secure_transport: 'ON' },
    maxUsername: 16,
    maxDatabaseName: 64,
    logExports: ['audit', 'error', 'general', 'slowquery'],
  },
};

/** The intervals RDS enhanced monitoring accepts, in seconds (0: off). */
const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60];

/** The characters aws-cdk-lib keeps out of generated RDS passwords; the rotation function must keep them out too. */
const PASSWORD_EXCLUDE_CHARS = " %+~`#$&*()|[]{}:;<>?!'/@\"\\";

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * An RDS database (PostgreSQL or MySQL) in the data tier behind an RDS Proxy, with the security
 * group chain declared as flows and IAM auth wired: Lambda SG -> proxy SG -> database SG on the
 * database port, nothing else (see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html).
 *
 * - The database: Multi-AZ, storage encrypted, deletion protection on, removal policy SNAPSHOT,
 *   credentials generated into Secrets Manager (encrypted with a customer managed KMS key) and
 *   rotated, a parameter group that refuses unencrypted connections, enhanced monitoring every
 *   60 s, every log type exported to CloudWatch Logs, its own security group with no egress.
 *   Clean under the cdk-nag NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1 packs; RDSInBackupPlan
 *   is acknowledged (automated backups are on; an AWS Backup plan is an account-level choice).
 * - The proxy: in the data tier across at least two AZs, its own security group, TLS required,
 *   IAM auth required, pooling settings exposed. The flow proxy -> database is declared.
 * - The rotation function: in the app tier with its own security group; flows rotation -> database
 *   and rotation -> Secrets Manager (NAT or interface endpoint) are declared.
 * - `connectFunction(fn)`: the flow function -> proxy on the proxy port, an `rds-db:connect` grant
 *   scoped to this proxy and user, the environment variables, and 443 for AWS APIs. The function
 *   gets no path to the database itself.
 *
 * aws-cdk-lib's `grantConnect` grants IAM only and opens no network path (aws-cdk issue 20789);
 * this construct does both, through the `TieredVpc` flow model (SG rules and NACL entries).
 *
 * Connected functions connect as the master user: it is the user whose secret the proxy holds.
 * A least-privilege application user needs its own role in the database and its own secret
 * registered with the proxy; this construct does not create them.
 *
 * @example
 * const net = new TieredVpc(this, 'Net');
 * const db = new ProxiedDatabase(this, 'Db', { network: net });
 * const fn = new lambda.Function(this, 'Fn', {
 *   runtime: lambda.Runtime.NODEJS_24_X,
 *   handler: 'index.handler',
 *   code: lambda.Code.fromAsset('lambda'),
 *   vpc: net.vpc,
 *   vpcSubnets: net.tierSubnets(Tier.APP),
 *   securityGroups: [new ec2.SecurityGroup(this, 'FnSg', { vpc: net.vpc, allowAllOutbound: false })],
 * });
 * db.connectFunction(fn);
 */
export class ProxiedDatabase extends Construct implements ec2.IConnectable {
  /** The RDS instance. */
  public readonly instance: rds.DatabaseInstance;
  /** The RDS Proxy in front of it. */
  public readonly proxy: rds.DatabaseProxy;
  /** The generated master credentials (attached to the instance), rotated by `rotation`. */
  public readonly secret: secretsmanager.ISecret;
  /** The KMS key that encrypts the master secret. */
  public readonly secretEncryptionKey: kms.IKey;
  /**
   * The role RDS enhanced monitoring publishes OS metrics with.
   * @default - none when `monitoringInterval` is 0
   */
  public readonly monitoringRole?: iam.IRole;
  /** The parameter group that forces TLS; add parameters with `addParameter`. */
  public readonly parameterGroup: rds.ParameterGroup;
  /** The rotation of the master secret (a Secrets Manager rotation function in the app tier). */
  public readonly rotation: secretsmanager.SecretRotation;
  /** The database's security group: admits the proxy and the rotation function, no egress. */
  public readonly databaseSecurityGroup: ec2.SecurityGroup;
  /** The proxy's security group: admits connected functions, reaches only the database. */
  public readonly proxySecurityGroup: ec2.SecurityGroup;
  /** The rotation function's security group: reaches the database and Secrets Manager (443). */
  public readonly rotationSecurityGroup: ec2.SecurityGroup;
  /** The proxy's connections (its security group, default port the proxy port): declare flows to it with `TieredVpc.addFlow`. */
  public readonly connections: ec2.Connections;
  /** The port clients use: the proxy's, always the engine's default (5432 PostgreSQL, 3306 MySQL). */
  public readonly proxyPort: number;
  /** The port the database listens on (the proxy -> database leg). */
  public readonly databasePort: number;
  /** The database created in the instance. */
  public readonly databaseName: string;
  /** The master user, as which connected functions connect through the proxy. */
  public readonly username: string;
  /** The proxy's endpoint host name. */
  public readonly proxyEndpoint: string;

  private readonly network: ITieredVpc;
  private readonly iamAuth: boolean;
  private readonly connected = new Set<string>();

  constructor(scope: Construct, id: string, props: ProxiedDatabaseProps) {
    super(scope, id);
    this.network = props.network;
    const net = props.network;
    const engine = defaultEngine(props);
    const spec = this.validateEngine(engine);
    const r = resolveDatabaseDefaults(props, engine, spec, this.validateAzs(props.availabilityZones, net.availabilityZones));
    this.username = r.username;
    this.databaseName = r.databaseName;
    this.proxyPort = r.proxyPort;
    this.databasePort = r.databasePort;
    this.iamAuth = r.iamAuth;
    this.validateProps(props, r);
    if (!props.secretsManagerEndpoint && net.natGatewayCount === 0) {
      throw propError(this, 'secretsManagerEndpoint', undefined,
        'is required when the network has no NAT gateway: the rotation function must reach the Secrets Manager API on 443',
        'Add ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER to the TieredVpc\'s interfaceEndpoints and pass that endpoint here, or give the network NAT gateways.');
    }
    this.warnRiskyChoices(r);

    const dataSubnets: ec2.SubnetSelection = { ...net.tierSubnets(Tier.DATA), availabilityZones: r.availabilityZones };
    const groups = this.buildSecurityGroups(net.vpc);
    this.databaseSecurityGroup = groups.database;
    this.proxySecurityGroup = groups.proxy;
    this.rotationSecurityGroup = groups.rotation;
    this.connections = new ec2.Connections({ securityGroups: [this.proxySecurityGroup], defaultPort: ec2.Port.tcp(this.proxyPort) });

    this.parameterGroup = new rds.ParameterGroup(this, 'ParameterGroup', {
      engine,
      description: `${this.node.path}: refuses unencrypted connections`,
      parameters: { ...spec.tlsParameter },
    });
    this.secretEncryptionKey = props.secretEncryptionKey ?? this.buildSecretKey();
    this.monitoringRole = this.buildMonitoringRole(r);
    this.instance = this.buildInstance(r, net.vpc, dataSubnets);
    this.secret = this.instance.secret!;

    const target = this.buildTargetReference(r);
    this.proxy = this.buildProxy(r, target, net.vpc, dataSubnets);
    this.proxyEndpoint = this.proxy.endpoint;
    this.declareFlows(net, props.secretsManagerEndpoint);

    // What DatabaseInstance.addRotationSingleUser does, with the security-group-less target reference.
    this.rotation = new secretsmanager.SecretRotation(this, 'Rotation', {
      application: engine.singleUserRotationApplication,
      secret: this.secret,
      target,
      vpc: net.vpc,
      vpcSubnets: net.tierSubnets(Tier.APP),
      securityGroup: this.rotationSecurityGroup,
      endpoint: props.secretsManagerEndpoint,
      automaticallyAfter: r.rotationSchedule,
      excludeCharacters: PASSWORD_EXCLUDE_CHARS,
    });
  }

  /** Advisories: legal but risky choices are never silent. */
  private warnRiskyChoices(r: ResolvedDatabaseProps): void {
    if (!r.multiAz) {
      Annotations.of(this).addWarningV2('cdk-network-patterns:databaseSingleAz',
        'multiAz is false: the database has no standby, and an AZ failure takes it down until it is restored (AwsSolutions-RDS3).');
    }
    if (!r.deletionProtection) {
      Annotations.of(this).addWarningV2('cdk-network-patterns:databaseDeletionProtectionOff',
        'deletionProtection is false: a stack update or deletion can delete the database (AwsSolutions-RDS10).');
    }
    if (!r.requireTls) {
      Annotations.of(this).addWarningV2('cdk-network-patterns:proxyTlsOptional',
        'requireTls is false: clients may send credentials and data to the proxy in clear text (AWS Config rds-proxy-tls-encryption).');
    }
    if (!r.iamAuth) {
      Annotations.of(this).addWarningV2('cdk-network-patterns:proxyIamAuthOff',
        'iamAuth is false: connected functions read the database password from Secrets Manager instead of signing a short-lived IAM token.');
    }
  }

  /** Security groups with no default egress: their egress is exactly the declared flows. */
  private buildSecurityGroups(vpc: ec2.IVpc): { database: ec2.SecurityGroup; proxy: ec2.SecurityGroup; rotation: ec2.SecurityGroup } {
    return {
      database: new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
        vpc, allowAllOutbound: false, description: `${this.node.path}: the database; admits the proxy and the rotation function`,
      }),
      proxy: new ec2.SecurityGroup(this, 'ProxySecurityGroup', {
        vpc, allowAllOutbound: false, description: `${this.node.path}: the RDS Proxy; admits connected functions, reaches the database`,
      }),
      rotation: new ec2.SecurityGroup(this, 'RotationSecurityGroup', {
        vpc, allowAllOutbound: false, description: `${this.node.path}: the secret rotation function`,
      }),
    };
  }

  /** The enhanced monitoring role, unless monitoring is off (interval 0). */
  private buildMonitoringRole(r: ResolvedDatabaseProps): iam.IRole | undefined {
    if (r.monitoringInterval.toSeconds() <= 0) return undefined;
    const monitoringRole = new iam.Role(this, 'MonitoringRole', {
      assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
      description: `RDS enhanced monitoring of ${this.node.path}`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
    });
    Validations.of(monitoringRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
      reason: 'AmazonRDSEnhancedMonitoringRole is the policy AWS maintains for the RDS monitoring agent (RDS user guide, ' +
        '"Setting up and enabling Enhanced Monitoring"): it writes only to the RDSOSMetrics log group, and a hand-copied ' +
        'policy would drift from what the agent needs.',
    });
    return monitoringRole;
  }

  /** The master secret's key: rotated, retained, grants only for AWS services (AWS Control Tower CT.KMS.PR.3). */
  private buildSecretKey(): kms.IKey {
    return createManagedKey(this, 'SecretKey', `Encrypts the master secret of ${this.node.path}`);
  }

  /** The database instance in the data tier, and what its compliance findings need. */
  private buildInstance(r: ResolvedDatabaseProps, vpc: ec2.IVpc, dataSubnets: ec2.SubnetSelection): rds.DatabaseInstance {
    // Storage encrypted with a customer managed key (AWS Control Tower CT.RDS.PR.30), not the
    // account's AWS managed aws/rds key: its policy is the stack's, and it is rotated yearly. RDS
    // uses the key through grants it creates on the deployer's behalf, which the key policy admits.
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html
    const storageKey = createManagedKey(this, 'StorageKey', `Encrypts the storage, snapshots and backups of ${this.node.path}`);
    const instance = new rds.DatabaseInstance(this, 'Resource', {
      engine: r.engine,
      instanceType: r.instanceType,
      vpc,
      vpcSubnets: dataSubnets,
      securityGroups: [this.databaseSecurityGroup],
      credentials: rds.Credentials.fromGeneratedSecret(this.username, {
        excludeCharacters: PASSWORD_EXCLUDE_CHARS,
        encryptionKey: this.secretEncryptionKey,
      }),
      databaseName: this.databaseName,
      port: this.databasePort,
      multiAz: r.multiAz,
      storageEncrypted: true,
      storageEncryptionKey: storageKey,
      // IAM database authentication on the instance too (AWS Control Tower CT.RDS.PR.7): clients
      // authenticate to the proxy with IAM; the proxy itself still logs in with the secret.
      // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html
      iamAuthentication: true,
      storageType: rds.StorageType.GP3,
      allocatedStorage: r.allocatedStorage,
      deletionProtection: r.deletionProtection,
      removalPolicy: r.removalPolicy,
      backupRetention: r.backupRetention,
      parameterGroup: this.parameterGroup,
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      copyTagsToSnapshot: true,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      monitoringInterval: this.monitoringRole ? r.monitoringInterval : undefined,
      monitoringRole: this.monitoringRole,
      cloudwatchLogsExports: r.logExports.length > 0 ? r.logExports : undefined,
    });
    acknowledgeCompliance(instance, 'RDSInBackupPlan',
      'Automated backups are always on (backupRetention: 1 to 35 days, 7 by default) with point-in-time recovery, ' +
      'and the removal policy keeps a final snapshot; an AWS Backup plan (its vault, schedule and cross-account copies) is an ' +
      'account- or organization-level choice that a reusable construct should not make. Add the instance to your plan by ARN or tag.',
      [CompliancePack.NIST_800_53_R5, CompliancePack.HIPAA_SECURITY]);
    if (this.databasePort === r.spec.defaultPort) {
      Validations.of(instance).acknowledge({
        id: 'AwsSolutions-RDS11',
        reason: `Clients never see the database port: they connect to the RDS Proxy, which always listens on the engine's default port ${r.spec.defaultPort} ` +
          '(RDS Proxy has no port setting), so a custom database port would hide nothing. Only the proxy and the rotation function security groups ' +
          'reach the database, in the isolated data tier; set `port` to move it anyway.',
      });
      acknowledgeControlTower(instance, 'CT.RDS.PR.20', 'rds_instance_no_default_ports_check',
        `Clients connect to the RDS Proxy, which always listens on the engine's default port ${r.spec.defaultPort} (it has no port ` +
        'setting), so a custom database port hides nothing; only the proxy and rotation security groups reach the database, in ' +
        'the isolated data tier. Set `port` to move it anyway. https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html');
    }
    return instance;
  }

  /**
   * aws-cdk-lib's L2s open security groups on their own: ProxyTarget.fromInstance(instance) opens the
   * database SG to the proxy SG, and SecretRotation opens it to the rotation SG, both on the
   * instance's port token (rules next to the declared flows, invisible to the flow model). They get
   * this reference to the same instance instead: same identifier and engine, the port, and no
   * security group, so they add no rule. The declared flows are the whole opening.
   */
  private buildTargetReference(r: ResolvedDatabaseProps): rds.IDatabaseInstance {
    return rds.DatabaseInstance.fromDatabaseInstanceAttributes(this, 'TargetReference', {
      instanceIdentifier: this.instance.instanceIdentifier,
      instanceEndpointAddress: this.instance.dbInstanceEndpointAddress,
      port: this.databasePort,
      securityGroups: [],
      engine: r.engine,
    });
  }

  /** The RDS Proxy in the data tier: TLS and IAM auth required by default, the pooling settings given. */
  private buildProxy(r: ResolvedDatabaseProps, target: rds.IDatabaseInstance, vpc: ec2.IVpc, dataSubnets: ec2.SubnetSelection): rds.DatabaseProxy {
    return new rds.DatabaseProxy(this, 'Proxy', {
      // Unique per account and Region (proxy names are); aws-cdk-lib would name it 'Proxy' unless a feature flag is set.
      dbProxyName: proxyName(this),
      proxyTarget: rds.ProxyTarget.fromInstance(target),
      secrets: [this.secret],
      // Its read of the secret (and the secret's key) lands in a customer managed policy, not an inline one.
      role: new ManagedPolicyRole(this, 'ProxyRole', {
        assumedBy: new iam.ServicePrincipal('rds.amazonaws.com'),
        description: `RDS Proxy of ${this.node.path}: reads the master secret`,
      }),
      vpc,
      vpcSubnets: dataSubnets,
      securityGroups: [this.proxySecurityGroup],
      requireTLS: r.requireTls,
      iamAuth: this.iamAuth,
      maxConnectionsPercent: r.maxConnectionsPercent,
      maxIdleConnectionsPercent: r.maxIdleConnectionsPercent,
      borrowTimeout: r.borrowTimeout,
      idleClientTimeout: r.idleClientTimeout,
      debugLogging: false,
    });
  }

  /** The flows proxy -> database, rotation function -> database and rotation function -> Secrets Manager. */
  private declareFlows(net: ITieredVpc, secretsManagerEndpoint: ec2.IInterfaceVpcEndpoint | undefined): void {
    // proxy -> database: workload to workload, both in the data tier.
    net.addFlow(FlowEndpoint.workload(this.proxy, { tier: Tier.DATA }), FlowEndpoint.workload(this.instance, { tier: Tier.DATA }),
      ec2.Port.tcp(this.databasePort), { description: `${this.proxy.node.path} -> ${this.instance.node.path} (RDS Proxy to its target)` });

    // The rotation function connects to the database directly (not through the proxy) and calls
    // the Secrets Manager API: it lives in the app tier, where the NAT gateways (or the interface
    // endpoints) are, never in the data tier, which has no route out.
    const rotationEnd = FlowEndpoint.workload(this.rotationSecurityGroup, { tier: Tier.APP, ephemeralRange: EphemeralRange.LAMBDA, name: `${this.node.path}/Rotation` });
    net.addFlow(rotationEnd, FlowEndpoint.workload(this.instance, { tier: Tier.DATA }), ec2.Port.tcp(this.databasePort),
      { description: `${this.node.path}/Rotation -> ${this.instance.node.path} (secret rotation)` });
    if (secretsManagerEndpoint) {
      net.addFlow(rotationEnd, FlowEndpoint.workload(secretsManagerEndpoint, { tier: Tier.APP }), WellKnownPorts.HTTPS,
        { description: `${this.node.path}/Rotation -> Secrets Manager endpoint tcp 443` });
    } else {
      net.addFlow(rotationEnd, FlowEndpoint.internet(), WellKnownPorts.HTTPS,
        { description: `${this.node.path}/Rotation -> Secrets Manager API tcp 443 (via NAT)` });
    }
  }

  /**
   * Lets a workload that is not a Lambda function (an ECS service, an auto scaling group, an
   * instance...) connect through the proxy: declares `client -> proxy` on the proxy port through
   * the flow model (security group reference and NACL entries). Never a path to the database
   * itself. Grant the client `rds-db:connect` with `proxy.grantConnect(role, username)` when it
   * uses IAM authentication.
   *
   * @param client the workload
   * @param tier the tier it sits in (the app tier, normally)
   * @param options the client's ephemeral range (for the NACL return entries) and a name for the flow
   */
  public allowClient(client: ec2.IConnectable, tier: Tier, options: ClientOptions = {}): void {
    if (tier === Tier.PUBLIC) {
      throw propError(this, 'allowClient: tier', tier, 'is the public tier',
        'Databases serve the app tier: put the client in the app tier, or connect its service there.');
    }
    const end = FlowEndpoint.workload(client, { tier: tier, ephemeralRange: options.ephemeralRange, name: options.name });
    this.network.addFlow(end, FlowEndpoint.workload(this.proxy, { tier: Tier.DATA }), ec2.Port.tcp(this.proxyPort),
      { description: `${end.name} -> ${this.proxy.node.path} (RDS Proxy)` });
  }

  /**
   * Connects a Lambda function to the database through the proxy.
   *
   * The function must already be in this network's app tier with its own security group whose
   * `allowAllOutbound` is false (a function's VPC configuration can only be set when it is
   * created). This method then:
   * - declares the flow function -> proxy on the proxy port (SG rule and NACL entries, with
   *   Lambda's 1024-65535 return range); the function gets no path to the database itself;
   * - grants `rds-db:connect` on this proxy for the master user (with `iamAuth`), or read access
   *   to the secret (without);
   * - sets `<prefix>PROXY_ENDPOINT`, `<prefix>PORT`, `<prefix>NAME` and `<prefix>USER`
   *   (and `<prefix>SECRET_ARN` without `iamAuth`);
   * - declares 443 for AWS APIs as `awsApiAccess` says.
   */
  public connectFunction(fn: lambda.Function, options: ConnectFunctionOptions = {}): void {
    const net = this.network;
    const where = `connectFunction(${fn.node.path})`;
    const prefix = options.environmentPrefix ?? 'DB_';
    if (!/^[A-Z][A-Z0-9_]*$/.test(prefix)) {
      throw propError(this, `${where}: environmentPrefix`, prefix, 'must be upper-case letters, digits and underscores, starting with a letter',
        'Use e.g. \'DB_\' or \'ORDERS_DB_\'.');
    }
    if (this.connected.has(fn.node.path)) {
      throw propError(this, where, fn.node.path, 'is already connected to this database', 'Call connectFunction once per function.');
    }
    const placementFix = 'Create the function with `vpc: network.vpc`, `vpcSubnets: network.tierSubnets(Tier.APP)` and ' +
      '`securityGroups: [new ec2.SecurityGroup(scope, id, { vpc: network.vpc, allowAllOutbound: false })]`: ' +
      'a Lambda function\'s VPC configuration can only be given when it is created.';
    if (!fn.isBoundToVpc) {
      throw propError(this, `${where}: fn`, fn.node.path, 'is not in a VPC, so it cannot reach the proxy', placementFix);
    }
    const tier = this.functionTier(fn);
    if (tier === undefined) {
      throw propError(this, `${where}: fn`, fn.node.path, `is in a different VPC than ${net.node.path}`,
        'RDS Proxy is reachable only from its own VPC here: ' + placementFix);
    }
    if (tier !== Tier.APP) {
      throw propError(this, `${where}: fn`, fn.node.path, `is in the ${tier} tier`,
        'Lambda functions belong in the app tier (the data tier has no route to AWS APIs; a function in a public subnet gets no public IP). ' + placementFix);
    }
    const open = fn.connections.securityGroups.filter((sg) => sg.allowAllOutbound).map((sg) => sg.node.path);
    if (open.length > 0) {
      throw propError(this, `${where}: fn security groups`, open, 'allow all outbound traffic, so the function\'s egress would not be limited to the proxy port and 443',
        placementFix);
    }
    const access = options.awsApiAccess ?? (net.natGatewayCount > 0 ? AwsApiAccess.NAT_GATEWAY : AwsApiAccess.INTERFACE_ENDPOINTS);
    if (access === AwsApiAccess.NAT_GATEWAY && net.natGatewayCount === 0) {
      throw propError(this, `${where}: awsApiAccess`, access, 'needs NAT gateways, but the network has none',
        'Use AwsApiAccess.INTERFACE_ENDPOINTS (with the endpoints the function needs in TieredVpcProps.interfaceEndpoints) or AwsApiAccess.NONE.');
    }
    if (!fn.role) {
      throw propError(this, `${where}: fn`, fn.node.path, 'has no execution role to attach the grant to',
        'Connect a lambda.Function created in this app (it always has a role), not one imported by ARN.');
    }
    const role = fn.role;
    this.connected.add(fn.node.path);

    const fnEnd = FlowEndpoint.workload(fn, { tier: Tier.APP, ephemeralRange: EphemeralRange.LAMBDA });
    net.addFlow(fnEnd, FlowEndpoint.workload(this.proxy, { tier: Tier.DATA }), ec2.Port.tcp(this.proxyPort),
      { description: `${fn.node.path} -> ${this.proxy.node.path} (Lambda to RDS Proxy)` });
    if (access === AwsApiAccess.NAT_GATEWAY) {
      net.addFlow(fnEnd, FlowEndpoint.internet(), WellKnownPorts.HTTPS, { description: `${fn.node.path} -> AWS APIs tcp 443 (via NAT)` });
    } else if (access === AwsApiAccess.INTERFACE_ENDPOINTS) {
      net.allowInterfaceEndpoints(fn, Tier.APP);
    }

    fn.addEnvironment(`${prefix}PROXY_ENDPOINT`, this.proxy.endpoint);
    fn.addEnvironment(`${prefix}PORT`, String(this.proxyPort));
    fn.addEnvironment(`${prefix}NAME`, this.databaseName);
    fn.addEnvironment(`${prefix}USER`, this.username);
    // The grant is a customer managed policy attached to the function's role, not aws-cdk-lib's inline
    // DefaultPolicy (NIST 800-53, HIPAA and PCI DSS packs: IAMNoInlinePolicy).
    const statements: iam.PolicyStatement[] = [];
    if (this.iamAuth) {
      // rds-db:connect on arn:aws:rds-db:<region>:<account>:dbuser:<proxy id>/<user>: this proxy, this user
      // (what DatabaseProxy.grantConnect grants).
      const stack = Stack.of(this);
      const proxyId = stack.splitArn(this.proxy.dbProxyArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
      statements.push(new iam.PolicyStatement({
        actions: ['rds-db:connect'],
        resources: [stack.formatArn({ service: 'rds-db', resource: 'dbuser', resourceName: `${proxyId}/${this.username}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }));
    } else {
      fn.addEnvironment(`${prefix}SECRET_ARN`, this.secret.secretArn);
      // What ISecret.grantRead grants, with the secret's key used only through Secrets Manager.
      statements.push(new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [this.secret.secretArn],
      }));
      statements.push(new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.secretEncryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
      }));
    }
    const policy = new iam.ManagedPolicy(this, `Connect${Names.nodeUniqueId(fn.node)}`, {
      description: `${fn.node.path} -> ${this.node.path}: ${this.iamAuth ? `rds-db:connect as ${this.username}` : 'read the master secret'}`,
      statements,
    });
    policy.attachToRole(role);
  }

  /** The tier whose subnets the function is placed in, or undefined when they are not this network's. */
  private functionTier(fn: lambda.Function): Tier | undefined {
    const stack = Stack.of(this);
    const cfn = fn.node.defaultChild as lambda.CfnFunction;
    const vpcConfig = stack.resolve(cfn.vpcConfig) as { subnetIds?: unknown[] } | undefined;
    const fnSubnets = (vpcConfig?.subnetIds ?? []).map((s) => JSON.stringify(s));
    if (fnSubnets.length === 0) return undefined;
    const tiers = new Set<Tier>();
    for (const s of fnSubnets) {
      const tier = [Tier.PUBLIC, Tier.APP, Tier.DATA].find((t) =>
        this.network.vpc.selectSubnets({ subnetGroupName: subnetGroupName(t) }).subnets
          .some((subnet) => JSON.stringify(stack.resolve(subnet.subnetId)) === s));
      if (tier === undefined) return undefined;
      tiers.add(tier);
    }
    return tiers.size === 1 ? [...tiers][0] : [...tiers].find((t) => t !== Tier.APP);
  }

  private validateEngine(engine: rds.IInstanceEngine): EngineSpec {
    const supported = 'rds.DatabaseInstanceEngine.postgres({ version: ... }) or rds.DatabaseInstanceEngine.mysql({ version: ... })';
    const spec = SUPPORTED_ENGINES[engine.engineType];
    if (!spec || engine.engineFamily !== spec.family) {
      throw propError(this, 'engine', engine.engineType, 'is not supported: ProxiedDatabase serves PostgreSQL and MySQL',
        `Use ${supported}. (RDS Proxy does not serve Oracle or Db2; SQL Server and MariaDB are not wired here.)`);
    }
    if (!engine.engineVersion || !engine.parameterGroupFamily) {
      throw propError(this, 'engine', engine.engineType, 'must name a version',
        `The TLS-forcing parameter group needs the engine's parameter group family: use ${supported}.`);
    }
    return spec;
  }

  private validateAzs(requested: string[] | undefined, networkAzs: string[]): string[] {
    const azs = requested ?? networkAzs;
    if (azs.length < 2) {
      throw propError(this, 'availabilityZones', azs, 'must name at least 2 AZs',
        'RDS Proxy needs subnets in at least two AZs, and so does a Multi-AZ database: name two or more of the network\'s AZs.');
    }
    if (new Set(azs).size !== azs.length) {
      throw propError(this, 'availabilityZones', azs, 'must not name an AZ twice', 'List each AZ once.');
    }
    if (requested) {
      const unknown = requested.filter((az) => !Token.isUnresolved(az) && !networkAzs.includes(az));
      if (unknown.length > 0 && networkAzs.every((az) => !Token.isUnresolved(az))) {
        throw propError(this, 'availabilityZones', unknown, `must be AZs of the network (${networkAzs.join(', ')})`,
          'Name AZs that the TieredVpc spans.');
      }
    }
    return [...azs];
  }

  private validateProps(props: ProxiedDatabaseProps, v: ResolvedDatabaseProps): void {
    const spec = v.spec;
    const username = this.username;
    if (!Token.isUnresolved(username) && (!IDENTIFIER.test(username) || username.length > spec.maxUsername)) {
      throw propError(this, 'masterUsername', username,
        `must be letters, digits and underscores, starting with a letter, at most ${spec.maxUsername} characters for this engine`, 'Use e.g. \'dbadmin\'.');
    }
    if (!Token.isUnresolved(username) && username.toLowerCase() === 'rdsadmin') {
      throw propError(this, 'masterUsername', username, 'is reserved by Amazon RDS', 'Use e.g. \'dbadmin\'.');
    }
    const db = this.databaseName;
    if (!Token.isUnresolved(db) && (!IDENTIFIER.test(db) || db.length > spec.maxDatabaseName)) {
      throw propError(this, 'databaseName', db,
        `must be letters, digits and underscores, starting with a letter, at most ${spec.maxDatabaseName} characters for this engine`, 'Use e.g. \'app\'.');
    }
    if (props.port !== undefined && !Token.isUnresolved(props.port) && (!Number.isInteger(props.port) || props.port < 1150 || props.port > 65535)) {
      throw propError(this, 'port', props.port, 'must be an integer between 1150 and 65535 (the range RDS accepts)',
        `Omit it for the engine's default ${spec.defaultPort}, or pick e.g. ${spec.defaultPort + 1}.`);
    }
    if (this.iamAuth && !v.requireTls) {
      throw propError(this, 'requireTls', false, 'must be true while iamAuth is on',
        'An IAM auth token is a bearer credential: send it only over TLS. Keep requireTls true, or turn iamAuth off too.');
    }
    if (v.removalPolicy === RemovalPolicy.DESTROY && v.deletionProtection) {
      throw propError(this, 'removalPolicy', 'RemovalPolicy.DESTROY', 'cannot delete a database whose deletionProtection is on (the stack deletion would fail)',
        'Keep RemovalPolicy.SNAPSHOT (or RETAIN), or set deletionProtection: false as well for a disposable database.');
    }
    if (!Token.isUnresolved(v.allocatedStorage) && (!Number.isInteger(v.allocatedStorage) || v.allocatedStorage < 20 || v.allocatedStorage > 65536)) {
      throw propError(this, 'allocatedStorage', v.allocatedStorage, 'must be a whole number of GiB between 20 and 65536 (gp3 limits)', 'Use e.g. 20 or 100.');
    }
    const backupDays = v.backupRetention.toDays({ integral: false });
    if (!Number.isInteger(backupDays) || backupDays < 1 || backupDays > 35) {
      throw propError(this, 'backupRetention', v.backupRetention.toString(), 'must be a whole number of days between 1 and 35',
        'RDS keeps automated backups 1 to 35 days; 0 turns them off (AwsSolutions-RDS13). Use e.g. Duration.days(7).');
    }
    const monitoring = v.monitoringInterval.toSeconds({ integral: false });
    if (!MONITORING_INTERVALS.includes(monitoring)) {
      throw propError(this, 'monitoringInterval', v.monitoringInterval.toString(), `must be one of ${MONITORING_INTERVALS.join(', ')} seconds`,
        'RDS enhanced monitoring samples every 1, 5, 10, 15, 30 or 60 s; Duration.seconds(0) turns it off. Use e.g. Duration.seconds(60).');
    }
    const unknownLogs = v.logExports.filter((l) => !Token.isUnresolved(l) && !spec.logExports.includes(l));
    if (unknownLogs.length > 0) {
      throw propError(this, 'cloudwatchLogsExports', unknownLogs, `must name log types of the engine (${spec.logExports.join(', ')})`,
        'Omit cloudwatchLogsExports to export every log type of the engine, or give [] to export none.');
    }
    const pct = (name: string, value: number, min: number, max: number, fix: string) => {
      if (!Token.isUnresolved(value) && (!Number.isInteger(value) || value < min || value > max)) {
        throw propError(this, name, value, `must be an integer percentage between ${min} and ${max}`, fix);
      }
    };
    pct('maxConnectionsPercent', v.maxConnectionsPercent, 1, 100, 'It is a share of the database\'s max_connections; the RDS Proxy default is 100.');
    pct('maxIdleConnectionsPercent', v.maxIdleConnectionsPercent, 0, 100, 'It is a share of the database\'s max_connections; the RDS Proxy default is half of maxConnectionsPercent.');
    const poolResolved = !Token.isUnresolved(v.maxIdleConnectionsPercent) && !Token.isUnresolved(v.maxConnectionsPercent);
    if (poolResolved && v.maxIdleConnectionsPercent > v.maxConnectionsPercent) {
      throw propError(this, 'maxIdleConnectionsPercent', v.maxIdleConnectionsPercent, `must not exceed maxConnectionsPercent (${v.maxConnectionsPercent})`,
        'Idle connections are part of the pool: lower maxIdleConnectionsPercent or raise maxConnectionsPercent.');
    }
    const borrow = v.borrowTimeout.toSeconds({ integral: false });
    if (!Token.isUnresolved(borrow) && (!Number.isInteger(borrow) || borrow < 0 || borrow > MAX_BORROW_TIMEOUT_SECONDS)) {
      throw propError(this, 'borrowTimeout', v.borrowTimeout.toString(), `must be a whole number of seconds between 0 and ${MAX_BORROW_TIMEOUT_SECONDS}`,
        'RDS Proxy\'s ConnectionBorrowTimeout accepts 0 (no limit) to 300 s; the default is 120 s. ' +
        'See https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ConnectionPoolConfiguration.html', ErrorCode.RDS_PROXY_TIMEOUT_OUT_OF_RANGE);
    }
    const idle = v.idleClientTimeout.toSeconds({ integral: false });
    if (!Token.isUnresolved(idle) && (!Number.isInteger(idle) || idle < 1 || idle > MAX_IDLE_CLIENT_TIMEOUT_SECONDS)) {
      throw propError(this, 'idleClientTimeout', v.idleClientTimeout.toString(), `must be a whole number of seconds between 1 and ${MAX_IDLE_CLIENT_TIMEOUT_SECONDS} (8 hours)`,
        'RDS Proxy\'s IdleClientTimeout accepts 1 s to 8 hours; the default is Duration.minutes(30). ' +
        'See https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBProxy.html', ErrorCode.RDS_PROXY_TIMEOUT_OUT_OF_RANGE);
    }
  }
}

/** A proxy name unique to the construct path: letters, digits and single hyphens, starting with a letter, at most 60 characters. */
function proxyName(scope: Construct): string {
  const name = Names.uniqueResourceName(scope, { maxLength: 60, separator: '-' }).replace(/[^A-Za-z0-9-]/g, '').replace(/-+/g, '-');
  return /^[A-Za-z]/.test(name) ? name : `p${name}`.slice(0, 60);
}
