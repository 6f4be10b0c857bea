import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import { HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import {
  AwsApiAccess, ConnectFunctionOptions, EphemeralRange, NatGatewayMode, NetworkAssertions, NetworkEndpoint, NetworkPatternsChecks,
  ProxiedDatabase, ProxiedDatabaseProps, Tier, TieredVpc, TieredVpcProps,
} from '../../src';
import { APP, DATA, naclRows, nagFindings, TEST_AZS, testStack } from '../util';


/** A function placed as connectFunction expects: app tier, own security group without default egress. */
function appFunction(stack: Stack, net: TieredVpc, id = 'Fn', overrides: Partial<lambda.FunctionProps> = {}): lambda.Function {
  const role = new iam.Role(stack, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole')],
  });
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
    reason: 'Test function: the AWS managed policy for a Lambda function in a VPC (ENIs and logs).',
  });
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => 1;'),
    role,
    vpc: net.vpc,
    vpcSubnets: net.tierSubnets(Tier.APP),
    securityGroups: [new ec2.SecurityGroup(stack, `${id}Sg`, { vpc: net.vpc, allowAllOutbound: false })],
    ...overrides,
  });
}

interface BuildOptions {
  readonly db?: Partial<ProxiedDatabaseProps>;
  readonly net?: TieredVpcProps;
  readonly connect?: ConnectFunctionOptions | false;
}

/** The typical use: a tiered VPC, the database behind its proxy, one function connected. */
function build(options: BuildOptions = {}) {
  const stack = testStack();
  const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS, ...options.net });
  const db = new ProxiedDatabase(stack, 'Db', { network: net, ...options.db });
  const fn = appFunction(stack, net);
  if (options.connect !== false) db.connectFunction(fn, options.connect ?? {});
  return { stack, net, db, fn, template: Template.fromStack(stack) };
}

function ref(stack: Stack, x: string): unknown {
  return stack.resolve(x);
}

/** Every security group rule of the stack, as `<group> <in|out> <port> <peer>` rows (peer: a group or a CIDR). */
function sgRules(stack: Stack, template: Template, names: Record<string, ec2.ISecurityGroup>): string[] {
  const nameOf = (x: unknown) => {
    const key = JSON.stringify(x);
    return Object.entries(names).find(([, sg]) => JSON.stringify(stack.resolve(sg.securityGroupId)) === key)?.[0] ?? key;
  };
  const port = (r: any) => (r.FromPort === r.ToPort ? `${r.FromPort}` : `${r.FromPort}-${r.ToPort}`);
  const rows: string[] = [];
  for (const r of Object.values<any>(template.findResources('AWS::EC2::SecurityGroupIngress'))) {
    rows.push(`${nameOf(r.Properties.GroupId)} in ${port(r.Properties)} ${r.Properties.CidrIp ?? nameOf(r.Properties.SourceSecurityGroupId)}`);
  }
  for (const r of Object.values<any>(template.findResources('AWS::EC2::SecurityGroupEgress'))) {
    rows.push(`${nameOf(r.Properties.GroupId)} out ${port(r.Properties)} ${r.Properties.CidrIp ?? nameOf(r.Properties.DestinationSecurityGroupId)}`);
  }
  for (const [id, r] of Object.entries<any>(template.findResources('AWS::EC2::SecurityGroup'))) {
    const group = nameOf({ 'Fn::GetAtt': [id, 'GroupId'] });
    for (const e of r.Properties.SecurityGroupIngress ?? []) rows.push(`${group} in ${port(e)} ${e.CidrIp ?? nameOf(e.SourceSecurityGroupId)}`);
    for (const e of r.Properties.SecurityGroupEgress ?? []) {
      if (e.CidrIp === '255.255.255.255/32') continue; // aws-cdk-lib's "no egress" placeholder
      rows.push(`${group} out ${port(e)} ${e.CidrIp ?? nameOf(e.DestinationSecurityGroupId)}`);
    }
  }
  return rows.sort();
}

function groups(db: ProxiedDatabase, fn: lambda.Function): Record<string, ec2.ISecurityGroup> {
  return {
    db: db.databaseSecurityGroup,
    proxy: db.proxySecurityGroup,
    rotation: db.rotationSecurityGroup,
    fn: fn.connections.securityGroups[0],
  };
}

/** NACL entries of one tier as `<in|out> <port> <cidr>` rows (the shared rows, tier and protocol dropped). */
function tierNaclRows(stack: Stack, template: Template, net: TieredVpc, tier: Tier): string[] {
  return naclRows(stack, net, template)
    .filter((r) => r.startsWith(`${tier} `))
    .map((r) => r.split(' ').filter((_, i) => i !== 0 && i !== 2).join(' '))
    .sort();
}

function subnetRefs(stack: Stack, net: TieredVpc, tier: Tier): unknown[] {
  return net.selectTierSubnets(tier).subnetIds.map((s) => stack.resolve(s));
}

