import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { findingsOf } from './nag-test-util';
import { TEST_AZS, testStack } from '../util';

const EIP1 = 'NetworkPatterns-EIP1';

/** A VPC with a NAT gateway (and its EIP) in each of the 3 test AZs, and a security group for an NLB. */
function setup() {
  const stack = testStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: TEST_AZS, natGateways: 3 });
  const sg = new ec2.SecurityGroup(stack, 'NlbSg', { vpc, allowAllOutbound: false });
  return { stack, vpc, sg };
}

/** An internet-facing NLB with a static IP per AZ (L1: the L2 has no subnetMappings). */
function staticIpNlb(stack: ReturnType<typeof setup>['stack'], vpc: ec2.Vpc, sg: ec2.SecurityGroup, allocationIds: string[]) {
  return new elbv2.CfnLoadBalancer(stack, 'Nlb', {
    type: 'network',
    scheme: 'internet-facing',
    securityGroups: [sg.securityGroupId],
    subnetMappings: allocationIds.map((allocationId, i) => ({ subnetId: vpc.publicSubnets[i].subnetId, allocationId })),
  });
}

describe('NetworkPatterns-EIP1: more Elastic IPs than the default Regional quota of 5', () => {
  test('Noncompliance 1: 3 NAT gateways and a 3-AZ NLB with static IPs need 6', () => {
    const { stack, vpc, sg } = setup();
    const ips = [0, 1, 2].map((i) => new ec2.CfnEIP(stack, `NlbIp${i}`, { domain: 'vpc' }));
    staticIpNlb(stack, vpc, sg, ips.map((ip) => ip.attrAllocationId));
    // The NAT gateways' EIPs come first in the construct tree: the NLB's third is the sixth.
    expect(findingsOf(stack, EIP1)).toEqual(['Test/NlbIp2']);
  });

  test('Noncompliance 2: existing allocations named by id count too', () => {
    const { stack, vpc, sg } = setup();
    new ec2.CfnEIP(stack, 'Bastion', { domain: 'vpc' });
    new ec2.CfnEIP(stack, 'Mail', { domain: 'vpc' });
    staticIpNlb(stack, vpc, sg, ['eipalloc-0123456789abcdef0']);
    expect(findingsOf(stack, EIP1)).toEqual(['Test/Nlb']);
  });

  test('Noncompliance 4: a regional NAT gateway\'s per-AZ allocations (existing ones, by id) count too', () => {
    const { stack, vpc } = setup();
    new ec2.CfnNatGateway(stack, 'Regional', {
      vpcId: vpc.vpcId,
      availabilityMode: 'regional',
      availabilityZoneAddresses: [
        { availabilityZone: 'us-east-1a', allocationIds: ['eipalloc-0123456789abcdef0'] },
        { availabilityZone: 'us-east-1b', allocationIds: ['eipalloc-0123456789abcdef1'] },
        { availabilityZone: 'us-east-1c', allocationIds: ['eipalloc-0123456789abcdef2'] },
      ],
    });
    // 3 for the zonal NAT gateways, 3 for the regional one: the sixth is over the quota.
    expect(findingsOf(stack, EIP1)).toEqual(['Test/Regional']);
  });

  test('Noncompliance 3: seven EIPs, reported on each beyond the fifth', () => {
    const stack = testStack();
    for (let i = 1; i <= 7; i++) new ec2.CfnEIP(stack, `Ip${i}`, { domain: 'vpc' });
    expect(findingsOf(stack, EIP1)).toEqual(['Test/Ip6', 'Test/Ip7']);
  });

  test('Compliance: 3 NAT gateways and 2 static NLB IPs is exactly 5; a reused allocation counts once', () => {
    const { stack, vpc, sg } = setup();
    const ips = [0, 1].map((i) => new ec2.CfnEIP(stack, `NlbIp${i}`, { domain: 'vpc' }));
    staticIpNlb(stack, vpc, sg, ips.map((ip) => ip.attrAllocationId));
    new ec2.CfnEIPAssociation(stack, 'Reassociate', { allocationId: ips[0].attrAllocationId, networkInterfaceId: 'eni-0123456789abcdef0' });
    expect(findingsOf(stack, EIP1)).toEqual([]);
  });
});
