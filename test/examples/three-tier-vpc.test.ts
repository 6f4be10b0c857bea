import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { normalizedTemplate } from './normalize';
import { build, ThreeTierVpcStack } from '../../examples/three-tier-vpc';
import { NetworkAssertions, NetworkEndpoint, Tier, WellKnownPorts } from '../../src';
import { nagFindings } from '../util';

// GIVEN the example app WHEN synthesized once
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = build(app)[0] as ThreeTierVpcStack;
const template = Template.fromStack(stack);
const net = NetworkAssertions.fromStack(stack);
const subnets = (tier: Tier) => NetworkEndpoint.subnets(stack.network.selectTierSubnets(tier).subnets);

test('snapshot', () => {
  expect(normalizedTemplate(template)).toMatchSnapshot();
});

test('the declared tier flows are reachable, return traffic included', () => {
  net.expectReachable(NetworkEndpoint.internet(), subnets(Tier.PUBLIC), WellKnownPorts.HTTPS);
  net.expectReachable(subnets(Tier.PUBLIC), subnets(Tier.APP), WellKnownPorts.HTTP_ALT);
  net.expectReachable(subnets(Tier.APP), subnets(Tier.DATA), WellKnownPorts.POSTGRES);
  net.expectReachable(subnets(Tier.APP), NetworkEndpoint.internet(), WellKnownPorts.HTTPS);
  expect(net.declaredFlowVerdicts(stack.network).map((v) => v.answer.verdict)).toEqual(['reachable', 'reachable', 'reachable', 'reachable']);
});

test('what must stay closed stays closed', () => {
  net.expectUnreachable(NetworkEndpoint.internet(), subnets(Tier.APP), WellKnownPorts.HTTP_ALT);
  net.expectUnreachable(NetworkEndpoint.internet(), subnets(Tier.DATA), WellKnownPorts.POSTGRES);
  net.expectUnreachable(NetworkEndpoint.internet(), subnets(Tier.PUBLIC), WellKnownPorts.SSH);
  net.expectUnreachable(subnets(Tier.PUBLIC), subnets(Tier.DATA), WellKnownPorts.POSTGRES);
  net.expectUnreachable(subnets(Tier.DATA), NetworkEndpoint.internet(), WellKnownPorts.HTTPS);
  net.expectUnreachable(subnets(Tier.APP), subnets(Tier.DATA), ec2.Port.tcp(3306));
});

test('a NAT gateway and Session Manager endpoints per design, and no findings', () => {
  template.resourceCountIs('AWS::EC2::NatGateway', 3);
  template.resourceCountIs('AWS::EC2::VPCEndpoint', 5);
  expect(nagFindings(stack)).toEqual([]);
});
