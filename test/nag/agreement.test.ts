import { CfnParameter } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { findingsOf, violations } from './nag-test-util';
import { NetworkEndpoint, OpenPortRange, ReachabilityAnalyzer } from '../../src';
import { testStack } from '../util';

/**
 * The reachability analyzer and the rule pack read one network model: on the same stack, where
 * the analyzer finds SSH open from the whole internet the pack flags it, where the analyzer
 * cannot tell the pack cannot validate, and where the analyzer finds it closed the pack is quiet.
 */

/** A dual-stack public subnet with an instance admitting SSH in its security group, behind a NACL built by `entries`. */
function setup(entries: (acl: ec2.NetworkAcl, stack: ReturnType<typeof testStack>) => void) {
  const stack = testStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    ipProtocol: ec2.IpProtocol.DUAL_STACK, natGateways: 0, maxAzs: 2, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }],
  });
  const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
  sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
  sg.addIngressRule(ec2.Peer.anyIpv6(), ec2.Port.tcp(22));
  new ec2.CfnInstance(stack, 'Box', {
    imageId: 'ami-12345678',
    networkInterfaces: [{ deviceIndex: '0', subnetId: vpc.publicSubnets[0].subnetId, groupSet: [sg.securityGroupId], associatePublicIpAddress: true }],
  });
  const acl = new ec2.NetworkAcl(stack, 'Acl', { vpc, subnetSelection: { subnetType: ec2.SubnetType.PUBLIC } });
  entries(acl, stack);
  return stack;
}

const inbound = (acl: ec2.NetworkAcl, id: string, ruleNumber: number, cidr: ec2.AclCidr, traffic: ec2.AclTraffic) =>
  acl.addEntry(id, { ruleNumber, cidr, traffic, direction: ec2.TrafficDirection.INGRESS });
const returns = (acl: ec2.NetworkAcl) => {
  acl.addEntry('Out4', { ruleNumber: 100, cidr: ec2.AclCidr.anyIpv4(), traffic: ec2.AclTraffic.tcpPortRange(1024, 65535), direction: ec2.TrafficDirection.EGRESS });
  acl.addEntry('Out6', { ruleNumber: 110, cidr: ec2.AclCidr.anyIpv6(), traffic: ec2.AclTraffic.tcpPortRange(1024, 65535), direction: ec2.TrafficDirection.EGRESS });
};

function ssh(stack: ReturnType<typeof testStack>, family: 'IPv4' | 'IPv6'): OpenPortRange[] {
  return ReachabilityAnalyzer.fromStack(stack).openPorts(NetworkEndpoint.internet(), NetworkEndpoint.path('Test/Box'))
    .filter((r) => r.family === family && r.protocol === 'tcp' && r.fromPort <= 22 && 22 <= r.toPort);
}

describe('the analyzer and NACL1 agree', () => {
  test('an IPv6 NACL entry admitting SSH from ::/0: open over IPv6, flagged', () => {
    const stack = setup((acl) => {
      inbound(acl, 'In6', 100, ec2.AclCidr.anyIpv6(), ec2.AclTraffic.tcpPort(22));
      returns(acl);
    });
    expect(ssh(stack, 'IPv6')).toEqual([expect.objectContaining({ certain: true })]);
    expect(ssh(stack, 'IPv4')).toEqual([]);
    expect(findingsOf(stack, 'NetworkPatterns-NACL1')).toEqual(['Test/Acl/In6/Resource']);
  });

  test('a union of CIDRs that covers the internet: open from the whole internet, both entries flagged', () => {
    const stack = setup((acl) => {
      inbound(acl, 'Low', 100, ec2.AclCidr.ipv4('0.0.0.0/1'), ec2.AclTraffic.tcpPort(22));
      inbound(acl, 'High', 110, ec2.AclCidr.ipv4('128.0.0.0/1'), ec2.AclTraffic.tcpPort(22));
      returns(acl);
    });
    const analyzer = ReachabilityAnalyzer.fromStack(stack);
    for (const half of ['0.0.0.0/1', '128.0.0.0/1']) {
      expect(analyzer.canReach(NetworkEndpoint.internet(half), NetworkEndpoint.path('Test/Box'), ec2.Port.tcp(22)).verdict).toBe('reachable');
    }
    expect(findingsOf(stack, 'NetworkPatterns-NACL1')).toEqual(['Test/Acl/High/Resource', 'Test/Acl/Low/Resource']);
  });

  test('an entry whose CIDR is a parameter: the analyzer cannot tell (uncertain), the pack cannot validate', () => {
    const stack = setup((acl, s) => {
      const admin = new CfnParameter(s, 'AdminCidr', { type: 'String' });
      inbound(acl, 'Admin', 100, ec2.AclCidr.ipv4(admin.valueAsString), ec2.AclTraffic.tcpPort(22));
      returns(acl);
    });
    expect(ssh(stack, 'IPv4')).toEqual([expect.objectContaining({ certain: false })]);
    const v = violations(stack).find((x) => x.ruleName === 'NetworkPatterns-NACL1');
    expect(v?.violatingResources.map((r) => r.constructPath)).toEqual(['Test/Acl/Admin/Resource']);
    expect(v?.description).toMatch(/Rule threw an error during validation/);
  });

  test('half of the internet only: open from part of it, not flagged', () => {
    const stack = setup((acl) => {
      inbound(acl, 'Low', 100, ec2.AclCidr.ipv4('0.0.0.0/1'), ec2.AclTraffic.tcpPort(22));
      returns(acl);
    });
    const analyzer = ReachabilityAnalyzer.fromStack(stack);
    expect(analyzer.canReach(NetworkEndpoint.internet('0.0.0.0/1'), NetworkEndpoint.path('Test/Box'), ec2.Port.tcp(22)).verdict).toBe('reachable');
    expect(analyzer.canReach(NetworkEndpoint.internet('128.0.0.0/1'), NetworkEndpoint.path('Test/Box'), ec2.Port.tcp(22)).verdict).toBe('blocked');
    expect(findingsOf(stack, 'NetworkPatterns-NACL1')).toEqual([]);
  });
});

describe('the analyzer and NACL2 agree on the return traffic', () => {
  test('an IPv6 service entry whose return range is allowed for IPv4 only: blocked over IPv6, flagged', () => {
    const stack = setup((acl) => {
      inbound(acl, 'In6', 100, ec2.AclCidr.anyIpv6(), ec2.AclTraffic.tcpPort(22));
      acl.addEntry('Out4', { ruleNumber: 100, cidr: ec2.AclCidr.anyIpv4(), traffic: ec2.AclTraffic.tcpPortRange(1024, 65535), direction: ec2.TrafficDirection.EGRESS });
    });
    const answer = ReachabilityAnalyzer.fromStack(stack).canReach(NetworkEndpoint.internet('::/0'), NetworkEndpoint.path('Test/Box'), ec2.Port.tcp(22));
    expect(answer.verdict).toBe('blocked');
    expect(answer.reasons[0]).toMatch(/^blocked over IPv6: NACL Test\/Acl outbound has no allow for tcp 1024-65535 to ::\/0/);
    expect(findingsOf(stack, 'NetworkPatterns-NACL2')).toEqual(['Test/Acl/In6/Resource']);
  });
});
