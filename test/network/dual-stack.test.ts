import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { NatGatewayMode, Tier, TieredVpc, TieredVpcProps } from '../../src';
import { nagFindings, TEST_AZS, testStack } from '../util';

function build(props: TieredVpcProps = {}) {
  const stack = testStack();
  const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS, ipProtocol: ec2.IpProtocol.DUAL_STACK, ...props });
  return { stack, net, template: Template.fromStack(stack) };
}

/** The subnets of a tier, by their IPv4 block in the plan, as [logicalId, resource]. */
function tierSubnets(template: Template, net: TieredVpc, tier: Tier): Array<[string, any]> {
  const cidrs = net.subnetCidrs(tier);
  return Object.entries<any>(template.findResources('AWS::EC2::Subnet'))
    .filter(([, r]) => cidrs.includes(r.Properties.CidrBlock))
    .sort(([, a], [, b]) => cidrs.indexOf(a.Properties.CidrBlock) - cidrs.indexOf(b.Properties.CidrBlock));
}

/** The routes of the route table associated with the subnet `subnetId`. */
function routesOf(template: Template, subnetId: string): any[] {
  const resources = template.toJSON().Resources;
  const assoc = Object.values<any>(resources).find((r) => r.Type === 'AWS::EC2::SubnetRouteTableAssociation' && r.Properties.SubnetId.Ref === subnetId);
  return Object.values<any>(resources)
    .filter((r) => r.Type === 'AWS::EC2::Route' && r.Properties.RouteTableId.Ref === assoc.Properties.RouteTableId.Ref)
    .map((r) => r.Properties);
}

function logicalId(stack: Stack, ref: string): string {
  return (stack.resolve(ref) as { Ref: string }).Ref;
}

describe('TieredVpc dual stack', () => {
  // GIVEN a dual-stack TieredVpc with the defaults otherwise
  const { stack, net, template } = build();
  const vpcIpv6 = { 'Fn::Select': [0, { 'Fn::GetAtt': [logicalId(stack, net.vpc.vpcId), 'Ipv6CidrBlocks'] }] };
  const tierBlock = (i: number) => ({ 'Fn::Select': [i, { 'Fn::Cidr': [vpcIpv6, 4, '70'] }] });

  test('the VPC asks for an Amazon-provided IPv6 block and keeps its IPv4 block', () => {
    expect(net.dualStack).toBe(true);
    template.resourceCountIs('AWS::EC2::VPCCidrBlock', 1);
    template.hasResourceProperties('AWS::EC2::VPCCidrBlock', { AmazonProvidedIpv6CidrBlock: true });
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
  });

  test.each([[Tier.PUBLIC, 0, false], [Tier.APP, 1, true], [Tier.DATA, 2, false]])(
    'the %s tier owns quarter %d of the /56 (a /58), one /64 per AZ inside it; auto-assigns IPv6: %s', (tier, quarter, assign) => {
      const subnets = tierSubnets(template, net, tier);
      expect(subnets).toHaveLength(3);
      subnets.forEach(([, subnet], az) => {
      // The /64s are split out of the tier's /58, which is quarter `quarter` of the VPC's /56.
        expect(subnet.Properties.Ipv6CidrBlock).toEqual({ 'Fn::Select': [az, { 'Fn::Cidr': [tierBlock(quarter), 3, '64'] }] });
        expect(subnet.Properties.AssignIpv6AddressOnCreation).toBe(assign);
        expect(subnet.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/ipv6cidr/)]));
      });
      expect(stack.resolve(net.tierIpv6Cidr(tier))).toEqual(tierBlock(quarter));
      expect(stack.resolve(net.subnetIpv6Cidrs(tier)[2])).toEqual(subnets[2][1].Properties.Ipv6CidrBlock);
    });

  test('public subnets route ::/0 to the internet gateway and launch nothing with a public IPv4 address', () => {
    const igw = Object.keys(template.findResources('AWS::EC2::InternetGateway'))[0];
    for (const [id, subnet] of tierSubnets(template, net, Tier.PUBLIC)) {
      expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
      expect(routesOf(template, id)).toEqual(expect.arrayContaining([
        expect.objectContaining({ DestinationIpv6CidrBlock: '::/0', GatewayId: { Ref: igw } }),
        expect.objectContaining({ DestinationCidrBlock: '0.0.0.0/0', GatewayId: { Ref: igw } }),
      ]));
    }
  });

  test('app subnets route ::/0 to the egress-only internet gateway and 0.0.0.0/0 to their NAT gateway', () => {
    template.resourceCountIs('AWS::EC2::EgressOnlyInternetGateway', 1);
    const eigw = logicalId(stack, net.egressOnlyInternetGatewayId!);
    expect(Object.keys(template.findResources('AWS::EC2::EgressOnlyInternetGateway'))).toEqual([eigw]);
    for (const [id] of tierSubnets(template, net, Tier.APP)) {
      const routes = routesOf(template, id);
      expect(routes).toHaveLength(2);
      expect(routes).toEqual(expect.arrayContaining([
        expect.objectContaining({ DestinationIpv6CidrBlock: '::/0', EgressOnlyInternetGatewayId: { Ref: eigw } }),
        expect.objectContaining({ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: expect.anything() }),
      ]));
    }
  });

  test('data subnets have no route out in either family', () => {
    for (const [id] of tierSubnets(template, net, Tier.DATA)) {
      expect(routesOf(template, id)).toEqual([]);
    }
  });

  test('no IPv6 route reaches the internet gateway from the app or data tier', () => {
    const igw = Object.keys(template.findResources('AWS::EC2::InternetGateway'))[0];
    for (const tier of [Tier.APP, Tier.DATA]) {
      for (const [id] of tierSubnets(template, net, tier)) {
        expect(routesOf(template, id).filter((r) => r.GatewayId?.Ref === igw)).toEqual([]);
      }
    }
  });

  test('clean under AwsSolutions and the library pack', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1: the ::/0 route to the internet gateway and the app tier IPv6 auto-assignment are acknowledged', () => {
    expect(nagFindings(stack, [new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks()])).toEqual([]);
  });
});

