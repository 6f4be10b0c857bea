/**
 * The benchmark's full architecture (bench/apps/library-full.ts) written by hand with plain
 * aws-cdk-lib, as a careful user would: the same resources, the same security group rules and
 * the same NACL entries.
 *
 *   internet --443/80--> ALB (public) --dynamic host ports--> ECS on EC2, bridge mode (app)
 *   partners --8443--> NLB with a static IP per AZ (public) --dynamic host ports--> the same ECS service
 *   Lambda (app) --5432--> RDS Proxy (data, IAM auth, TLS) --5432--> PostgreSQL (data, Multi-AZ)
 *   Route 53: app.example.com failover, primary the ALB (HTTPS /health), secondary a standby ALB in us-west-2
 *
 * The careful user knows the pitfalls the library handles: a tier is one CIDR only if the
 * subnets are laid out for it (`reservedAzs: 1`); every NACL entry needs its return entry with
 * the client's ephemeral range; ECS's `attachToApplicationTargetGroup` opens 32768-65535
 * whatever the agent's range (aws-cdk issues 9778, 12812); the NLB needs its security group at
 * creation.
 */
import { App, ArnFormat, Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const PUBLIC = '10.0.0.0/18';
const APP = '10.0.64.0/18';
const DATA = '10.0.128.0/18';
const ANYWHERE = '0.0.0.0/0';
const PARTNERS = '203.0.113.0/24';
const RETURN: [number, number] = [1024, 65535];
const HOST_PORTS: [number, number] = [32768, 51677];
const EXCLUDE = " %+~`#$&*()|[]{}:;<>?!'/@\"\\";
const HANDLER = 'exports.handler = async () => ({ proxy: process.env.DB_PROXY_ENDPOINT });';

export class HandwrittenFullStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

    // --- The VPC: three tiers, each one contiguous /18 (a fourth /20 per tier kept free).
    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
      availabilityZones: AZS,
      reservedAzs: 1,
      natGateways: AZS.length,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 20, mapPublicIpOnLaunch: false },
        { name: 'App', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 },
      ],
    });
    const appSubnets = { subnetGroupName: 'App' };
    const dataSubnets = { subnetGroupName: 'Data' };
    const publicSubnets = vpc.selectSubnets({ subnetGroupName: 'Public' }).subnets;

    // Flow logs to an encrypted log group, delivered by a role with a managed policy.
    const logKey = (keyId: string) => {
      const key = new kms.Key(this, keyId, { enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
      key.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': this.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) } },
      }));
      return key;
    };
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN, encryptionKey: logKey('FlowLogKey') });
    const flowLogRole = new iam.Role(this, 'FlowLogRole', {
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com'),
      managedPolicies: [new iam.ManagedPolicy(this, 'FlowLogPolicy', {
        statements: [new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'], resources: [flowLogs.logGroupArn] })],
      })],
    });
    vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs, flowLogRole.withoutPolicyUpdates()), trafficType: ec2.FlowLogTrafficType.ALL });
    vpc.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [appSubnets, dataSubnets] });
    vpc.addGatewayEndpoint('DynamoDbEndpoint', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB, subnets: [appSubnets, dataSubnets] });

    // --- NACLs: one per tier, every opening both ways with the client's ephemeral range back.
    const acl = (name: string) => {
      const nacl = new ec2.NetworkAcl(this, `${name}Acl`, { vpc, subnetSelection: { subnetGroupName: name } });
      Validations.of(nacl).acknowledge({ id: 'AwsSolutions-VPC3', reason: 'Tier NACLs are a second, stateless layer; every entry has its return entry.' });
      return nacl;
    };
    const nacls = { public: acl('Public'), app: acl('App'), data: acl('Data') };
    const IN = ec2.TrafficDirection.INGRESS;
    const OUT = ec2.TrafficDirection.EGRESS;
    const entries: Array<[keyof typeof nacls, ec2.TrafficDirection, number, string, [number, number]]> = [
      // internet -> ALB 443 and 80
      ['public', IN, 100, ANYWHERE, [443, 443]], ['public', OUT, 100, ANYWHERE, RETURN], ['public', IN, 200, ANYWHERE, [80, 80]],
      // ALB and NLB -> container instances on the host ports
      ['public', OUT, 200, APP, HOST_PORTS], ['public', IN, 300, APP, RETURN],
      ['app', IN, 100, PUBLIC, HOST_PORTS], ['app', OUT, 100, PUBLIC, RETURN],
      // instances, rotation and function -> internet 443 through the NAT gateways
      ['app', OUT, 200, ANYWHERE, [443, 443]], ['app', IN, 200, ANYWHERE, RETURN],
      ['public', IN, 400, APP, [443, 443]], ['public', OUT, 300, APP, RETURN],
      ['public', OUT, 400, ANYWHERE, [443, 443]], ['public', IN, 500, ANYWHERE, RETURN],
      // partners -> NLB 8443, and to the instances with client IP preservation
      ['public', IN, 600, PARTNERS, [8443, 8443]], ['public', OUT, 500, PARTNERS, RETURN],
      ['app', IN, 300, PARTNERS, HOST_PORTS], ['app', OUT, 300, PARTNERS, RETURN],
      // rotation and function (app) -> proxy and database (data) 5432
      ['app', OUT, 400, DATA, [5432, 5432]], ['app', IN, 400, DATA, RETURN],
      ['data', IN, 300, APP, [5432, 5432]], ['data', OUT, 300, APP, RETURN],
      // proxy -> database inside the data tier
      ['data', OUT, 100, DATA, [5432, 5432]], ['data', IN, 100, DATA, RETURN],
      ['data', IN, 200, DATA, [5432, 5432]], ['data', OUT, 200, DATA, RETURN],
    ];
    entries.forEach(([tier, direction, ruleNumber, cidr, [from, to]], i) => nacls[tier].addEntry(`Entry${i}`, {
      ruleNumber, direction, cidr: ec2.AclCidr.ipv4(cidr), traffic: ec2.AclTraffic.tcpPortRange(from, to), ruleAction: ec2.Action.ALLOW,
    }));

    // --- DNS name and certificate.
    const zone = new route53.PublicHostedZone(this, 'Zone', { zoneName: 'example.com' });
    const certificate = new acm.Certificate(this, 'Certificate', { domainName: 'app.example.com', validation: acm.CertificateValidation.fromDns(zone) });

    // --- ECS on EC2, bridge mode, the agent's host port range pinned in user data.
    const instanceSg = new ec2.SecurityGroup(this, 'InstanceSg', { vpc, allowAllOutbound: false, description: 'ECS container instances' });
    instanceSg.addEgressRule(ec2.Peer.ipv4(ANYWHERE), ec2.Port.tcp(443), 'instances -> internet via NAT');
    const instanceRole = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    Validations.of(instanceRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]', reason: 'Session Manager instead of SSH.',
    });
    Validations.of(instanceRole).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'The ECS agent\'s policy, written by ecs.Cluster.' });
    Validations.of(instanceRole).acknowledge({ id: 'AwsSolutions-IAM5[Action::ecs:Submit*]', reason: 'The ECS agent\'s policy, scoped to the cluster.' });
    const userData = ec2.UserData.forLinux();
    userData.addCommands(`echo ECS_DYNAMIC_HOST_PORT_RANGE=${HOST_PORTS[0]}-${HOST_PORTS[1]} >> /etc/ecs/ecs.config`);
    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.SMALL),
      userData,
      role: instanceRole,
      securityGroup: instanceSg,
      requireImdsv2: true,
      detailedMonitoring: true,
      blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(30, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }) }],
    });
    const asg = new autoscaling.AutoScalingGroup(this, 'Instances', { vpc, vpcSubnets: appSubnets, launchTemplate, minCapacity: 2, maxCapacity: 4 });
    Validations.of(asg).acknowledge({ id: 'AwsSolutions-AS3', reason: 'Managed scaling owns the size; ECS reports scaling in its events.' });
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const capacityProvider = new ecs.AsgCapacityProvider(this, 'CapacityProvider', {
      autoScalingGroup: asg, enableManagedScaling: true, enableManagedTerminationProtection: true, targetCapacityPercent: 100,
    });
    cluster.addAsgCapacityProvider(capacityProvider);
    const taskDefinition = new ecs.Ec2TaskDefinition(this, 'TaskDefinition', { networkMode: ecs.NetworkMode.BRIDGE });
    const containerLogs = new logs.LogGroup(this, 'ContainerLogs', {
      retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.RETAIN, encryptionKey: logKey('ContainerLogKey'),
    });
    taskDefinition.addContainer('app', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
      cpu: 256,
      memoryLimitMiB: 512,
      logging: ecs.LogDrivers.awsLogs({ logGroup: containerLogs, streamPrefix: 'app' }),
      portMappings: [{ containerPort: 8080, hostPort: 0, protocol: ecs.Protocol.TCP }],
    });
    const service = new ecs.Ec2Service(this, 'Service', {
      cluster,
      taskDefinition,
      desiredCount: 2,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      capacityProviderStrategies: [{ capacityProvider: capacityProvider.capacityProviderName, weight: 1 }],
      placementStrategies: [ecs.PlacementStrategy.spreadAcross(ecs.BuiltInAttributes.AVAILABILITY_ZONE), ecs.PlacementStrategy.packedByMemory()],
    });
    const tasks = service.loadBalancerTarget({ containerName: 'app', containerPort: 8080 });

    // --- ALB: HTTPS 443, 80 redirecting, access logs; listeners closed, opened by explicit rules.
    const alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc, internetFacing: true, vpcSubnets: { subnetGroupName: 'Public' }, dropInvalidHeaderFields: true, deletionProtection: true,
    });
    Validations.of(alb).acknowledge({ id: 'AwsSolutions-EC23', reason: 'An internet-facing load balancer: 80/443 open to every client by design.' });
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({ id: 'AwsSolutions-S1', reason: 'The access log bucket itself; its own logs would need another bucket.' });
    alb.logAccessLogs(accessLogs);
    const albTargets = new elbv2.ApplicationTargetGroup(this, 'AlbTargets', {
      vpc,
      port: 8080,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.INSTANCE,
      deregistrationDelay: Duration.seconds(30),
      healthCheck: { port: 'traffic-port', protocol: elbv2.Protocol.HTTP, path: '/health' },
    });
    alb.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromCertificateManager(certificate)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      open: false,
      defaultTargetGroups: [albTargets],
    });
    alb.addRedirect({
      sourcePort: 80, sourceProtocol: elbv2.ApplicationProtocol.HTTP, targetPort: 443, targetProtocol: elbv2.ApplicationProtocol.HTTPS, open: false,
    });
    alb.connections.allowFrom(ec2.Peer.ipv4(ANYWHERE), ec2.Port.tcp(443), 'clients -> ALB https');
    alb.connections.allowFrom(ec2.Peer.ipv4(ANYWHERE), ec2.Port.tcp(80), 'clients -> ALB http (redirect)');
    // Register the tasks without ECS's own 32768-65535 rule (the NLB registration path opens nothing).
    albTargets.addTarget({ attachToApplicationTargetGroup: (g) => tasks.attachToNetworkTargetGroup(g as unknown as elbv2.INetworkTargetGroup) });
    instanceSg.connections.allowFrom(alb, ec2.Port.tcpRange(...HOST_PORTS), 'ALB -> instances on the ECS host ports');

    // --- NLB for partners: a security group from the start, a static IP per AZ.
    const nlbSg = new ec2.SecurityGroup(this, 'NlbSg', { vpc, allowAllOutbound: false, description: 'Partner NLB' });
    nlbSg.addIngressRule(ec2.Peer.ipv4(PARTNERS), ec2.Port.tcp(8443), 'partners -> NLB');
    const nlb = new elbv2.NetworkLoadBalancer(this, 'Nlb', {
      vpc,
      internetFacing: true,
      securityGroups: [nlbSg],
      crossZoneEnabled: true,
      deletionProtection: true,
      subnetMappings: publicSubnets.map((subnet, i) => ({ subnet, allocationId: new ec2.CfnEIP(this, `NlbIp${i + 1}`, { domain: 'vpc' }).attrAllocationId })),
    });
    Validations.of(nlb).acknowledge({ id: 'AwsSolutions-ELB2', reason: 'An NLB logs TLS listeners only; this one is TCP. Flow logs record its connections.' });
    const nlbTargets = new elbv2.NetworkTargetGroup(this, 'NlbTargets', {
      vpc, port: 8443, protocol: elbv2.Protocol.TCP, targetType: elbv2.TargetType.INSTANCE, preserveClientIp: true, healthCheck: {},
    });
    nlb.addListener('Api', { port: 8443, protocol: elbv2.Protocol.TCP, defaultTargetGroups: [nlbTargets] });
    nlbTargets.addTarget(tasks);
    instanceSg.connections.allowFrom(nlbSg, ec2.Port.tcpRange(...HOST_PORTS), 'NLB -> instances on the ECS host ports');

    // --- PostgreSQL behind RDS Proxy (IAM auth, TLS), the secret rotated from the app tier.
    const dbSg = new ec2.SecurityGroup(this, 'DatabaseSg', { vpc, allowAllOutbound: false, description: 'Database' });
    const proxySg = new ec2.SecurityGroup(this, 'ProxySg', { vpc, allowAllOutbound: false, description: 'RDS Proxy' });
    const rotationSg = new ec2.SecurityGroup(this, 'RotationSg', { vpc, allowAllOutbound: false, description: 'Secret rotation' });
    rotationSg.addEgressRule(ec2.Peer.ipv4(ANYWHERE), ec2.Port.tcp(443), 'rotation -> Secrets Manager via NAT');
    const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 });
    const database = new rds.DatabaseInstance(this, 'Database', {
      engine,
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.BURSTABLE4_GRAVITON, ec2.InstanceSize.MEDIUM),
      vpc,
      vpcSubnets: dataSubnets,
      securityGroups: [dbSg],
      credentials: rds.Credentials.fromGeneratedSecret('dbadmin', {
        excludeCharacters: EXCLUDE, encryptionKey: new kms.Key(this, 'SecretKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN }),
      }),
      databaseName: 'app',
      port: 5432,
      multiAz: true,
      storageEncrypted: true,
      storageType: rds.StorageType.GP3,
      allocatedStorage: 20,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      backupRetention: Duration.days(7),
      parameterGroup: new rds.ParameterGroup(this, 'ParameterGroup', { engine, parameters: { 'rds.force_ssl': '1' } }),
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      copyTagsToSnapshot: true,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
      monitoringInterval: Duration.seconds(60),
    });
    Validations.of(database).acknowledge({ id: 'AwsSolutions-RDS11', reason: 'Clients use the proxy, which always listens on 5432.' });
    Validations.of(database).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
      reason: 'The AWS-maintained policy of the RDS monitoring agent.',
    });
    const proxy = new rds.DatabaseProxy(this, 'Proxy', {
      dbProxyName: 'handwritten-full-proxy',
      proxyTarget: rds.ProxyTarget.fromInstance(database),
      secrets: [database.secret!],
      vpc,
      vpcSubnets: dataSubnets,
      securityGroups: [proxySg],
      requireTLS: true,
      iamAuth: true,
      maxConnectionsPercent: 100,
      maxIdleConnectionsPercent: 50,
      borrowTimeout: Duration.seconds(120),
      idleClientTimeout: Duration.minutes(30),
      debugLogging: false,
    });
    new secretsmanager.SecretRotation(this, 'Rotation', {
      application: secretsmanager.SecretRotationApplication.POSTGRES_ROTATION_SINGLE_USER,
      secret: database.secret!,
      target: database,
      vpc,
      vpcSubnets: appSubnets,
      securityGroup: rotationSg,
      automaticallyAfter: Duration.days(30),
      excludeCharacters: EXCLUDE,
    });

    // --- The function: app tier, egress to the proxy and 443 only, IAM auth to the proxy.
    const fnSg = new ec2.SecurityGroup(this, 'ApiFunctionSg', { vpc, allowAllOutbound: false, description: 'API function' });
    fnSg.addEgressRule(ec2.Peer.ipv4(ANYWHERE), ec2.Port.tcp(443), 'function -> AWS APIs via NAT');
    const fn = new lambda.Function(this, 'ApiFunction', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(HANDLER),
      vpc,
      vpcSubnets: appSubnets,
      securityGroups: [fnSg],
      environment: { DB_PROXY_ENDPOINT: proxy.endpoint, DB_PORT: '5432', DB_NAME: 'app', DB_USER: 'dbadmin' },
    });
    for (const policy of ['AWSLambdaBasicExecutionRole', 'AWSLambdaVPCAccessExecutionRole']) {
      Validations.of(fn).acknowledge({ id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${policy}]`, reason: 'AWS-maintained Lambda policy.' });
    }
    proxySg.connections.allowFrom(fnSg, ec2.Port.tcp(5432), 'function -> proxy');
    proxy.grantConnect(fn, 'dbadmin');

    // --- app.example.com: the ALB while /health passes, the us-west-2 standby otherwise.
    const healthCheck = (checkId: string, fqdn: string) => new route53.HealthCheck(this, checkId, {
      type: route53.HealthCheckType.HTTPS, fqdn, port: 443, resourcePath: '/health', requestInterval: Duration.seconds(30), failureThreshold: 3, measureLatency: false,
    });
    const standby = 'standby-1234567890.us-west-2.elb.amazonaws.com';
    new route53.ARecord(this, 'AppPrimary', {
      zone,
      recordName: 'app',
      failover: route53.Failover.PRIMARY,
      setIdentifier: 'us-east-1',
      healthCheck: healthCheck('PrimaryHealthCheck', alb.loadBalancerDnsName),
      target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(alb, { evaluateTargetHealth: true })),
    });
    new route53.ARecord(this, 'AppSecondary', {
      zone,
      recordName: 'app',
      failover: route53.Failover.SECONDARY,
      setIdentifier: 'us-west-2',
      healthCheck: healthCheck('SecondaryHealthCheck', standby),
      target: route53.RecordTarget.fromAlias({ bind: () => ({ hostedZoneId: 'Z1H1FL5HABSF5', dnsName: `dualstack.${standby}`, evaluateTargetHealth: true }) }),
    });
  }
}

/** Builds the stack into `app`. */
export function build(app: App): Stack[] {
  return [new HandwrittenFullStack(app, 'HandwrittenFull', { env: { region: 'us-east-1', account: process.env.CDK_DEFAULT_ACCOUNT } })];
}

if (require.main === module) {
  build(new App());
}
