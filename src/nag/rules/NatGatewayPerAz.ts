import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isRegionalNatGateway } from '../../model/model-types';
import { IndexedResource, StackIndex } from '../private/stack-index';

/**
 * Private subnets route to the NAT gateway in their own AZ, and no zonal NAT gateway serves several
 * AZs: a zonal NAT gateway is redundant only inside its AZ, so a subnet routing to a NAT gateway in
 * another AZ loses the internet when that AZ fails, and pays cross-AZ data charges (see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html).
 *
 * Checked on every `AWS::EC2::Route` whose `NatGatewayId` is a NAT gateway of the stack, or whose
 * `InstanceId` is a NAT instance of the stack (`SourceDestCheck: false`): the NAT's subnet AZ
 * against the AZs of the route table's associated subnets; and on every NAT gateway and NAT
 * instance (the AZs of the subnets whose routes point at it). AZs are compared as resolved
 * values: `Fn::Select [i, Fn::GetAZs '']` equals `Fn::Select ["i", Fn::GetAZs {Ref: AWS::Region}]`
 * (both are the stack's region's i-th AZ); subnets and NATs outside the stack are not applicable.
 * A regional NAT gateway (`AvailabilityMode: regional`, no subnet) spans the VPC's AZs by design, so
 * it and the routes to it comply.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateways-regional.html
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    const type = node.cfnResourceType;
    if (type !== 'AWS::EC2::Route' && type !== 'AWS::EC2::NatGateway' && type !== 'AWS::EC2::Instance') return NagRuleCompliance.NOT_APPLICABLE;
    const index = StackIndex.of(node);
    const res = index.get(node);
    if (!res) return NagRuleCompliance.NOT_APPLICABLE;
    const routing = natRouting(index);

    if (type === 'AWS::EC2::Instance' && !isNatInstance(res)) return NagRuleCompliance.NOT_APPLICABLE;
    if (isRegional(res)) return NagRuleCompliance.COMPLIANT;
    if (type !== 'AWS::EC2::Route') {
      const served = routing.servedAzs.get(res) ?? new Set<string>();
      const byKind = new Map<string, number>();
      for (const az of served) {
        const kind = az.split(':')[0];
        byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
      }
      return [...byKind.values()].some((n) => n > 1) ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
    }

    const nat = natOf(index, res);
    if (!nat) return NagRuleCompliance.NOT_APPLICABLE;
    if (isRegional(nat)) return NagRuleCompliance.COMPLIANT;
    const natAz = subnetAz(index.target(natSubnet(nat)));
    if (!natAz) return NagRuleCompliance.NOT_APPLICABLE;
    const subnets = routing.tableSubnets.get(index.key(res.props.RouteTableId)) ?? [];
    const crossAz = subnets.some((s) => {
      const az = subnetAz(s);
      return az !== undefined && sameKind(az, natAz) && az !== natAz;
    });
    return crossAz ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: parse(__filename).name },
);

interface NatRouting {
  /** Route table key -> its associated subnets of the stack. */
  readonly tableSubnets: Map<string, IndexedResource[]>;
  /** NAT gateway -> the AZ keys of the subnets whose routes point at it. */
  readonly servedAzs: Map<IndexedResource, Set<string>>;
}

function natRouting(index: StackIndex): NatRouting {
  return index.memo('nat-routing', () => {
    const tableSubnets = new Map<string, IndexedResource[]>();
    for (const assoc of index.ofType('AWS::EC2::SubnetRouteTableAssociation')) {
      const subnet = index.target(assoc.props.SubnetId);
      if (!subnet || subnet.type !== 'AWS::EC2::Subnet') continue;
      const key = index.key(assoc.props.RouteTableId);
      tableSubnets.set(key, [...(tableSubnets.get(key) ?? []), subnet]);
    }
    const servedAzs = new Map<IndexedResource, Set<string>>();
    for (const route of index.ofType('AWS::EC2::Route')) {
      const nat = natOf(index, route);
      if (!nat) continue;
      const azs = servedAzs.get(nat) ?? new Set<string>();
      for (const s of tableSubnets.get(index.key(route.props.RouteTableId)) ?? []) {
        const az = subnetAz(s);
        if (az) azs.add(az);
      }
      servedAzs.set(nat, azs);
    }
    return { tableSubnets, servedAzs };
  });
}

function natOf(index: StackIndex, route: IndexedResource): IndexedResource | undefined {
  const nat = index.target(route.props.NatGatewayId);
  if (nat && nat.type === 'AWS::EC2::NatGateway') return nat;
  const instance = index.target(route.props.InstanceId);
  return instance && isNatInstance(instance) ? instance : undefined;
}

function isRegional(r: IndexedResource): boolean {
  return r.type === 'AWS::EC2::NatGateway' && isRegionalNatGateway(r.props.AvailabilityMode, r.props.SubnetId);
}

/** An EC2 instance that forwards traffic (`SourceDestCheck: false`): a NAT instance. */
function isNatInstance(r: IndexedResource): boolean {
  return r.type === 'AWS::EC2::Instance' && (r.props.SourceDestCheck === false || r.props.SourceDestCheck === 'false');
}

/** The subnet of a NAT gateway, or of a NAT instance's primary interface. */
function natSubnet(nat: IndexedResource): unknown {
  if (nat.type === 'AWS::EC2::NatGateway' || nat.props.SubnetId !== undefined) return nat.props.SubnetId;
  const nis: any[] = Array.isArray(nat.props.NetworkInterfaces) ? nat.props.NetworkInterfaces : [];
  return nis.find((n) => String(n?.DeviceIndex ?? '0') === '0')?.SubnetId;
}

/** `name:<json>` or `id:<json>` of a subnet's AZ, undefined when unknown. */
function subnetAz(subnet: IndexedResource | undefined): string | undefined {
  if (!subnet || subnet.type !== 'AWS::EC2::Subnet') return undefined;
  if (subnet.props.AvailabilityZone !== undefined) return `name:${canonicalAz(subnet.props.AvailabilityZone)}`;
  if (subnet.props.AvailabilityZoneId !== undefined) return `id:${JSON.stringify(subnet.props.AvailabilityZoneId)}`;
  return undefined;
}

/**
 * An AZ value in one spelling: `Fn::Select [i, Fn::GetAZs r]` with i a number or a numeric string,
 * and r `''` or `{Ref: AWS::Region}` (the same list), becomes `AZ #i`; anything else its JSON.
 */
function canonicalAz(v: unknown): string {
  const select = (v as { [key: string]: any } | undefined)?.['Fn::Select'];
  if (Array.isArray(select) && select.length === 2 && /^\d+$/.test(String(select[0]))) {
    const list = select[1];
    const getAzs = list && typeof list === 'object' ? list['Fn::GetAZs'] : undefined;
    const region = getAzs === '' || (getAzs && typeof getAzs === 'object' && getAzs.Ref === 'AWS::Region');
    if (region) return `AZ #${Number(select[0])}`;
  }
  return JSON.stringify(v);
}

function sameKind(a: string, b: string): boolean {
  return a.split(':')[0] === b.split(':')[0];
}
