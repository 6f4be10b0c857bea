import { CfnParameter } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { findingsOf, violations } from './nag-test-util';
import { testStack } from '../util';

/** A stack with a VPC (10.0.0.0/16) and one security group in it. */
function setup() {
  const stack = testStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'), natGateways: 0, maxAzs: 2 });
  const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
  return { stack, vpc, sg };
}

/** The stack's VPC from `setup()`. */
function setupVpc(stack: import('aws-cdk-lib').Stack): ec2.IVpc {
  return stack.node.findChild('Vpc') as ec2.Vpc;
}

describe('NetworkPatterns-SG3: database, cache and search ports open to the internet', () => {
  const SG3 = 'NetworkPatterns-SG3';

  test('Noncompliance 1: PostgreSQL from 0.0.0.0/0', () => {
    const { stack, sg } = setup();
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(5432));
    expect(findingsOf(stack, SG3)).toEqual(['Test/Sg/Resource']);
  });

  test('Noncompliance 2: a database\'s default port opened to the world (Fn::GetAtt Db.Endpoint.Port) is validated', () => {
    const { stack, vpc } = setup();
    const db = new rds.DatabaseInstance(stack, 'Db', {
      vpc, engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_0 }), vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    });
    db.connections.allowDefaultPortFromAnyIpv4();
    const v = violations(stack).filter((x) => x.ruleName === SG3 || x.ruleName === 'NetworkPatterns-SG1');
    expect(v.map((x) => [x.ruleName, x.description, x.violatingResources.map((r) => r.constructPath)])).toEqual([
      [SG3, expect.stringMatching(/^The security group admits a well-known database/), ['Test/Db/SecurityGroup/from 0.0.0.0_0:{IndirectPort}']],
    ]);
  });

  test('Noncompliance 3: Memcached over UDP from ::/0, and Redis through a range', () => {
    const { stack, sg } = setup();
    sg.addIngressRule(ec2.Peer.anyIpv6(), ec2.Port.udp(11211));
    const other = new ec2.SecurityGroup(stack, 'Cache', { vpc: setupVpc(stack), allowAllOutbound: false });
    other.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcpRange(6000, 7000));
    expect(findingsOf(stack, SG3).sort()).toEqual(['Test/Cache/Resource', 'Test/Sg/Resource']);
  });

  test('Compliance', () => {
    const { stack, sg } = setup();
    const app = new ec2.SecurityGroup(stack, 'App', { vpc: setupVpc(stack) });
    sg.connections.allowFrom(app, ec2.Port.tcp(5432));
    sg.addIngressRule(ec2.Peer.ipv4('203.0.113.0/24'), ec2.Port.tcp(3306));
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443));
    expect(findingsOf(stack, SG3)).toEqual([]);
  });
});

describe('NetworkPatterns-SG1: SSH/RDP open to the internet in a security group', () => {
  const SG1 = 'NetworkPatterns-SG1';

  test('Noncompliance 1: SSH from 0.0.0.0/0 (inline rule)', () => {
    const { stack, sg } = setup();
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
    expect(findingsOf(stack, SG1)).toEqual(['Test/Sg/Resource']);
  });

  test('Noncompliance 2: RDP from ::/0', () => {
    const { stack, sg } = setup();
    sg.addIngressRule(ec2.Peer.anyIpv6(), ec2.Port.tcp(3389));
    expect(findingsOf(stack, SG1)).toEqual(['Test/Sg/Resource']);
  });

  test('Noncompliance 3: a port range that covers 22', () => {
    const { stack, sg } = setup();
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcpRange(0, 1023));
    expect(findingsOf(stack, SG1)).toEqual(['Test/Sg/Resource']);
  });

  test('Noncompliance 4: all traffic from 0.0.0.0/0', () => {
    const { stack, sg } = setup();
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.allTraffic());
    expect(findingsOf(stack, SG1)).toEqual(['Test/Sg/Resource']);
  });

  test('Noncompliance 5: a standalone ingress resource with a range covering 3389', () => {
    const { stack, sg } = setup();
    new ec2.CfnSecurityGroupIngress(stack, 'Ingress', { groupId: sg.securityGroupId, ipProtocol: 'tcp', fromPort: 3000, toPort: 4000, cidrIp: '0.0.0.0/0' });
    expect(findingsOf(stack, SG1)).toEqual(['Test/Ingress']);
  });

  test('Noncompliance 6: RDP over UDP 3389 from 0.0.0.0/0', () => {
    const { stack, sg } = setup();
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.udp(3389));
    expect(findingsOf(stack, SG1)).toEqual(['Test/Sg/Resource']);
  });

  test('Noncompliance 7: an unresolved CIDR on SSH cannot be validated (reported, as cdk-nag does)', () => {
    const { stack, sg } = setup();
    const cidr = new CfnParameter(stack, 'AdminCidr', { type: 'String' });
    sg.addIngressRule(ec2.Peer.ipv4(cidr.valueAsString), ec2.Port.tcp(22));
    const v = violations(stack).find((x) => x.ruleName === SG1);
    expect(v?.violatingResources.map((r) => r.constructPath)).toEqual(['Test/Sg/Resource']);
    expect(v?.description).toMatch(/Rule threw an error during validation/);
  });

  test('Noncompliance 8: SSH over UDP 22 from ::/0', () => {
    const { stack, sg } = setup();
    sg.addIngressRule(ec2.Peer.anyIpv6(), ec2.Port.udp(22));
    expect(findingsOf(stack, SG1)).toEqual(['Test/Sg/Resource']);
  });

  test('Noncompliance 9: SSH from 0.0.0.0/1 and 128.0.0.0/1 is SSH from every address', () => {
    const { stack, sg } = setup();
    sg.addIngressRule(ec2.Peer.ipv4('0.0.0.0/1'), ec2.Port.tcp(22));
    sg.addIngressRule(ec2.Peer.ipv4('128.0.0.0/1'), ec2.Port.tcpRange(20, 25));
    expect(findingsOf(stack, SG1)).toEqual(['Test/Sg/Resource']);
  });

  test('Noncompliance 10: the two halves in standalone rules flag both rules', () => {
    const { stack, sg } = setup();
    for (const [id, cidr] of [['Low', '0.0.0.0/1'], ['High', '128.0.0.0/1']]) {
      new ec2.CfnSecurityGroupIngress(stack, id, { groupId: sg.securityGroupId, ipProtocol: 'tcp', fromPort: 3389, toPort: 3389, cidrIp: cidr });
    }
    expect(findingsOf(stack, SG1).sort()).toEqual(['Test/High', 'Test/Low']);
  });

  test('Noncompliance 11: a CIDR with host bits set (192.168.1.0/0) is every address', () => {
    const { stack, sg } = setup();
    new ec2.CfnSecurityGroupIngress(stack, 'Odd', { groupId: sg.securityGroupId, ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIp: '192.168.1.0/0' });
    expect(findingsOf(stack, SG1)).toEqual(['Test/Odd']);
  });

  test('Compliance', () => {
    const { stack, vpc, sg } = setup();
    sg.addIngressRule(ec2.Peer.ipv4('203.0.113.0/24'), ec2.Port.tcp(22), 'admin network');
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443));
    sg.addIngressRule(ec2.Peer.ipv4('0.0.0.0/1'), ec2.Port.tcp(22), 'half of the addresses only');
    sg.addIngressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(3389));
    const bastion = new ec2.SecurityGroup(stack, 'Bastion', { vpc });
    sg.connections.allowFrom(bastion, ec2.Port.tcp(22));
    expect(findingsOf(stack, SG1)).toEqual([]);
  });
});