describe('ProxiedDatabase: defaults', () => {
  const { stack, net, db, fn, template } = build();

  test('PostgreSQL 17, Multi-AZ, encrypted, deletion protection, snapshot on removal, private, in the data tier', () => {
    template.resourceCountIs('AWS::RDS::DBInstance', 1);
    template.hasResource('AWS::RDS::DBInstance', {
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
      Properties: Match.objectLike({
        Engine: 'postgres',
        EngineVersion: '17',
        DBInstanceClass: 'db.t4g.medium',
        MultiAZ: true,
        StorageEncrypted: true,
        StorageType: 'gp3',
        AllocatedStorage: '20',
        DeletionProtection: true,
        PubliclyAccessible: false,
        BackupRetentionPeriod: 7,
        AutoMinorVersionUpgrade: true,
        CACertificateIdentifier: 'rds-ca-rsa2048-g1',
        DBName: 'app',
        MasterUsername: 'dbadmin',
        Port: '5432',
        VPCSecurityGroups: [ref(stack, db.databaseSecurityGroup.securityGroupId)],
        DBParameterGroupName: ref(stack, db.parameterGroup.bindToInstance({}).parameterGroupName),
      }),
    });
    template.hasResourceProperties('AWS::RDS::DBSubnetGroup', { SubnetIds: subnetRefs(stack, net, Tier.DATA) });
  });

  test('the parameter group refuses unencrypted connections (rds.force_ssl=1)', () => {
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Family: 'postgres17', Parameters: { 'rds.force_ssl': '1' } });
  });

  test('credentials are generated into Secrets Manager and rotated every 30 days by a function in the app tier', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"dbadmin"}', GenerateStringKey: 'password' }),
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: ref(stack, db.secret.secretArn),
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
    template.hasResourceProperties('AWS::Serverless::Application', {
      Location: Match.objectLike({ ApplicationId: Match.anyValue() }),
      Parameters: Match.objectLike({
        vpcSubnetIds: { 'Fn::Join': ['', subnetRefs(stack, net, Tier.APP).flatMap((s, i) => (i === 0 ? [s] : [',', s]))] },
        vpcSecurityGroupIds: ref(stack, db.rotationSecurityGroup.securityGroupId),
      }),
    });
  });

  test('the proxy: data tier in every AZ, its own security group, TLS and IAM auth required, a unique name', () => {
    template.hasResourceProperties('AWS::RDS::DBProxy', {
      EngineFamily: 'POSTGRESQL',
      RequireTLS: true,
      Auth: [Match.objectLike({ AuthScheme: 'SECRETS', IAMAuth: 'REQUIRED', SecretArn: ref(stack, db.secret.secretArn) })],
      VpcSubnetIds: subnetRefs(stack, net, Tier.DATA),
      VpcSecurityGroupIds: [ref(stack, db.proxySecurityGroup.securityGroupId)],
      IdleClientTimeout: 1800,
      DebugLogging: false,
      DBProxyName: Match.stringLikeRegexp('^Test-Db-[0-9A-F]{8}$'),
    });
  });

  test('pooling: the RDS Proxy defaults, written out (100 %, 50 %, 120 s)', () => {
    template.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', {
      DBInstanceIdentifiers: [ref(stack, db.instance.instanceIdentifier)],
      ConnectionPoolConfigurationInfo: { MaxConnectionsPercent: 100, MaxIdleConnectionsPercent: 50, ConnectionBorrowTimeout: 120 },
    });
  });

  test('security groups: exactly the declared chain, function -> proxy -> database on 5432; no rule of aws-cdk-lib\'s own', () => {
    expect(sgRules(stack, template, groups(db, fn))).toEqual([
      'db in 5432 proxy',
      'db in 5432 rotation',
      'fn out 443 0.0.0.0/0',
      'fn out 5432 proxy',
      'proxy in 5432 fn',
      'proxy out 5432 db',
      'rotation out 443 0.0.0.0/0',
      'rotation out 5432 db',
    ]);
  });

  test('NACLs: both ways between app and data tiers, data to itself for proxy -> database, with Lambda\'s return range', () => {
    expect(tierNaclRows(stack, template, net, Tier.DATA)).toEqual([
      `in 1024-65535 ${DATA}`,
      `in 5432 ${APP}`,
      `in 5432 ${DATA}`,
      `out 1024-65535 ${APP}`,
      `out 1024-65535 ${DATA}`,
      `out 5432 ${DATA}`,
    ].sort());
    expect(tierNaclRows(stack, template, net, Tier.APP)).toEqual([
      'in 1024-65535 0.0.0.0/0',
      `in 1024-65535 ${DATA}`,
      'out 443 0.0.0.0/0',
      `out 5432 ${DATA}`,
    ].sort());
  });

  test('the flows are declared on the network', () => {
    expect(net.flows.map((f) => `${f.from} -> ${f.to} ${f.protocol} ${f.fromPort} (return ${f.ephemeralFromPort}-${f.ephemeralToPort})`)).toEqual([
      'Test/Db/Proxy -> Test/Db/Resource tcp 5432 (return 1024-65535)',
      'Test/Db/Rotation -> Test/Db/Resource tcp 5432 (return 1024-65535)',
      'Test/Db/Rotation -> internet 0.0.0.0/0 tcp 443 (return 1024-65535)',
      'Test/Fn -> Test/Db/Proxy tcp 5432 (return 1024-65535)',
      'Test/Fn -> internet 0.0.0.0/0 tcp 443 (return 1024-65535)',
    ]);
  });

  test('the function may rds-db:connect to this proxy as the database user, and nothing else, in a customer managed policy', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [ref(stack, fn.role!.roleName)],
      PolicyDocument: {
        Statement: [{
          Action: 'rds-db:connect',
          Effect: 'Allow',
          Resource: {
            'Fn::Join': ['', [
              'arn:', { Ref: 'AWS::Partition' }, ':rds-db:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':dbuser:',
              { 'Fn::Select': [6, { 'Fn::Split': [':', ref(stack, db.proxy.dbProxyArn)] }] },
              '/dbadmin',
            ]],
          },
        }],
      },
    });
  });

  test('the function gets the proxy endpoint, port, database name and user', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          DB_PROXY_ENDPOINT: ref(stack, db.proxy.endpoint),
          DB_PORT: '5432',
          DB_NAME: 'app',
          DB_USER: 'dbadmin',
        },
      },
    });
  });

  test('exposes the L2s and the ports', () => {
    expect(db.proxyPort).toBe(5432);
    expect(db.databasePort).toBe(5432);
    expect(db.connections.securityGroups).toEqual([db.proxySecurityGroup]);
    expect(db.connections.defaultPort?.toString()).toBe('5432');
    expect(db.proxyEndpoint).toBe(db.proxy.endpoint);
  });

  test('no warnings', () => {
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('AwsSolutions: no unacknowledged findings (RDS11 acknowledged for the default port)', () => {
    expect(nagFindings(stack)).toEqual([]);
    const acks = db.instance.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
    expect(JSON.stringify(acks)).toContain('AwsSolutions-RDS11');
  });

  test('NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1: no unacknowledged findings (RDSInBackupPlan acknowledged)', () => {
    // Every rule of these packs is an error: none is tolerated. The test's function (Test/Fn) is the
    // user's, not the construct's: its concurrency and dead-letter queue (LambdaConcurrency,
    // LambdaDLQ) are the user's choice, and the only findings left.
    expect(nagFindings(stack, [new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks()])).toEqual([
      'HIPAA.Security-LambdaConcurrency @ Test/Fn/Resource',
      'HIPAA.Security-LambdaDLQ @ Test/Fn/Resource',
      'NIST.800.53.R5-LambdaConcurrency @ Test/Fn/Resource',
      'NIST.800.53.R5-LambdaDLQ @ Test/Fn/Resource',
    ]);
  });

  test('the master secret is encrypted with a rotated customer managed key of the construct', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: stack.resolve(db.secretEncryptionKey.keyArn) });
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ EnableKeyRotation: true, Description: 'Encrypts the master secret of Test/Db' }),
    });
  });

  test('enhanced monitoring every 60 s, with a monitoring role of AWS\'s managed policy', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      MonitoringInterval: 60,
      MonitoringRoleArn: stack.resolve(db.monitoringRole!.roleArn),
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'monitoring.rds.amazonaws.com' } })] }),
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole']] }],
    });
  });

  test('every PostgreSQL log type is exported to CloudWatch Logs', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', { EnableCloudwatchLogsExports: ['postgresql', 'upgrade'] });
  });

  test('no inline IAM policy: the proxy\'s secret read and the function\'s grant are customer managed policies', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const proxyRole = stack.resolve((db.proxy.node.defaultChild as rds.CfnDBProxy).roleArn);
    const roleLogicalId = proxyRole['Fn::GetAtt'][0];
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: roleLogicalId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: ref(stack, db.secret.secretArn) }),
          Match.objectLike({ Action: 'kms:Decrypt', Resource: ref(stack, db.secretEncryptionKey.keyArn) }),
        ]),
      },
    });
  });
});

