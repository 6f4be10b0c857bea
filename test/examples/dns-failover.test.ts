import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { build, DnsFailoverPrimaryStack, DnsFailoverRegionStack } from '../../examples/dns-failover';
import { NetworkAssertions, NetworkEndpoint, NetworkPatternsChecks } from '../../src';
import { nagFindings } from '../util';
import { normalizedTemplate } from './normalize';

// GIVEN the example app WHEN synthesized once
const app = new App({ context: { westAlbDnsName: 'web-1234567890.us-west-2.elb.amazonaws.com' } });
const stacks = build(app);
const [east, west] = stacks as [DnsFailoverPrimaryStack, DnsFailoverRegionStack];
const eastTemplate = Template.fromStack(east);

test('two regional stacks; the primary\'s holds the zone and the failover pair, with no cross-stack reference', () => {
  expect(stacks.map((s) => `${s.stackName} ${s.region}`)).toEqual(['DnsFailoverEast us-east-1', 'DnsFailoverWest us-west-2']);
  expect(JSON.stringify(eastTemplate.toJSON())).not.toContain('Fn::ImportValue');
  expect(Template.fromStack(west).findResources('AWS::Route53::RecordSet')).toEqual({});
});

test('the failover pair: PRIMARY the us-east-1 ALB, SECONDARY the us-west-2 ALB by literal name, both health-checked', () => {
  eastTemplate.hasResourceProperties('AWS::Route53::RecordSet', {
    Name: 'app.example.com.',
    Type: 'A',
    Failover: 'PRIMARY',
    SetIdentifier: 'us-east-1',
    AliasTarget: Match.objectLike({ EvaluateTargetHealth: true, HostedZoneId: east.resolve(east.loadBalancer.loadBalancerCanonicalHostedZoneId) }),
  });
  eastTemplate.hasResourceProperties('AWS::Route53::RecordSet', {
    Name: 'app.example.com.',
    Type: 'A',
    Failover: 'SECONDARY',
    SetIdentifier: 'us-west-2',
    AliasTarget: { DNSName: 'dualstack.web-1234567890.us-west-2.elb.amazonaws.com', HostedZoneId: 'Z1H1FL5HABSF5', EvaluateTargetHealth: true },
  });
  eastTemplate.resourceCountIs('AWS::Route53::HealthCheck', 2);
  eastTemplate.allResourcesProperties('AWS::Route53::HealthCheck', {
    HealthCheckConfig: Match.objectLike({ Type: 'HTTPS', Port: 443, ResourcePath: '/health', RequestInterval: 30, FailureThreshold: 3 }),
  });
});

test('each ALB is reachable from the internet (and so from the Route 53 health checkers) on 443, and not on 80', () => {
  for (const region of [east, west]) {
    const assertions = NetworkAssertions.fromStack(region);
    assertions.expectReachable(NetworkEndpoint.internet(), NetworkEndpoint.of(region.loadBalancer), ec2.Port.tcp(443));
    assertions.expectUnreachable(NetworkEndpoint.internet(), NetworkEndpoint.of(region.loadBalancer), ec2.Port.tcp(80));
  }
});

test('AwsSolutions, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1 and NetworkPatternsChecks: no unacknowledged findings', () => {
  const findings = stacks.flatMap((s) => nagFindings(s, [
    new AwsSolutionsChecks(), new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks(), new NetworkPatternsChecks(),
  ]));
  expect(findings).toEqual([]);
});

test('the ALBs have deletion protection, and their access log buckets are versioned', () => {
  for (const region of [east, west]) {
    const template = region === east ? eastTemplate : Template.fromStack(west);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'true' }]),
    });
    template.hasResourceProperties('AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } });
  }
});

test('snapshots', () => {
  expect(normalizedTemplate(eastTemplate)).toMatchSnapshot();
  expect(normalizedTemplate(Template.fromStack(west))).toMatchSnapshot();
});