describe('NetworkPatterns-SG2: a CIDR inside the VPC where a security group reference would do', () => {
  const SG2 = 'NetworkPatterns-SG2';

  test('Noncompliance 1: a subnet-sized CIDR inside the VPC CIDR', () => {
    const { stack, sg } = setup();
    sg.addIngressRule(ec2.Peer.ipv4('10.0.1.0/24'), ec2.Port.tcp(5432));
    expect(findingsOf(stack, SG2)).toEqual(['Test/Sg/Resource']);
  });

  test('Noncompliance 2: the VPC\'s own CidrBlock attribute', () => {
    const { stack, vpc, sg } = setup();
    sg.addIngressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(5432));
    expect(findingsOf(stack, SG2)).toEqual(['Test/Sg/Resource']);
  });

  test('Noncompliance 3: a standalone ingress resource naming one host of the VPC', () => {
    const { stack, sg } = setup();
    new ec2.CfnSecurityGroupIngress(stack, 'Ingress', { groupId: sg.securityGroupId, ipProtocol: 'tcp', fromPort: 6379, toPort: 6379, cidrIp: '10.0.0.5/32' });
    expect(findingsOf(stack, SG2)).toEqual(['Test/Ingress']);
  });

  test('Noncompliance 4: a CIDR inside a secondary VPC CIDR block', () => {
    const { stack, vpc, sg } = setup();
    new ec2.CfnVPCCidrBlock(stack, 'Secondary', { vpcId: vpc.vpcId, cidrBlock: '100.64.0.0/16' });
    sg.addIngressRule(ec2.Peer.ipv4('100.64.8.0/24'), ec2.Port.tcp(8080));
    expect(findingsOf(stack, SG2)).toEqual(['Test/Sg/Resource']);
  });

  test('Noncompliance 5: aws-cdk-lib\'s default interface endpoint (open: true admits the VPC CIDR)', () => {
    const { stack, vpc } = setup();
    vpc.addInterfaceEndpoint('Ssm', { service: ec2.InterfaceVpcEndpointAwsService.SSM });
    expect(findingsOf(stack, SG2)).toEqual(['Test/Vpc/Ssm/SecurityGroup/Resource']);
  });

  test('Compliance', () => {
    const { stack, vpc, sg } = setup();
    const peer = new ec2.SecurityGroup(stack, 'Peer', { vpc });
    sg.connections.allowFrom(peer, ec2.Port.tcp(5432));
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443));
    sg.addIngressRule(ec2.Peer.ipv4('192.168.0.0/16'), ec2.Port.tcp(8443), 'on-premises, outside the VPC');
    sg.addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(8080), 'wider than the VPC: peered and on-premises networks');
    vpc.addInterfaceEndpoint('Ssm', { service: ec2.InterfaceVpcEndpointAwsService.SSM, open: false });
    // A group in an imported VPC: the VPC's CIDR is unknown here, so the rule does not apply.
    const imported = ec2.Vpc.fromVpcAttributes(stack, 'Imported', { vpcId: 'vpc-12345678', availabilityZones: ['us-east-1a'], vpcCidrBlock: '10.9.0.0/16' });
    new ec2.SecurityGroup(stack, 'Elsewhere', { vpc: imported }).addIngressRule(ec2.Peer.ipv4('10.9.1.0/24'), ec2.Port.tcp(22));
    expect(findingsOf(stack, SG2)).toEqual([]);
  });
});
