import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { EphemeralRange, FlowEndpoint, NatGatewayMode, Tier, TieredVpc, TieredVpcProps, WellKnownPorts } from '../../src';
import { nagFindings, TEST_AZS, testStack } from '../util';

function build(props: TieredVpcProps = {}) {
  const stack = testStack();
  const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS, ...props });
  return { stack, net, template: Template.fromStack(stack) };
}

function subnetCidrs(template: Template): string[] {
  return Object.values(template.findResources('AWS::EC2::Subnet')).map((r: any) => r.Properties.CidrBlock).sort();
}

describe('TieredVpc defaults', () => {
  // GIVEN a TieredVpc with no props, WHEN synthesized once
  const { stack, net, template } = build();

  test('VPC CIDR is 10.0.0.0/16 with DNS support', () => {
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16', EnableDnsHostnames: true, EnableDnsSupport: true });
  });

  test('each tier owns one contiguous quarter, split per AZ, last quarter spare', () => {
    expect(net.tierCidr(Tier.PUBLIC)).toBe('10.0.0.0/18');
    expect(net.tierCidr(Tier.APP)).toBe('10.0.64.0/18');
    expect(net.tierCidr(Tier.DATA)).toBe('10.0.128.0/18');
    expect(net.subnetCidrs(Tier.APP)).toEqual(['10.0.64.0/20', '10.0.80.0/20', '10.0.96.0/20']);
    expect(subnetCidrs(template)).toEqual([
      '10.0.0.0/20', '10.0.128.0/20', '10.0.144.0/20', '10.0.16.0/20', '10.0.160.0/20', '10.0.32.0/20',
      '10.0.64.0/20', '10.0.80.0/20', '10.0.96.0/20',
    ]);
  });

  test('usable addresses account for the 5 AWS reserves per subnet', () => {
    expect(net.usableAddressesPerSubnet(Tier.DATA)).toBe(4096 - 5);
  });

  test('three AZs, one NAT gateway per AZ, each app subnet routing to the NAT in its own AZ', () => {
    expect(net.availabilityZones).toEqual(TEST_AZS);
    template.resourceCountIs('AWS::EC2::NatGateway', 3);
    template.resourceCountIs('AWS::EC2::EIP', 3);
    const resources = template.toJSON().Resources;
    const subnetAz = (ref: string) => resources[ref].Properties.AvailabilityZone;
    const natAz: Record<string, string> = {};
    for (const [id, r] of Object.entries<any>(resources)) {
      if (r.Type === 'AWS::EC2::NatGateway') natAz[id] = subnetAz(r.Properties.SubnetId.Ref);
    }
    const appSubnets = Object.entries<any>(resources).filter(([, r]) => r.Type === 'AWS::EC2::Subnet' && r.Properties.CidrBlock.startsWith('10.0.') &&
      net.subnetCidrs(Tier.APP).includes(r.Properties.CidrBlock));
    expect(appSubnets).toHaveLength(3);
    for (const [subnetId, subnet] of appSubnets) {
      const assoc = Object.values<any>(resources).find((r) => r.Type === 'AWS::EC2::SubnetRouteTableAssociation' && r.Properties.SubnetId.Ref === subnetId);
      const route = Object.values<any>(resources).find((r) => r.Type === 'AWS::EC2::Route' && r.Properties.RouteTableId.Ref === assoc.Properties.RouteTableId.Ref);
      expect(route.Properties.DestinationCidrBlock).toBe('0.0.0.0/0');
      expect(natAz[route.Properties.NatGatewayId.Ref]).toBe(subnet.Properties.AvailabilityZone);
    }
  });

  test('data subnets have no route to the internet at all', () => {
    const resources = template.toJSON().Resources;
    const dataSubnetIds = Object.entries<any>(resources)
      .filter(([, r]) => r.Type === 'AWS::EC2::Subnet' && net.subnetCidrs(Tier.DATA).includes(r.Properties.CidrBlock)).map(([id]) => id);
    expect(dataSubnetIds).toHaveLength(3);
    const tables = Object.values<any>(resources)
      .filter((r) => r.Type === 'AWS::EC2::SubnetRouteTableAssociation' && dataSubnetIds.includes(r.Properties.SubnetId.Ref))
      .map((r) => r.Properties.RouteTableId.Ref);
    const routes = Object.values<any>(resources).filter((r) => r.Type === 'AWS::EC2::Route' && tables.includes(r.Properties.RouteTableId.Ref));
    expect(routes).toEqual([]);
  });

  test('public subnets do not map public IPs on launch', () => {
    template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
  });

  test('flow logs on for all traffic to a log group retained one year', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365 }, DeletionPolicy: 'Retain' });
  });

  test('flow logs are encrypted with a rotated customer managed key that CloudWatch Logs may use', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
          Action: Match.arrayWith(['kms:Decrypt*', 'kms:GenerateDataKey*']),
        })]),
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.objectLike({ 'Fn::GetAtt': Match.anyValue() }) });
  });

  test('the flow log role\'s permissions are a customer managed policy, not an inline one', () => {
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'] })] },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'vpc-flow-logs.amazonaws.com' } })] },
      ManagedPolicyArns: [Match.objectLike({ Ref: Match.anyValue() })],
    });
    const policies = Object.keys(template.findResources('AWS::IAM::Policy'));
    expect(policies.filter((id) => id.includes('FlowLog'))).toEqual([]);
  });

  test('the default security group is stripped of its rules', () => {
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  test('gateway endpoints for S3 and DynamoDB in the app and data route tables', () => {
    const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } }));
    expect(endpoints).toHaveLength(2);
    for (const e of endpoints as any[]) expect(e.Properties.RouteTableIds).toHaveLength(6);
  });

  test('no interface endpoints by default', () => {
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 2);
  });

  test('one NACL per tier, associated with that tier\'s subnets, no entries until flows are declared', () => {
    template.resourceCountIs('AWS::EC2::NetworkAcl', 3);
    template.resourceCountIs('AWS::EC2::SubnetNetworkAclAssociation', 9);
    template.resourceCountIs('AWS::EC2::NetworkAclEntry', 0);
    const aclId = stack.resolve(net.networkAcl(Tier.DATA).networkAclId);
    const assocs = Object.values(template.findResources('AWS::EC2::SubnetNetworkAclAssociation', { Properties: { NetworkAclId: aclId } }));
    expect(assocs).toHaveLength(3);
  });

  test('subnet selections per tier', () => {
    expect(net.selectTierSubnets(Tier.PUBLIC).subnets.map((s) => s.ipv4CidrBlock)).toEqual(net.subnetCidrs(Tier.PUBLIC));
    expect(net.selectTierSubnets(Tier.DATA).subnets.map((s) => s.ipv4CidrBlock)).toEqual(net.subnetCidrs(Tier.DATA));
  });

  test('tierSubnets is the selection for vpcSubnets; selectTierSubnets is what the VPC selects with it, one subnet per AZ in AZ order', () => {
    for (const tier of [Tier.PUBLIC, Tier.APP, Tier.DATA]) {
      const selected = net.selectTierSubnets(tier);
      expect(selected.subnetIds).toEqual(net.vpc.selectSubnets(net.tierSubnets(tier)).subnetIds);
      expect(selected.subnets.map((s) => s.availabilityZone)).toEqual(net.availabilityZones);
      expect(selected.subnets.map((s) => s.ipv4CidrBlock)).toEqual(net.subnetCidrs(tier));
    }
  });

  test('no flows declared', () => {
    expect(net.flows).toEqual([]);
  });

  test('AwsSolutions: no unacknowledged findings', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1: no unacknowledged findings', () => {
    expect(nagFindings(stack, [new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks()])).toEqual([]);
  });
});

