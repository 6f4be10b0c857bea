import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { NetworkEndpoint, ReachabilityAnalyzer, Verdict } from '../../src';
import { testStack } from '../util';

/**
 * A hand-written stack with aws-cdk-lib only (no construct of this library): ec2.Vpc with one
 * NAT gateway, an internet-facing ALB, an auto scaling group (launch configuration) in the
 * private subnets, and a NetworkAcl on the private subnets that forgets the internet return range.
 */
function plainStack() {
  const stack = testStack('Plain');
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    natGateways: 1,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
    ],
  });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
  const appSg = new ec2.SecurityGroup(stack, 'AppSg', { vpc, allowAllOutbound: false });
  appSg.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS out');
  const asg = new autoscaling.AutoScalingGroup(stack, 'App', {
    vpc, securityGroup: appSg, instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2023(),
  });
  alb.addListener('Http', { port: 80 }).addTargets('App', { port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targets: [asg] });
  const acl = new ec2.NetworkAcl(stack, 'PrivateAcl', { vpc, subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } });
  const publicCidr = ec2.AclCidr.ipv4('10.0.0.0/23');
  acl.addEntry('AppIn', { ruleNumber: 100, cidr: publicCidr, traffic: ec2.AclTraffic.tcpPort(8080), direction: ec2.TrafficDirection.INGRESS });
  acl.addEntry('AppReturn', { ruleNumber: 100, cidr: publicCidr, traffic: ec2.AclTraffic.tcpPortRange(1024, 65535), direction: ec2.TrafficDirection.EGRESS });
  acl.addEntry('HttpsOut', { ruleNumber: 200, cidr: ec2.AclCidr.anyIpv4(), traffic: ec2.AclTraffic.tcpPort(443), direction: ec2.TrafficDirection.EGRESS });
  // Missing: inbound 1024-65535 from 0.0.0.0/0 for the answers from the internet.
  return { stack, alb, asg };
}

describe('a plain aws-cdk-lib stack', () => {
  const { stack, alb, asg } = plainStack();
  const analyzer = ReachabilityAnalyzer.fromStack(stack);
  const internet = NetworkEndpoint.internet();

  test('finds the nodes: the ALB in the public subnets and the auto scaling group (launch configuration) in the private ones', () => {
    expect(analyzer.listNodes().filter((n) => !n.kind.includes('no VPC'))).toEqual([
      expect.objectContaining({
        path: 'Plain/Alb',
        kind: 'application load balancer',
        publicAddress: true,
        securityGroups: ['Plain/Alb/SecurityGroup'],
        subnets: ['Plain/Vpc/PublicSubnet1', 'Plain/Vpc/PublicSubnet2'],
      }),
      expect.objectContaining({
        path: 'Plain/App',
        kind: 'auto scaling group',
        publicAddress: false,
        securityGroups: ['Plain/AppSg'],
        subnets: ['Plain/Vpc/PrivateSubnet1', 'Plain/Vpc/PrivateSubnet2'],
      }),
    ]);
  });

  test('internet -> ALB on 80 is reachable', () => {
    expect(analyzer.canReach(internet, NetworkEndpoint.of(alb), ec2.Port.tcp(80)).verdict).toBe(Verdict.REACHABLE);
  });

  test('ALB -> app on 8080 is reachable (CDK\'s own SG rules, the hand-written NACL)', () => {
    expect(analyzer.canReach(NetworkEndpoint.of(alb), NetworkEndpoint.of(asg), ec2.Port.tcp(8080)).verdict).toBe(Verdict.REACHABLE);
  });

  test('internet -> app directly is blocked: no public address', () => {
    const a = analyzer.canReach(internet, NetworkEndpoint.of(asg), ec2.Port.tcp(8080));
    expect(a.verdict).toBe(Verdict.BLOCKED);
    expect(a.reasons[0]).toMatch(/^blocked: routing: Plain\/App has no public address/);
  });

  test('app -> internet on 443 is blocked by the missing return rule, with the single-NAT warning', () => {
    const a = analyzer.canReach(NetworkEndpoint.of(asg), internet, ec2.Port.tcp(443));
    expect(a.verdict).toBe(Verdict.BLOCKED);
    expect(a.reasons[0]).toMatch(
      /^blocked: NACL Plain\/PrivateAcl inbound has no allow for tcp 32768-60999 from 0\.0\.0\.0\/0 \(return traffic of Plain\/App -> internet 0\.0\.0\.0\/0 on tcp 443, to Plain\/App's ephemeral ports/);
    expect(a.warnings).toEqual([expect.stringMatching(/^NAT gateway Plain\/Vpc\/PublicSubnet1\/NATGateway is in AZ #0 of the region but serves subnet Plain\/Vpc\/PrivateSubnet2 in AZ #1 of the region/)]);
  });

  test('app -> internet on 80 is blocked at the security group too', () => {
    const a = analyzer.canReach(NetworkEndpoint.of(asg), internet, ec2.Port.tcp(80));
    expect(a.reasons[0]).toMatch(/^blocked: security group egress of Plain\/App \(Plain\/AppSg\) has no rule allowing tcp 80 to 0\.0\.0\.0\/0/);
  });
});
