/* eslint-disable @typescript-eslint/no-explicit-any */
import { AddressRange, cidrSplit, formatAddress, parseCidr, symbolBlock } from './addresses';
import { defaultDatabasePort } from '../private/database-ports';

/**
 * A network model read from one or more synthesized CloudFormation templates: VPCs, subnets,
 * route tables, NACLs, security groups, NAT gateways, and the nodes that sit in subnets with
 * security groups. Shared by the reachability analyzer and the rule pack; it never calls the flow
 * compiler. Every value is resolved to a logical id (or to a literal), and whatever can't be
 * resolved is kept as an "unknown" reason, never guessed.
 *
 * IPv4 and IPv6 are read alike. An Amazon-provided IPv6 block (known only at deploy time) stands
 * for a placeholder /56 of its own per VPC, so that `Fn::Cidr` / `Fn::Select` over the VPC's
 * `Ipv6CidrBlocks` give each subnet a distinct /64 inside it, as EC2 does.
 */

/** A CIDR block read from a template: its range and its text (plus IPv4 bounds as numbers). */
export interface Cidr extends AddressRange {
  readonly cidr: string;
  readonly prefix: number;
  /** The first address as a number (IPv4 only; 0 for IPv6). */
  readonly first: number;
  /** The last address as a number (IPv4 only; 0 for IPv6). */
  readonly last: number;
}

/** Parses a CIDR of either family, ignoring host bits like EC2 (`192.168.1.0/0` is every IPv4 address). */
export function toCidr(text: unknown): Cidr | undefined {
  const r = parseCidr(text);
  if (!r) return undefined;
  const prefix = Number(String(text).split('/')[1]);
  const v4 = r.family === 4;
  return { ...r, cidr: `${formatAddress(r.family, r.lo)}/${prefix}`, prefix, first: v4 ? Number(r.lo) : 0, last: v4 ? Number(r.hi) : 0 };
}

/** The placeholder block standing for the Amazon-provided IPv6 /56 of the `n`th VPC (fd00:0:0:n00::/56). */
function amazonIpv6Placeholder(n: number): string {
  return `${formatAddress(6, 0xfd00n * 2n ** 112n + BigInt(n) * 2n ** 72n)}/56`;
}

/** One stack's template, with the construct path of each logical id when known. */
export interface StackInput {
  readonly name: string;
  readonly template: { [key: string]: any };
  /** logical id -> construct path (from the construct tree or `aws:cdk:path` metadata). */
  readonly paths: Map<string, string>;
  /** logical id -> the path to show, when it differs (the owning construct of a default child). */
  readonly displays?: Map<string, string>;
}

/** A resolved value: a resource (by global id, with the attribute read), a literal, or unknown. */
export type Val =
  | { readonly kind: 'res'; readonly id: string; readonly attr?: string }
  | { readonly kind: 'lit'; readonly value: any }
  | { readonly kind: 'unk'; readonly reason: string };

export interface Resource {
  readonly id: string;
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly props: { [key: string]: any };
  readonly path: string;
  readonly display: string;
}

export interface VpcModel {
  readonly id: string;
  readonly display: string;
  /** The VPC's IPv4 blocks. */
  readonly cidrs: Cidr[];
  /** The VPC's IPv6 blocks (an Amazon-provided block as its placeholder). */
  readonly ipv6Cidrs: Cidr[];
  /** Whether aws-cdk-lib's `Custom::VpcRestrictDefaultSG` strips the default security group's rules. */
  defaultSgRestricted: boolean;
}

export interface SubnetModel {
  readonly id: string;
  readonly display: string;
  readonly vpc?: string;
  readonly az: string;
  readonly cidr?: Cidr;
  readonly cidrUnknown?: string;
  /** The subnet's IPv6 /64, when it has one. */
  readonly ipv6Cidr?: Cidr;
  readonly ipv6CidrUnknown?: string;
  readonly mapPublicIp: boolean;
  routeTable?: string;
  routeTableUnknown?: string;
  nacl?: string;
  naclUnknown?: string;
}

export type RouteTarget = 'igw' | 'nat' | 'eigw' | 'local' | 'vpce' | 'peering' | 'tgw' | 'vgw' | 'instance' | 'eni' | 'other';

export interface RouteModel {
  readonly family: 4 | 6;
  readonly dest?: Cidr;
  readonly destText: string;
  readonly target: RouteTarget;
  readonly targetId?: string;
  readonly targetText: string;
  readonly unknown?: string;
}

export interface RouteTableModel {
  readonly id: string;
  readonly display: string;
  readonly vpc?: string;
  readonly routes: RouteModel[];
}

export interface NaclEntryModel {
  readonly ruleNumber: number;
  readonly egress: boolean;
  /** -1 for all protocols, else the IP protocol number. */
  readonly protocol: number;
  readonly p0: number;
  readonly p1: number;
  readonly cidr?: Cidr;
  /** True for an IPv6 entry (never matches IPv4 traffic). */
  readonly ipv6: boolean;
  readonly allow: boolean;
  readonly unknown?: string;
  /**
   * When only the entry's CIDR is unresolved (a parameter, an import): the block standing for
   * that value (see `symbolBlock`), shared by every entry naming the same value.
   */
  readonly symbol?: AddressRange;
  /** The entry's resource display name (`NACL rule 100` for the default NACL's). */
  readonly display: string;
  /** The entry's global id (the default NACL's rules: the VPC's id and the rule). */
  readonly id: string;
}

export interface NaclModel {
  readonly id: string;
  readonly display: string;
  readonly entries: NaclEntryModel[];
  readonly isDefault: boolean;
}

export type SgPeer =
  | { readonly kind: 'cidr'; readonly range: Cidr }
  | { readonly kind: 'sg'; readonly key: string; readonly text: string }
  | { readonly kind: 'unknown'; readonly reason: string };

