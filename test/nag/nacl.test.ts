import { CfnParameter } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { findingsOf, violations } from './nag-test-util';
import { testStack } from '../util';

const ANY = ec2.AclCidr.anyIpv4();

/** A stack with a VPC, one NACL, and a helper adding entries `In<n>`/`Out<n>` by rule number. */
function setup() {
  const stack = testStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 2 });
  const acl = new ec2.NetworkAcl(stack, 'Acl', { vpc });
  const entry = (ruleNumber: number, direction: ec2.TrafficDirection, cidr: ec2.AclCidr, traffic: ec2.AclTraffic, action = ec2.Action.ALLOW) =>
    acl.addEntry(`${direction === ec2.TrafficDirection.INGRESS ? 'In' : 'Out'}${ruleNumber}`, { ruleNumber, direction, cidr, traffic, ruleAction: action });
  const inbound = (n: number, cidr: ec2.AclCidr, traffic: ec2.AclTraffic, action?: ec2.Action) =>
    entry(n, ec2.TrafficDirection.INGRESS, cidr, traffic, action);
  const outbound = (n: number, cidr: ec2.AclCidr, traffic: ec2.AclTraffic, action?: ec2.Action) =>
    entry(n, ec2.TrafficDirection.EGRESS, cidr, traffic, action);
  return { stack, vpc, acl, inbound, outbound };
}

describe('NetworkPatterns-NACL1: SSH/RDP open to the internet in a NACL', () => {
  const NACL1 = 'NetworkPatterns-NACL1';

  test('Noncompliance 1: SSH from 0.0.0.0/0', () => {
    const { stack, inbound } = setup();
    inbound(100, ANY, ec2.AclTraffic.tcpPort(22));
    expect(findingsOf(stack, NACL1)).toEqual(['Test/Acl/In100/Resource']);
  });

  test('Noncompliance 2: all traffic from ::/0', () => {
    const { stack, inbound } = setup();
    inbound(100, ec2.AclCidr.anyIpv6(), ec2.AclTraffic.allTraffic());
    expect(findingsOf(stack, NACL1)).toEqual(['Test/Acl/In100/Resource']);
  });

  test('Noncompliance 3: a deny for SSH before an allow-all still leaves RDP open', () => {
    const { stack, inbound } = setup();
    inbound(50, ANY, ec2.AclTraffic.tcpPort(22), ec2.Action.DENY);
    inbound(100, ANY, ec2.AclTraffic.tcpPortRange(0, 65535));
    expect(findingsOf(stack, NACL1)).toEqual(['Test/Acl/In100/Resource']);
  });

  test('Noncompliance: SSH allowed from 0.0.0.0/1 and from 128.0.0.0/1 is SSH from every address (both entries)', () => {
    const { stack, acl } = setup();
    acl.addEntry('Low', { ruleNumber: 110, cidr: ec2.AclCidr.ipv4('0.0.0.0/1'), traffic: ec2.AclTraffic.tcpPort(22), direction: ec2.TrafficDirection.INGRESS });
    acl.addEntry('High', { ruleNumber: 120, cidr: ec2.AclCidr.ipv4('128.0.0.0/1'), traffic: ec2.AclTraffic.tcpPortRange(0, 1023), direction: ec2.TrafficDirection.INGRESS });
    expect(findingsOf(stack, NACL1).sort()).toEqual(['Test/Acl/High/Resource', 'Test/Acl/Low/Resource']);
  });

  test('Compliance: one half of the addresses only', () => {
    const { stack, acl } = setup();
    acl.addEntry('Low', { ruleNumber: 110, cidr: ec2.AclCidr.ipv4('0.0.0.0/1'), traffic: ec2.AclTraffic.tcpPort(22), direction: ec2.TrafficDirection.INGRESS });
    expect(findingsOf(stack, NACL1)).toEqual([]);
  });

  test('Noncompliance 4: a deny from only part of the internet leaves the rest open', () => {
    const { stack, inbound } = setup();
    inbound(50, ec2.AclCidr.ipv4('0.0.0.0/1'), ec2.AclTraffic.tcpPort(22), ec2.Action.DENY);
    inbound(100, ANY, ec2.AclTraffic.tcpPort(22));
    expect(findingsOf(stack, NACL1)).toEqual(['Test/Acl/In100/Resource']);
  });

  test('Noncompliance 5: a narrow service range around RDP is not a return range', () => {
    const { stack, inbound } = setup();
    inbound(100, ANY, ec2.AclTraffic.tcpPortRange(3380, 3400));
    expect(findingsOf(stack, NACL1)).toEqual(['Test/Acl/In100/Resource']);
  });

  test('Noncompliance 6: RDP over UDP 3389', () => {
    const { stack, inbound } = setup();
    inbound(100, ANY, ec2.AclTraffic.udpPort(3389));
    expect(findingsOf(stack, NACL1)).toEqual(['Test/Acl/In100/Resource']);
  });

  test('Compliance: the return range 1024-65535 from 0.0.0.0/0 (the ephemeral ports AWS advises for NAT gateway, ELB and Lambda clients) is exempt though it covers 3389', () => {
    const { stack, inbound } = setup();
    inbound(100, ANY, ec2.AclTraffic.tcpPortRange(1024, 65535));
    inbound(200, ANY, ec2.AclTraffic.udpPortRange(1024, 65535));
    inbound(300, ANY, ec2.AclTraffic.tcpPortRange(32768, 60999));
    expect(findingsOf(stack, NACL1)).toEqual([]);
  });

  test('Compliance', () => {
    const { stack, inbound, outbound } = setup();
    // AWS's advice: the deny rules for the admin ports before the return-range allow.
    inbound(10, ANY, ec2.AclTraffic.tcpPort(22), ec2.Action.DENY);
    inbound(20, ANY, ec2.AclTraffic.tcpPort(3389), ec2.Action.DENY);
    inbound(30, ANY, ec2.AclTraffic.udpPort(3389), ec2.Action.DENY);
    inbound(100, ANY, ec2.AclTraffic.tcpPort(443));
    inbound(200, ANY, ec2.AclTraffic.tcpPortRange(1024, 65535));
    inbound(300, ANY, ec2.AclTraffic.udpPortRange(1024, 65535));
    inbound(400, ec2.AclCidr.ipv4('203.0.113.0/24'), ec2.AclTraffic.tcpPort(22));
    inbound(500, ANY, ec2.AclTraffic.tcpPort(22), ec2.Action.DENY);
    outbound(100, ANY, ec2.AclTraffic.allTraffic());
    expect(findingsOf(stack, NACL1)).toEqual([]);
  });
});