describe('ProxiedDatabase: reachability (the analyzer over the synthesized template)', () => {
  const { stack, db, fn } = build();
  const network = NetworkAssertions.fromStack(stack);
  const function_ = NetworkEndpoint.of(fn);
  const proxy = NetworkEndpoint.of(db.proxy);
  const database = NetworkEndpoint.of(db.instance);
  const POSTGRES = ec2.Port.tcp(5432);

  test('function -> proxy on the database port: reachable', () => {
    network.expectReachable(function_, proxy, POSTGRES);
  });

  test('function -> database: unreachable (the function has no path around the proxy)', () => {
    network.expectUnreachable(function_, database, POSTGRES);
  });

  test('proxy -> database on the database port: reachable', () => {
    network.expectReachable(proxy, database, POSTGRES);
  });

  test.each([['database'], ['proxy']])('internet -> %s: unreachable', (what) => {
    network.expectUnreachable(NetworkEndpoint.internet(), what === 'database' ? database : proxy, POSTGRES);
  });

  test('NetworkPatterns pack: no findings', () => {
    expect(nagFindings(stack, [new NetworkPatternsChecks()])).toEqual([]);
  });
});

describe('ProxiedDatabase: options', () => {
  test('MySQL: require_secure_transport=ON, port 3306 on both legs, MySQL rotation', () => {
    const { stack, db, fn, template } = build({ db: { engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_0 }) } });
    template.hasResourceProperties('AWS::RDS::DBInstance', { Engine: 'mysql', Port: '3306' });
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Family: 'mysql8.0', Parameters: { require_secure_transport: 'ON' } });
    template.hasResourceProperties('AWS::RDS::DBProxy', { EngineFamily: 'MYSQL' });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ DB_PORT: '3306' }) } });
    expect(sgRules(stack, template, groups(db, fn))).toEqual([
      'db in 3306 proxy', 'db in 3306 rotation', 'fn out 3306 proxy', 'fn out 443 0.0.0.0/0',
      'proxy in 3306 fn', 'proxy out 3306 db', 'rotation out 3306 db', 'rotation out 443 0.0.0.0/0',
    ]);
    const rotation = Object.values<any>(template.findMappings('*'));
    expect(JSON.stringify(rotation)).toContain('SecretsManagerRDSMySQLRotationSingleUser');
    expect(nagFindings(stack)).toEqual([]);
  });

  test('MySQL: its four log types are exported', () => {
    const { template } = build({ db: { engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_0 }) } });
    template.hasResourceProperties('AWS::RDS::DBInstance', { EnableCloudwatchLogsExports: ['audit', 'error', 'general', 'slowquery'] });
  });

  test('cloudwatchLogsExports: a subset, or none', () => {
    build({ db: { cloudwatchLogsExports: ['postgresql'] } }).template
      .hasResourceProperties('AWS::RDS::DBInstance', { EnableCloudwatchLogsExports: ['postgresql'] });
    build({ db: { cloudwatchLogsExports: [] } }).template
      .hasResourceProperties('AWS::RDS::DBInstance', { EnableCloudwatchLogsExports: Match.absent() });
  });

  test('secretEncryptionKey: the secret uses the key you give; the construct creates none', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    const db = new ProxiedDatabase(stack, 'Db', { network: net, secretEncryptionKey: key });
    const template = Template.fromStack(stack);
    expect(db.secretEncryptionKey).toBe(key);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: stack.resolve(key.keyArn) });
    expect(db.node.tryFindChild('SecretKey')).toBeUndefined();
  });

  test.each([[1], [15]])('monitoringInterval %p s', (seconds) => {
    const { template } = build({ db: { monitoringInterval: Duration.seconds(seconds) } });
    template.hasResourceProperties('AWS::RDS::DBInstance', { MonitoringInterval: seconds });
  });

  test('monitoringInterval 0 turns enhanced monitoring off: no interval, no monitoring role', () => {
    const { db, template } = build({ db: { monitoringInterval: Duration.seconds(0) } });
    template.hasResourceProperties('AWS::RDS::DBInstance', { MonitoringInterval: Match.absent(), MonitoringRoleArn: Match.absent() });
    expect(db.monitoringRole).toBeUndefined();
  });

  test('a non-default database port moves the proxy -> database leg only; RDS11 then passes without acknowledgment', () => {
    const { stack, db, fn, template } = build({ db: { port: 6543 } });
    template.hasResourceProperties('AWS::RDS::DBInstance', { Port: '6543' });
    expect(sgRules(stack, template, groups(db, fn))).toEqual([
      'db in 6543 proxy', 'db in 6543 rotation', 'fn out 443 0.0.0.0/0', 'fn out 5432 proxy',
      'proxy in 5432 fn', 'proxy out 6543 db', 'rotation out 443 0.0.0.0/0', 'rotation out 6543 db',
    ]);
    const acknowledged = db.instance.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
    expect(JSON.stringify(acknowledged)).not.toContain('RDS11');
    expect(nagFindings(stack)).toEqual([]);
  });

  test('multiAz false: single-AZ with a warning, and AwsSolutions-RDS3 reports it', () => {
    const { stack, template } = build({ db: { multiAz: false } });
    template.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: false });
    Annotations.fromStack(stack).hasWarning('/Test/Db', Match.stringLikeRegexp('multiAz is false.*AwsSolutions-RDS3'));
    expect(nagFindings(stack)).toEqual(['AwsSolutions-RDS3 @ Test/Db/Resource/Resource']);
  });

  test('availabilityZones: the proxy and the subnet group span only those', () => {
    const { stack, net, template } = build({ db: { availabilityZones: ['us-east-1a', 'us-east-1c'] } });
    const data = subnetRefs(stack, net, Tier.DATA);
    template.hasResourceProperties('AWS::RDS::DBProxy', { VpcSubnetIds: [data[0], data[2]] });
    template.hasResourceProperties('AWS::RDS::DBSubnetGroup', { SubnetIds: [data[0], data[2]] });
  });

  test('deletionProtection false with RemovalPolicy.DESTROY: a disposable database, with a warning', () => {
    const { stack, template } = build({ db: { deletionProtection: false, removalPolicy: RemovalPolicy.DESTROY } });
    template.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ DeletionProtection: false }) });
    Annotations.fromStack(stack).hasWarning('/Test/Db', Match.stringLikeRegexp('deletionProtection is false'));
  });

  test('RemovalPolicy.RETAIN', () => {
    const { template } = build({ db: { removalPolicy: RemovalPolicy.RETAIN } });
    template.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('instance type, storage, database name, user, backups and rotation schedule', () => {
    const { template } = build({
      db: {
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.LARGE),
        allocatedStorage: 100,
        databaseName: 'orders',
        masterUsername: 'orders_admin',
        backupRetention: Duration.days(14),
        rotationSchedule: Duration.days(7),
      },
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceClass: 'db.r7g.large', AllocatedStorage: '100', DBName: 'orders', MasterUsername: 'orders_admin', BackupRetentionPeriod: 14,
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(7 days)' } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DB_NAME: 'orders', DB_USER: 'orders_admin' }) },
    });
  });

  test('pooling settings', () => {
    const { template } = build({
      db: { maxConnectionsPercent: 80, maxIdleConnectionsPercent: 20, borrowTimeout: Duration.seconds(30), idleClientTimeout: Duration.minutes(10) },
    });
    template.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', {
      ConnectionPoolConfigurationInfo: { MaxConnectionsPercent: 80, MaxIdleConnectionsPercent: 20, ConnectionBorrowTimeout: 30 },
    });
    template.hasResourceProperties('AWS::RDS::DBProxy', { IdleClientTimeout: 600 });
  });

  test('maxIdleConnectionsPercent defaults to half of maxConnectionsPercent', () => {
    const { template } = build({ db: { maxConnectionsPercent: 75 } });
    template.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', {
      ConnectionPoolConfigurationInfo: Match.objectLike({ MaxConnectionsPercent: 75, MaxIdleConnectionsPercent: 37 }),
    });
  });

  test.each([
    [{ maxConnectionsPercent: 1, maxIdleConnectionsPercent: 0 }],
    [{ maxConnectionsPercent: 100, maxIdleConnectionsPercent: 100 }],
    [{ borrowTimeout: Duration.seconds(0) }],
    [{ borrowTimeout: Duration.seconds(300) }],
    [{ idleClientTimeout: Duration.seconds(1) }],
    [{ idleClientTimeout: Duration.hours(8) }],
    [{ allocatedStorage: 20 }],
    [{ allocatedStorage: 65536 }],
    [{ backupRetention: Duration.days(1) }],
    [{ backupRetention: Duration.days(35) }],
    [{ port: 1150 }],
    [{ port: 65535 }],
  ])('accepts the boundary value %j', (db) => {
    expect(() => build({ db, connect: false })).not.toThrow();
  });

  test('requireTls and iamAuth off: TLS optional, password auth; the function reads the secret instead, with warnings', () => {
    const { stack, db, fn, template } = build({ db: { requireTls: false, iamAuth: false } });
    template.hasResourceProperties('AWS::RDS::DBProxy', { RequireTLS: false, Auth: [Match.objectLike({ IAMAuth: 'DISABLED' })] });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DB_SECRET_ARN: ref(stack, db.secret.secretArn) }) },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [ref(stack, fn.role!.roleName)],
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: ref(stack, db.secret.secretArn) }),
          Match.objectLike({
            Action: 'kms:Decrypt',
            Resource: ref(stack, db.secretEncryptionKey.keyArn),
            Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } },
          }),
        ],
      },
    });
    expect(JSON.stringify(template.findResources('AWS::IAM::ManagedPolicy'))).not.toContain('rds-db:connect');
    Annotations.fromStack(stack).hasWarning('/Test/Db', Match.stringLikeRegexp('requireTls is false'));
    Annotations.fromStack(stack).hasWarning('/Test/Db', Match.stringLikeRegexp('iamAuth is false'));
  });

  test('secretsManagerEndpoint: the rotation function reaches Secrets Manager through the endpoint, not the NAT', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', {
      availabilityZones: TEST_AZS, interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
    });
    const endpoint = net.interfaceEndpoints[0];
    const db = new ProxiedDatabase(stack, 'Db', { network: net, secretsManagerEndpoint: endpoint });
    const template = Template.fromStack(stack);
    const rules = sgRules(stack, template, {
      db: db.databaseSecurityGroup, rotation: db.rotationSecurityGroup, endpoint: endpoint.connections.securityGroups[0],
    });
    expect(rules).toEqual(expect.arrayContaining(['rotation out 443 endpoint', 'endpoint in 443 rotation']));
    expect(rules).not.toContain('rotation out 443 0.0.0.0/0');
    template.hasResourceProperties('AWS::Serverless::Application', {
      Parameters: Match.objectLike({ endpoint: { 'Fn::Join': ['', Match.arrayWith(['https://', ref(stack, endpoint.vpcEndpointId)])] } }),
    });
  });

  test('no NAT gateway: rotation through the endpoint, the function through the interface endpoints by default', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', {
      availabilityZones: TEST_AZS, natGatewayMode: NatGatewayMode.NONE, interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
    });
    const endpoint = net.interfaceEndpoints[0];
    const db = new ProxiedDatabase(stack, 'Db', { network: net, secretsManagerEndpoint: endpoint });
    const fn = appFunction(stack, net);
    db.connectFunction(fn);
    const rules = sgRules(stack, Template.fromStack(stack), { ...groups(db, fn), endpoint: endpoint.connections.securityGroups[0] });
    expect(rules.filter((r) => r.startsWith('fn '))).toEqual(['fn out 443 endpoint', 'fn out 5432 proxy']);
  });
});

