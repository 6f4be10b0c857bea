/* eslint-disable @typescript-eslint/no-explicit-any */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { LoadedTemplate } from './assembly';
import { ExpectedFlow } from './expect';
import { isIpv4Cidr } from '../../private/cidr';
import { NetworkEndpoint } from '../../verify/network-endpoint';
import { ReachabilityAnalyzer } from '../../verify/reachability-analyzer';
import { Verdict } from '../../verify/reachability-answer';

/** What the network model says about one VPC. */
export interface VpcReport {
  /** The VPC's construct path (or logical id). */
  readonly vpc: string;
  /** The stack that defines it. */
  readonly stackName: string;
  /** Its nodes: what sits in its subnets with security groups. */
  readonly nodes: Array<{ readonly node: string; readonly kind: string; readonly publicAddress: boolean }>;
  /** What the internet (every address outside the VPC) reaches: each node and its open ports. */
  readonly exposure: Array<{ readonly node: string; readonly kind: string; readonly ports: string[] }>;
  /** The ports the matrix asks about: those the templates use. */
  readonly matrixPorts: string[];
  /** Every open (from, to) pair of the VPC's nodes and the internet, with its open ports. */
  readonly openings: Opening[];
  /** What the model could not resolve, with why. */
  readonly unknown: Array<{ readonly what: string; readonly why: string }>;
}

/** An open (from, to) pair and the ports open between them. */
export interface Opening {
  readonly from: string;
  readonly to: string;
  readonly ports: string[];
  /** Ports open for part of the traffic only (some source or destination subnets). */
  readonly partialPorts: string[];
}

/** An expected flow and whether the model proves it reachable. */
export interface ExpectedFlowResult {
  readonly flow: ExpectedFlow;
  readonly verdict: 'reachable' | 'blocked' | 'unknown';
  readonly reasons: string[];
}

/** An opening no expected flow covers. */
export interface UndeclaredOpening {
  readonly vpc: string;
  readonly from: string;
  readonly to: string;
  readonly port: string;
  /** True when only part of the traffic passes (some subnets, some addresses). */
  readonly partial: boolean;
}

/** The network model's results for a set of templates. */
export interface NetworkResult {
  readonly vpcs: VpcReport[];
  readonly expected: ExpectedFlowResult[];
  readonly undeclared: UndeclaredOpening[];
  /** Node (or VPC) display name -> where it is defined. */
  readonly locate: (name: string) => { stackName: string; logicalId: string } | undefined;
}

const INTERNET = 'internet';

/**
 * Runs the reachability analyzer over the templates (cross-stack imports resolved through their
 * exports). Every call into the analyzer is in this file.
 */
export function analyzeNetwork(templates: LoadedTemplate[], expected: ExpectedFlow[] | undefined): NetworkResult {
  const byStack: { [name: string]: any } = {};
  for (const t of templates) byStack[t.stackName] = withPaths(t);
  const analyzer = ReachabilityAnalyzer.fromTemplates(byStack);
  const index = new TemplateIndex(templates);
  const nodes = analyzer.listNodes();
  const ports = templatePorts(templates);

  const vpcs: VpcReport[] = [];
  const groups = new Map<string, typeof nodes>();
  for (const n of nodes) {
    const vpc = n.subnets.map((s) => index.subnetVpc.get(s)).find((v) => v !== undefined) ?? '(no VPC resolved)';
    groups.set(vpc, [...(groups.get(vpc) ?? []), n]);
  }
  for (const vpc of index.vpcs) if (!groups.has(vpc.display)) groups.set(vpc.display, []);

  const undeclared: UndeclaredOpening[] = [];
  for (const [vpc, members] of groups) {
    const unknown: Array<{ what: string; why: string }> = [];
    for (const n of members) for (const u of n.unknown) unknown.push({ what: n.path, why: u });
    const inVpc = vpc !== '(no VPC resolved)';
    const ends = inVpc ? [...members.map((n) => NetworkEndpoint.path(n.path)), NetworkEndpoint.internet()] : [];
    const openings = new Map<string, { from: string; to: string; ports: string[]; partialPorts: string[] }>();
    if (ends.length > 1 && ports.length > 0) {
      const matrix = analyzer.matrix(ports, ends);
      for (const e of matrix.entries) {
        const from = endName(e.from);
        const to = endName(e.to);
        const port = portText(e.port);
        if (e.verdict === Verdict.UNKNOWN) {
          unknown.push({ what: `${from} -> ${to} on ${port}`, why: e.reasons.map((r) => r.replace(/^unknown: /, '')).join('; ') });
          continue;
        }
        if (e.verdict !== Verdict.REACHABLE && !e.partiallyOpen) continue;
        const key = `${from}\n${to}`;
        const o = openings.get(key) ?? { from, to, ports: [], partialPorts: [] };
        (e.verdict === Verdict.REACHABLE ? o.ports : o.partialPorts).push(port);
        openings.set(key, o);
        if (expected && !expected.some((f) => covers(f, from, to, port, index))) {
          undeclared.push({ vpc, from, to, port, partial: e.verdict !== Verdict.REACHABLE });
        }
      }
    }
    const list = [...openings.values()];
    // Nodes outside any VPC (a Lambda function without VPC config) have nothing to report unless unresolved.
    if (!inVpc && unknown.length === 0) continue;
    vpcs.push({
      vpc,
      stackName: index.vpcs.find((v) => v.display === vpc)?.stackName ?? '',
      nodes: members.map((n) => ({ node: n.path, kind: n.kind, publicAddress: n.publicAddress })),
      exposure: list.filter((o) => o.from === INTERNET && o.ports.length > 0)
        .map((o) => ({ node: o.to, kind: members.find((n) => n.path === o.to)?.kind ?? '', ports: o.ports })),
      matrixPorts: ports.map((p) => portText(p)),
      openings: list,
      unknown,
    });
  }

  const results: ExpectedFlowResult[] = (expected ?? []).map((flow) => {
    const a = analyzer.canReach(endpoint(flow.from, index), endpoint(flow.to, index), flow.port);
    return { flow, verdict: a.verdict === Verdict.REACHABLE ? 'reachable' : a.verdict === Verdict.BLOCKED ? 'blocked' : 'unknown', reasons: a.reasons };
  });
  return { vpcs, expected: results, undeclared, locate: (name) => index.locate(name) };
}