describe('TieredVpc dual stack without NAT gateways', () => {
  // GIVEN dual stack and NatGatewayMode.NONE: the app tier reaches the internet over IPv6 only
  const { stack, net, template } = build({ natGatewayMode: NatGatewayMode.NONE });

  test('the app tier keeps its ::/0 route to the egress-only gateway and has no IPv4 route out', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    const eigw = logicalId(stack, net.egressOnlyInternetGatewayId!);
    for (const [id] of tierSubnets(template, net, Tier.APP)) {
      expect(routesOf(template, id)).toEqual([
        expect.objectContaining({ DestinationIpv6CidrBlock: '::/0', EgressOnlyInternetGatewayId: { Ref: eigw } }),
      ]);
    }
  });
});

describe('TieredVpc IPv4 only (the default)', () => {
  const stack = testStack();
  const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
  const template = Template.fromStack(stack);

  test('no IPv6 block, no egress-only gateway, no IPv6 route', () => {
    expect(net.dualStack).toBe(false);
    expect(net.egressOnlyInternetGatewayId).toBeUndefined();
    template.resourceCountIs('AWS::EC2::VPCCidrBlock', 0);
    template.resourceCountIs('AWS::EC2::EgressOnlyInternetGateway', 0);
    template.resourcePropertiesCountIs('AWS::EC2::Route', { DestinationIpv6CidrBlock: Match.anyValue() }, 0);
    template.resourcePropertiesCountIs('AWS::EC2::Subnet', { Ipv6CidrBlock: Match.anyValue() }, 0);
  });

  test('fails when asked for a tier IPv6 block', () => {
    expect(() => net.tierIpv6Cidr(Tier.APP)).toThrow(
      /^Test\/Net: tierIpv6Cidr\(\) asks for an IPv6 block of a VPC that has none, got 'ipProtocol IPV4_ONLY'\. Create the TieredVpc with ipProtocol: ec2\.IpProtocol\.DUAL_STACK\. \[InvalidProperty\]$/);
    expect(() => net.subnetIpv6Cidrs(Tier.APP)).toThrow(/subnetIpv6Cidrs\(\) asks for an IPv6 block of a VPC that has none/);
  });
});
