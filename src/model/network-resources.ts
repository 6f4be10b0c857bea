/* eslint-disable @typescript-eslint/no-explicit-any */
import { AddressRange, symbolBlock } from './addresses';
import { Intrinsics } from './intrinsics';
import {
  Cidr, NaclEntryModel, NaclModel, NatModel, Resource, RouteTableModel, RouteTarget, SgModel, SgPeer, SgRuleModel, SubnetModel, Val,
  amazonIpv6Placeholder, asArray, displayPath, isRegionalNatGateway, protocolName, protocolNumber, toCidr,
} from './model-types';

/**
 * The network layers of the model: VPCs and their IPv4 and IPv6 blocks, subnets, route tables
 * and routes, NACLs and their entries (per family), security groups and their inline and
 * standalone rules, NAT gateways and Elastic IPs. An Amazon-provided IPv6 block (known only at
 * deploy time) stands for a placeholder /56 of its own per VPC, so that `Fn::Cidr` /
 * `Fn::Select` over the VPC's `Ipv6CidrBlocks` give each subnet a distinct /64 inside it, as EC2 does.
 */
export abstract class NetworkResources extends Intrinsics {
  public readonly subnets = new Map<string, SubnetModel>();
  public readonly routeTables = new Map<string, RouteTableModel>();
  public readonly nacls = new Map<string, NaclModel>();
  public readonly sgs = new Map<string, SgModel>();
  public readonly nats = new Map<string, NatModel>();
  /** Each VPC's default NACL (allow all, both families, until the template adds entries to it). */
  public readonly defaultNacls = new Map<string, NaclModel>();
  /** Instances and interfaces that an Elastic IP makes public. */
  protected readonly publicByEip = new Set<string>();
  private readonly vpcOrder = new Map<string, number>();
  private readonly defaultSgs = new Set<string>();
  /** Unresolved CIDR values of NACL entries, per family, in order of appearance. */
  private readonly symbols = new Map<string, number>();

  /** Reads every network resource (before the workloads, which refer to them). */
  protected buildNetwork(): void {
    this.buildVpcs();
    this.buildSubnets();
    this.buildRoutes();
    this.buildNacls();
    this.buildSecurityGroups();
    for (const r of this.ofType('AWS::EC2::NatGateway')) {
      const isPrivate = r.props.ConnectivityType === 'private';
      if (isRegionalNatGateway(this.litOr(r.stack, r.props.AvailabilityMode), r.props.SubnetId)) {
        // It reaches the internet through the internet gateway attached to its VPC.
        const vpc = this.refTo(r.stack, r.props.VpcId, ['AWS::EC2::VPC'], `NAT gateway ${r.display} VpcId`);
        const attached = typeof vpc === 'string' && this.ofType('AWS::EC2::VPCGatewayAttachment').some((a) => a.props.InternetGatewayId !== undefined &&
          this.refTo(a.stack, a.props.VpcId, ['AWS::EC2::VPC'], 'VpcId') === vpc);
        this.nats.set(r.id, {
          id: r.id,
          display: r.display,
          isPrivate,
          regional: true,
          internetUnknown: typeof vpc === 'string' ? undefined : vpc.unknown,
          noInternet: typeof vpc === 'string' && !attached
            ? `regional NAT gateway ${r.display} has no internet gateway attached to its VPC, so it reaches no internet` : undefined,
        });
        continue;
      }
      const s = this.refTo(r.stack, r.props.SubnetId, ['AWS::EC2::Subnet'], `NAT gateway ${r.display} SubnetId`);
      this.nats.set(r.id, {
        id: r.id,
        display: r.display,
        subnet: typeof s === 'string' ? s : undefined,
        subnetUnknown: typeof s === 'string' ? undefined : s.unknown,
        isPrivate,
      });
    }
    for (const r of [...this.ofType('AWS::EC2::EIPAssociation'), ...this.ofType('AWS::EC2::EIP')]) {
      for (const key of ['InstanceId', 'NetworkInterfaceId']) {
        if (r.props[key] === undefined) continue;
        const v = this.resolve(r.stack, r.props[key]);
        if (v.kind === 'res') this.publicByEip.add(v.id);
      }
    }
  }