/** `internet 0.0.0.0/0` -> `internet`. */
function endName(name: string): string {
  return name === 'internet 0.0.0.0/0' ? INTERNET : name;
}

/** The template with each resource's construct path as `aws:cdk:path` metadata, so answers name constructs. */
function withPaths(t: LoadedTemplate): any {
  const resources: { [id: string]: any } = {};
  for (const [id, r] of Object.entries<any>(t.template.Resources ?? {})) {
    const p = t.paths.get(id);
    resources[id] = p === undefined || r?.Metadata?.['aws:cdk:path'] ? r : { ...r, Metadata: { ...(r?.Metadata ?? {}), 'aws:cdk:path': p } };
  }
  return { ...t.template, Resources: resources };
}

function endpoint(name: string, index: TemplateIndex): NetworkEndpoint {
  if (name === INTERNET) return NetworkEndpoint.internet();
  if (isIpv4Cidr(name)) return NetworkEndpoint.internet(name);
  return NetworkEndpoint.path(index.canonical(name));
}

/** Whether an expected flow covers an open (from, to, port) of the matrix. */
function covers(f: ExpectedFlow, from: string, to: string, port: string, index: TemplateIndex): boolean {
  const endCovers = (declared: string, actual: string) => {
    if (declared === INTERNET || declared === '0.0.0.0/0') return actual === INTERNET;
    if (isIpv4Cidr(declared)) return false;
    const d = index.canonical(declared);
    return actual === d || actual.startsWith(`${d}/`);
  };
  if (!endCovers(f.from, from) || !endCovers(f.to, to)) return false;
  const m = /^(tcp|udp) (\d+)(?:-(\d+))?$/.exec(portText(port));
  if (!m) return false;
  const json = f.port.toRuleJson();
  const p0 = Number(m[2]);
  const p1 = Number(m[3] ?? m[2]);
  return String(json.ipProtocol) === m[1] && Number(json.fromPort) <= p0 && p1 <= Number(json.toPort);
}

/** `ec2.Port.toString()` renders `22`, `80-90`, `UDP 53`; this renders `tcp 22`, `tcp 80-90`, `udp 53`. */
export function portText(port: string | ec2.Port): string {
  if (typeof port !== 'string') {
    const j = port.toRuleJson();
    return `${j.ipProtocol} ${j.fromPort === j.toPort ? j.fromPort : `${j.fromPort}-${j.toPort}`}`;
  }
  const m = /^(UDP )?(\d+(?:-\d+)?)$/i.exec(port.trim());
  return m ? `${m[1] ? 'udp' : 'tcp'} ${m[2]}` : port;
}

/**
 * The ports the templates use: every single port or narrow range (under 1000 ports) of security
 * group rules, NACL entries, listeners, target groups and database-like resources, plus SSH 22 and
 * RDP 3389 (never to be open to the internet).
 */
