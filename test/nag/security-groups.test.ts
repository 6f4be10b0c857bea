import { CfnParameter } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { findingsOf, violations } from './nag-test-util';
import { testStack } from '../util';

/** A stack with a VPC (10.0.0.0/16) and one security group in it. */
function setup() {
  const stack = testStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'), natGateways: 0, maxAzs: 2 });
  const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
  return { stack, vpc, sg };
}

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

  test('Compliance', () => {
    const { stack, vpc, sg } = setup();
    sg.addIngressRule(ec2.Peer.ipv4('203.0.113.0/24'), ec2.Port.tcp(22), 'admin network');
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443));
    sg.addIngressRule(ec2.Peer.anyIpv6(), ec2.Port.udp(22), 'not SSH: SSH is TCP');
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