  private buildVpcs(): void {
    let n = 0;
    for (const r of this.ofType('AWS::EC2::VPC')) {
      const c = toCidr(this.litOr(r.stack, r.props.CidrBlock));
      const allRule = (egress: boolean, ipv6: boolean): NaclEntryModel => ({
        ruleNumber: 100,
        egress,
        protocol: -1,
        p0: 0,
        p1: 65535,
        cidr: toCidr(ipv6 ? '::/0' : '0.0.0.0/0'),
        ipv6,
        allow: true,
        display: `${r.display} default NACL rule 100`,
        id: `${r.id}#DefaultNetworkAcl/${egress ? 'egress' : 'ingress'}/${ipv6 ? 6 : 4}`,
      });
      const defaultNacl: NaclModel = {
        id: `${r.id}#DefaultNetworkAcl`,
        display: `${r.display} default NACL`,
        isDefault: true,
        // The default NACL allows all traffic both ways, for each family (rule 100 and its IPv6 twin).
        entries: [allRule(true, false), allRule(false, false), allRule(true, true), allRule(false, true)],
      };
      this.vpcs.set(r.id, { id: r.id, display: r.display, cidrs: c && c.family === 4 ? [c] : [], ipv6Cidrs: [], defaultSgRestricted: false });
      this.vpcOrder.set(r.id, n++);
      this.defaultNacls.set(r.id, defaultNacl);
      this.nacls.set(defaultNacl.id, defaultNacl);
    }
    for (const r of this.ofType('AWS::EC2::VPCCidrBlock')) {
      const vpc = this.refTo(r.stack, r.props.VpcId, ['AWS::EC2::VPC'], 'VpcId');
      if (typeof vpc !== 'string') continue;
      const model = this.vpcs.get(vpc)!;
      const v4 = toCidr(this.litOr(r.stack, r.props.CidrBlock));
      if (v4 && v4.family === 4) model.cidrs.push(v4);
      const v6 = toCidr(this.litOr(r.stack, r.props.Ipv6CidrBlock));
      if (v6 && v6.family === 6) {model.ipv6Cidrs.push(v6);} else if (r.props.AmazonProvidedIpv6CidrBlock === true || r.props.AmazonProvidedIpv6CidrBlock === 'true' || r.props.Ipv6Pool !== undefined) {
        model.ipv6Cidrs.push(toCidr(amazonIpv6Placeholder(this.vpcOrder.get(vpc)! * 4 + model.ipv6Cidrs.length))!);
      }
    }
    for (const r of this.ofType('Custom::VpcRestrictDefaultSG')) {
      const v = this.resolve(r.stack, r.props.DefaultSecurityGroupId);
      if (v.kind === 'res' && this.vpcs.has(v.id)) this.vpcs.get(v.id)!.defaultSgRestricted = true;
    }
  }

  private buildSubnets(): void {
    for (const r of this.ofType('AWS::EC2::Subnet')) {
      const vpc = this.refTo(r.stack, r.props.VpcId, ['AWS::EC2::VPC'], 'VpcId');
      const c = this.resolve(r.stack, r.props.CidrBlock);
      const az = this.resolve(r.stack, r.props.AvailabilityZone ?? r.props.AvailabilityZoneId);
      const cidr = c.kind === 'lit' ? toCidr(c.value) : undefined;
      const cidrOk = cidr !== undefined && cidr.family === 4;
      let ipv6Cidr: Cidr | undefined;
      let ipv6CidrUnknown: string | undefined;
      if (r.props.Ipv6CidrBlock !== undefined) {
        const v6 = this.resolve(r.stack, r.props.Ipv6CidrBlock);
        ipv6Cidr = v6.kind === 'lit' ? toCidr(v6.value) : undefined;
        if (!ipv6Cidr || ipv6Cidr.family !== 6) {
          ipv6Cidr = undefined;
          ipv6CidrUnknown = `the IPv6 CIDR of subnet ${r.display} is not resolvable (${v6.kind === 'unk' ? v6.reason : JSON.stringify(r.props.Ipv6CidrBlock)})`;
        }
      }
      this.subnets.set(r.id, {
        id: r.id,
        display: displayPath(r.display.replace(/\/Subnet$/, '')),
        vpc: typeof vpc === 'string' ? vpc : undefined,
        az: az.kind === 'lit' ? String(az.value) : 'an unknown AZ',
        cidr: cidrOk ? cidr : undefined,
        cidrUnknown: cidrOk ? undefined : `the CIDR of subnet ${r.display} is not a literal IPv4 block (${c.kind === 'unk' ? c.reason : JSON.stringify(r.props.CidrBlock)})`,
        ipv6Cidr,
        ipv6CidrUnknown,
        mapPublicIp: r.props.MapPublicIpOnLaunch === true || r.props.MapPublicIpOnLaunch === 'true',
      });
    }
  }

