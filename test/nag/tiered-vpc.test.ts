import { Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { EphemeralRange, FlowEndpoint, NatGatewayMode, NetworkPatternsChecks, Tier, TieredVpc, TieredVpcProps, WellKnownPorts } from '../../src';
import { nagFindings, TEST_AZS, testStack } from '../util';


/** A TieredVpc with the classic web flows: internet -> LB 443, LB -> app 8080, app -> data 5432, app -> internet 443. */
function typicalStack(props: TieredVpcProps = {}, appClient?: EphemeralRange) {
  const stack = testStack();
  const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS, sessionManagerEndpoints: true, ...props });
  const sg = (id: string) => new ec2.SecurityGroup(stack, id, { vpc: net.vpc, allowAllOutbound: false });
  const lb = sg('Lb');
  const app = sg('App');
  const db = sg('Db');
  net.addFlow(FlowEndpoint.internet(), FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), WellKnownPorts.HTTPS);
  net.addFlow(FlowEndpoint.workload(lb, { tier: Tier.PUBLIC, ephemeralRange: EphemeralRange.ELB }), FlowEndpoint.workload(app, { tier: Tier.APP }),
    WellKnownPorts.HTTP_ALT);
  net.addFlow(FlowEndpoint.workload(app, { tier: Tier.APP, ephemeralRange: appClient }),
    FlowEndpoint.workload(db, { tier: Tier.DATA }), WellKnownPorts.POSTGRES);
  if (props.natGatewayMode !== NatGatewayMode.NONE) {
    net.addFlow(FlowEndpoint.workload(app, { tier: Tier.APP, ephemeralRange: appClient }), FlowEndpoint.internet(), WellKnownPorts.HTTPS);
  }
  net.allowInterfaceEndpoints(app, Tier.APP);
  return { stack, net };
}

const pack = () => [new NetworkPatternsChecks()];

describe('NetworkPatternsChecks on TieredVpc', () => {
  test('typical flows: no findings (the return range from 0.0.0.0/0 is exempt from NACL1)', () => {
    // GIVEN / WHEN
    const { stack } = typicalStack();
    // THEN: tcp 1024-65535 from 0.0.0.0/0 covers RDP 3389, but it is the return range AWS advises for a NACL
    // that serves NAT gateway, ELB and Lambda clients (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html);
    // denying 3389 inside it would drop NAT/ELB/Lambda returns (next test), and SG1 keeps RDP closed statefully.
    expect(nagFindings(stack, pack())).toEqual([]);
  });

  test('typical flows with a deny for RDP before the return range: NACL2 reports the returns it drops', () => {
    const { stack, net } = typicalStack();
    net.networkAcl(Tier.PUBLIC).addEntry('DenyRdp', {
      ruleNumber: 50,
      cidr: ec2.AclCidr.anyIpv4(),
      traffic: ec2.AclTraffic.tcpPort(3389),
      direction: ec2.TrafficDirection.INGRESS,
      ruleAction: ec2.Action.DENY,
    });
    expect(nagFindings(stack, pack()).filter((f) => f.includes('/PublicAcl/'))).toEqual([
      'NetworkPatterns-NACL2 @ Test/Net/PublicAcl/Out-tcp-443-443-0_0_0_0_0/Resource',
    ]);
  });

  test('without flows: no findings', () => {
    const stack = testStack();
    new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    expect(nagFindings(stack, pack())).toEqual([]);
  });

  test('app tier without internet (NatGatewayMode.NONE): no findings', () => {
    const { stack } = typicalStack({ natGatewayMode: NatGatewayMode.NONE });
    expect(nagFindings(stack, pack())).toEqual([]);
  });

  test('NatGatewayMode.SINGLE, an explicit choice: NAT1 acknowledged on exactly the shared NAT gateway and the routes to it, the warning stays', () => {
    const { stack } = typicalStack({ natGatewayMode: NatGatewayMode.SINGLE });
    expect(nagFindings(stack, pack()).filter((f) => f.startsWith('NetworkPatterns-NAT1'))).toEqual([]);
    const acknowledged = stack.node.findAll()
      .filter((c) => c.node.metadata.some((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY
        && Object.keys(m.data as object).some((id) => id.endsWith('NetworkPatterns-NAT1'))))
      .map((c) => c.node.path).sort();
    expect(acknowledged).toEqual([
      'Test/Net/Resource/AppSubnet1/DefaultRoute',
      'Test/Net/Resource/AppSubnet2/DefaultRoute',
      'Test/Net/Resource/AppSubnet3/DefaultRoute',
      'Test/Net/Resource/PublicSubnet1/NATGateway',
    ]);
    expect(Annotations.fromStack(stack).findWarning('/Test/Net', Match.stringLikeRegexp('singleNatGateway'))).toHaveLength(1);
  });

  test('a hand-written cross-AZ NAT route beside a PER_AZ TieredVpc is still reported by NAT1', () => {
    const { stack, net } = typicalStack();
    const [nat1] = net.vpc.publicSubnets.map((s) => s.node.findChild('NATGateway') as ec2.CfnNatGateway);
    const other = net.vpc.privateSubnets[1] as ec2.Subnet;
    other.node.tryRemoveChild('DefaultRoute');
    new ec2.CfnRoute(other, 'CrossAz', { routeTableId: other.routeTable.routeTableId, destinationCidrBlock: '0.0.0.0/0', natGatewayId: nat1.ref });
    expect(nagFindings(stack, pack()).filter((f) => f.startsWith('NetworkPatterns-NAT1'))).toEqual([
      'NetworkPatterns-NAT1 @ Test/Net/Resource/AppSubnet2/CrossAz',
      'NetworkPatterns-NAT1 @ Test/Net/Resource/PublicSubnet1/NATGateway',
    ]);
  });

  test('a client range narrower than 1024-65535 (EphemeralRange.LINUX) is reported by NACL2', () => {
    const { stack } = typicalStack({}, EphemeralRange.LINUX);
    expect(nagFindings(stack, pack()).filter((f) => f.startsWith('NetworkPatterns-NACL2'))).toEqual([
      'NetworkPatterns-NACL2 @ Test/Net/AppAcl/Out-tcp-443-443-0_0_0_0_0/Resource',
      'NetworkPatterns-NACL2 @ Test/Net/AppAcl/Out-tcp-5432-5432-10_0_128_0_18/Resource',
      'NetworkPatterns-NACL2 @ Test/Net/DataAcl/In-tcp-5432-5432-10_0_64_0_18/Resource',
    ]);
  });
});