export interface SgRuleModel {
  /** -1 for all protocols, else the IP protocol number. */
  readonly protocol: number;
  readonly p0: number;
  readonly p1: number;
  readonly peer: SgPeer;
  readonly placeholder: boolean;
  readonly unknown?: string;
  /** The rule as text, e.g. `ingress tcp 443 from 0.0.0.0/0`. */
  readonly text: string;
  /** The global id of the resource that holds the rule: the group (inline rule) or the standalone rule. */
  readonly owner: string;
}

export interface SgModel {
  readonly key: string;
  readonly display: string;
  /** The group's VPC (its global id), when the template defines both. */
  readonly vpc?: string;
  readonly ingress: SgRuleModel[];
  readonly egress: SgRuleModel[];
}

export interface NatModel {
  readonly id: string;
  readonly display: string;
  readonly subnet?: string;
  readonly subnetUnknown?: string;
  readonly isPrivate: boolean;
}

/** What kind of client a node is, for its ephemeral return range. */
export type ClientKind = 'instance' | 'elb' | 'lambda' | 'managed';

export interface ListenerModel {
  readonly protocols: string[];
  readonly port?: number;
  readonly unknown?: string;
}

export interface NodeModel {
  readonly id: string;
  readonly path: string;
  readonly display: string;
  readonly logicalId: string;
  readonly kind: string;
  subnets: string[];
  subnetsUnknown?: string;
  /** 'list': the security groups in `sgs`; 'none': no security group layer at all (an NLB without SGs). */
  sgMode: 'list' | 'none';
  sgs: string[];
  sgsUnknown?: string;
  publicIp: boolean;
  publicNote: string;
  readonly acceptsInbound: boolean;
  /** False for nodes that only accept connections (interface endpoints). */
  readonly initiates: boolean;
  readonly clientKind: ClientKind;
  readonly isLoadBalancer: boolean;
  listeners: ListenerModel[];
  /** A Lambda function outside any VPC: it reaches the internet from AWS's network. */
  readonly outsideVpc: boolean;
  /** An instance with `SourceDestCheck: false` (a NAT instance): it forwards traffic it is routed. */
  forwards?: boolean;
  notes: string[];
}

const PROTOCOLS: { [name: string]: number } = { 'tcp': 6, 'udp': 17, 'icmp': 1, 'icmpv6': 58, '-1': -1, 'all': -1 };
const ECHOED_ATTRIBUTES: { [typeAndAttr: string]: string } = {
  'AWS::EC2::VPC.CidrBlock': 'CidrBlock',
  'AWS::EC2::Subnet.CidrBlock': 'CidrBlock',
  'AWS::EC2::Subnet.VpcId': 'VpcId',
  'AWS::EC2::Subnet.AvailabilityZone': 'AvailabilityZone',
  'AWS::EC2::SecurityGroup.VpcId': 'VpcId',
};

/** Parses an IP protocol name or number; undefined when it can't be read. */
export function protocolNumber(p: any): number | undefined {
  if (typeof p === 'number') return p;
  if (typeof p !== 'string') return undefined;
  const lower = p.toLowerCase();
  if (lower in PROTOCOLS) return PROTOCOLS[lower];
  return /^-?\d+$/.test(p) ? Number(p) : undefined;
}

/** `tcp`, `udp`, `icmp`, `all` or `protocol N`. */
export function protocolName(p: number): string {
  return p === 6 ? 'tcp' : p === 17 ? 'udp' : p === 1 ? 'icmp' : p === -1 ? 'all' : `protocol ${p}`;
}

/** Strips the default child's id (`/Resource`, `/Default`) from a construct path. */
export function displayPath(path: string): string {
  return path.replace(/\/(Resource|Default)$/, '');
}

export class TemplateModel {
  public readonly resources = new Map<string, Resource>();
  public readonly vpcs = new Map<string, VpcModel>();
  public readonly subnets = new Map<string, SubnetModel>();
  public readonly routeTables = new Map<string, RouteTableModel>();
  public readonly nacls = new Map<string, NaclModel>();
  public readonly sgs = new Map<string, SgModel>();
  public readonly nats = new Map<string, NatModel>();
  public readonly nodes: NodeModel[] = [];
  /** Export name -> (stack, value) for Fn::ImportValue. */
  private readonly exportsByName = new Map<string, { stack: string; value: any }>();
  private readonly stacks = new Map<string, StackInput>();
  private readonly publicByEip = new Set<string>();
  private readonly vpcOrder = new Map<string, number>();
  private readonly defaultSgs = new Set<string>();
  /** Each VPC's default NACL (allow all, both families, until the template adds entries to it). */
  public readonly defaultNacls = new Map<string, NaclModel>();
  /** Unresolved CIDR values of NACL entries, per family, in order of appearance. */
  private readonly symbols = new Map<string, number>();

  constructor(inputs: StackInput[]) {
    for (const input of inputs) {
      this.stacks.set(input.name, input);
      const resources = input.template.Resources ?? {};
      for (const [logicalId, r] of Object.entries<any>(resources)) {
        const path = input.paths.get(logicalId) ?? r?.Metadata?.['aws:cdk:path'] ?? logicalId;
        const id = gid(input.name, logicalId);
        this.resources.set(id, {
          id,
          stack: input.name,
          logicalId,
          type: String(r?.Type ?? ''),
          props: r?.Properties ?? {},
          path,
          display: input.displays?.get(logicalId) ?? displayPath(path),
        });
      }
      for (const o of Object.values<any>(input.template.Outputs ?? {})) {
        const name = o?.Export?.Name;
        const lit = typeof name === 'string' ? name : this.literalString(input.name, name);
        if (lit !== undefined) this.exportsByName.set(lit, { stack: input.name, value: o.Value });
      }
    }
    this.build();
  }

