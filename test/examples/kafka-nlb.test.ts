import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { build, KafkaNlbStack, PARTNER_CIDR } from '../../examples/kafka-nlb';
import { NetworkAssertions, NetworkEndpoint, NetworkPatternsChecks, Tier } from '../../src';
import { nagFindings } from '../util';
import { normalizedTemplate } from './normalize';
import { APP, naclRows, PUBLIC } from '../load-balancing/fixtures';

// One synthesis for the whole file: the example is a fixed app.
const stack = build(new App())[0] as KafkaNlbStack;
const template = Template.fromStack(stack);
const assertions = NetworkAssertions.fromStack(stack);
const partner = NetworkEndpoint.internet(PARTNER_CIDR);
const nlb = NetworkEndpoint.of(stack.loadBalancer);
const brokers = NetworkEndpoint.of(stack.brokers);

describe('examples/kafka-nlb', () => {
  test('clean under AwsSolutions, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1 and NetworkPatterns, no warning', () => {
    expect(nagFindings(stack, [
      new AwsSolutionsChecks(), new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks(), new NetworkPatternsChecks(),
    ])).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('three static IPs, one per AZ, as outputs for the partner\'s allowlist; no NAT gateway', () => {
    template.resourceCountIs('AWS::EC2::EIP', 3);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    expect(Object.keys(template.findOutputs('*'))).toHaveLength(3);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 9092, Protocol: 'TCP', ListenerAttributes: [{ Key: 'tcp.idle_timeout.seconds', Value: '600' }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'true' }]),
    });
  });

  test('brokers: IMDSv2, encrypted volumes, no key pair, no public address', () => {
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        MetadataOptions: { HttpTokens: 'required' },
        KeyName: Match.absent(),
        BlockDeviceMappings: Match.arrayWith([Match.objectLike({ Ebs: Match.objectLike({ Encrypted: true }) })]),
      }),
    });
  });

  test('the partner reaches the NLB on 9092; nobody else; the brokers only through the NLB', () => {
    assertions.expectReachable(partner, nlb, ec2.Port.tcp(9092));
    assertions.expectUnreachable(NetworkEndpoint.internet('198.51.100.0/24'), nlb, ec2.Port.tcp(9092));
    assertions.expectUnreachable(partner, brokers, ec2.Port.tcp(9092));
    assertions.expectUnreachable(partner, brokers, ec2.Port.tcp(22));
    assertions.expectReachable(nlb, brokers, ec2.Port.tcp(9092));
    assertions.expectUnreachable(nlb, brokers, ec2.Port.tcp(9093));
  });

  test('brokers reach each other on 9093 and the SSM endpoints on 443, and nothing on the internet', () => {
    assertions.expectReachable(brokers, brokers, ec2.Port.tcp(9093));
    for (const endpoint of stack.network.interfaceEndpoints) assertions.expectReachable(brokers, NetworkEndpoint.of(endpoint), ec2.Port.tcp(443));
    assertions.expectUnreachable(brokers, NetworkEndpoint.internet(), ec2.Port.tcp(443));
    assertions.expectUnreachable(brokers, NetworkEndpoint.internet(), ec2.Port.tcp(80));
    assertions.expectUnreachable(brokers, NetworkEndpoint.internet(), ec2.Port.udp(53));
  });

  test('no undeclared opening among the workloads and the internet', () => {
    expect(() => assertions.expectOnlyDeclaredFlows(stack.network)).not.toThrow();
  });

  test('the app tier NACL admits the partner\'s preserved address on 9092 and answers it, nothing else from outside', () => {
    const rows = naclRows(stack, stack.network, template);
    expect(rows.filter((r) => r.startsWith('app') && !r.includes(' 10.0.'))).toEqual([
      `app in tcp 9092 ${PARTNER_CIDR}`, `app out tcp 1024-65535 ${PARTNER_CIDR}`,
    ]);
    expect(rows).toEqual(expect.arrayContaining([`public in tcp 9092 ${PARTNER_CIDR}`, `public out tcp 9092 ${APP}`, `app in tcp 9092 ${PUBLIC}`]));
    expect(stack.network.flows.every((f) => f.fromTier !== Tier.DATA && f.toTier !== Tier.DATA)).toBe(true);
  });
});

test('snapshot', () => {
  expect(normalizedTemplate(template)).toMatchSnapshot();
});
