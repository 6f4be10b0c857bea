import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CDK_NO_OUTBOUND, NaclRule, TemplateBuilder } from './template-builder';
import { FlowEndpoint, NetworkAssertions, NetworkEndpoint, Tier, TieredVpc, WellKnownPorts } from '../../src';
import { TEST_AZS, testStack } from '../util';

const at = (p: string) => NetworkEndpoint.path(p);
const internet = NetworkEndpoint.internet();

/** App (instance in PrivateA) -> Db (RDS in IsolatedA+B) on 5432; `dataAcl` decides the data NACL. */
function template(dataAcl: NaclRule[]): NetworkAssertions {
  const b = new TemplateBuilder().standardVpc()
    .sg('AppSg', { egress: [{ from: 5432, sg: 'DbSg' }] })
    .sg('DbSg', { ingress: [{ from: 5432, sg: 'AppSg' }, { from: 5432, cidr: '203.0.113.0/24' }], egress: [CDK_NO_OUTBOUND] })
    .instance('App', 'PrivateA', ['AppSg'])
    .instance('Unknown', 'PrivateA', ['sg-0123456789abcdef0'])
    .rds('Db', ['IsolatedA', 'IsolatedB'], ['DbSg'])
    .nacl('DataAcl', ['IsolatedA', 'IsolatedB'], dataAcl);
  return NetworkAssertions.fromTemplate(b.toJSON());
}
const OPEN: NaclRule[] = [[100, 'in', 'tcp', 5432, 5432, '10.0.10.0/24'], [100, 'out', 'tcp', 1024, 65535, '10.0.10.0/24']];

describe('expectReachable', () => {
  test('passes when every path is open', () => {
    expect(() => template(OPEN).expectReachable(at('App'), at('Db'), WellKnownPorts.POSTGRES)).not.toThrow();
  });

  test('fails saying what blocked', () => {
    expect(() => template([[100, 'in', 'tcp', 5432, 5432, '10.0.10.0/24']]).expectReachable(at('App'), at('Db'), WellKnownPorts.POSTGRES)).toThrow(
      'Expected App -> Db on tcp 5432 to be reachable, but it is blocked:\n' +
      '  - blocked: NACL DataAcl outbound has no allow for tcp 32768-60999 to 10.0.10.0/24 (App in PrivateA) (return traffic of App -> Db on tcp 5432, ' +
      'to App\'s ephemeral ports (instances, Linux kernel)) [App in PrivateA (10.0.10.0/24, us-east-1a) -> Db in IsolatedA (10.0.20.0/24, us-east-1a) and 1 more subnet pair(s)]');
  });

  test('fails saying the analyzer cannot tell', () => {
    expect(() => template(OPEN).expectReachable(at('Unknown'), internet, WellKnownPorts.HTTPS)).toThrow(
      /^Expected Unknown -> internet 0\.0\.0\.0\/0 on tcp 443 to be reachable, but the analyzer cannot tell:\n  - unknown: security groups of Unknown: security group sg-0123456789abcdef0 is not defined/);
  });
});

describe('expectUnreachable', () => {
  test('passes when every path is blocked', () => {
    expect(() => template(OPEN).expectUnreachable(internet, at('Db'), WellKnownPorts.POSTGRES)).not.toThrow();
  });

  test('fails saying what is open', () => {
    expect(() => template(OPEN).expectUnreachable(at('App'), at('Db'), WellKnownPorts.POSTGRES)).toThrow(
      'Expected App -> Db on tcp 5432 to be unreachable, but it is reachable:\n' +
      '  - reachable: all 2 subnet path(s) pass routing, security groups and NACLs in both directions (return traffic tcp 32768-60999 for instances, Linux kernel)');
  });

  test('fails when part of the traffic passes', () => {
    expect(() => template(OPEN).expectUnreachable(at('App'), at('Db'), ec2.Port.tcpRange(5432, 5433))).toThrow(
      /^Expected App -> Db on tcp 5432-5433 to be unreachable, but part of it is open:\n  - blocked: security group egress of App \(AppSg\) allows only part of tcp 5432-5433/);
  });

  test('fails when the analyzer cannot tell', () => {
    expect(() => template(OPEN).expectUnreachable(at('Unknown'), internet, WellKnownPorts.HTTPS)).toThrow(
      /^Expected Unknown -> internet 0\.0\.0\.0\/0 on tcp 443 to be unreachable, but the analyzer cannot tell \(it may be open\)/);
  });
});

describe('expectOnlyDeclaredFlows', () => {
  test('fails when a declared workload is a security group no node uses', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const orphan = new ec2.SecurityGroup(stack, 'Orphan', { vpc: net.vpc, allowAllOutbound: false });
    net.addFlow(FlowEndpoint.workload(orphan, { tier: Tier.APP }), FlowEndpoint.internet(), WellKnownPorts.HTTPS);
    expect(() => NetworkAssertions.fromStack(stack).expectOnlyDeclaredFlows(net)).toThrow(
      /1 declared flow\(s\) are not reachable:\n  - Test\/Orphan -> internet 0\.0\.0\.0\/0 tcp 443 \(unknown\):\n      unknown: security group Test\/Orphan is attached to no node the analyzer models/);
  });

  test('checks tier flows with hosts in the tiers\' subnets (routing and NACLs only)', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    net.addFlow(FlowEndpoint.tier(Tier.APP), FlowEndpoint.tier(Tier.DATA), WellKnownPorts.REDIS);
    net.addFlow(FlowEndpoint.tier(Tier.APP), FlowEndpoint.internet(), WellKnownPorts.HTTPS);
    net.addFlow(FlowEndpoint.internet(), FlowEndpoint.tier(Tier.PUBLIC), WellKnownPorts.HTTPS);
    const assertions = NetworkAssertions.fromStack(stack);
    expect(assertions.declaredFlowVerdicts(net).map((v) => v.answer.verdict)).toEqual(['reachable', 'reachable', 'reachable']);
    expect(() => assertions.expectOnlyDeclaredFlows(net)).not.toThrow();
  });
});

describe('fromStacks', () => {
  /** A network stack exporting its VPC, an app stack placing an instance in it (Fn::ImportValue). */
  function twoStacks(): { network: Stack; app: Stack; instance: ec2.Instance } {
    const cdkApp = new App();
    const network = new Stack(cdkApp, 'Network');
    const vpc = new ec2.Vpc(network, 'Vpc', { natGateways: 2 });
    const app = new Stack(cdkApp, 'AppStack');
    const instance = new ec2.Instance(app, 'Box', {
      vpc, instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    });
    return { network, app, instance };
  }

  test('resolves Fn::ImportValue through the other stacks\' exports', () => {
    const { network, app, instance } = twoStacks();
    const assertions = NetworkAssertions.fromStacks([network, app]);
    expect(() => assertions.expectReachable(NetworkEndpoint.of(instance), internet, WellKnownPorts.HTTPS)).not.toThrow();
  });

  test('says to pass the exporting stack when it is missing', () => {
    const { app, instance } = twoStacks();
    expect(() => NetworkAssertions.fromStack(app).expectReachable(NetworkEndpoint.of(instance), internet, WellKnownPorts.HTTPS)).toThrow(
      /cannot tell:\n  - unknown: AppStack\/Box SubnetId: Fn::ImportValue Network:ExportsOutputRefVpcPrivateSubnet1Subnet\w+: no stack given to the analyzer exports it \(pass the exporting stack too/);
  });
});