function templatePorts(templates: LoadedTemplate[]): ec2.Port[] {
  const set = new Map<string, ec2.Port>();
  const add = (proto: string, p0: unknown, p1: unknown = p0) => {
    const a = Number(p0);
    const b = Number(p1);
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 1 || b > 65535 || a > b) return;
    if (b - a >= 1000) return;
    const udp = proto === 'udp' || proto === '17';
    const tcp = proto === 'tcp' || proto === '6' || proto === '-1' || proto === 'all';
    for (const p of a === b ? [a] : [a, b]) {
      if (tcp) set.set(`tcp ${p}`, ec2.Port.tcp(p));
      if (udp) set.set(`udp ${p}`, ec2.Port.udp(p));
    }
  };
  add('tcp', 22);
  add('tcp', 3389);
  for (const t of templates) {
    for (const r of Object.values<any>(t.template.Resources ?? {})) {
      const p = r?.Properties ?? {};
      const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
      const rules = [...list(p.SecurityGroupIngress), ...list(p.SecurityGroupEgress)];
      switch (r?.Type) {
        case 'AWS::EC2::SecurityGroup':
          for (const rule of rules) add(String(rule?.IpProtocol).toLowerCase(), rule?.FromPort, rule?.ToPort);
          break;
        case 'AWS::EC2::SecurityGroupIngress':
        case 'AWS::EC2::SecurityGroupEgress':
          add(String(p.IpProtocol).toLowerCase(), p.FromPort, p.ToPort);
          break;
        case 'AWS::EC2::NetworkAclEntry':
          add(String(p.Protocol), p.PortRange?.From, p.PortRange?.To);
          break;
        case 'AWS::ElasticLoadBalancingV2::Listener':
        case 'AWS::ElasticLoadBalancingV2::TargetGroup':
          add(/UDP/i.test(String(p.Protocol)) && !/TCP_UDP/i.test(String(p.Protocol)) ? 'udp' : 'tcp', p.Port);
          if (/TCP_UDP/i.test(String(p.Protocol))) add('udp', p.Port);
          break;
        case 'AWS::RDS::DBInstance':
        case 'AWS::RDS::DBCluster':
        case 'AWS::ElastiCache::CacheCluster':
        case 'AWS::ElastiCache::ReplicationGroup':
          add('tcp', p.Port ?? p.DBPort);
          break;
        default:
          break;
      }
    }
  }
  return [...set.values()];
}

/** Names and places of the templates' resources. */
class TemplateIndex {
  public readonly subnetVpc = new Map<string, string>();
  public readonly vpcs: Array<{ display: string; stackName: string }> = [];
  private readonly byDisplay = new Map<string, { stackName: string; logicalId: string }>();
  private readonly byLogicalId = new Map<string, string>();

  constructor(templates: LoadedTemplate[]) {
    const exports = new Map<string, { stack: LoadedTemplate; value: any }>();
    for (const t of templates) {
      for (const o of Object.values<any>(t.template.Outputs ?? {})) {
        if (typeof o?.Export?.Name === 'string') exports.set(o.Export.Name, { stack: t, value: o.Value });
      }
    }
    const display = (t: LoadedTemplate, id: string) => displayPath(t.paths.get(id) ?? id);
    for (const t of templates) {
      for (const [id, r] of Object.entries<any>(t.template.Resources ?? {})) {
        const d = display(t, id);
        if (!this.byDisplay.has(d)) this.byDisplay.set(d, { stackName: t.stackName, logicalId: id });
        if (!this.byLogicalId.has(id)) this.byLogicalId.set(id, d);
        if (r?.Type === 'AWS::EC2::VPC') this.vpcs.push({ display: d, stackName: t.stackName });
        if (r?.Type === 'AWS::EC2::Subnet') {
          let v = r?.Properties?.VpcId;
          let owner = t;
          const imported = v?.['Fn::ImportValue'];
          if (typeof imported === 'string' && exports.has(imported)) {
            owner = exports.get(imported)!.stack;
            v = exports.get(imported)!.value;
          }
          const ref = typeof v?.Ref === 'string' ? v.Ref : undefined;
          if (ref && owner.template.Resources?.[ref]?.Type === 'AWS::EC2::VPC') {
            this.subnetVpc.set(displayPath(d.replace(/\/Subnet$/, '')), display(owner, ref));
          }
        }
      }
    }
  }

  /** A construct path (with or without a leading slash) or a logical id, as the analyzer names it. */
  public canonical(name: string): string {
    const n = name.replace(/^\//, '');
    return this.byLogicalId.get(n) ?? displayPath(n);
  }

  public locate(name: string): { stackName: string; logicalId: string } | undefined {
    const n = this.canonical(name);
    return this.byDisplay.get(n) ?? this.byDisplay.get(`${n}/Resource`);
  }
}

/** Strips a default child's id (`/Resource`, `/Default`) from a construct path, as the analyzer does. */
function displayPath(path: string): string {
  return path.replace(/\/(Resource|Default)$/, '');
}