describe('NetworkPatterns-NACL2: a NACL service entry without its ephemeral return traffic', () => {
  const NACL2 = 'NetworkPatterns-NACL2';

  test('Noncompliance 1: inbound 443 with no outbound entry at all', () => {
    const { stack, inbound } = setup();
    inbound(100, ANY, ec2.AclTraffic.tcpPort(443));
    expect(findingsOf(stack, NACL2)).toEqual(['Test/Acl/In100/Resource']);
  });

  test('Noncompliance 2: a partial return range (32768-65535) misses NAT gateway, ELB and Lambda clients', () => {
    const { stack, inbound, outbound } = setup();
    inbound(100, ANY, ec2.AclTraffic.tcpPort(443));
    outbound(100, ANY, ec2.AclTraffic.tcpPortRange(32768, 65535));
    expect(findingsOf(stack, NACL2)).toEqual(['Test/Acl/In100/Resource']);
  });

  test('Noncompliance 3: the mirror, an outbound service entry whose return range is admitted from another peer only', () => {
    const { stack, inbound, outbound } = setup();
    outbound(100, ec2.AclCidr.ipv4('10.0.128.0/18'), ec2.AclTraffic.tcpPort(5432));
    inbound(100, ec2.AclCidr.ipv4('10.0.0.0/18'), ec2.AclTraffic.tcpPortRange(1024, 65535));
    expect(findingsOf(stack, NACL2)).toEqual(['Test/Acl/Out100/Resource']);
  });

  test('Noncompliance 4: a deny before the return allow cuts into the range (first match wins)', () => {
    const { stack, inbound, outbound } = setup();
    inbound(100, ANY, ec2.AclTraffic.tcpPort(443));
    outbound(50, ec2.AclCidr.ipv4('198.51.100.0/24'), ec2.AclTraffic.tcpPortRange(1024, 2048), ec2.Action.DENY);
    outbound(100, ANY, ec2.AclTraffic.tcpPortRange(1024, 65535));
    expect(findingsOf(stack, NACL2)).toEqual(['Test/Acl/In100/Resource']);
  });

  test('Noncompliance 5: a UDP service whose return range is allowed for TCP only', () => {
    const { stack, inbound, outbound } = setup();
    inbound(100, ec2.AclCidr.ipv4('10.0.0.0/16'), ec2.AclTraffic.udpPort(53));
    outbound(100, ec2.AclCidr.ipv4('10.0.0.0/16'), ec2.AclTraffic.tcpPortRange(1024, 65535));
    expect(findingsOf(stack, NACL2)).toEqual(['Test/Acl/In100/Resource']);
  });

  test('Noncompliance 6: IPv6 service entry with an IPv4 return entry only', () => {
    const { stack, inbound, outbound } = setup();
    inbound(100, ec2.AclCidr.anyIpv6(), ec2.AclTraffic.tcpPort(443));
    outbound(100, ANY, ec2.AclTraffic.tcpPortRange(1024, 65535));
    expect(findingsOf(stack, NACL2)).toEqual(['Test/Acl/In100/Resource']);
  });

  test('Noncompliance 7: an unresolved peer (the VPC CIDR attribute) with no return entry', () => {
    const { stack, vpc, inbound } = setup();
    inbound(100, ec2.AclCidr.ipv4(vpc.vpcCidrBlock), ec2.AclTraffic.tcpPort(8080));
    expect(findingsOf(stack, NACL2)).toEqual(['Test/Acl/In100/Resource']);
  });

  test('Noncompliance 8: a return entry that can\'t be compared with the peer (a parameter) cannot be validated', () => {
    const { stack, inbound, outbound } = setup();
    const peer = new CfnParameter(stack, 'PeerCidr', { type: 'String' });
    inbound(100, ec2.AclCidr.ipv4(peer.valueAsString), ec2.AclTraffic.tcpPort(8080));
    outbound(100, ec2.AclCidr.ipv4('10.0.0.0/16'), ec2.AclTraffic.tcpPortRange(1024, 65535));
    const v = violations(stack).find((x) => x.ruleName === NACL2);
    expect(v?.violatingResources.map((r) => r.constructPath)).toEqual(['Test/Acl/In100/Resource']);
    expect(v?.description).toMatch(/Rule threw an error during validation/);
  });

  test('Compliance: the VPC CIDR attribute is read as the VPC\'s block, which the return entry covers', () => {
    const { stack, vpc, inbound, outbound } = setup();
    inbound(100, ec2.AclCidr.ipv4(vpc.vpcCidrBlock), ec2.AclTraffic.tcpPort(8080));
    outbound(100, ec2.AclCidr.ipv4('10.0.0.0/16'), ec2.AclTraffic.tcpPortRange(1024, 65535));
    expect(findingsOf(stack, NACL2)).toEqual([]);
  });

  test('Compliance: a parameter peer answered by the same parameter or by 0.0.0.0/0', () => {
    const { stack, inbound, outbound } = setup();
    const peer = new CfnParameter(stack, 'PeerCidr', { type: 'String' });
    inbound(100, ec2.AclCidr.ipv4(peer.valueAsString), ec2.AclTraffic.tcpPort(8080));
    outbound(100, ec2.AclCidr.ipv4(peer.valueAsString), ec2.AclTraffic.tcpPortRange(1024, 65535));
    outbound(200, ec2.AclCidr.ipv4(peer.valueAsString), ec2.AclTraffic.tcpPort(5432));
    inbound(200, ANY, ec2.AclTraffic.tcpPortRange(1024, 65535));
    expect(findingsOf(stack, NACL2)).toEqual([]);
  });

  test('Compliance: an unresolved peer answered by the same value or by 0.0.0.0/0', () => {
    const { stack, vpc, inbound, outbound } = setup();
    inbound(100, ec2.AclCidr.ipv4(vpc.vpcCidrBlock), ec2.AclTraffic.tcpPort(8080));
    outbound(100, ec2.AclCidr.ipv4(vpc.vpcCidrBlock), ec2.AclTraffic.tcpPortRange(1024, 65535));
    outbound(200, ec2.AclCidr.ipv4(vpc.vpcCidrBlock), ec2.AclTraffic.tcpPort(5432));
    inbound(200, ANY, ec2.AclTraffic.tcpPortRange(1024, 65535));
    expect(findingsOf(stack, NACL2)).toEqual([]);
  });

  test('Compliance: a public web server NACL, HTTPS 443 in and out with the 1024-65535 return range both ways', () => {
    const { stack, inbound, outbound } = setup();
    inbound(100, ANY, ec2.AclTraffic.tcpPort(443));
    inbound(200, ANY, ec2.AclTraffic.tcpPortRange(1024, 65535));
    outbound(100, ANY, ec2.AclTraffic.tcpPortRange(1024, 65535));
    outbound(200, ANY, ec2.AclTraffic.tcpPort(443));
    expect(findingsOf(stack, NACL2)).toEqual([]);
  });

  test('Compliance: returns covered by a wider peer, by several entries, or by all traffic', () => {
    const { stack, inbound, outbound } = setup();
    inbound(100, ec2.AclCidr.ipv4('10.0.64.0/18'), ec2.AclTraffic.tcpPort(5432));
    outbound(100, ec2.AclCidr.ipv4('10.0.0.0/16'), ec2.AclTraffic.tcpPortRange(1024, 30000));
    outbound(200, ec2.AclCidr.ipv4('10.0.64.0/18'), ec2.AclTraffic.tcpPortRange(30001, 65535));
    inbound(200, ec2.AclCidr.anyIpv6(), ec2.AclTraffic.udpPort(123));
    outbound(300, ec2.AclCidr.anyIpv6(), ec2.AclTraffic.allTraffic());
    expect(findingsOf(stack, NACL2)).toEqual([]);
  });

  test('Compliance: a deny for a single port outside the return range, and a shadowed service entry', () => {
    const { stack, inbound, outbound } = setup();
    outbound(50, ANY, ec2.AclTraffic.tcpPort(25), ec2.Action.DENY);
    outbound(100, ANY, ec2.AclTraffic.tcpPortRange(1024, 65535));
    inbound(100, ANY, ec2.AclTraffic.tcpPort(443));
    // Everything entry 300 would admit is already denied by 200: it admits nothing, needs no return.
    inbound(200, ec2.AclCidr.ipv4('192.0.2.0/24'), ec2.AclTraffic.tcpPort(8443), ec2.Action.DENY);
    inbound(300, ec2.AclCidr.ipv4('192.0.2.0/24'), ec2.AclTraffic.tcpPort(8443));
    expect(findingsOf(stack, NACL2)).toEqual([]);
  });

  test('Compliance: return-range and all-traffic entries are not service entries', () => {
    const { stack, inbound, outbound } = setup();
    inbound(100, ANY, ec2.AclTraffic.tcpPortRange(1024, 65535));
    inbound(200, ANY, ec2.AclTraffic.tcpPortRange(32768, 60999));
    inbound(300, ANY, ec2.AclTraffic.allTraffic());
    outbound(100, ANY, ec2.AclTraffic.icmp({ code: -1, type: -1 }));
    expect(findingsOf(stack, NACL2)).toEqual([]);
  });
});

