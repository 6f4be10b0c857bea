/**
 * The three-tier VPC of bench/apps/library-three-tier-vpc.ts written by hand with plain aws-cdk-lib, as a
 * careful user would: the same subnets (one contiguous /18 per tier, `reservedAzs: 1` keeping
 * the fourth /20 of each tier free so a tier is one CIDR), a NAT gateway per AZ, flow logs (to a
 * KMS-encrypted log group, delivered by a role with a managed policy), the
 * default security group restricted, S3 and DynamoDB gateway endpoints, the Session Manager
 * interface endpoints, one NACL per tier with every entry (and its ephemeral return entry)
 * written out, and the same security group chain. The benchmark's baseline: bench/run.ts
 * synthesizes it against the library's version.
 */
import { App, ArnFormat, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const PUBLIC = '10.0.0.0/18';
const APP = '10.0.64.0/18';
const DATA = '10.0.128.0/18';
const ANYWHERE = '0.0.0.0/0';
const ANY_CLIENT: [number, number] = [1024, 65535];
const LINUX: [number, number] = [32768, 60999];

class HandwrittenThreeTierVpcStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

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
    // Flow logs to an encrypted log group, delivered by a role with a managed policy.
    const flowLogKey = new kms.Key(this, 'FlowLogKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    flowLogKey.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': this.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) } },
    }));
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN, encryptionKey: flowLogKey });
    const flowLogRole = new iam.Role(this, 'FlowLogRole', {
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com'),
      managedPolicies: [new iam.ManagedPolicy(this, 'FlowLogPolicy', {
        statements: [new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'], resources: [flowLogs.logGroupArn] })],
      })],
    });
    vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs, flowLogRole.withoutPolicyUpdates()), trafficType: ec2.FlowLogTrafficType.ALL });
    const privateSubnets = [{ subnetGroupName: 'App' }, { subnetGroupName: 'Data' }];
    vpc.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: privateSubnets });
    vpc.addGatewayEndpoint('DynamoDbEndpoint', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB, subnets: privateSubnets });
    const { SSM, SSM_MESSAGES, EC2_MESSAGES } = ec2.InterfaceVpcEndpointAwsService;
    const sessionManager = [SSM, SSM_MESSAGES, EC2_MESSAGES];
    const endpoints = sessionManager
      .map((service) => vpc.addInterfaceEndpoint(`${service.shortName.replace(/[^A-Za-z0-9]/g, '')}Endpoint`,
        { service, subnets: { subnetGroupName: 'App' }, open: false }));

    // One NACL per tier; every opening written both ways, with the client's ephemeral range back.
    const acl = (name: string) => {
      const nacl = new ec2.NetworkAcl(this, `${name}Acl`, { vpc, subnetSelection: { subnetGroupName: name } });
      Validations.of(nacl).acknowledge({ id: 'AwsSolutions-VPC3', reason: 'Tier NACLs are a second, stateless layer; every entry has its return entry.' });
      return nacl;
    };
    const publicAcl = acl('Public');
    const appAcl = acl('App');
    const dataAcl = acl('Data');
    let n = 0;
    const entry = (nacl: ec2.NetworkAcl, direction: ec2.TrafficDirection, ruleNumber: number, cidr: string, [from, to]: [number, number]) =>
      nacl.addEntry(`Entry${n++}`, {
        ruleNumber, direction, cidr: ec2.AclCidr.ipv4(cidr), traffic: ec2.AclTraffic.tcpPortRange(from, to), ruleAction: ec2.Action.ALLOW,
      });
    const IN = ec2.TrafficDirection.INGRESS;
    const OUT = ec2.TrafficDirection.EGRESS;
    // internet -> load balancer 443
    entry(publicAcl, IN, 100, ANYWHERE, [443, 443]);
    entry(publicAcl, OUT, 100, ANYWHERE, ANY_CLIENT);
    // load balancer -> app 8080
    entry(publicAcl, OUT, 200, APP, [8080, 8080]);
    entry(publicAcl, IN, 200, APP, ANY_CLIENT);
    entry(appAcl, IN, 100, PUBLIC, [8080, 8080]);
    entry(appAcl, OUT, 100, PUBLIC, ANY_CLIENT);
    // app -> database 5432
    entry(appAcl, OUT, 200, DATA, [5432, 5432]);
    entry(appAcl, IN, 200, DATA, LINUX);
    entry(dataAcl, IN, 100, APP, [5432, 5432]);
    entry(dataAcl, OUT, 100, APP, LINUX);
    // app -> internet 443 through the NAT gateway in the public tier
    entry(appAcl, OUT, 300, ANYWHERE, [443, 443]);
    entry(appAcl, IN, 300, ANYWHERE, LINUX);
    entry(publicAcl, IN, 300, APP, [443, 443]);
    entry(publicAcl, OUT, 300, APP, LINUX);
    entry(publicAcl, OUT, 400, ANYWHERE, [443, 443]);
    entry(publicAcl, IN, 400, ANYWHERE, ANY_CLIENT);
    // app -> interface endpoints 443 (inside the app tier, across AZs)
    entry(appAcl, OUT, 400, APP, [443, 443]);
    entry(appAcl, IN, 400, APP, ANY_CLIENT);
    entry(appAcl, IN, 500, APP, [443, 443]);
    entry(appAcl, OUT, 500, APP, ANY_CLIENT);

    // The security group chain: SG referencing SG inside the VPC.
    const loadBalancer = new ec2.SecurityGroup(this, 'LoadBalancerSg', { vpc, allowAllOutbound: false, description: 'Internet-facing load balancer (public tier)' });
    Validations.of(loadBalancer).acknowledge({ id: 'AwsSolutions-EC23', reason: 'The internet-facing load balancer admits 0.0.0.0/0 on 443 only, by design.' });
    const app = new ec2.SecurityGroup(this, 'AppSg', { vpc, allowAllOutbound: false, description: 'Application (app tier)' });
    const database = new ec2.SecurityGroup(this, 'DatabaseSg', { vpc, allowAllOutbound: false, description: 'Database (data tier)' });
    loadBalancer.connections.allowFrom(ec2.Peer.ipv4(ANYWHERE), ec2.Port.tcp(443), 'clients -> load balancer (HTTPS)');
    app.connections.allowFrom(loadBalancer, ec2.Port.tcp(8080), 'load balancer -> app');
    database.connections.allowFrom(app, ec2.Port.tcp(5432), 'app -> database');
    app.connections.allowTo(ec2.Peer.ipv4(ANYWHERE), ec2.Port.tcp(443), 'app -> internet via NAT');
    for (const endpoint of endpoints) endpoint.connections.allowFrom(app, ec2.Port.tcp(443), 'app -> AWS API endpoint');
  }
}

/** Builds the hand-written stack into `app`. */
export function build(app: App): Stack[] {
  return [new HandwrittenThreeTierVpcStack(app, 'HandwrittenThreeTierVpc', { env: { region: 'us-east-1', account: process.env.CDK_DEFAULT_ACCOUNT } })];
}

if (require.main === module) {
  build(new App());
}