describe('ProxiedDatabase.connectFunction options', () => {
  test('awsApiAccess INTERFACE_ENDPOINTS: 443 to the VPC\'s interface endpoints only', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS, interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.STS] });
    const db = new ProxiedDatabase(stack, 'Db', { network: net });
    const fn = appFunction(stack, net);
    db.connectFunction(fn, { awsApiAccess: AwsApiAccess.INTERFACE_ENDPOINTS });
    const rules = sgRules(stack, Template.fromStack(stack), { ...groups(db, fn), sts: net.interfaceEndpoints[0].connections.securityGroups[0] });
    expect(rules.filter((r) => r.startsWith('fn '))).toEqual(['fn out 443 sts', 'fn out 5432 proxy']);
  });

  test('awsApiAccess NONE: the proxy port is the function\'s only egress', () => {
    const { stack, db, fn, template } = build({ connect: { awsApiAccess: AwsApiAccess.NONE } });
    expect(sgRules(stack, template, groups(db, fn)).filter((r) => r.startsWith('fn '))).toEqual(['fn out 5432 proxy']);
  });

  test('environmentPrefix', () => {
    const { template } = build({ connect: { environmentPrefix: 'ORDERS_DB_' } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { ORDERS_DB_PROXY_ENDPOINT: Match.anyValue(), ORDERS_DB_PORT: '5432', ORDERS_DB_NAME: 'app', ORDERS_DB_USER: 'dbadmin' } },
    });
  });

  test('two functions: each its own flow and grant', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const db = new ProxiedDatabase(stack, 'Db', { network: net });
    db.connectFunction(appFunction(stack, net, 'A'));
    db.connectFunction(appFunction(stack, net, 'B'));
    expect(net.flows.filter((f) => f.toPath === 'Test/Db/Proxy').map((f) => f.fromPath)).toEqual(['Test/A', 'Test/B']);
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('ProxiedDatabase: bad input', () => {
  function net(stack: Stack, props: TieredVpcProps = {}): TieredVpc {
    return new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS, ...props });
  }
  function make(props: Partial<ProxiedDatabaseProps>): void {
    const stack = testStack();
    new ProxiedDatabase(stack, 'Db', { network: net(stack), ...props });
  }

  test('fails when the function is not in a VPC', () => {
    const stack = testStack();
    const db = new ProxiedDatabase(stack, 'Db', { network: net(stack) });
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;'),
    });
    expect(() => db.connectFunction(fn)).toThrow(
      /Test\/Db: connectFunction\(Test\/Fn\): fn is not in a VPC.*got 'Test\/Fn'\. Create the function with `vpc: network.vpc`, `vpcSubnets: network.tierSubnets\(Tier.APP\)`.*allowAllOutbound: false/);
  });

  test('fails when the function is in a different VPC', () => {
    const stack = testStack();
    const db = new ProxiedDatabase(stack, 'Db', { network: net(stack) });
    const other = new TieredVpc(stack, 'Other', { availabilityZones: TEST_AZS, cidr: '10.1.0.0/16' });
    expect(() => db.connectFunction(appFunction(stack, other))).toThrow(/connectFunction\(Test\/Fn\): fn is in a different VPC than Test\/Net/);
  });

  test('fails when the function is in a plain ec2.Vpc', () => {
    const stack = testStack();
    const db = new ProxiedDatabase(stack, 'Db', { network: net(stack) });
    const vpc = new ec2.Vpc(stack, 'Plain', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'P', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => 1;'),
      vpc,
      securityGroups: [new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false })],
    });
    expect(() => db.connectFunction(fn)).toThrow(/fn is in a different VPC/);
  });

  test('fails when the function is in the data tier', () => {
    const stack = testStack();
    const network = net(stack);
    const db = new ProxiedDatabase(stack, 'Db', { network: network });
    const fn = appFunction(stack, network, 'Fn', { vpcSubnets: network.tierSubnets(Tier.DATA) });
    expect(() => db.connectFunction(fn)).toThrow(/fn is in the data tier, got 'Test\/Fn'\. Lambda functions belong in the app tier/);
  });

  test('fails when the function\'s security group allows all outbound traffic', () => {
    const stack = testStack();
    const network = net(stack);
    const db = new ProxiedDatabase(stack, 'Db', { network: network });
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => 1;'),
      vpc: network.vpc,
      vpcSubnets: network.tierSubnets(Tier.APP),
    });
    expect(() => db.connectFunction(fn)).toThrow(
      /fn security groups allow all outbound traffic, so the function's egress would not be limited to the proxy port and 443, got \['Test\/Fn\/SecurityGroup'\]/);
  });

  test('fails when a function is connected twice', () => {
    const { db, fn } = build();
    expect(() => db.connectFunction(fn)).toThrow(/connectFunction\(Test\/Fn\) is already connected to this database/);
  });

  test.each([['db_'], ['1DB_'], ['DB-']])('fails on environmentPrefix %s', (prefix) => {
    const { db, fn } = build({ connect: false });
    expect(() => db.connectFunction(fn, { environmentPrefix: prefix })).toThrow(/environmentPrefix must be upper-case letters, digits and underscores/);
  });

  test('fails on awsApiAccess NAT_GATEWAY without NAT gateways', () => {
    const stack = testStack();
    const network = net(stack, { natGatewayMode: NatGatewayMode.NONE, interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER] });
    const db = new ProxiedDatabase(stack, 'Db', { network: network, secretsManagerEndpoint: network.interfaceEndpoints[0] });
    expect(() => db.connectFunction(appFunction(stack, network), { awsApiAccess: AwsApiAccess.NAT_GATEWAY }))
      .toThrow(/awsApiAccess needs NAT gateways, but the network has none, got 'nat-gateway'\. Use AwsApiAccess.INTERFACE_ENDPOINTS/);
  });

  test('fails when the rotation function has no way to Secrets Manager (no NAT, no endpoint)', () => {
    expect(() => {
      const stack = testStack();
      new ProxiedDatabase(stack, 'Db', { network: net(stack, { natGatewayMode: NatGatewayMode.NONE }) });
    }).toThrow(/Test\/Db: secretsManagerEndpoint is required when the network has no NAT gateway.*InterfaceVpcEndpointAwsService.SECRETS_MANAGER/);
  });

  test('fails when the proxy is asked for in one AZ', () => {
    expect(() => make({ availabilityZones: ['us-east-1a'] }))
      .toThrow(/Test\/Db: availabilityZones must name at least 2 AZs, got \['us-east-1a'\]\. RDS Proxy needs subnets in at least two AZs/);
  });

  test('fails when an AZ is named twice', () => {
    expect(() => make({ availabilityZones: ['us-east-1a', 'us-east-1a'] })).toThrow(/availabilityZones must not name an AZ twice/);
  });

  test('fails on an AZ the network does not span', () => {
    expect(() => make({ availabilityZones: ['us-east-1a', 'us-east-1d'] }))
      .toThrow(/availabilityZones must be AZs of the network \(us-east-1a, us-east-1b, us-east-1c\), got \['us-east-1d'\]/);
  });

  test('fails on IAM auth with TLS off', () => {
    expect(() => make({ requireTls: false })).toThrow(/Test\/Db: requireTls must be true while iamAuth is on, got false\. An IAM auth token is a bearer credential/);
  });

  test.each([[0], [101], [50.5], [-1]])('fails on maxConnectionsPercent %p', (value) => {
    expect(() => make({ maxConnectionsPercent: value, maxIdleConnectionsPercent: 0 }))
      .toThrow(new RegExp(`maxConnectionsPercent must be an integer percentage between 1 and 100, got ${value}`));
  });

  test.each([[-1], [101], [10.5]])('fails on maxIdleConnectionsPercent %p', (value) => {
    expect(() => make({ maxIdleConnectionsPercent: value }))
      .toThrow(new RegExp(`maxIdleConnectionsPercent must be an integer percentage between 0 and 100, got ${value}`));
  });

  test('fails when idle connections exceed the maximum', () => {
    expect(() => make({ maxConnectionsPercent: 50, maxIdleConnectionsPercent: 60 }))
      .toThrow(/maxIdleConnectionsPercent must not exceed maxConnectionsPercent \(50\), got 60/);
  });

  test.each([[Duration.seconds(301)], [Duration.minutes(10)], [Duration.millis(1500)]])('fails on borrowTimeout %s', (value) => {
    expect(() => make({ borrowTimeout: value })).toThrow(/borrowTimeout must be a whole number of seconds between 0 and 300, got .*\[RdsProxyTimeoutOutOfRange\]$/);
  });

  test.each([[Duration.seconds(0)], [Duration.millis(500)], [Duration.seconds(28801)], [Duration.days(1)]])('fails on idleClientTimeout %s', (value) => {
    expect(() => make({ idleClientTimeout: value })).toThrow(/idleClientTimeout must be a whole number of seconds between 1 and 28800 \(8 hours\), got .*\[RdsProxyTimeoutOutOfRange\]$/);
  });

  test.each([
    ['Oracle', rds.DatabaseInstanceEngine.oracleSe2({ version: rds.OracleEngineVersion.VER_19 }), 'oracle-se2'],
    ['SQL Server', rds.DatabaseInstanceEngine.sqlServerSe({ version: rds.SqlServerEngineVersion.VER_16 }), 'sqlserver-se'],
    ['MariaDB', rds.DatabaseInstanceEngine.mariaDb({ version: rds.MariaDbEngineVersion.VER_10_11 }), 'mariadb'],
  ])('fails on an unsupported engine: %s', (_name, engine, type) => {
    expect(() => make({ engine })).toThrow(new RegExp(
      `Test/Db: engine is not supported: ProxiedDatabase serves PostgreSQL and MySQL, got '${type}'\\. Use rds\\.DatabaseInstanceEngine\\.postgres`));
  });

  test('fails on an engine without a version', () => {
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    expect(() => make({ engine: rds.DatabaseInstanceEngine.POSTGRES })).toThrow(/engine must name a version, got 'postgres'/);
  });

  test.each([[80], [1149], [65536], [5432.5]])('fails on port %p', (port) => {
    expect(() => make({ port })).toThrow(/port must be an integer between 1150 and 65535/);
  });

  test.each([['1admin'], ['db-admin'], ['']])('fails on masterUsername %p', (masterUsername) => {
    expect(() => make({ masterUsername })).toThrow(/masterUsername must be letters, digits and underscores, starting with a letter, at most 63/);
  });

  test('fails on a MySQL master user name over 16 characters', () => {
    expect(() => make({ engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_0 }), masterUsername: 'a'.repeat(17) }))
      .toThrow(/masterUsername .*at most 16 characters for this engine/);
  });

  test('fails on the reserved rdsadmin user', () => {
    expect(() => make({ masterUsername: 'rdsadmin' })).toThrow(/masterUsername is reserved by Amazon RDS/);
  });

  test.each([['my-db'], ['9db'], ['a'.repeat(64)]])('fails on databaseName %p', (databaseName) => {
    expect(() => make({ databaseName })).toThrow(/databaseName must be letters, digits and underscores/);
  });

  test('fails on RemovalPolicy.DESTROY with deletion protection on', () => {
    expect(() => make({ removalPolicy: RemovalPolicy.DESTROY }))
      .toThrow(/removalPolicy cannot delete a database whose deletionProtection is on.*Keep RemovalPolicy.SNAPSHOT/);
  });

  test.each([[19], [65537], [20.5]])('fails on allocatedStorage %p', (allocatedStorage) => {
    expect(() => make({ allocatedStorage })).toThrow(/allocatedStorage must be a whole number of GiB between 20 and 65536/);
  });

  test.each([[Duration.seconds(7)], [Duration.minutes(2)], [Duration.millis(500)]])('fails on monitoringInterval %s', (monitoringInterval) => {
    expect(() => build({ db: { monitoringInterval } }))
      .toThrow(/Test\/Db: monitoringInterval must be one of 0, 1, 5, 10, 15, 30, 60 seconds, got .*Duration\.seconds\(0\) turns it off/);
  });

  test('fails on a log type the engine does not export', () => {
    expect(() => build({ db: { cloudwatchLogsExports: ['postgresql', 'slowquery'] } }))
      .toThrow(/Test\/Db: cloudwatchLogsExports must name log types of the engine \(postgresql, upgrade\), got \['slowquery'\]/);
  });

  test.each([[Duration.days(0)], [Duration.days(36)], [Duration.hours(36)]])('fails on backupRetention %s', (backupRetention) => {
    expect(() => make({ backupRetention })).toThrow(/backupRetention must be a whole number of days between 1 and 35/);
  });
});