  // ---------------------------------------------------------------------------------------
  // Value resolution
  // ---------------------------------------------------------------------------------------

  /** Resolves a template value in `stack` to a resource, a literal or an unknown reason. */
  public resolve(stack: string, v: any, depth = 0): Val {
    if (depth > 10) return { kind: 'unk', reason: 'reference chain too deep' };
    if (v === null || v === undefined) return { kind: 'unk', reason: 'no value' };
    if (typeof v !== 'object') return { kind: 'lit', value: v };
    if (Array.isArray(v)) return { kind: 'lit', value: v };
    const keys = Object.keys(v);
    if (keys.length !== 1) return { kind: 'lit', value: v };
    const fn = keys[0];
    const arg = v[fn];
    switch (fn) {
      case 'Ref': {
        const input = this.stacks.get(stack);
        if (input?.template.Resources?.[arg]) return { kind: 'res', id: gid(stack, arg) };
        if (input?.template.Parameters?.[arg]) return { kind: 'unk', reason: `${this.where(stack)}parameter ${arg} (its value is known only at deploy time)` };
        return { kind: 'unk', reason: `Ref ${arg} (a pseudo parameter or something outside the template)` };
      }
      case 'Fn::GetAtt': {
        const [res, attr] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/);
        const input = this.stacks.get(stack);
        const target = input?.template.Resources?.[res];
        if (target) {
          // Attributes that merely echo a property (VPC or subnet CidrBlock, VpcId) resolve to that property.
          const echoed = ECHOED_ATTRIBUTES[`${target.Type}.${attr}`];
          if (echoed && target.Properties?.[echoed] !== undefined) return this.resolve(stack, target.Properties[echoed], depth + 1);
          if (target.Type === 'AWS::EC2::VPC' && (attr === 'Ipv6CidrBlocks' || attr === 'CidrBlockAssociations') && this.vpcs.has(gid(stack, res))) {
            const vpc = this.vpcs.get(gid(stack, res))!;
            if (attr === 'Ipv6CidrBlocks') return { kind: 'lit', value: vpc.ipv6Cidrs.map((c) => c.cidr) };
          }
          return { kind: 'res', id: gid(stack, res), attr };
        }
        return { kind: 'unk', reason: `Fn::GetAtt ${res}.${attr} (no such resource)` };
      }
      case 'Fn::ImportValue': {
        const name = typeof arg === 'string' ? arg : this.literalString(stack, arg);
        if (name === undefined) return { kind: 'unk', reason: 'Fn::ImportValue of a computed export name' };
        const exp = this.exportsByName.get(name);
        if (!exp) {
          return {
            kind: 'unk',
            reason: `Fn::ImportValue ${name}: no stack given to the analyzer exports it (pass the exporting stack too, e.g. ReachabilityAnalyzer.fromStacks([...]))`,
          };
        }
        return this.resolve(exp.stack, exp.value, depth + 1);
      }
      case 'Fn::Select': {
        const [indexV, list] = Array.isArray(arg) ? arg : [];
        const iv = this.resolve(stack, indexV, depth + 1);
        const index = iv.kind === 'lit' && /^\d+$/.test(String(iv.value)) ? Number(iv.value) : undefined;
        if (index === undefined) return { kind: 'unk', reason: 'Fn::Select with a computed index' };
        // Fn::GetAZs '' and Fn::GetAZs {Ref: AWS::Region} both list the stack's region's AZs.
        if (list && typeof list === 'object' && 'Fn::GetAZs' in list) return { kind: 'lit', value: `AZ #${index} of the region` };
        const l = this.resolve(stack, list, depth + 1);
        if (l.kind === 'lit' && Array.isArray(l.value) && index < l.value.length) return this.resolve(stack, l.value[index], depth + 1);
        return { kind: 'unk', reason: l.kind === 'unk' ? `Fn::Select over ${l.reason}` : 'Fn::Select over a computed list' };
      }
      case 'Fn::Cidr': {
        const [blockV, countV, bitsV] = Array.isArray(arg) ? arg : [];
        const block = this.resolve(stack, blockV, depth + 1);
        const count = this.resolve(stack, countV, depth + 1);
        const bits = this.resolve(stack, bitsV, depth + 1);
        const range = block.kind === 'lit' ? parseCidr(block.value) : undefined;
        if (!range || count.kind !== 'lit' || bits.kind !== 'lit') {
          return { kind: 'unk', reason: `Fn::Cidr over ${block.kind === 'unk' ? block.reason : 'values known only at deploy time'}` };
        }
        const list = cidrSplit(range, Number(count.value), Number(bits.value));
        return list ? { kind: 'lit', value: list } : { kind: 'unk', reason: `Fn::Cidr ${JSON.stringify(arg)} does not fit its block` };
      }
      case 'Fn::Join': {
        const s = this.literalString(stack, v);
        return s !== undefined ? { kind: 'lit', value: s } : { kind: 'unk', reason: 'Fn::Join of values known only at deploy time' };
      }
      default:
        return { kind: 'unk', reason: `${fn} is not evaluated by the analyzer` };
    }
  }

  /** Resolves a list value (an array of values, or something that yields one). */
  public resolveList(stack: string, v: any): Val[] | string {
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v.map((x) => this.resolve(stack, x));
    const r = this.resolve(stack, v);
    if (r.kind === 'lit' && Array.isArray(r.value)) return r.value.map((x: any) => this.resolve(stack, x));
    return r.kind === 'unk' ? r.reason : `a list given as a single value (${JSON.stringify(v)})`;
  }

  /** A numeric port value, resolving a database endpoint port to its engine's port. */
  public resolvePort(stack: string, v: any): number | string {
    const r = this.resolve(stack, v);
    if (r.kind === 'lit') {
      const n = Number(r.value);
      return Number.isInteger(n) ? n : `port value ${JSON.stringify(r.value)}`;
    }
    if (r.kind === 'res' && ['ConfigurationEndpoint.Port', 'RedisEndpoint.Port', 'PrimaryEndPoint.Port', 'ReaderEndPoint.Port'].includes(r.attr ?? '')) {
      // An ElastiCache endpoint's port is the cluster's (or replication group's) Port, else the engine's default.
      const res = this.resources.get(r.id)!;
      const port = this.resolve(res.stack, res.props.Port);
      if (port.kind === 'lit' && Number.isInteger(Number(port.value))) return Number(port.value);
      const engine = String(res.props.Engine ?? 'redis').toLowerCase();
      return engine === 'memcached' ? 11211 : 6379;
    }
    if (r.kind === 'res' && (r.attr === 'Endpoint.Port' || r.attr === 'Port' || r.attr === 'ReadEndpoint.Port')) {
      const res = this.resources.get(r.id)!;
      const port = this.resolve(res.stack, res.props.Port);
      if (port.kind === 'lit' && Number.isInteger(Number(port.value))) return Number(port.value);
      const engine = String(res.props.Engine ?? '');
      const known = defaultDatabasePort(engine);
      if (known !== undefined) return known;
      return `the port of ${res.display} (engine ${engine || 'unknown'})`;
    }
    return r.kind === 'unk' ? r.reason : `a port read from ${this.resources.get(r.id)?.display}.${r.attr}`;
  }

  private literalString(stack: string, v: any): string | undefined {
    if (typeof v === 'string') return v;
    if (v && typeof v === 'object' && Array.isArray(v['Fn::Join'])) {
      const [sep, parts] = v['Fn::Join'];
      if (!Array.isArray(parts)) return undefined;
      const strs = parts.map((p: any) => this.literalString(stack, p));
      return strs.every((s: any) => s !== undefined) ? strs.join(sep) : undefined;
    }
    return undefined;
  }

  private where(stack: string): string {
    return this.stacks.size > 1 ? `${stack}: ` : '';
  }

  /** The global id of a resource of one of `types` that `v` refers to, or a reason why not. */
  private refTo(stack: string, v: any, types: string[], what: string): string | { unknown: string } {
    const r = this.resolve(stack, v);
    if (r.kind === 'res') {
      const res = this.resources.get(r.id)!;
      if (types.includes(res.type)) return r.id;
      return { unknown: `${what} refers to ${res.display} (${res.type}), not a ${types.join(' or ')}` };
    }
    if (r.kind === 'lit') {
      return { unknown: `${what} ${JSON.stringify(r.value)} is not defined in the analyzed template(s) (imported by id?)` };
    }
    return { unknown: `${what}: ${r.reason}` };
  }

  // ---------------------------------------------------------------------------------------
  // Model building
  // ---------------------------------------------------------------------------------------

  private ofType(type: string): Resource[] {
    return [...this.resources.values()].filter((r) => r.type === type);
  }

  private build(): void {
    this.buildVpcs();
    this.buildSubnets();
    this.buildRoutes();
    this.buildNacls();
    this.buildSecurityGroups();
    for (const r of this.ofType('AWS::EC2::NatGateway')) {
      const s = this.refTo(r.stack, r.props.SubnetId, ['AWS::EC2::Subnet'], `NAT gateway ${r.display} SubnetId`);
      this.nats.set(r.id, {
        id: r.id,
        display: r.display,
        subnet: typeof s === 'string' ? s : undefined,
        subnetUnknown: typeof s === 'string' ? undefined : s.unknown,
        isPrivate: r.props.ConnectivityType === 'private',
      });
    }
    for (const r of [...this.ofType('AWS::EC2::EIPAssociation'), ...this.ofType('AWS::EC2::EIP')]) {
      for (const key of ['InstanceId', 'NetworkInterfaceId']) {
        if (r.props[key] === undefined) continue;
        const v = this.resolve(r.stack, r.props[key]);
        if (v.kind === 'res') this.publicByEip.add(v.id);
      }
    }
    this.buildNodes();
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

  private litOr(stack: string, v: any): any {
    const r = this.resolve(stack, v);
    return r.kind === 'lit' ? r.value : undefined;
  }

  /** The key of a security group id value: the SG's global id, `lit:sg-...` for literal ids, or a reason. */
  public sgKey(stack: string, v: any): { key: string; text: string } | { unknown: string } {
    return this.sgKeyOf(this.resolve(stack, v));
  }

  private sgKeyOf(r: Val): { key: string; text: string } | { unknown: string } {
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

  // ---------------------------------------------------------------------------------------
  // Nodes
  // ---------------------------------------------------------------------------------------

  private newNode(r: Resource, kind: string, clientKind: ClientKind, extra: Partial<NodeModel> = {}): NodeModel {
    const node: NodeModel = {
      id: r.id,
      path: r.path,
      display: r.display,
      logicalId: r.logicalId,
      kind,
      subnets: [],
      sgMode: 'list',
      sgs: [],
      publicIp: false,
      publicNote: 'no public address',
      acceptsInbound: true,
      initiates: true,
      clientKind,
      isLoadBalancer: false,
      listeners: [],
      outsideVpc: false,
      notes: [],
      ...extra,
    };
    this.nodes.push(node);
    return node;
  }

  private setSubnets(node: NodeModel, stack: string, v: any, what: string): void {
    const list = this.resolveList(stack, v);
    if (typeof list === 'string') {
      node.subnetsUnknown = `${node.display} ${what}: ${list}`;
      return;
    }
    for (const item of list) {
      const s = this.valRef(item, ['AWS::EC2::Subnet']);
      if (typeof s === 'string') node.subnets.push(s);
      else node.subnetsUnknown = `${node.display} ${what}: ${s.unknown}`;
    }
    if (node.subnets.length === 0 && !node.subnetsUnknown) node.subnetsUnknown = `${node.display} names no subnets (${what})`;
  }

  private valRef(v: Val, types: string[]): string | { unknown: string } {
    if (v.kind === 'res') {
      const res = this.resources.get(v.id)!;
      return types.includes(res.type) ? v.id : { unknown: `refers to ${res.display} (${res.type})` };
    }
    if (v.kind === 'lit') return { unknown: `${JSON.stringify(v.value)} is not defined in the analyzed template(s) (imported by id?)` };
    return { unknown: v.reason };
  }

  private setSgs(node: NodeModel, stack: string, v: any, what: string): void {
    if (v === undefined) {
      // No security group named: EC2 attaches the VPC's default group.
      const vpc = node.subnets.map((sid) => this.subnets.get(sid)?.vpc).find((x) => x !== undefined);
      if (vpc) node.sgs.push(this.defaultSecurityGroup(vpc));
      else node.sgsUnknown = `${node.display} names no security groups (${what}), so it gets its VPC's default security group, and its VPC is unknown`;
      return;
    }
    const list = this.resolveList(stack, v);
    if (typeof list === 'string') {
      node.sgsUnknown = `${node.display} ${what}: ${list}`;
      return;
    }
    for (const item of list) {
      const k = this.sgKeyOf(item);
      if ('unknown' in k) node.sgsUnknown = `${node.display} ${what}: ${k.unknown}`;
      else node.sgs.push(k.key);
    }
  }

  /**
   * The VPC's default security group: inbound from itself, outbound to all IPv4 and IPv6, unless
   * aws-cdk-lib's `Custom::VpcRestrictDefaultSG` strips its rules (then it allows nothing).
   * Rules the template adds to it (`Fn::GetAtt Vpc.DefaultSecurityGroup`) count as well.
   * @see https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html
   */
  private defaultSecurityGroup(vpcId: string): string {
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

  private setPublic(node: NodeModel, explicit: any, why: string): void {
    if (explicit === true || explicit === 'true') {
      node.publicIp = true;
      node.publicNote = why;
    } else if (explicit === undefined) {
      const mapped = node.subnets.filter((s) => this.subnets.get(s)?.mapPublicIp);
      if (mapped.length > 0 && mapped.length === node.subnets.length) {
        node.publicIp = true;
        node.publicNote = 'a public IP from its subnets\' MapPublicIpOnLaunch';
      }
    }
    if (this.publicByEip.has(node.id)) {
      node.publicIp = true;
      node.publicNote = 'an Elastic IP';
    }
  }

  private findByName(type: string, nameProp: string, value: any): Resource | undefined {
    return [...this.resources.values()].find((r) => r.type === type && r.props[nameProp] !== undefined &&
      String(r.props[nameProp]).toLowerCase() === String(value).toLowerCase());
  }

  /** A subnet group resource referenced by Ref (or by its literal name). */
  private subnetGroup(stack: string, v: any, type: string, nameProp: string): Resource | string {
    if (v === undefined) return 'no subnet group (the default VPC\'s default group is used)';
    const r = this.resolve(stack, v);
    if (r.kind === 'res') {
      const res = this.resources.get(r.id)!;
      return res.type === type ? res : `the subnet group refers to ${res.display} (${res.type})`;
    }
    if (r.kind === 'lit') return this.findByName(type, nameProp, r.value) ?? `subnet group ${JSON.stringify(r.value)} is not in the analyzed template(s)`;
    return r.reason;
  }

  private buildNodes(): void {
    const asgNodes = new Map<string, NodeModel>();
    for (const r of this.resources.values()) {
      const p = r.props;
      switch (r.type) {
        case 'AWS::EC2::Instance': {
          const node = this.newNode(r, 'EC2 instance', 'instance');
          node.forwards = p.SourceDestCheck === false || p.SourceDestCheck === 'false';
          const ni = asArray(p.NetworkInterfaces).find((n: any) => String(n.DeviceIndex ?? '0') === '0');
          if (ni) {
            this.setSubnets(node, r.stack, [ni.SubnetId], 'NetworkInterfaces[0].SubnetId');
            this.setSgs(node, r.stack, ni.GroupSet, 'NetworkInterfaces[0].GroupSet');
            this.setPublic(node, ni.AssociatePublicIpAddress, 'a public IP (AssociatePublicIpAddress)');
          } else {
            if (p.SubnetId === undefined) node.subnetsUnknown = `${r.display} names no SubnetId (it would launch in the default VPC)`;
            else this.setSubnets(node, r.stack, [p.SubnetId], 'SubnetId');
            if (p.SecurityGroups !== undefined && p.SecurityGroupIds === undefined) {
              node.sgsUnknown = `${r.display} names security groups by name (SecurityGroups)`;
            } else {
              this.setSgs(node, r.stack, p.SecurityGroupIds, 'SecurityGroupIds');
            }
            this.setPublic(node, undefined, '');
          }
          break;
        }
        case 'AWS::AutoScaling::AutoScalingGroup': {
          const node = this.newNode(r, 'auto scaling group', 'instance');
          asgNodes.set(r.id, node);
          this.setSubnets(node, r.stack, p.VPCZoneIdentifier, 'VPCZoneIdentifier');
          this.asgLaunchData(node, r);
          break;
        }
        case 'AWS::Lambda::Function': {
          if (!p.VpcConfig || p.VpcConfig.SubnetIds === undefined) {
            this.newNode(r, 'Lambda function (no VPC)', 'lambda', { acceptsInbound: false, outsideVpc: true });
            break;
          }
          const node = this.newNode(r, 'Lambda function', 'lambda', { acceptsInbound: false });
          this.setSubnets(node, r.stack, p.VpcConfig.SubnetIds, 'VpcConfig.SubnetIds');
          this.setSgs(node, r.stack, p.VpcConfig.SecurityGroupIds, 'VpcConfig.SecurityGroupIds');
          break;
        }
        case 'AWS::Serverless::Application': {
          // A Secrets Manager rotation function from the Serverless Application Repository (what
          // aws-cdk-lib's SecretRotation deploys): its VPC placement comes in as comma-joined parameters.
          const params = p.Parameters ?? {};
          if (params.vpcSubnetIds === undefined) break;
          const node = this.newNode(r, 'Lambda function (serverless application)', 'lambda', { acceptsInbound: false });
          this.setSubnets(node, r.stack, commaList(params.vpcSubnetIds), 'Parameters.vpcSubnetIds');
          this.setSgs(node, r.stack, commaList(params.vpcSecurityGroupIds), 'Parameters.vpcSecurityGroupIds');
          break;
        }
        case 'AWS::RDS::DBInstance': {
          if (p.DBClusterIdentifier !== undefined) break; // part of its cluster's node
          const node = this.newNode(r, 'RDS DB instance', 'managed');
          this.dbPlacement(node, r, p.VPCSecurityGroups, 'VPCSecurityGroups');
          this.setPublic(node, p.PubliclyAccessible === undefined ? false : p.PubliclyAccessible, 'PubliclyAccessible');
          break;
        }
        case 'AWS::RDS::DBCluster': {
          const node = this.newNode(r, 'RDS DB cluster', 'managed');
          this.dbPlacement(node, r, p.VpcSecurityGroupIds, 'VpcSecurityGroupIds');
          const members = this.ofType('AWS::RDS::DBInstance').filter((i) => {
            const c = this.resolve(i.stack, i.props.DBClusterIdentifier);
            return c.kind === 'res' && c.id === r.id;
          });
          const pub = p.PubliclyAccessible === true || members.some((m) => m.props.PubliclyAccessible === true || m.props.PubliclyAccessible === 'true');
          this.setPublic(node, pub, 'PubliclyAccessible');
          break;
        }
        case 'AWS::RDS::DBProxy':
        case 'AWS::RDS::DBProxyEndpoint': {
          const node = this.newNode(r, r.type === 'AWS::RDS::DBProxy' ? 'RDS proxy' : 'RDS proxy endpoint', 'managed');
          this.setSubnets(node, r.stack, p.VpcSubnetIds, 'VpcSubnetIds');
          this.setSgs(node, r.stack, p.VpcSecurityGroupIds, 'VpcSecurityGroupIds');
          break;
        }
        case 'AWS::ElasticLoadBalancingV2::LoadBalancer': {
          const type = String(p.Type ?? 'application');
          if (type === 'gateway') break;
          const node = this.newNode(r, type === 'network' ? 'network load balancer' : 'application load balancer', 'elb', { isLoadBalancer: true });
          if (p.SubnetMappings !== undefined) {
            const list = this.resolveList(r.stack, p.SubnetMappings);
            this.setSubnets(node, r.stack, typeof list === 'string' ? p.SubnetMappings : asArray(p.SubnetMappings).map((m: any) => m.SubnetId), 'SubnetMappings');
          } else {
            this.setSubnets(node, r.stack, p.Subnets, 'Subnets');
          }
          if (type === 'network' && (p.SecurityGroups === undefined || (Array.isArray(p.SecurityGroups) && p.SecurityGroups.length === 0))) {
            node.sgMode = 'none';
            node.notes.push(`${r.display} is a network load balancer without security groups: it admits everything at the security group layer`);
          } else {
            this.setSgs(node, r.stack, p.SecurityGroups, 'SecurityGroups');
          }
          const scheme = String(this.litOr(r.stack, p.Scheme) ?? 'internet-facing');
          node.publicIp = scheme === 'internet-facing';
          node.publicNote = node.publicIp ? 'an internet-facing load balancer' : 'an internal load balancer (Scheme internal)';
          break;
        }
        case 'AWS::ElasticLoadBalancing::LoadBalancer': {
          // A Classic Load Balancer: TCP listeners on LoadBalancerPort (HTTP, HTTPS, TCP and SSL all run over TCP).
          const node = this.newNode(r, 'classic load balancer', 'elb', { isLoadBalancer: true });
          this.setSubnets(node, r.stack, p.Subnets, 'Subnets');
          this.setSgs(node, r.stack, p.SecurityGroups, 'SecurityGroups');
          const scheme = String(this.litOr(r.stack, p.Scheme) ?? 'internet-facing');
          node.publicIp = scheme !== 'internal';
          node.publicNote = node.publicIp ? 'an internet-facing load balancer' : 'an internal load balancer (Scheme internal)';
          for (const l of asArray(p.Listeners)) {
            const port = this.resolvePort(r.stack, l?.LoadBalancerPort);
            node.listeners.push(typeof port === 'number' ? { protocols: ['tcp'], port } : { protocols: ['tcp'], unknown: port });
          }
          break;
        }
        case 'AWS::ElastiCache::CacheCluster':
        case 'AWS::ElastiCache::ReplicationGroup': {
          const node = this.newNode(r, r.type === 'AWS::ElastiCache::CacheCluster' ? 'ElastiCache cluster' : 'ElastiCache replication group', 'managed');
          const g = this.subnetGroup(r.stack, p.CacheSubnetGroupName, 'AWS::ElastiCache::SubnetGroup', 'CacheSubnetGroupName');
          if (typeof g === 'string') node.subnetsUnknown = `${r.display}: ${g}`;
          else this.setSubnets(node, g.stack, g.props.SubnetIds, `subnet group ${g.display} SubnetIds`);
          this.setSgs(node, r.stack, r.type === 'AWS::ElastiCache::CacheCluster' ? p.VpcSecurityGroupIds : p.SecurityGroupIds,
            r.type === 'AWS::ElastiCache::CacheCluster' ? 'VpcSecurityGroupIds' : 'SecurityGroupIds');
          break;
        }
        case 'AWS::ElastiCache::ServerlessCache': {
          const node = this.newNode(r, 'ElastiCache serverless cache', 'managed');
          this.setSubnets(node, r.stack, p.SubnetIds, 'SubnetIds');
          this.setSgs(node, r.stack, p.SecurityGroupIds, 'SecurityGroupIds');
          break;
        }
        case 'AWS::EC2::VPCEndpoint': {
          if (String(p.VpcEndpointType ?? 'Gateway') !== 'Interface') break;
          const node = this.newNode(r, 'interface VPC endpoint', 'managed', { initiates: false });
          this.setSubnets(node, r.stack, p.SubnetIds, 'SubnetIds');
          this.setSgs(node, r.stack, p.SecurityGroupIds, 'SecurityGroupIds');
          break;
        }
        case 'AWS::EC2::NetworkInterface': {
          const node = this.newNode(r, 'network interface', 'instance');
          this.setSubnets(node, r.stack, [p.SubnetId], 'SubnetId');
          this.setSgs(node, r.stack, p.GroupSet, 'GroupSet');
          this.setPublic(node, false, '');
          break;
        }
        case 'AWS::EFS::MountTarget': {
          const node = this.newNode(r, 'EFS mount target', 'managed');
          this.setSubnets(node, r.stack, [p.SubnetId], 'SubnetId');
          this.setSgs(node, r.stack, p.SecurityGroups, 'SecurityGroups');
          break;
        }
        case 'AWS::OpenSearchService::Domain': {
          if (!p.VPCOptions) break;
          const node = this.newNode(r, 'OpenSearch domain', 'managed');
          this.setSubnets(node, r.stack, p.VPCOptions.SubnetIds, 'VPCOptions.SubnetIds');
          this.setSgs(node, r.stack, p.VPCOptions.SecurityGroupIds, 'VPCOptions.SecurityGroupIds');
          break;
        }
        case 'AWS::MSK::Cluster': {
          const node = this.newNode(r, 'MSK cluster', 'managed');
          this.setSubnets(node, r.stack, p.BrokerNodeGroupInfo?.ClientSubnets, 'BrokerNodeGroupInfo.ClientSubnets');
          this.setSgs(node, r.stack, p.BrokerNodeGroupInfo?.SecurityGroups, 'BrokerNodeGroupInfo.SecurityGroups');
          break;
        }
        default:
          break;
      }
    }
    // ECS services after the ASGs: bridge-mode tasks live on their cluster's instances.
    for (const r of this.ofType('AWS::ECS::Service')) this.ecsService(r, asgNodes);
    for (const r of this.ofType('AWS::ElasticLoadBalancingV2::Listener')) {
      const lb = this.resolve(r.stack, r.props.LoadBalancerArn);
      const node = lb.kind === 'res' ? this.nodes.find((n) => n.id === lb.id) : undefined;
      if (!node) continue;
      const proto = String(this.litOr(r.stack, r.props.Protocol) ?? (node.kind.startsWith('network') ? 'TCP' : 'HTTP')).toUpperCase();
      const protocols = proto === 'UDP' ? ['udp'] : proto === 'TCP_UDP' ? ['tcp', 'udp'] : ['tcp'];
      const port = this.resolvePort(r.stack, r.props.Port);
      node.listeners.push(typeof port === 'number' ? { protocols, port } : { protocols, unknown: port });
    }
  }

  private dbPlacement(node: NodeModel, r: Resource, sgs: any, sgProp: string): void {
    const g = this.subnetGroup(r.stack, r.props.DBSubnetGroupName, 'AWS::RDS::DBSubnetGroup', 'DBSubnetGroupName');
    if (typeof g === 'string') node.subnetsUnknown = `${r.display}: ${g}`;
    else this.setSubnets(node, g.stack, g.props.SubnetIds, `subnet group ${g.display} SubnetIds`);
    this.setSgs(node, r.stack, sgs, sgProp);
  }

  private asgLaunchData(node: NodeModel, r: Resource): void {
    const p = r.props;
    const ltSpec = p.LaunchTemplate ?? p.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
    if (ltSpec) {
      const lt = ltSpec.LaunchTemplateId !== undefined
        ? this.resolve(r.stack, ltSpec.LaunchTemplateId)
        : this.resolve(r.stack, ltSpec.LaunchTemplateName);
      let res: Resource | undefined;
      if (lt.kind === 'res') res = this.resources.get(lt.id);
      else if (lt.kind === 'lit') res = this.findByName('AWS::EC2::LaunchTemplate', 'LaunchTemplateName', lt.value);
      if (!res || res.type !== 'AWS::EC2::LaunchTemplate') {
        node.sgsUnknown = `${r.display}: its launch template is not in the analyzed template(s)`;
        return;
      }
      const data = res.props.LaunchTemplateData ?? {};
      const ni = asArray(data.NetworkInterfaces).find((n: any) => String(n.DeviceIndex ?? '0') === '0');
      if (ni) {
        this.setSgs(node, res.stack, ni.Groups, `launch template ${res.display} NetworkInterfaces[0].Groups`);
        this.setPublic(node, ni.AssociatePublicIpAddress, 'a public IP (AssociatePublicIpAddress)');
      } else if (data.SecurityGroups !== undefined && data.SecurityGroupIds === undefined) {
        node.sgsUnknown = `${r.display}: launch template ${res.display} names security groups by name`;
      } else {
        this.setSgs(node, res.stack, data.SecurityGroupIds, `launch template ${res.display} SecurityGroupIds`);
        this.setPublic(node, undefined, '');
      }
      return;
    }
    if (p.LaunchConfigurationName !== undefined) {
      const lc = this.resolve(r.stack, p.LaunchConfigurationName);
      const res = lc.kind === 'res' ? this.resources.get(lc.id) : undefined;
      if (!res || res.type !== 'AWS::AutoScaling::LaunchConfiguration') {
        node.sgsUnknown = `${r.display}: its launch configuration is not in the analyzed template(s)`;
        return;
      }
      this.setSgs(node, res.stack, res.props.SecurityGroups, `launch configuration ${res.display} SecurityGroups`);
      this.setPublic(node, res.props.AssociatePublicIpAddress, 'a public IP (AssociatePublicIpAddress)');
      return;
    }
    node.sgsUnknown = `${r.display} has neither a launch template nor a launch configuration in the template`;
  }

  /** An auto scaling group's launch template data or launch configuration properties, when in the template. */
  private launchDataOf(asg: Resource): { [key: string]: any } | undefined {
    const p = asg.props;
    const ltSpec = p.LaunchTemplate ?? p.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
    const v = ltSpec ? this.resolve(asg.stack, ltSpec.LaunchTemplateId ?? ltSpec.LaunchTemplateName)
      : p.LaunchConfigurationName !== undefined ? this.resolve(asg.stack, p.LaunchConfigurationName) : undefined;
    if (!v || v.kind !== 'res') return undefined;
    return this.resources.get(v.id)?.props;
  }

  private ecsService(r: Resource, asgNodes: Map<string, NodeModel>): void {
    const p = r.props;
    const awsvpc = p.NetworkConfiguration?.AwsvpcConfiguration;
    if (awsvpc) {
      const node = this.newNode(r, 'ECS service (awsvpc)', 'instance');
      this.setSubnets(node, r.stack, awsvpc.Subnets, 'AwsvpcConfiguration.Subnets');
      this.setSgs(node, r.stack, awsvpc.SecurityGroups, 'AwsvpcConfiguration.SecurityGroups');
      node.publicIp = awsvpc.AssignPublicIp === 'ENABLED';
      node.publicNote = node.publicIp ? 'a public IP (AssignPublicIp ENABLED)' : 'no public IP (AssignPublicIp DISABLED)';
      return;
    }
    const node = this.newNode(r, 'ECS service (bridge/host mode)', 'instance');
    const cluster = this.resolve(r.stack, p.Cluster);
    const asgs: NodeModel[] = [];
    if (cluster.kind === 'res') {
      for (const a of this.ofType('AWS::ECS::ClusterCapacityProviderAssociations')) {
        const c = this.resolve(a.stack, a.props.Cluster);
        if (c.kind !== 'res' || c.id !== cluster.id) continue;
        for (const cp of asArray(a.props.CapacityProviders)) {
          const cpv = this.resolve(a.stack, cp);
          const cpr = cpv.kind === 'res' ? this.resources.get(cpv.id) : undefined;
          const asgv = cpr ? this.resolve(cpr.stack, cpr.props.AutoScalingGroupProvider?.AutoScalingGroupArn) : undefined;
          const asg = asgv?.kind === 'res' ? asgNodes.get(asgv.id) : undefined;
          if (asg) asgs.push(asg);
        }
      }
    }
    if (asgs.length === 0 && cluster.kind === 'res') {
      // Container instances join a cluster through their user data (ECS_CLUSTER=<cluster name> in /etc/ecs/ecs.config).
      const logicalId = this.resources.get(cluster.id)!.logicalId;
      for (const [id, asg] of asgNodes) {
        const res = this.resources.get(id)!;
        const lt = this.launchDataOf(res);
        const userData = JSON.stringify(lt?.UserData ?? lt?.LaunchTemplateData?.UserData ?? '');
        if (userData.includes('ECS_CLUSTER') && userData.includes(`{"Ref":"${logicalId}"}`)) asgs.push(asg);
      }
    }
    if (asgs.length === 0) {
      node.subnetsUnknown = `${r.display} is a bridge/host-mode ECS service whose cluster has no capacity provider with an auto scaling group in the template, ` +
        'so the container instances it runs on are unknown';
      return;
    }
    node.notes.push(`${r.display} runs in bridge/host mode on the container instances of ${asgs.map((a) => a.display).join(', ')}`);
    for (const a of asgs) {
      node.subnets.push(...a.subnets.filter((s) => !node.subnets.includes(s)));
      node.sgs.push(...a.sgs.filter((s) => !node.sgs.includes(s)));
      node.subnetsUnknown = node.subnetsUnknown ?? a.subnetsUnknown;
      node.sgsUnknown = node.sgsUnknown ?? a.sgsUnknown;
      if (a.publicIp) {
        node.publicIp = true;
        node.publicNote = a.publicNote;
      }
    }
  }
}

function gid(stack: string, logicalId: string): string {
  return `${stack}|${logicalId}`;
}

function asArray(v: any): any[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}


/**
 * A comma-separated list parameter as the items it joins: `Fn::Join ['', [a, ',', b]]`,
 * `Fn::Join [',', [a, b]]`, a literal `'a,b'`, or a single value.
 */
function commaList(v: any): any[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v.split(',').map((x) => x.trim()).filter(Boolean);
  const join = v && typeof v === 'object' ? v['Fn::Join'] : undefined;
  if (Array.isArray(join) && Array.isArray(join[1])) {
    const [sep, parts] = join;
    if (sep === ',') return parts;
    if (sep === '') {
      const items: any[] = [];
      for (const part of parts) {
        if (typeof part === 'string') items.push(...part.split(',').map((x: string) => x.trim()).filter(Boolean));
        else items.push(part);
      }
      return items;
    }
  }
  return [v];
}