describe('TieredVpc options', () => {
  test('cidr and tier prefix lengths', () => {
    const { net, template } = build({ cidr: '172.16.0.0/20', ipPlan: { publicPrefixLength: 24, appPrefixLength: 22, dataPrefixLength: 23 } });
    expect(net.tierCidr(Tier.PUBLIC)).toBe('172.16.0.0/24');
    expect(net.tierCidr(Tier.APP)).toBe('172.16.4.0/22');
    expect(net.tierCidr(Tier.DATA)).toBe('172.16.2.0/23');
    expect(net.subnetCidrs(Tier.PUBLIC)).toEqual(['172.16.0.0/26', '172.16.0.64/26', '172.16.0.128/26']);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '172.16.0.0/20' });
  });

  test('explicit tier blocks', () => {
    const { net } = build({ ipPlan: { dataCidr: '10.0.0.0/18', publicCidr: '10.0.192.0/18' } });
    expect(net.tierCidr(Tier.PUBLIC)).toBe('10.0.192.0/18');
    expect(net.tierCidr(Tier.APP)).toBe('10.0.64.0/18');
    expect(net.tierCidr(Tier.DATA)).toBe('10.0.0.0/18');
  });

  test('maxAzs 2 on an environment-agnostic stack', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { maxAzs: 2 });
    expect(net.availabilityZones).toHaveLength(2);
    expect(net.subnetCidrs(Tier.APP)).toEqual(['10.0.64.0/19', '10.0.96.0/19']);
    Template.fromStack(stack).resourceCountIs('AWS::EC2::NatGateway', 2);
  });

  test('six AZs: NACL-relevant tier blocks unchanged, subnets /21', () => {
    const azs = ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1e', 'us-east-1f'];
    const { net, template } = build({ availabilityZones: azs });
    expect(net.tierCidr(Tier.APP)).toBe('10.0.64.0/18');
    expect(net.subnetCidrs(Tier.APP)).toHaveLength(6);
    expect(net.subnetCidrs(Tier.APP)[5]).toBe('10.0.104.0/21');
    template.resourceCountIs('AWS::EC2::NatGateway', 6);
  });

  test('single NAT gateway leaves a warning naming the trade-off', () => {
    const { stack, template } = build({ natGatewayMode: NatGatewayMode.SINGLE });
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    Annotations.fromStack(stack).hasWarning('/Test/Net', Match.stringLikeRegexp('One NAT gateway serves every AZ.*cross-AZ'));
  });

  test('no NAT gateway: app tier is isolated', () => {
    const { net, template } = build({ natGatewayMode: NatGatewayMode.NONE });
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::EIP', 0);
    expect(net.natGatewayCount).toBe(0);
  });

  test('per-AZ NAT leaves no warning', () => {
    const { stack } = build();
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('flow log retention and removal policy', () => {
    const { template } = build({ flowLogRetention: logs.RetentionDays.ONE_MONTH, flowLogRemovalPolicy: RemovalPolicy.DESTROY });
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Delete' });
  });

  test('flow log encryption key can be brought', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS, flowLogEncryptionKey: key });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: stack.resolve(key.keyArn) });
  });

  test('gateway endpoints can be turned off', () => {
    const { template } = build({ gatewayEndpoints: false });
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  test('Session Manager endpoints in the app tier, closed until workloads are admitted', () => {
    const { net, template } = build({ sessionManagerEndpoints: true, interfaceEndpoints: [ec2.InterfaceVpcEndpointAwsService.ECR] });
    expect(net.interfaceEndpoints).toHaveLength(4);
    for (const service of ['ssm', 'ssmmessages', 'ec2messages', 'ecr.api']) {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        ServiceName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(`\\.${service.replace('.', '\\.')}$`)])] }),
      });
    }
    // open: false -> no ingress from the VPC CIDR
    for (const sg of Object.values<any>(template.findResources('AWS::EC2::SecurityGroup'))) {
      expect(sg.Properties.SecurityGroupIngress ?? []).toEqual([]);
    }
  });

  test('allowInterfaceEndpoints admits a workload to every endpoint by SG reference on 443', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS, sessionManagerEndpoints: true });
    const sg = new ec2.SecurityGroup(stack, 'Workload', { vpc: net.vpc, allowAllOutbound: false });
    net.allowInterfaceEndpoints(sg, Tier.APP);
    expect(net.flows).toHaveLength(3);
    const template = Template.fromStack(stack);
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourceSecurityGroupId: stack.resolve(sg.securityGroupId),
    }, 3);
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', { CidrIp: Match.anyValue() }, 0);
  });
});