  private buildRoutes(): void {
    for (const r of this.ofType('AWS::EC2::RouteTable')) {
      const vpc = this.refTo(r.stack, r.props.VpcId, ['AWS::EC2::VPC'], 'VpcId');
      this.routeTables.set(r.id, { id: r.id, display: r.display, vpc: typeof vpc === 'string' ? vpc : undefined, routes: [] });
    }
    for (const r of this.ofType('AWS::EC2::Route')) {
      const rt = this.refTo(r.stack, r.props.RouteTableId, ['AWS::EC2::RouteTable'], 'RouteTableId');
      if (typeof rt !== 'string') continue;
      const v6 = r.props.DestinationCidrBlock === undefined;
      const destProp = v6 ? r.props.DestinationIpv6CidrBlock : r.props.DestinationCidrBlock;
      if (destProp === undefined) continue; // prefix-list routes (gateway endpoints): not internet paths
      const destV = this.resolve(r.stack, destProp);
      const parsed = destV.kind === 'lit' ? toCidr(destV.value) : undefined;
      const dest = parsed && parsed.family === (v6 ? 6 : 4) ? parsed : undefined;
      this.routeTables.get(rt)!.routes.push({
        family: v6 ? 6 : 4,
        dest,
        destText: dest ? dest.cidr : JSON.stringify(destProp),
        ...this.routeTarget(r),
        unknown: dest ? undefined : `route ${r.display} has a destination known only at deploy time`,
      });
    }
    for (const r of this.ofType('AWS::EC2::SubnetRouteTableAssociation')) {
      const s = this.refTo(r.stack, r.props.SubnetId, ['AWS::EC2::Subnet'], 'SubnetId');
      if (typeof s !== 'string') continue;
      const rt = this.refTo(r.stack, r.props.RouteTableId, ['AWS::EC2::RouteTable'], `route table association ${r.display} RouteTableId`);
      const subnet = this.subnets.get(s)!;
      if (typeof rt === 'string') subnet.routeTable = rt;
      else subnet.routeTableUnknown = rt.unknown;
    }
  }

  private routeTarget(r: Resource): { target: RouteTarget; targetId?: string; targetText: string } {
    const p = r.props;
    const keys: Array<[string, RouteTarget]> = [
      ['NatGatewayId', 'nat'], ['EgressOnlyInternetGatewayId', 'eigw'], ['TransitGatewayId', 'tgw'],
      ['VpcPeeringConnectionId', 'peering'], ['InstanceId', 'instance'], ['NetworkInterfaceId', 'eni'],
      ['VpcEndpointId', 'vpce'], ['GatewayId', 'igw'], ['CarrierGatewayId', 'other'], ['LocalGatewayId', 'other'],
    ];
    for (const [key, kind] of keys) {
      if (p[key] === undefined) continue;
      const v = this.resolve(r.stack, p[key]);
      if (v.kind === 'res') {
        const target = this.resources.get(v.id)!;
        let t: RouteTarget = kind;
        if (key === 'GatewayId') {
          t = target.type === 'AWS::EC2::InternetGateway' ? 'igw' : target.type === 'AWS::EC2::VPNGateway' ? 'vgw' : 'other';
        }
        return { target: t, targetId: v.id, targetText: `${target.display} (${target.type})` };
      }
      if (v.kind === 'lit' && v.value === 'local') return { target: 'local', targetText: 'local' };
      return { target: 'other', targetText: `${key} ${v.kind === 'lit' ? JSON.stringify(v.value) : v.reason}` };
    }
    return { target: 'other', targetText: 'an unmodelled target' };
  }

