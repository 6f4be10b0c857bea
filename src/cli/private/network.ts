/* eslint-disable @typescript-eslint/no-explicit-any */
import { LoadedTemplate } from './assembly';
import { ExpectedFlow } from './expect';
import { UsageError } from './usage-error';
import { cidrAt, isIpv4Cidr, parseIpv4 } from '../../private/cidr';
import { NetworkEndpoint } from '../../verify/network-endpoint';
import { AddressFamily, OpenPortRange } from '../../verify/open-ports';
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
  /** What the internet (every address outside the VPC) reaches: each node and its open port ranges. */
  readonly exposure: Array<{ readonly node: string; readonly kind: string; readonly ports: string[]; readonly maybe: string[] }>;
  /** Every (from, to) pair of the VPC's nodes and the internet with open ports, and those ports. */
  readonly openings: Opening[];
  /** What the model could not resolve, with why, and the node it concerns. */
  readonly unknown: Array<{ readonly what: string; readonly why: string; readonly node: string }>;
}

/** An open (from, to) pair and the port ranges open between them. */
export interface Opening {
  readonly from: string;
  readonly to: string;
  /** Open for certain, e.g. `tcp 443`, `udp 53 (IPv6)`. */
  readonly ports: string[];
  /** Open unless values the templates don't resolve close them. */
  readonly maybe: string[];
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
  /** The port range, e.g. `tcp 8080` or `tcp 1024-65535 (IPv6)`. */
  readonly port: string;
  /** False when values the templates don't resolve decide it (it may be open). */
  readonly certain: boolean;
  /** The rules that admit it. */
  readonly admittedBy: string[];
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
const NO_VPC = '(no VPC resolved)';

/**
 * Runs the reachability analyzer over the templates (cross-stack imports resolved through their
 * exports), with its exact answers: open port ranges computed by interval arithmetic over every
 * address and port, not sampled. Every call into the analyzer is in this file.
 */
export function analyzeNetwork(templates: LoadedTemplate[], expected: ExpectedFlow[] | undefined): NetworkResult {
  const byStack: { [name: string]: any } = {};
  for (const t of templates) byStack[t.stackName] = withPaths(t);
  const analyzer = ReachabilityAnalyzer.fromTemplates(byStack);
  const index = new TemplateIndex(templates);
  (expected ?? []).forEach((f, i) => {
    for (const [side, name] of [['from', f.from], ['to', f.to]]) {
      if (name === INTERNET || isIpv4Cidr(name) || index.names(name)) continue;
      throw new UsageError(`--expect: flow ${i + 1}: ${side} '${name}' names no resource of the templates. Give 'internet', an IPv4 CIDR, ` +
        'a construct path (e.g. MyStack/Service, every node under it) or a logical id, as the text report lists the nodes.');
    }
  });
  const nodes = analyzer.listNodes();

  const groups = new Map<string, typeof nodes>();
  for (const n of nodes) {
    const vpc = n.subnets.map((s) => index.subnetVpc.get(s)).find((v) => v !== undefined) ?? NO_VPC;
    groups.set(vpc, [...(groups.get(vpc) ?? []), n]);
  }
  for (const vpc of index.vpcs) if (!groups.has(vpc.display)) groups.set(vpc.display, []);

  const exposure = new Map<string, { kind: string; ports: string[]; maybe: string[] }>();
  for (const e of analyzer.exposure()) {
    const x = exposure.get(e.node) ?? { kind: e.kind, ports: [], maybe: [] };
    (e.certain ? x.ports : x.maybe).push(rangeText(e));
    exposure.set(e.node, x);
  }

  const vpcs: VpcReport[] = [];
  const undeclared: UndeclaredOpening[] = [];
  for (const [vpc, members] of groups) {
    const unknown: Array<{ what: string; why: string; node: string }> = [];
    for (const n of members) for (const u of n.unknown) unknown.push({ what: n.path, why: u, node: n.path });
    const inVpc = vpc !== NO_VPC;
    if (!inVpc && unknown.length === 0) continue; // e.g. a Lambda function without VPC configuration
    const ends = inVpc ? [...members.map((n) => NetworkEndpoint.path(n.path)), NetworkEndpoint.internet()] : [];
    const openings: Opening[] = [];
    for (const entry of ends.length > 1 ? analyzer.openPortsMatrix(ends) : []) {
      if (entry.ranges.length === 0) continue;
      const from = endName(entry.from);
      const to = endName(entry.to);
      const certain = entry.ranges.filter((r) => r.certain);
      const uncertain = entry.ranges.filter((r) => !r.certain);
      openings.push({ from, to, ports: certain.map(rangeText), maybe: uncertain.map(rangeText) });
      for (const r of uncertain) {
        const why = r.admittedBy.filter((w) => w.startsWith('unknown: ')).map((w) => w.slice('unknown: '.length));
        unknown.push({ what: `${from} -> ${to} on ${rangeText(r)}`, why: why.join('; '), node: to === INTERNET ? from : to });
      }
      if (expected) {
        for (const r of undeclaredRanges(analyzer, index, expected, from, to, entry.ranges)) {
          undeclared.push({ vpc, from, to, port: rangeText(r), certain: r.certain, admittedBy: r.admittedBy });
        }
      }
    }
    vpcs.push({
      vpc,
      stackName: index.vpcs.find((v) => v.display === vpc)?.stackName ?? '',
      nodes: members.map((n) => ({ node: n.path, kind: n.kind, publicAddress: n.publicAddress })),
      exposure: members.filter((n) => exposure.has(n.path)).map((n) => ({ node: n.path, ...exposure.get(n.path)! })),
      openings,
      unknown,
    });
  }

  const results: ExpectedFlowResult[] = (expected ?? []).map((flow) => {
    const a = analyzer.canReach(endpoint(flow.from, index), endpoint(flow.to, index), flow.port);
    return { flow, verdict: a.verdict === Verdict.REACHABLE ? 'reachable' : a.verdict === Verdict.BLOCKED ? 'blocked' : 'unknown', reasons: a.reasons };
  });
  return { vpcs, expected: results, undeclared, locate: (name) => index.locate(name) };
}

/**
 * The parts of `ranges` (open from `from` to `to`) that no expected flow covers. A flow naming
 * the internet covers every address outside the VPC; a flow naming a CIDR covers the ports that
 * are open from (or to) that CIDR only, so the same ports open from the rest of the internet are
 * still reported. A CIDR covers IPv4 only.
 */
function undeclaredRanges(
  analyzer: ReachabilityAnalyzer, index: TemplateIndex, expected: ExpectedFlow[], from: string, to: string, ranges: OpenPortRange[],
): OpenPortRange[] {
  const out: OpenPortRange[] = [];
  const outside = new Map<string, OpenPortRange[]>();
  for (const r of ranges) {
    let left: Array<[number, number]> = [[r.fromPort, r.toPort]];
    for (const f of expected) {
      const span = flowSpan(f, r.protocol);
      if (!span) continue;
      const fromCidr = from === INTERNET && isIpv4Cidr(f.from) && f.from !== '0.0.0.0/0' ? f.from : undefined;
      const toCidr = to === INTERNET && isIpv4Cidr(f.to) && f.to !== '0.0.0.0/0' ? f.to : undefined;
      if (!endCovers(f.from, from, index, fromCidr !== undefined) || !endCovers(f.to, to, index, toCidr !== undefined)) continue;
      let covered: Array<[number, number]> = [span];
      const cidr = fromCidr ?? toCidr;
      if (cidr !== undefined) {
        if (r.family !== AddressFamily.IPV4) continue;
        // Ports also open from (or to) addresses outside the CIDR stay undeclared.
        const key = `${cidr}|${fromCidr ? 'from' : 'to'}`;
        let open = outside.get(key);
        if (!open) {
          open = [];
          for (const block of complement(cidr)) {
            const ext = NetworkEndpoint.internet(block);
            const node = NetworkEndpoint.path(index.canonical(fromCidr ? to : from));
            open.push(...(fromCidr ? analyzer.openPorts(ext, node) : analyzer.openPorts(node, ext)));
          }
          outside.set(key, open);
        }
        for (const o of open) {
          if (o.protocol === r.protocol && o.family === AddressFamily.IPV4) covered = subtract(covered, [o.fromPort, o.toPort]);
        }
      }
      for (const c of covered) left = subtract(left, c);
    }
    for (const [p0, p1] of left) out.push({ ...r, fromPort: p0, toPort: p1 });
  }
  return out;
}

function flowSpan(f: ExpectedFlow, protocol: string): [number, number] | undefined {
  const j = f.port.toRuleJson();
  return String(j.ipProtocol) === protocol ? [Number(j.fromPort), Number(j.toPort)] : undefined;
}

function subtract(spans: Array<[number, number]>, [c0, c1]: [number, number]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [a, b] of spans) {
    if (c1 < a || c0 > b) {
      out.push([a, b]);
      continue;
    }
    if (a < c0) out.push([a, c0 - 1]);
    if (c1 < b) out.push([c1 + 1, b]);
  }
  return out;
}

