import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import { findingsOf } from './nag-test-util';
import { testStack } from '../util';

const LAMBDA1 = 'NetworkPatterns-LAMBDA1';

function setup() {
  const stack = testStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'), natGateways: 0, maxAzs: 2 });
  const fnSg = new ec2.SecurityGroup(stack, 'FnSg', { vpc, allowAllOutbound: false });
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    securityGroups: [fnSg],
  });
  const postgres = () => new rds.DatabaseInstance(stack, 'Db', {
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
  });
  return { stack, vpc, fn, fnSg, postgres };
}

describe('NetworkPatterns-LAMBDA1: a Lambda function reaching RDS without an RDS Proxy', () => {
  test('Noncompliance 1: the database admits the function\'s security group on its port', () => {
    const { stack, fn, postgres } = setup();
    postgres().connections.allowDefaultPortFrom(fn);
    expect(findingsOf(stack, LAMBDA1)).toEqual(['Test/Fn/Resource']);
  });

  test('Noncompliance 2: an Aurora cluster admits a CIDR covering the function\'s subnets', () => {
    const { stack, vpc } = setup();
    const cluster = new rds.DatabaseCluster(stack, 'Cluster', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      engine: rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.VER_3_08_0 }),
      writer: rds.ClusterInstance.serverlessV2('Writer'),
    });
    cluster.connections.allowFrom(ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.tcp(3306));
    expect(findingsOf(stack, LAMBDA1)).toEqual(['Test/Fn/Resource']);
  });

  test('Noncompliance 3: the database admits the VPC CIDR attribute on all ports', () => {
    const { stack, vpc, postgres } = setup();
    postgres().connections.allowFrom(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.allTcp());
    expect(findingsOf(stack, LAMBDA1)).toEqual(['Test/Fn/Resource']);
  });

  test('Noncompliance 4: function and database share a self-referencing security group', () => {
    const { stack, vpc } = setup();
    const shared = new ec2.SecurityGroup(stack, 'Shared', { vpc });
    shared.connections.allowInternally(ec2.Port.tcp(5432));
    new lambda.Function(stack, 'Fn2', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {};'),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [shared],
    });
    new rds.DatabaseInstance(stack, 'Db', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      securityGroups: [shared],
    });
    expect(findingsOf(stack, LAMBDA1)).toEqual(['Test/Fn2/Resource']);
  });

  test('Compliance: function -> RDS Proxy -> database', () => {
    const { stack, vpc, fn, postgres } = setup();
    const db = postgres();
    const proxy = db.addProxy('Proxy', { secrets: [db.secret!], vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, requireTLS: true });
    proxy.connections.allowFrom(fn, ec2.Port.tcp(5432));
    db.connections.allowDefaultPortFrom(proxy);
    expect(findingsOf(stack, LAMBDA1)).toEqual([]);
  });

  test('Compliance: a rule for another port, and a function outside any VPC', () => {
    const { stack, fn, postgres } = setup();
    postgres().connections.allowFrom(fn, ec2.Port.tcp(9187), 'metrics exporter, not the database port');
    new lambda.Function(stack, 'NoVpc', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {};'),
    });
    expect(findingsOf(stack, LAMBDA1)).toEqual([]);
  });
});