describe('allowClient: clients that are not Lambda functions', () => {
  test('declares client -> proxy on the proxy port, by security group reference, and nothing to the database', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const db = new ProxiedDatabase(stack, 'Db', { network: net });
    const client = new ec2.SecurityGroup(stack, 'Client', { vpc: net.vpc, allowAllOutbound: false });
    db.allowClient(client, Tier.APP);
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: stack.resolve(db.proxySecurityGroup.securityGroupId),
      SourceSecurityGroupId: stack.resolve(client.securityGroupId),
      FromPort: 5432,
      ToPort: 5432,
    });
    expect(net.flows.filter((f) => f.fromPath === 'Test/Client').map((f) => `${f.toPath} ${f.fromPort}`)).toEqual(['Test/Db/Proxy 5432']);
  });

  test('the client\'s ephemeral range and name: the data tier\'s return entry admits exactly that range', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const db = new ProxiedDatabase(stack, 'Db', { network: net });
    const client = new ec2.SecurityGroup(stack, 'Client', { vpc: net.vpc, allowAllOutbound: false });
    db.allowClient(client, Tier.APP, { ephemeralRange: EphemeralRange.LINUX, name: 'reporting' });
    const flow = net.flows.find((f) => f.fromPath === 'Test/Client');
    expect(flow).toMatchObject({ from: 'reporting', toPath: 'Test/Db/Proxy', fromPort: 5432, ephemeralFromPort: 32768, ephemeralToPort: 60999 });
    expect(flow!.description).toBe('reporting -> Test/Db/Proxy (RDS Proxy)');
    expect(naclRows(stack, net)).toEqual(expect.arrayContaining([`data out tcp 32768-60999 ${APP}`, `app in tcp 32768-60999 ${DATA}`]));
  });

  test('fails for a client in the public tier', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const db = new ProxiedDatabase(stack, 'Db', { network: net });
    const client = new ec2.SecurityGroup(stack, 'Client', { vpc: net.vpc, allowAllOutbound: false });
    expect(() => db.allowClient(client, Tier.PUBLIC)).toThrow(/Test\/Db: allowClient: tier is the public tier, got 'public'\. Databases serve the app tier/);
  });
});
