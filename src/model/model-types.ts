/* eslint-disable @typescript-eslint/no-explicit-any */
import { AddressRange, formatAddress, parseCidr } from './addresses';

/**
 * The types of the network model (`TemplateModel`): resources, VPCs, subnets, routes, NACL
 * entries, security group rules, NAT gateways and nodes, as read from synthesized templates.
 * IPv4 and IPv6 are read alike.
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
export function amazonIpv6Placeholder(n: number): string {
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
  /**
   * A regional NAT gateway (`AvailabilityMode: regional`): it sits in no subnet, spans the VPC's
   * AZs and reaches the internet through the VPC's internet gateway on a route table of its own, so
   * the traffic it carries crosses no NAT subnet's NACL.
   * @see https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateways-regional.html
   */
  readonly regional?: boolean;
  /** A regional NAT gateway whose VPC has no internet gateway attached: why it reaches no internet. */
  readonly noInternet?: string;
  /** A regional NAT gateway whose VPC or internet gateway is not known: why. */
  readonly internetUnknown?: string;
}

/**
 * A NAT gateway's properties name a regional one: `AvailabilityMode` regional (a literal, any case)
 * and no `SubnetId`. Read by the template model and the NAT1 nag rule alike.
 */
export function isRegionalNatGateway(availabilityMode: unknown, subnetId: unknown): boolean {
  return typeof availabilityMode === 'string' && availabilityMode.toLowerCase() === 'regional' && subnetId === undefined;
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

/** A resource's global id: its stack and logical id. */
export function gid(stack: string, logicalId: string): string {
  return `${stack}|${logicalId}`;
}

/** A value as a list (a single value as one item, nothing as none). */
export function asArray(v: any): any[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}