  private naclRef(stack: string, v: any, what: string): string | { unknown: string } {
    const r = this.resolve(stack, v);
    if (r.kind === 'res' && r.attr === 'DefaultNetworkAcl' && this.vpcs.has(r.id)) return this.defaultNacls.get(r.id)!.id;
    return this.refTo(stack, v, ['AWS::EC2::NetworkAcl'], what);
  }

  private buildNacls(): void {
    for (const r of this.ofType('AWS::EC2::NetworkAcl')) {
      this.nacls.set(r.id, { id: r.id, display: r.display, entries: [], isDefault: false });
    }
    for (const r of this.ofType('AWS::EC2::NetworkAclEntry')) {
      let acl = this.naclRef(r.stack, r.props.NetworkAclId, 'NetworkAclId');
      if (typeof acl !== 'string') {
        // An entry of a NACL outside the template (imported by id, a parameter): keep it, no subnet of the template uses it.
        const key = `ext:${JSON.stringify(r.props.NetworkAclId)}`;
        if (!this.nacls.has(key)) this.nacls.set(key, { id: key, display: `NACL ${JSON.stringify(r.props.NetworkAclId)}`, entries: [], isDefault: false });
        acl = key;
      }
      const p = r.props;
      const protocol = protocolNumber(this.litOr(r.stack, p.Protocol));
      const rule = Number(this.litOr(r.stack, p.RuleNumber));
      const egress = this.litOr(r.stack, p.Egress) === true || this.litOr(r.stack, p.Egress) === 'true';
      const action = String(this.litOr(r.stack, p.RuleAction)).toLowerCase();
      const ipv6 = p.Ipv6CidrBlock !== undefined;
      const parsed = toCidr(this.litOr(r.stack, ipv6 ? p.Ipv6CidrBlock : p.CidrBlock));
      const cidr = parsed && parsed.family === (ipv6 ? 6 : 4) ? parsed : undefined;
      const ported = protocol === 6 || protocol === 17;
      const from = ported ? Number(this.litOr(r.stack, p.PortRange?.From)) : 0;
      const to = ported ? Number(this.litOr(r.stack, p.PortRange?.To)) : 65535;
      let unknown: string | undefined;
      let symbol: AddressRange | undefined;
      if (protocol === undefined) {unknown = `entry ${r.display} has protocol ${JSON.stringify(p.Protocol)}`;} else if (!Number.isInteger(rule)) {unknown = `entry ${r.display} has a rule number known only at deploy time`;} else if (action !== 'allow' && action !== 'deny') {unknown = `entry ${r.display} has an action known only at deploy time`;} else if (!Number.isInteger(from) || !Number.isInteger(to)) {unknown = `entry ${r.display} has ports known only at deploy time`;} else if (!cidr) {
        unknown = `entry ${r.display} has a CIDR known only at deploy time`;
        const raw = ipv6 ? p.Ipv6CidrBlock : p.CidrBlock;
        if (raw && typeof raw === 'object') symbol = this.symbolOf(ipv6 ? 6 : 4, raw);
      }
      this.nacls.get(acl)!.entries.push({
        ruleNumber: rule, egress, protocol: protocol ?? -1, p0: from, p1: to, cidr, ipv6, allow: action === 'allow', unknown, symbol, display: r.display, id: r.id,
      });
    }
    for (const acl of this.nacls.values()) acl.entries.sort((a, b) => a.ruleNumber - b.ruleNumber);
    for (const r of this.ofType('AWS::EC2::SubnetNetworkAclAssociation')) {
      const s = this.refTo(r.stack, r.props.SubnetId, ['AWS::EC2::Subnet'], 'SubnetId');
      if (typeof s !== 'string') continue;
      const acl = this.naclRef(r.stack, r.props.NetworkAclId, `NACL association ${r.display} NetworkAclId`);
      const subnet = this.subnets.get(s)!;
      if (typeof acl === 'string') subnet.nacl = acl;
      else subnet.naclUnknown = acl.unknown;
    }
  }