describe('TieredVpc bad input', () => {
  test.each([
    ['10.0.0.0/33'], ['10.0.0.1/16'], ['300.0.0.0/16'], ['banana'], ['10.0.0.0'],
  ])('fails on malformed cidr %s', (cidr) => {
    expect(() => build({ cidr })).toThrow(/Test\/Net: cidr must be an IPv4 CIDR block .*got '.*'\. Write the network address/);
  });

  test.each([['10.0.0.0/15'], ['10.0.0.0/25'], ['10.0.0.0/28']])('fails on VPC prefix outside /16-/24: %s', (cidr) => {
    expect(() => build({ cidr })).toThrow(/Test\/Net: cidr must have a prefix length between \/16 and \/24/);
  });

  test.each([['10.0.0.0/16'], ['10.0.0.0/24']])('accepts VPC prefix at the boundary %s', (cidr) => {
    expect(() => build({ cidr })).not.toThrow();
  });

  test('fails when tier sizes don\'t fit', () => {
    expect(() => build({ ipPlan: { publicPrefixLength: 17, appPrefixLength: 17, dataPrefixLength: 18 } }))
      .toThrow(/Test\/Net: ipPlan.dataPrefixLength leaves no free \/18 block in 10.0.0.0\/16 .*got 18\. The tier sizes don't fit/);
  });

  test('fails when a tier is too small to split over the AZs', () => {
    expect(() => build({ cidr: '10.0.0.0/24', ipPlan: { appPrefixLength: 27 } }))
      .toThrow(/ipPlan.appPrefixLength must be an integer between \/25 and \/26 for a \/24 VPC over 3 AZs, got 27/);
  });

  test('fails on a tier prefix as large as the VPC', () => {
    expect(() => build({ ipPlan: { appPrefixLength: 16 } })).toThrow(/ipPlan.appPrefixLength must be an integer between \/17/);
  });

  test('fails on overlapping tier blocks', () => {
    expect(() => build({ ipPlan: { publicCidr: '10.0.0.0/18', appCidr: '10.0.32.0/19' } }))
      .toThrow(/Test\/Net: ipPlan.appCidr overlaps the public tier's block 10.0.0.0\/18, got '10.0.32.0\/19'/);
  });

  test('fails on duplicate tier blocks', () => {
    expect(() => build({ ipPlan: { appCidr: '10.0.128.0/18', dataCidr: '10.0.128.0/18' } }))
      .toThrow(/ipPlan.dataCidr overlaps the app tier's block 10.0.128.0\/18/);
  });

  test('fails on a tier block outside the VPC', () => {
    expect(() => build({ ipPlan: { dataCidr: '10.1.0.0/18' } })).toThrow(/ipPlan.dataCidr must be a block strictly inside the VPC CIDR 10.0.0.0\/16/);
  });

  test('fails on a malformed tier block', () => {
    expect(() => build({ ipPlan: { dataCidr: '10.0.128.0/99' } })).toThrow(/ipPlan.dataCidr must be an IPv4 CIDR block/);
  });

  test.each([[1], [0], [2.5]])('fails on maxAzs %s', (maxAzs) => {
    expect(() => new TieredVpc(testStack(), 'Net', { maxAzs })).toThrow(/^Test\/Net: maxAzs must be an integer of at least 2, got [0-9.]+\. A three-tier VPC needs two AZs/);
  });

  test('fails on maxAzs above the stack\'s AZs', () => {
    expect(() => new TieredVpc(testStack(), 'Net', { maxAzs: 3 })).toThrow(/Test\/Net: maxAzs must not exceed the stack's 2 AZs \(environment-agnostic\), got 3\. Lower maxAzs/);
  });

  test('uses the AZs of a stack with a known environment', () => {
    const app = new App({ context: { 'availability-zones:account=111111111111:region=eu-west-1': ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] } });
    const stack = new Stack(app, 'Env', { env: { account: '111111111111', region: 'eu-west-1' } });
    expect(new TieredVpc(stack, 'Net').availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(() => new TieredVpc(stack, 'Net2', { maxAzs: 4 })).toThrow(/maxAzs must not exceed the stack's 3 AZs \(eu-west-1a, eu-west-1b, eu-west-1c\)/);
  });

  test('fails on a single availability zone', () => {
    expect(() => build({ availabilityZones: ['us-east-1a'] })).toThrow(/availabilityZones must name at least 2 AZs, got \['us-east-1a'\]/);
  });

  test('fails on a repeated availability zone', () => {
    expect(() => build({ availabilityZones: ['us-east-1a', 'us-east-1a'] })).toThrow(/availabilityZones must not name an AZ twice/);
  });
});

// Well-known ports and ephemeral ranges
describe('ports', () => {
  test('well-known ports', () => {
    expect(WellKnownPorts.POSTGRES.toRuleJson()).toEqual({ ipProtocol: 'tcp', fromPort: 5432, toPort: 5432 });
    expect(WellKnownPorts.DNS_UDP.toRuleJson()).toEqual({ ipProtocol: 'udp', fromPort: 53, toPort: 53 });
    expect(WellKnownPorts.KAFKA.toRuleJson().fromPort).toBe(9092);
  });

  test('ephemeral ranges by client kind', () => {
    expect(EphemeralRange.NAT_GATEWAY.toString()).toBe('1024-65535');
    expect(EphemeralRange.LINUX.toString()).toBe('32768-60999');
    expect(EphemeralRange.WINDOWS.toString()).toBe('49152-65535');
    expect(EphemeralRange.of(32768, 61000).toString()).toBe('32768-61000');
  });

  test.each([[1023, 2000], [2000, 1999], [1024, 65536]])('fails on EphemeralRange.of(%s, %s)', (from, to) => {
    expect(() => EphemeralRange.of(from, to)).toThrow(/^EphemeralRange.of: the range must lie within 1024-65535 with from <= to, got .*\[EphemeralRangeInvalid\]$/);
  });

  test('FlowEndpoint names', () => {
    expect(FlowEndpoint.internet().name).toBe('internet 0.0.0.0/0');
    expect(FlowEndpoint.tier(Tier.APP).name).toBe('tier app');
  });
});
