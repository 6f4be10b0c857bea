import { AddressRange, parseCidr } from '../../model/addresses';
import { IndexedResource, StackIndex } from './stack-index';

/** A CIDR value of a rule: a literal block, the `CidrBlock` attribute of a VPC of the stack, or unresolved. */
export type CidrValue =
  | { readonly kind: 'literal'; readonly range: AddressRange }
  | { readonly kind: 'vpc'; readonly vpc: IndexedResource }
  | { readonly kind: 'unresolved'; readonly json: string };

/** One security group ingress rule, inline or standalone. */
export interface IngressRule {
  /** The resource that carries the rule: the group (inline rule) or the `AWS::EC2::SecurityGroupIngress`. */
  readonly owner: IndexedResource;
  /** The group the rule belongs to, as a `StackIndex.key`. */
  readonly groupKey: string;
  /** The group's resource, when it is in the stack. */
  readonly group?: IndexedResource;
  /** `tcp`, `udp`, `icmp`, `icmpv6`, `all`, another protocol's number, or undefined when unresolved. */
  readonly protocol?: string;
  /** Inclusive port range; undefined when unresolved. All ports for `all`. */
  readonly ports?: readonly [number, number];
  readonly cidrIp?: CidrValue;
  readonly cidrIpv6?: CidrValue;
  /** The source group, as a `StackIndex.key`. */
  readonly sourceGroupKey?: string;
}

/** Every ingress rule of the stack, by owner and by group. */
export function ingressRules(index: StackIndex): { byOwner: Map<IndexedResource, IngressRule[]>; byGroup: Map<string, IngressRule[]> } {
  return index.memo('sg-ingress', () => {
    const byOwner = new Map<IndexedResource, IngressRule[]>();
    const byGroup = new Map<string, IngressRule[]>();
    const add = (rule: IngressRule) => {
      byOwner.set(rule.owner, [...(byOwner.get(rule.owner) ?? []), rule]);
      byGroup.set(rule.groupKey, [...(byGroup.get(rule.groupKey) ?? []), rule]);
    };
    for (const sg of index.ofType('AWS::EC2::SecurityGroup')) {
      const inline = sg.props.SecurityGroupIngress;
      if (!Array.isArray(inline)) continue;
      for (const r of inline) add(parseRule(index, sg, `res:${sg.logicalId}`, sg, r ?? {}));
    }
    for (const ing of index.ofType('AWS::EC2::SecurityGroupIngress')) {
      const groupRef = ing.props.GroupId ?? ing.props.GroupName;
      add(parseRule(index, ing, index.key(groupRef), index.target(groupRef), ing.props));
    }
    return { byOwner, byGroup };
  });
}

/** True when the rule's protocol and ports admit `port` of `protocol` (unresolved: undefined). */
export function admitsPort(rule: IngressRule, protocol: 'tcp' | 'udp', port: number): boolean | undefined {
  if (rule.protocol === undefined) return undefined;
  if (rule.protocol !== protocol && rule.protocol !== 'all') return false;
  if (!rule.ports) return undefined;
  return rule.ports[0] <= port && port <= rule.ports[1];
}

/** The CIDR blocks of a VPC of the stack: its `CidrBlock` and any literal `AWS::EC2::VPCCidrBlock`. */
export function vpcBlocks(index: StackIndex, vpc: IndexedResource): AddressRange[] {
  return index.memo(`vpc-blocks:${vpc.logicalId}`, () => {
    const blocks: AddressRange[] = [];
    const main = parseCidr(vpc.props.CidrBlock);
    if (main) blocks.push(main);
    for (const extra of index.ofType('AWS::EC2::VPCCidrBlock')) {
      if (index.target(extra.props.VpcId) !== vpc) continue;
      for (const v of [extra.props.CidrBlock, extra.props.Ipv6CidrBlock]) {
        const r = parseCidr(v);
        if (r) blocks.push(r);
      }
    }
    return blocks;
  });
}

function parseRule(index: StackIndex, owner: IndexedResource, groupKey: string, group: IndexedResource | undefined,
  r: { [key: string]: any }): IngressRule {
  const protocol = normalizeProtocol(r.IpProtocol);
  return {
    owner,
    groupKey,
    group,
    protocol,
    ports: rulePorts(protocol, r.FromPort, r.ToPort),
    cidrIp: r.CidrIp === undefined ? undefined : cidrValue(index, r.CidrIp),
    cidrIpv6: r.CidrIpv6 === undefined ? undefined : cidrValue(index, r.CidrIpv6),
    sourceGroupKey: r.SourceSecurityGroupId === undefined ? undefined : index.key(r.SourceSecurityGroupId),
  };
}

function cidrValue(index: StackIndex, v: unknown): CidrValue {
  const range = parseCidr(v);
  if (range) return { kind: 'literal', range };
  const t = index.target(v);
  const getAtt = (v as { [key: string]: unknown } | undefined)?.['Fn::GetAtt'];
  if (t && t.type === 'AWS::EC2::VPC' && Array.isArray(getAtt) && getAtt[1] === 'CidrBlock') return { kind: 'vpc', vpc: t };
  return { kind: 'unresolved', json: JSON.stringify(v) };
}

function normalizeProtocol(p: unknown): string | undefined {
  if (typeof p === 'number') p = String(p);
  if (typeof p !== 'string') return undefined;
  const s = p.toLowerCase();
  return ({ '-1': 'all', 'all': 'all', '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' } as { [k: string]: string })[s] ?? s;
}

function rulePorts(protocol: string | undefined, fromPort: unknown, toPort: unknown): readonly [number, number] | undefined {
  if (protocol === 'all') return [0, 65535];
  if (protocol !== 'tcp' && protocol !== 'udp') return [0, 65535];
  if (fromPort === undefined && toPort === undefined) return [0, 65535];
  const from = Number(fromPort);
  const to = Number(toPort ?? fromPort);
  if (!Number.isInteger(from) || !Number.isInteger(to)) return undefined;
  if (from === -1 || to === -1) return [0, 65535];
  return [from, to];
}