  /** The block standing for an unresolved CIDR value (one per distinct value and family). */
  private symbolOf(family: 4 | 6, value: any): AddressRange {
    const key = `${family}|${JSON.stringify(value)}`;
    let index = this.symbols.get(key);
    if (index === undefined) {
      index = [...this.symbols.keys()].filter((k) => k.startsWith(`${family}|`)).length;
      this.symbols.set(key, index);
    }
    return symbolBlock(family, index);
  }

  /** The key of a security group id value: the SG's global id, `lit:sg-...` for literal ids, or a reason. */
  public sgKey(stack: string, v: any): { key: string; text: string } | { unknown: string } {
    return this.sgKeyOf(this.resolve(stack, v));
  }

  protected sgKeyOf(r: Val): { key: string; text: string } | { unknown: string } {
    if (r.kind === 'res') {
      const res = this.resources.get(r.id)!;
      if (res.type === 'AWS::EC2::SecurityGroup') return { key: r.id, text: res.display };
      if (res.type === 'AWS::EC2::VPC' && r.attr === 'DefaultSecurityGroup' && this.vpcs.has(r.id)) {
        return { key: this.defaultSecurityGroup(r.id), text: `${res.display} default security group` };
      }
      if (res.type === 'AWS::EC2::VPC' && r.attr === 'DefaultSecurityGroup') {
        return { unknown: `the default security group of ${res.display} (its rules are not in the template)` };
      }
      return { unknown: `a security group id read from ${res.display} (${res.type})` };
    }
    if (r.kind === 'lit') return { key: `lit:${r.value}`, text: String(r.value) };
    return { unknown: r.reason };
  }

  private buildSecurityGroups(): void {
    for (const r of this.ofType('AWS::EC2::SecurityGroup')) {
      const vpc = this.refTo(r.stack, r.props.VpcId, ['AWS::EC2::VPC'], 'VpcId');
      const sg: SgModel = { key: r.id, display: r.display, vpc: typeof vpc === 'string' ? vpc : undefined, ingress: [], egress: [] };
      for (const rule of asArray(r.props.SecurityGroupIngress)) sg.ingress.push(this.sgRule(r.stack, rule ?? {}, 'ingress', r.id));
      for (const rule of asArray(r.props.SecurityGroupEgress)) sg.egress.push(this.sgRule(r.stack, rule ?? {}, 'egress', r.id));
      this.sgs.set(r.id, sg);
    }
    for (const [type, dir] of [['AWS::EC2::SecurityGroupIngress', 'ingress'], ['AWS::EC2::SecurityGroupEgress', 'egress']] as const) {
      for (const r of this.ofType(type)) {
        const k = this.sgKey(r.stack, r.props.GroupId ?? r.props.GroupName);
        if ('unknown' in k) continue;
        let sg = this.sgs.get(k.key);
        if (!sg) {
          // A rule on a group outside the template: keep it, the group's own rules stay unknown.
          sg = { key: k.key, display: k.text, ingress: [], egress: [] };
          this.sgs.set(k.key, sg);
        }
        sg[dir].push(this.sgRule(r.stack, r.props, dir, r.id));
      }
    }
  }