/** The CIDR blocks that together hold every IPv4 address outside `cidr` (one per prefix bit). */
function complement(cidr: string): string[] {
  const r = parseIpv4(cidr);
  const out: string[] = [];
  for (let bits = 1; bits <= r.prefix; bits++) {
    const size = 2 ** (32 - bits);
    const n = Math.floor(r.first / size);
    out.push(cidrAt((n % 2 === 0 ? n + 1 : n - 1) * size, bits));
  }
  return out;
}

/** `internet 0.0.0.0/0` -> `internet`. */
function endName(name: string): string {
  return name.startsWith('internet') ? INTERNET : name;
}

/** `tcp 443`, `tcp 1024-65535`, `udp 53 (IPv6)`. */
function rangeText(r: OpenPortRange): string {
  const ports = r.fromPort === r.toPort ? `${r.fromPort}` : `${r.fromPort}-${r.toPort}`;
  return `${r.protocol} ${ports}${r.family === AddressFamily.IPV6 ? ' (IPv6)' : ''}`;
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

/** Whether an expected flow's end names an end of the matrix (a CIDR names the internet when `cidrOk`). */
function endCovers(declared: string, actual: string, index: TemplateIndex, cidrOk: boolean): boolean {
  if (declared === INTERNET || declared === '0.0.0.0/0') return actual === INTERNET;
  if (isIpv4Cidr(declared)) return cidrOk && actual === INTERNET;
  const d = index.canonical(declared);
  return actual === d || actual.startsWith(`${d}/`);
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

  /** Whether `name` is the construct path of a resource, or of a construct above one, or a logical id. */
  public names(name: string): boolean {
    const n = this.canonical(name);
    if (this.byDisplay.has(n)) return true;
    for (const d of this.byDisplay.keys()) if (d.startsWith(`${n}/`)) return true;
    return false;
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