describe('NetworkPatterns-NACL3: NACL rule numbers without room for insertion', () => {
  const NACL3 = 'NetworkPatterns-NACL3';

  test('Noncompliance 1: two consecutive inbound numbers', () => {
    const { stack, inbound } = setup();
    inbound(100, ANY, ec2.AclTraffic.tcpPort(443));
    inbound(101, ANY, ec2.AclTraffic.tcpPort(80));
    expect(findingsOf(stack, NACL3)).toEqual(['Test/Acl/In101/Resource']);
  });

  test('Noncompliance 2: a run of consecutive outbound numbers', () => {
    const { stack, outbound } = setup();
    outbound(1, ANY, ec2.AclTraffic.tcpPort(443));
    outbound(2, ANY, ec2.AclTraffic.tcpPort(80));
    outbound(3, ANY, ec2.AclTraffic.tcpPortRange(1024, 65535));
    expect(findingsOf(stack, NACL3)).toEqual(['Test/Acl/Out2/Resource', 'Test/Acl/Out3/Resource']);
  });

  test('Compliance', () => {
    const { stack, vpc, inbound, outbound } = setup();
    inbound(100, ANY, ec2.AclTraffic.tcpPort(443));
    inbound(200, ANY, ec2.AclTraffic.tcpPortRange(1024, 65535));
    outbound(101, ANY, ec2.AclTraffic.tcpPortRange(1024, 65535)); // other direction
    const other = new ec2.NetworkAcl(stack, 'Other', { vpc });
    other.addEntry('In101', { ruleNumber: 101, cidr: ANY, traffic: ec2.AclTraffic.tcpPort(443), direction: ec2.TrafficDirection.INGRESS }); // other NACL
    expect(findingsOf(stack, NACL3)).toEqual([]);
  });
});