  private sgRule(stack: string, p: any, dir: 'ingress' | 'egress', owner: string): SgRuleModel {
    const protocol = protocolNumber(this.litOr(stack, p.IpProtocol));
    const ported = protocol === 6 || protocol === 17;
    let unknown: string | undefined;
    let p0 = 0;
    let p1 = 65535;
    if (protocol === undefined) unknown = `protocol ${JSON.stringify(p.IpProtocol)}`;
    if (ported) {
      const f = this.resolvePort(stack, p.FromPort);
      const t = this.resolvePort(stack, p.ToPort);
      if (typeof f === 'number' && typeof t === 'number') {
        p0 = f;
        p1 = t;
      } else {
        unknown = `ports ${typeof f === 'string' ? f : t}`;
      }
    }
    const placeholder = dir === 'egress' && p.CidrIp === '255.255.255.255/32' && protocol === 1 && Number(p.FromPort) === 252 && Number(p.ToPort) === 86;
    let peer: SgPeer;
    const sgField = dir === 'ingress' ? p.SourceSecurityGroupId : p.DestinationSecurityGroupId;
    const plField = dir === 'ingress' ? p.SourcePrefixListId : p.DestinationPrefixListId;
    if (p.CidrIp !== undefined || p.CidrIpv6 !== undefined) {
      const v6 = p.CidrIp === undefined;
      const c = toCidr(this.litOr(stack, v6 ? p.CidrIpv6 : p.CidrIp));
      peer = c && c.family === (v6 ? 6 : 4) ? { kind: 'cidr', range: c }
        : { kind: 'unknown', reason: `CIDR ${JSON.stringify(v6 ? p.CidrIpv6 : p.CidrIp)} known only at deploy time` };
    } else if (sgField !== undefined) {
      const k = this.sgKey(stack, sgField);
      peer = 'unknown' in k ? { kind: 'unknown', reason: k.unknown } : { kind: 'sg', key: k.key, text: k.text };
    } else if (plField !== undefined) {
      const v = this.resolve(stack, plField);
      peer = { kind: 'unknown', reason: `prefix list ${v.kind === 'lit' ? v.value : v.kind === 'res' ? this.resources.get(v.id)!.display : v.reason} (its CIDRs are not in the template)` };
    } else if (p.SourceSecurityGroupName !== undefined) {
      peer = { kind: 'unknown', reason: `security group named ${JSON.stringify(p.SourceSecurityGroupName)}` };
    } else {
      peer = { kind: 'unknown', reason: 'a rule with no peer' };
    }
    const peerText = peer.kind === 'cidr' ? peer.range.cidr : peer.kind === 'sg' ? peer.text : 'an unresolved peer';
    const text = `${dir} ${protocolName(protocol ?? -1)}${ported ? ` ${p0 === p1 ? p0 : `${p0}-${p1}`}` : ''} ${dir === 'ingress' ? 'from' : 'to'} ${peerText}`;
    return { protocol: protocol ?? -1, p0, p1, peer, placeholder, unknown, text, owner };
  }

  /**
   * The VPC's default security group: inbound from itself, outbound to all IPv4 and IPv6, unless
   * aws-cdk-lib's `Custom::VpcRestrictDefaultSG` strips its rules (then it allows nothing).
   * Rules the template adds to it (`Fn::GetAtt Vpc.DefaultSecurityGroup`) count as well.
   * @see https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html
   */
  protected defaultSecurityGroup(vpcId: string): string {
    const key = `${vpcId}#DefaultSecurityGroup`;
    if (this.defaultSgs.has(key)) return key;
    this.defaultSgs.add(key);
    const vpc = this.vpcs.get(vpcId)!;
    const display = `${vpc.display} default security group`;
    const existing = this.sgs.get(key);
    const rule = (dir: 'ingress' | 'egress', peer: SgPeer, text: string, placeholder = false): SgRuleModel =>
      ({ protocol: -1, p0: 0, p1: 65535, peer, placeholder, text: `${dir} ${text}`, owner: vpcId });
    const sg: SgModel = existing ?? { key, display, ingress: [], egress: [] };
    if (vpc.defaultSgRestricted) {
      sg.egress.push(rule('egress', { kind: 'unknown', reason: 'none' }, 'nothing (rules removed by Custom::VpcRestrictDefaultSG)', true));
    } else {
      sg.ingress.push(rule('ingress', { kind: 'sg', key, text: display }, `all from ${display}`));
      sg.egress.push(rule('egress', { kind: 'cidr', range: toCidr('0.0.0.0/0')! }, 'all to 0.0.0.0/0'));
      sg.egress.push(rule('egress', { kind: 'cidr', range: toCidr('::/0')! }, 'all to ::/0'));
    }
    this.sgs.set(key, sg);
    return key;
  }
}
