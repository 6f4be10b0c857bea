import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { findingsOf } from './nag-test-util';
import { TEST_AZS, testStack } from '../util';

const NAT1 = 'NetworkPatterns-NAT1';

/** Hand-written (L1) subnets in two AZs, one NAT gateway in a public subnet of AZ a. */
function l1Network() {
  const stack = testStack();
  const vpc = new ec2.CfnVPC(stack, 'Vpc', { cidrBlock: '10.0.0.0/16' });
  const subnet = (id: string, az: string, cidr: string) => new ec2.CfnSubnet(stack, id, { vpcId: vpc.ref, availabilityZone: az, cidrBlock: cidr });
  const publicA = subnet('PublicA', 'us-east-1a', '10.0.0.0/24');
  const privateA = subnet('PrivateA', 'us-east-1a', '10.0.10.0/24');
  const privateB = subnet('PrivateB', 'us-east-1b', '10.0.11.0/24');
  const eip = new ec2.CfnEIP(stack, 'NatIp', { domain: 'vpc' });
  const nat = new ec2.CfnNatGateway(stack, 'NatA', { subnetId: publicA.ref, allocationId: eip.attrAllocationId });
  const table = (id: string, ...subnets: ec2.CfnSubnet[]) => {
    const t = new ec2.CfnRouteTable(stack, id, { vpcId: vpc.ref });
    subnets.forEach((s, i) => new ec2.CfnSubnetRouteTableAssociation(stack, `${id}Assoc${i}`, { routeTableId: t.ref, subnetId: s.ref }));
    return t;
  };
  const defaultRoute = (id: string, t: ec2.CfnRouteTable, natGatewayId: string) =>
    new ec2.CfnRoute(stack, id, { routeTableId: t.ref, destinationCidrBlock: '0.0.0.0/0', natGatewayId });
  return { stack, vpc, subnet, privateA, privateB, nat, table, defaultRoute };
}

describe('NetworkPatterns-NAT1: NAT gateway in another AZ, or one NAT gateway for several AZs', () => {
  test('Noncompliance 1: aws-cdk-lib Vpc with one NAT gateway for two AZs (Fn::GetAZs tokens)', () => {
    const stack = testStack();
    new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    expect(findingsOf(stack, NAT1)).toEqual([
      'Test/Vpc/PrivateSubnet2/DefaultRoute',
      'Test/Vpc/PublicSubnet1/NATGateway',
    ]);
  });

  test('Noncompliance 2: a private subnet of AZ b routing to the NAT gateway of AZ a', () => {
    const { stack, privateB, nat, table, defaultRoute } = l1Network();
    defaultRoute('RouteB', table('TableB', privateB), nat.ref);
    expect(findingsOf(stack, NAT1)).toEqual(['Test/RouteB']);
  });

  test('Noncompliance 3: one route table shared by subnets of two AZs', () => {
    const { stack, privateA, privateB, nat, table, defaultRoute } = l1Network();
    defaultRoute('Route', table('Shared', privateA, privateB), nat.ref);
    expect(findingsOf(stack, NAT1)).toEqual(['Test/NatA', 'Test/Route']);
  });

  test('Noncompliance 4: a NAT instance (SourceDestCheck false) in AZ a serving AZ b', () => {
    const { stack, subnet, privateB, table } = l1Network();
    const publicA2 = subnet('PublicA2', 'us-east-1a', '10.0.1.0/24');
    const natInstance = new ec2.CfnInstance(stack, 'NatInstance', { imageId: 'ami-12345678', subnetId: publicA2.ref, sourceDestCheck: false });
    new ec2.CfnRoute(stack, 'RouteB', { routeTableId: table('TableB', privateB).ref, destinationCidrBlock: '0.0.0.0/0', instanceId: natInstance.ref });
    expect(findingsOf(stack, NAT1)).toEqual(['Test/RouteB']);
  });

  test('Compliance: Fn::GetAZs \'\' and Fn::GetAZs {Ref: AWS::Region}, index 0 and "0", are the same AZ', () => {
    const { stack, vpc, nat, table, defaultRoute } = l1Network();
    const az = (index: number | string, region: unknown) => ({ 'Fn::Select': [index, { 'Fn::GetAZs': region }] }) as unknown as string;
    const publicA = stack.node.findChild('PublicA') as ec2.CfnSubnet;
    publicA.availabilityZone = az(0, '');
    const privateA = new ec2.CfnSubnet(stack, 'PrivateTokenA', { vpcId: vpc.ref, availabilityZone: az('0', { Ref: 'AWS::Region' }), cidrBlock: '10.0.12.0/24' });
    defaultRoute('RouteA', table('TableA', privateA), nat.ref);
    expect(findingsOf(stack, NAT1)).toEqual([]);
  });

  test('Compliance: aws-cdk-lib Vpc with a NAT gateway per AZ', () => {
    const stack = testStack();
    new ec2.Vpc(stack, 'Vpc', { availabilityZones: TEST_AZS, natGateways: 3 });
    expect(findingsOf(stack, NAT1)).toEqual([]);
  });

  test('Compliance: a regional NAT gateway (no subnet) serves the subnets of every AZ', () => {
    const { stack, vpc, privateA, privateB, table, defaultRoute } = l1Network();
    const regional = new ec2.CfnNatGateway(stack, 'Regional', { vpcId: vpc.ref, availabilityMode: 'regional' });
    defaultRoute('Route', table('Shared', privateA, privateB), regional.ref);
    defaultRoute('RouteB', table('TableB', privateB), regional.ref);
    expect(findingsOf(stack, NAT1)).toEqual([]);
    // the same routes to the zonal NAT gateway of AZ a are findings
    regional.availabilityMode = undefined;
    regional.subnetId = (stack.node.findChild('PublicA') as ec2.CfnSubnet).ref;
    expect(findingsOf(stack, NAT1)).toEqual(['Test/Regional', 'Test/Route', 'Test/RouteB']);
  });

  test('Compliance: same-AZ routing, and NAT gateways outside the stack', () => {
    const { stack, privateA, privateB, nat, table, defaultRoute } = l1Network();
    defaultRoute('RouteA', table('TableA', privateA), nat.ref);
    defaultRoute('RouteB', table('TableB', privateB), 'nat-0123456789abcdef0'); // not in the stack: not applicable
    expect(findingsOf(stack, NAT1)).toEqual([]);
  });
});
