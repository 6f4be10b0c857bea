import { CfnResource, Stack, Stage, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { EndSpec, Evaluator, Traffic } from '../model/evaluator';
import { NodeModel, StackInput, TemplateModel, toCidr } from '../model/template-model';
import { NetworkEndpoint, NetworkEndpointKind } from './network-endpoint';
import { ReachabilityAnswer, Verdict } from './reachability-answer';
import { ReachabilityMatrix, ReachabilityMatrixEntry } from './reachability-matrix';
import { DeclaredFlow } from '../network/declared-flow';
import { Tier } from '../network/tier';
import { TieredVpc } from '../network/tiered-vpc';
import { EphemeralRange } from '../ports/ephemeral-range';

/** Options of a `ReachabilityAnalyzer`. */
export interface ReachabilityAnalyzerOptions {
  /**
   * The ephemeral range of instance-like clients (EC2 instances, auto scaling groups, ECS tasks,
   * ENIs, hosts in subnets): NACLs must admit the WHOLE range for their return traffic (seed 000
   * section 9). Load balancers, Lambda functions and internet clients always use 1024-65535
   * (AWS-FACTS.md "NACLs"); managed services (RDS, proxies, ElastiCache, endpoints) are taken as
   * 1024-65535 too, since AWS documents no narrower range for them.
   * @default EphemeralRange.LINUX (32768-60999)
   */
  readonly instanceEphemeralRange?: EphemeralRange;
}

/** A node the analyzer found: something that sits in subnets with security groups. */
export interface NetworkNode {
  /** The node's construct path (or logical id). */
  readonly path: string;
  /** What it is, e.g. `application load balancer`, `ECS service (awsvpc)`. */
  readonly kind: string;
  /** Its subnets' paths. */
  readonly subnets: string[];
  /** Its security groups' paths (or ids, for groups outside the template). */
  readonly securityGroups: string[];
  /** Whether it has a public address (internet-facing load balancer, public IP). */
  readonly publicAddress: boolean;
  /** What the analyzer could not resolve about it. */
  readonly unknown: string[];
}

/** A declared flow of a `TieredVpc` and the analyzer's answer for it. */
export interface DeclaredFlowVerdict {
  /** The flow as declared. */
  readonly flow: DeclaredFlow;
  /** The answer for the flow's whole port range (for each internet CIDR, the worst answer). */
  readonly answer: ReachabilityAnswer;
}

/** One probe of an undeclared (from, to, port) triple. */
export interface UndeclaredFlowProbe {
  /** The source's name. */
  readonly from: string;
  /** The destination's name. */
  readonly to: string;
  /** The port probed, e.g. `tcp 22`. */
  readonly port: string;
  /** The answer. */
  readonly answer: ReachabilityAnswer;
  /**
   * Whether this is an opening nobody declared: anything but a BLOCKED answer with
   * `partiallyOpen` false (reachable, unknown, or blocked while part of the traffic passes).
   */
  readonly open: boolean;
}

/** The ports probed for undeclared openings when none are given (seed 000 section 10, Table 1). */
const DEFAULT_PROBES = [22, 3389, 80, 443, 8080, 3306, 5432, 6379, 9092, 27017].map((p) => ec2.Port.tcp(p)).concat([ec2.Port.udp(53)]);

/**
 * Answers "can `from` reach `to` on this port?" from synthesized CloudFormation templates, before
 * anything is deployed (seed 001: an app can run and listen and still be unreachable; seed 000
 * section 11).
 *
 * It models VPCs, subnets, route tables and routes (internet gateway, NAT gateway, egress-only
 * IGW, local), NACLs (first match by rule number, stateless: the request one way and the
 * client's WHOLE ephemeral range back), security groups (stateful; inline and standalone rules;
 * a group with no egress rule at all allows all outbound, CDK's `255.255.255.255/32` placeholder
 * allows none), and the nodes that sit in subnets with security groups. Traffic from the
 * internet reaches only nodes with a public address in subnets routed to an internet gateway;
 * traffic to the internet leaves through an internet gateway (public address needed) or a NAT
 * gateway, whose own subnet's NACL must pass it both ways. Load balancers are proxies: ask
 * `internet -> load balancer` and `load balancer -> targets` separately.
 *
 * A node in several subnets (every AZ) is reachable only if EVERY (source subnet, destination
 * subnet) pair passes: partial reachability is reported as BLOCKED, naming the pair.
 * Anything the template doesn't say (parameters, imports without the exporting stack, prefix
 * lists, groups defined elsewhere) makes the answer UNKNOWN with the reason, never a guess.
 *
 * Approximations: IPv4 TCP/UDP only (no ICMP, no path MTU discovery); cross-VPC routes (peering,
 * transit gateway) and routes to appliances are UNKNOWN; NLB client IP preservation is not
 * modelled (the load balancer -> target hop is checked from the load balancer's subnets, so a
 * target NACL that must admit the clients' CIDRs is not checked); gateway endpoint routes (S3,
 * DynamoDB prefix lists) are ignored: "the internet" means addresses outside the VPC; a subnet
 * without a route table association uses the main route table, taken as local-only (a template
 * cannot add routes to it); NACLs and CIDR rules are evaluated for the whole source and
 * destination subnet CIDRs (a node may hold any address of its subnet); listeners are checked
 * on load balancers only (other nodes are assumed to listen on the port asked about).
 *
 * @example
 * const analyzer = ReachabilityAnalyzer.fromStack(stack);
 * const answer = analyzer.canReach(NetworkEndpoint.of(service), NetworkEndpoint.of(db), ec2.Port.tcp(5432));
 * // answer.verdict === Verdict.REACHABLE, or answer.reasons says what blocks it
 */
export class ReachabilityAnalyzer {
  /** Analyzes one stack (synthesized once, with its construct paths). */
  public static fromStack(stack: Stack, options: ReachabilityAnalyzerOptions = {}): ReachabilityAnalyzer {
    return new ReachabilityAnalyzer([stackInput(stack)], options);
  }

  /** Analyzes several stacks of an app together, resolving `Fn::ImportValue` through their exports. */
  public static fromStacks(stacks: Stack[], options: ReachabilityAnalyzerOptions = {}): ReachabilityAnalyzer {
    if (stacks.length === 0) throw new Error('ReachabilityAnalyzer.fromStacks: give at least one stack, got []. Pass every stack whose resources the flows cross.');
    return new ReachabilityAnalyzer(stacks.map(stackInput), options);
  }

  /**
   * Analyzes a template (e.g. `Template.fromStack(stack).toJSON()` or a parsed `cdk.out` file).
   * Resources are named by their `aws:cdk:path` metadata when present, else by logical id.
   */
  public static fromTemplate(template: { [key: string]: any }, options: ReachabilityAnalyzerOptions = {}): ReachabilityAnalyzer {
    return new ReachabilityAnalyzer([{ name: 'Template', template, paths: new Map() }], options);
  }

  /** Analyzes several templates together (keyed by stack name), resolving `Fn::ImportValue` through their exports. */
  public static fromTemplates(
    templates: { [stackName: string]: { [key: string]: any } },
    options: ReachabilityAnalyzerOptions = {},
  ): ReachabilityAnalyzer {
    const inputs = Object.entries(templates).map(([name, template]) => ({ name, template, paths: new Map<string, string>() }));
    if (inputs.length === 0) throw new Error('ReachabilityAnalyzer.fromTemplates: give at least one template, got {}. Key each template by its stack name.');
    return new ReachabilityAnalyzer(inputs, options);
  }

  private readonly model: TemplateModel;
  private readonly evaluator: Evaluator;
  private readonly ends = new Map<string, EndSpec>();

  private constructor(inputs: StackInput[], options: ReachabilityAnalyzerOptions) {
    this.model = new TemplateModel(inputs);
    const inst = options.instanceEphemeralRange ?? EphemeralRange.LINUX;
    const r = (e: EphemeralRange, label: string) => ({ from: e.fromPort, to: e.toPort, label });
    this.evaluator = new Evaluator(this.model, {
      instance: r(inst, `instances, ${inst.label}`),
      elb: r(EphemeralRange.ELB, EphemeralRange.ELB.label),
      lambda: r(EphemeralRange.LAMBDA, EphemeralRange.LAMBDA.label),
      managed: r(EphemeralRange.ANY_CLIENT, 'a managed service, any client range'),
    });
  }

  /**
   * Can `from` open a connection to `to` on `port`, and get the answers back?
   *
   * `port` must be TCP or UDP (a range is reachable only when every port of it is).
   */
  public canReach(from: NetworkEndpoint, to: NetworkEndpoint, port: ec2.Port): ReachabilityAnswer {
    const query = `${from.name} -> ${to.name} on ${port.toString()}`;
    const t = trafficOf(port);
    if (typeof t === 'string') return { query, verdict: Verdict.UNKNOWN, reasons: [`unknown: ${t}`], warnings: [], partiallyOpen: false };
    const portText = `${t.protocol === 6 ? 'tcp' : 'udp'} ${t.p0 === t.p1 ? t.p0 : `${t.p0}-${t.p1}`}`;
    const raw = this.evaluator.evaluate(this.end(from), this.end(to), t, portText);
    return {
      query: `${from.name} -> ${to.name} on ${portText}`,
      verdict: raw.verdict === 'reachable' ? Verdict.REACHABLE : raw.verdict === 'blocked' ? Verdict.BLOCKED : Verdict.UNKNOWN,
      reasons: [...raw.reasons, ...raw.warnings.map((w) => `warning: ${w}`)],
      warnings: raw.warnings,
      partiallyOpen: raw.partiallyOpen,
    };
  }

  private canReachRelayed(from: NetworkEndpoint, to: NetworkEndpoint, port: ec2.Port): ReachabilityAnswer {
    const t = trafficOf(port) as Traffic;
    const portText = `${t.protocol === 6 ? 'tcp' : 'udp'} ${t.p0 === t.p1 ? t.p0 : `${t.p0}-${t.p1}`}`;
    const raw = this.evaluator.evaluateRelayedNacls(this.end(from), this.end(to), t, portText);
    return {
      query: `${from.name} -> ${to.name} on ${portText} (relayed)`,
      verdict: raw.verdict === 'reachable' ? Verdict.REACHABLE : raw.verdict === 'blocked' ? Verdict.BLOCKED : Verdict.UNKNOWN,
      reasons: [...raw.reasons, ...raw.warnings.map((w) => `warning: ${w}`)],
      warnings: raw.warnings,
      partiallyOpen: raw.partiallyOpen,
    };
  }

  /** The nodes the analyzer found, in template order. */
  public listNodes(): NetworkNode[] {
    return this.model.nodes.map((n) => ({
      path: n.display,
      kind: n.kind,
      subnets: n.subnets.map((s) => this.model.subnets.get(s)!.display),
      securityGroups: n.sgMode === 'none' ? [] : n.sgs.map((k) => this.model.sgs.get(k)?.display ?? k.replace(/^lit:/, '')),
      publicAddress: n.publicIp,
      unknown: [n.subnetsUnknown, n.sgsUnknown].filter((x): x is string => x !== undefined),
    }));
  }

  /**
   * Which ends reach which on each port: every ordered pair of distinct ends (never internet to
   * internet), for each port.
   * @param ports the ports to ask about
   * @param ends the ends to cross
   * @default - every node the analyzer found in a VPC, and the internet
   */
  public matrix(ports: ec2.Port[], ends?: NetworkEndpoint[]): ReachabilityMatrix {
    const list = ends ?? [
      ...this.model.nodes.filter((n: NodeModel) => !n.outsideVpc).map((n) => NetworkEndpoint.path(n.path)),
      NetworkEndpoint.internet(),
    ];
    const entries: ReachabilityMatrixEntry[] = [];
    for (const from of list) {
      for (const to of list) {
        if (from === to || (from.kind === NetworkEndpointKind.INTERNET && to.kind === NetworkEndpointKind.INTERNET)) continue;
        for (const port of ports) {
          const a = this.canReach(from, to, port);
          entries.push({
            from: displayName(from, this.model),
            to: displayName(to, this.model),
            port: port.toString(),
            verdict: a.verdict,
            partiallyOpen: a.partiallyOpen,
            reasons: a.reasons,
          });
        }
      }
    }
    return new ReachabilityMatrix(list.map((e) => displayName(e, this.model)), ports.map((p) => p.toString()), entries);
  }

  /**
   * The answer for each flow declared on `tieredVpc`: workload ends by construct path, tier ends as
   * hosts in the tier's subnets (routing and NACLs only), internet ends for each declared CIDR.
   */
  public checkDeclaredFlows(tieredVpc: TieredVpc): DeclaredFlowVerdict[] {
    return tieredVpc.flows.map((flow) => ({ flow, answer: this.checkFlow(tieredVpc, flow) }));
  }

  /**
   * Probes (from, to, port) triples that no flow of `tieredVpc` declares, among the flows' workload
   * ends and the internet, and returns every probe with its answer.
   *
   * Sampling: every ordered pair of distinct ends (workloads by construct path, and
   * `internet 0.0.0.0/0`), crossed with `probePorts` plus, for each declared flow, its first and
   * last port and the ports just outside its range (off-by-one openings). A triple is skipped when
   * a declared flow covers it, and when the destination admits the internet (0.0.0.0/0) on that
   * port by a declared flow (then everyone may reach it). Tier ends are not probed (they declare
   * NACL entries only, which security groups still guard).
   * @param probePorts ports to probe besides the declared flows' boundaries
   * @default - SSH 22, RDP 3389, 80, 443, 8080, 3306, 5432, 6379, 9092, 27017 (TCP) and DNS 53 (UDP)
   */
  public probeUndeclaredFlows(tieredVpc: TieredVpc, probePorts?: ec2.Port[]): UndeclaredFlowProbe[] {
    const flows = tieredVpc.flows;
    // Two names of one workload (an auto scaling group and its security group, say) are one end:
    // ends are keyed by the nodes they resolve to.
    const identity = (path: string) => {
      const spec = this.end(NetworkEndpoint.path(path));
      return spec.kind === 'nodes' ? `nodes:${spec.nodes.map((n) => n.id).sort().join(',')}` : `path:${path}`;
    };
    const workloads = new Map<string, NetworkEndpoint>();
    for (const f of flows) {
      for (const path of [f.fromPath, f.toPath]) {
        if (path && !workloads.has(identity(path))) workloads.set(identity(path), NetworkEndpoint.path(path));
      }
    }
    const internet = NetworkEndpoint.internet();
    const ends: Array<[string, NetworkEndpoint]> = [...workloads.entries(), ['internet', internet]];
    const ports = new Map<string, Traffic>();
    const add = (protocol: number, p: number) => {
      if (p >= 1 && p <= 65535) ports.set(`${protocol}/${p}`, { protocol, p0: p, p1: p });
    };
    for (const port of probePorts ?? DEFAULT_PROBES) {
      const t = trafficOf(port);
      if (typeof t !== 'string') for (let p = t.p0; p <= t.p1 && p - t.p0 < 64; p++) add(t.protocol, p);
    }
    for (const f of flows) {
      const proto = f.protocol === 'udp' ? 17 : 6;
      for (const p of [f.fromPort - 1, f.fromPort, f.toPort, f.toPort + 1]) add(proto, p);
    }
    const key = (f: DeclaredFlow, side: 'from' | 'to') => {
      const path = side === 'from' ? f.fromPath : f.toPath;
      const tier = side === 'from' ? f.fromTier : f.toTier;
      return path ? identity(path) : (tier === undefined ? 'internet' : `tier:${tier}`);
    };
    const covers = (f: DeclaredFlow, t: Traffic) => (f.protocol === 'udp' ? 17 : 6) === t.protocol && f.fromPort <= t.p0 && t.p1 <= f.toPort;
    const probes: UndeclaredFlowProbe[] = [];
    for (const [aKey, a] of ends) {
      for (const [bKey, b] of ends) {
        if (aKey === bKey) continue;
        for (const t of ports.values()) {
          const declared = flows.some((f) => covers(f, t) && key(f, 'to') === bKey &&
            (key(f, 'from') === aKey || (key(f, 'from') === 'internet' && (aKey === 'internet' || (f.internetCidrs ?? []).includes('0.0.0.0/0')))));
          if (declared) continue;
          const port = t.protocol === 6 ? ec2.Port.tcp(t.p0) : ec2.Port.udp(t.p0);
          const answer = this.canReach(a, b, port);
          probes.push({ from: a.name, to: b.name, port: port.toString(), answer, open: answer.verdict !== Verdict.BLOCKED || answer.partiallyOpen });
        }
      }
    }
    return probes;
  }

  private checkFlow(net: TieredVpc, flow: DeclaredFlow): ReachabilityAnswer {
    const port = flow.protocol === 'udp' ? ec2.Port.udpRange(flow.fromPort, flow.toPort) : ec2.Port.tcpRange(flow.fromPort, flow.toPort);
    const froms = this.flowEnds(net, flow, 'from');
    const tos = this.flowEnds(net, flow, 'to');
    if (typeof froms === 'string' || typeof tos === 'string') {
      const reason = typeof froms === 'string' ? froms : tos as string;
      return { query: flow.description, verdict: Verdict.UNKNOWN, reasons: [`unknown: ${reason}`], warnings: [], partiallyOpen: false };
    }
    // internet -> a private tier (no workload end) declares NACL entries for traffic a proxy relays
    // with the client's address (an NLB with client IP preservation): check those NACLs only.
    const relayed = flow.fromTier === undefined && flow.toPath === undefined && flow.toTier !== Tier.PUBLIC;
    const answers: ReachabilityAnswer[] = [];
    for (const f of froms) for (const t of tos) answers.push(relayed ? this.canReachRelayed(f, t, port) : this.canReach(f, t, port));
    const rank = (a: ReachabilityAnswer) => (a.verdict === Verdict.BLOCKED ? 2 : a.verdict === Verdict.UNKNOWN ? 1 : 0);
    answers.sort((x, y) => rank(y) - rank(x));
    return answers[0];
  }

  private flowEnds(net: TieredVpc, flow: DeclaredFlow, side: 'from' | 'to'): NetworkEndpoint[] | string {
    const path = side === 'from' ? flow.fromPath : flow.toPath;
    const tier = side === 'from' ? flow.fromTier : flow.toTier;
    const name = side === 'from' ? flow.from : flow.to;
    if (tier === undefined) return (flow.internetCidrs ?? ['0.0.0.0/0']).map((c) => NetworkEndpoint.internet(c));
    if (path) return [NetworkEndpoint.path(path)];
    if (name.startsWith('tier ')) return [NetworkEndpoint.subnets(net.vpc.selectSubnets(net.selectSubnets(tier as Tier)).subnets)];
    return `the workload ${name} of flow '${flow.description}' is not a construct, so the analyzer cannot find it in the template`;
  }

  private end(e: NetworkEndpoint): EndSpec {
    const k = `${e.kind}|${e.paths.join('\n')}|${e.cidr ?? ''}`;
    let spec = this.ends.get(k);
    if (!spec) {
      spec = e.kind === NetworkEndpointKind.INTERNET
        ? { kind: 'internet', range: toCidr(e.cidr!)!, name: e.name }
        : this.evaluator.resolvePaths(e.paths, e.name);
      this.ends.set(k, spec);
    }
    return spec;
  }
}

function displayName(e: NetworkEndpoint, model: TemplateModel): string {
  if (e.kind !== NetworkEndpointKind.CONSTRUCT) return e.name;
  const node = model.nodes.find((n) => n.path === e.paths[0]);
  return node ? node.display : e.name;
}

function trafficOf(port: ec2.Port): Traffic | string {
  const json = port.toRuleJson();
  const protocol = String(json.ipProtocol);
  if (protocol !== 'tcp' && protocol !== 'udp') {
    return `only TCP and UDP ports are analyzed, got ${port.toString()} (protocol ${protocol})`;
  }
  if (Token.isUnresolved(json.fromPort) || Token.isUnresolved(json.toPort)) return `the port ${port.toString()} is a token; give a concrete port`;
  const p0 = Number(json.fromPort);
  const p1 = Number(json.toPort);
  if (!Number.isInteger(p0) || !Number.isInteger(p1) || p0 < 0 || p1 > 65535 || p0 > p1) return `the port ${port.toString()} is not a range within 0-65535`;
  return { protocol: protocol === 'tcp' ? 6 : 17, p0, p1 };
}

/** Synthesizes the stack's stage once (cached by aws-cdk-lib) and maps logical ids to construct paths. */
function stackInput(stack: Stack): StackInput {
  const stage = Stage.of(stack);
  if (!stage) throw new Error(`ReachabilityAnalyzer.fromStack: ${stack.node.path} is not in an App or Stage. Create the stack inside an App.`);
  const assembly = stage.synth();
  const template = assembly.getStackArtifact(stack.artifactId).template;
  const paths = new Map<string, string>();
  const displays = new Map<string, string>();
  for (const c of stack.node.findAll()) {
    if (!CfnResource.isCfnResource(c) || Stack.of(c) !== stack) continue;
    const logicalId = stack.resolve(c.logicalId);
    paths.set(logicalId, c.node.path);
    // Name a default child by its owner (`App` for `App/ASG`), as users know it.
    const owner = c.node.scope;
    if (owner && owner.node.defaultChild === c && owner !== stack) displays.set(logicalId, owner.node.path);
  }
  return { name: stack.artifactId, template, paths, displays };
}
