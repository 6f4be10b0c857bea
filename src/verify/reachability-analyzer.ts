import { CfnResource, Stack, Stage, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NetworkEndpoint, NetworkEndpointKind } from './network-endpoint';
import { AddressFamily, ExposedPortRange, OpenPortRange, OpenPortsEntry, OpeningStatus, UndeclaredOpening } from './open-ports';
import { ReachabilityAnswer, Verdict } from './reachability-answer';
import { ReachabilityMatrix, ReachabilityMatrixEntry } from './reachability-matrix';
import { AddressRange, coversFamily, parseCidr, subtractRanges, wholeFamily } from '../model/addresses';
import { PortSpan, intersectSpans, subtractSpans, unionSpans } from '../model/boxes-exact';
import { EndSpec, Evaluator, Traffic } from '../model/evaluator';
import { ExactEnd, ExactEvaluator, LayerName } from '../model/exact';
import { NodeModel, StackInput, TemplateModel, toCidr } from '../model/template-model';
import { DeclaredFlow } from '../network/declared-flow';
import { ALL_TIERS, Tier } from '../network/tier';
import { TieredVpc } from '../network/tiered-vpc';
import { EphemeralRange } from '../ports/ephemeral-range';

/** Options of a `ReachabilityAnalyzer`. */
export interface ReachabilityAnalyzerOptions {
  /**
   * The ephemeral range of instance-like clients (EC2 instances, auto scaling groups, ECS tasks,
   * ENIs, hosts in subnets): NACLs must admit the WHOLE range for their return traffic, since a
   * client may pick any port of it. Load balancers, Lambda functions and internet clients use
   * 1024-65535 (the range AWS advises a NACL to allow); managed services (RDS, proxies, ElastiCache, endpoints) are taken as
   * 1024-65535 too, since AWS documents no narrower range for them.
   * @see https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html
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

/**
 * Answers "can `from` reach `to` on this port?" from synthesized CloudFormation templates, before
 * anything is deployed: an app can run and listen and still be unreachable behind a security
 * group, a NACL or a route table.
 *
 * It models VPCs, subnets, route tables and routes (internet gateway, NAT gateway, NAT
 * instance, egress-only IGW, local), NACLs (first match by rule number, per address family,
 * stateless: the request one way and the client's WHOLE ephemeral range back), security groups
 * (stateful; inline and standalone rules; a group with no egress rule at all allows all
 * outbound, CDK's `255.255.255.255/32` placeholder allows none), and the nodes that sit in
 * subnets with security groups. Every method reads NACLs and security groups through the same
 * first-match evaluator and rule reader (the ones the `NetworkPatternsChecks` rule pack uses).
 * IPv4 traffic from the internet reaches only nodes with a public address in subnets routed to
 * an internet gateway; IPv6 traffic any address of such a subnet (IPv6 addresses are globally
 * routable), never through an egress-only internet gateway. Traffic to the internet leaves
 * through an internet gateway (a public IPv4 address needed), an egress-only internet gateway
 * (IPv6), a NAT gateway or a NAT instance (IPv4; the NAT's subnet NACL must pass it both ways,
 * and a NAT instance's security groups filter what it forwards). Load balancers are proxies: ask
 * `internet -> load balancer` and `load balancer -> targets` separately.
 *
 * A node in several subnets (every AZ) is reachable only if EVERY (source subnet, destination
 * subnet) pair passes: partial reachability is reported as BLOCKED, naming the pair.
 * Anything the template doesn't say (parameters, imports without the exporting stack, prefix
 * lists, groups defined elsewhere) makes the answer UNKNOWN with the reason, never a guess.
 *
 * Approximations: TCP/UDP only (no ICMP, no path MTU discovery); between two nodes, `canReach`
 * asks about IPv4 (an internet end with an IPv6 CIDR asks about IPv6); cross-VPC routes (peering,
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
  private readonly exact: ExactEvaluator;
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
    this.exact = new ExactEvaluator(this.model, {
      instance: { from: inst.fromPort, to: inst.toPort },
      elb: { from: EphemeralRange.ELB.fromPort, to: EphemeralRange.ELB.toPort },
      lambda: { from: EphemeralRange.LAMBDA.fromPort, to: EphemeralRange.LAMBDA.toPort },
      managed: { from: EphemeralRange.ANY_CLIENT.fromPort, to: EphemeralRange.ANY_CLIENT.toPort },
    });
  }

  /**
   * Can `from` open a connection to `to` on `port`, and get the answers back?
   *
   * `port` must be TCP or UDP (a range is reachable only when every port of it is). The question
   * is asked over IPv6 when an internet end has an IPv6 CIDR, else over IPv4.
   */
  public canReach(from: NetworkEndpoint, to: NetworkEndpoint, port: ec2.Port): ReachabilityAnswer {
    const query = `${from.name} -> ${to.name} on ${port.toString()}`;
    const t = trafficOf(port);
    if (typeof t === 'string') return { query, verdict: Verdict.UNKNOWN, reasons: [`unknown: ${t}`], warnings: [], partiallyOpen: false };
    const portText = `${t.protocol === 6 ? 'tcp' : 'udp'} ${t.p0 === t.p1 ? t.p0 : `${t.p0}-${t.p1}`}`;
    const raw = this.evaluator.evaluate(this.end(from), this.end(to), { ...t, family: familyOf(from, to) }, portText);
    return {
      query: `${from.name} -> ${to.name} on ${portText}`,
      verdict: raw.verdict === 'reachable' ? Verdict.REACHABLE : raw.verdict === 'blocked' ? Verdict.BLOCKED : Verdict.UNKNOWN,
      reasons: [...raw.reasons, ...raw.warnings.map((w) => `warning: ${w}`)],
      warnings: raw.warnings,
      partiallyOpen: raw.partiallyOpen,
    };
  }

  private canReachRelayed(from: NetworkEndpoint, to: NetworkEndpoint, port: ec2.Port): ReachabilityAnswer {
    const t = trafficOf(port) as Omit<Traffic, 'family'>;
    const portText = `${t.protocol === 6 ? 'tcp' : 'udp'} ${t.p0 === t.p1 ? t.p0 : `${t.p0}-${t.p1}`}`;
    const raw = this.evaluator.evaluateRelayedNacls(this.end(from), this.end(to), { ...t, family: familyOf(from, to) }, portText);
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
   * The exact open ports from `from` to `to`: every TCP and UDP port range, IPv4 and IPv6, that
   * passes every layer for some address of each end, each with the rules that admit it. Computed
   * by interval arithmetic over (address x port), not by sampling. `NetworkEndpoint.internet()`
   * (no CIDR) is every address outside the VPC, in both families; with a CIDR, only those
   * addresses. A construct naming several nodes gives the union of their open ports.
   */
  public openPorts(from: NetworkEndpoint, to: NetworkEndpoint): OpenPortRange[] {
    const a = this.exactEnds(from);
    const b = this.exactEnds(to);
    const out: OpenPortRange[] = [];
    for (const protocol of [6, 17]) {
      for (const family of [4, 6] as const) {
        let open: PortSpan[] = [];
        let maybe: PortSpan[] = [];
        for (const x of a) {
          for (const y of b) {
            const r = this.exact.open(x, y, protocol, family);
            open = unionSpans(open, r.open);
            maybe = unionSpans(maybe, r.maybe);
          }
        }
        out.push(...toRanges(protocol, family, open, true), ...toRanges(protocol, family, subtractSpans(maybe, open), false));
      }
    }
    return out;
  }

  /**
   * The exact open ports between every ordered pair of distinct ends (never internet to internet).
   * @param ends the ends to cross
   * @default - every node the analyzer found in a VPC, and the internet
   */
  public openPortsMatrix(ends?: NetworkEndpoint[]): OpenPortsEntry[] {
    const list = ends ?? [
      ...this.model.nodes.filter((n: NodeModel) => !n.outsideVpc).map((n) => NetworkEndpoint.path(n.path)),
      NetworkEndpoint.internet(),
    ];
    const out: OpenPortsEntry[] = [];
    for (const from of list) {
      for (const to of list) {
        if (from === to || (from.kind === NetworkEndpointKind.INTERNET && to.kind === NetworkEndpointKind.INTERNET)) continue;
        out.push({ from: displayName(from, this.model), to: displayName(to, this.model), ranges: this.openPorts(from, to) });
      }
    }
    return out;
  }

  /**
   * What the internet reaches, exactly: for every node in a VPC, every TCP and UDP port range that
   * some address outside the VPC can open (IPv4 to a public address, IPv6 to any address of a
   * subnet routed to an internet gateway), with the rules that admit it. A union of CIDRs that
   * covers every address (`0.0.0.0/1` and `128.0.0.0/1`) counts as the whole internet.
   */
  public exposure(): ExposedPortRange[] {
    const out: ExposedPortRange[] = [];
    for (const node of this.model.nodes) {
      if (node.outsideVpc) continue;
      const internet: ExactEnd = { kind: 'internet' };
      for (const protocol of [6, 17]) {
        for (const family of [4, 6] as const) {
          const r = this.exact.open(internet, { kind: 'node', node }, protocol, family);
          for (const x of [...toRanges(protocol, family, r.open, true), ...toRanges(protocol, family, r.maybe, false)]) {
            out.push({ node: node.display, kind: node.kind, ...x });
          }
        }
      }
    }
    return out;
  }

  /**
   * Every opening between the ends of `tieredVpc` that none of its declared flows covers.
   *
   * The ends are every node in the VPC (not only declared workloads), a host in each tier's
   * subnets, and the internet. For each ordered pair, protocol and family, the exact open ports
   * less the declared ones are LIVE openings (UNKNOWN when unresolved values decide them); the
   * ports that open when one layer alone (security groups, NACLs, routing or listeners) is taken
   * away are LATENT openings naming that layer. A flow declared for a tier covers every node in
   * that tier; a flow from (or to) the internet with CIDRs covers only those addresses.
   */
  public undeclaredOpenings(tieredVpc: TieredVpc): UndeclaredOpening[] {
    const ends = this.tieredEnds(tieredVpc);
    const flows = tieredVpc.flows;
    const out: UndeclaredOpening[] = [];
    for (const a of ends) {
      for (const b of ends) {
        if (a === b || (a.end.kind === 'internet' && b.end.kind === 'internet')) continue;
        for (const protocol of [6, 17]) {
          const covering = flows.filter((f) => (f.protocol === 'udp' ? 17 : 6) === protocol && this.flowCovers(f, 'from', a) && this.flowCovers(f, 'to', b));
          for (const family of [4, 6] as const) {
            out.push(...this.undeclaredBetween(a, b, protocol, family, covering));
          }
        }
      }
    }
    return out;
  }

  private undeclaredBetween(a: TieredEnd, b: TieredEnd, protocol: number, family: 4 | 6, covering: DeclaredFlow[]): UndeclaredOpening[] {
    const span = (f: DeclaredFlow): PortSpan => ({ p0: f.fromPort, p1: f.toPort, why: [] });
    const world = (f: DeclaredFlow) => !f.internetCidrs ||
      coversFamily(f.internetCidrs.map((c) => parseCidr(c)).filter((r): r is AddressRange => !!r), family);
    const declared = unionSpans([], covering.filter(world).map(span));
    const restricted = covering.filter((f) => !world(f));
    const out: UndeclaredOpening[] = [];
    const emit = (spans: PortSpan[], status: OpeningStatus, stoppedBy?: string) => {
      for (const r of toRanges(protocol, family, spans, status !== OpeningStatus.UNKNOWN)) {
        out.push({ from: a.name, to: b.name, status, stoppedBy, ...r });
      }
    };
    const undeclared = (x: ExactEnd, y: ExactEnd, ignore?: LayerName) => {
      const r = this.exact.open(x, y, protocol, family, ignore);
      const anyDeclared = unionSpans(declared, restricted.map(span));
      let open = subtractSpans(r.open, anyDeclared);
      let maybe = subtractSpans(r.maybe, anyDeclared);
      // Ports declared for some internet CIDRs only: open from (or to) the other addresses is undeclared.
      for (const f of restricted) {
        const cidrs = (f.internetCidrs ?? []).map((c) => parseCidr(c)).filter((c): c is AddressRange => !!c && c.family === family);
        const others = subtractRanges([wholeFamily(family)], cidrs);
        const rx: ExactEnd = x.kind === 'internet' ? { kind: 'internet', only: others } : x;
        const ry: ExactEnd = y.kind === 'internet' ? { kind: 'internet', only: others } : y;
        const rest = this.exact.open(rx, ry, protocol, family, ignore);
        const ports = subtractSpans([span(f)], declared);
        open = unionSpans(open, intersectSpans(rest.open, ports));
        maybe = unionSpans(maybe, intersectSpans(rest.maybe, ports));
      }
      return { open, maybe };
    };
    const full = undeclared(a.end, b.end);
    if (a.host || b.host) {
      // A host in a tier stands for anything placed there, with no security group of its own:
      // what passes routing and the NACLs to or from it is stopped only by the security groups of
      // whatever is placed in the tier.
      emit(unionSpans(full.open, full.maybe), OpeningStatus.LATENT, 'security groups');
      return out;
    }
    emit(full.open, OpeningStatus.LIVE);
    emit(subtractSpans(full.maybe, full.open), OpeningStatus.UNKNOWN);
    let seen = unionSpans(full.open, full.maybe);
    const sameVpcNodes = a.end.kind === 'node' && b.end.kind === 'node';
    const layers: LayerName[] = ['security groups', 'NACLs', ...(sameVpcNodes ? [] : ['routing' as LayerName]),
      ...(b.end.kind === 'node' && b.end.node.isLoadBalancer ? ['listeners' as LayerName] : [])];
    for (const layer of layers) {
      const without = undeclared(a.end, b.end, layer);
      const latent = subtractSpans(without.open, seen);
      emit(latent, OpeningStatus.LATENT, layer);
      seen = unionSpans(seen, latent);
    }
    return out;
  }

  /** Every node in the tiered VPC, a host in each tier's subnets, and the internet. */
  private tieredEnds(net: TieredVpc): TieredEnd[] {
    const tierOfSubnet = new Map<string, Tier>();
    const ends: TieredEnd[] = [];
    for (const tier of ALL_TIERS) {
      const paths = net.selectTierSubnets(tier).subnets.map((s) => s.node.path);
      const spec = this.evaluator.resolvePaths(paths, `tier ${tier}`);
      const subnets = spec.kind === 'nodes' ? spec.nodes.flatMap((n) => n.subnets) : [];
      for (const s of subnets) tierOfSubnet.set(s, tier);
      if (subnets.length > 0) {
        const host = this.evaluator.hostIn(subnets.map((s) => this.model.subnets.get(s)!), `tier ${tier}`);
        ends.push({ name: `tier ${tier}`, end: { kind: 'node', node: host }, tier, host: true });
      }
    }
    const seen = new Set<string>();
    for (const node of this.model.nodes) {
      if (node.outsideVpc || node.subnets.length === 0 || !node.subnets.every((s) => tierOfSubnet.has(s))) continue;
      // Two nodes on the same hosts (a bridge-mode ECS service and its cluster's instances) are one end.
      if (seen.has(hostsKey(node))) continue;
      seen.add(hostsKey(node));
      ends.push({ name: node.display, end: { kind: 'node', node }, tier: tierOfSubnet.get(node.subnets[0]), host: false });
    }
    ends.push({ name: 'internet', end: { kind: 'internet' }, host: false });
    return ends;
  }

  private flowCovers(f: DeclaredFlow, side: 'from' | 'to', e: TieredEnd): boolean {
    const path = side === 'from' ? f.fromPath : f.toPath;
    const tier = side === 'from' ? f.fromTier : f.toTier;
    if (e.end.kind === 'internet') return tier === undefined;
    // A flow with the whole internet at one end opens that end to every address, the VPC's own included.
    if (tier === undefined) return isWorld(f.internetCidrs);
    // A host in a tier stands for anything placed there: every flow with an end in the tier covers it.
    if (e.host) return tier === e.tier;
    if (!path) return tier === e.tier;
    const spec = this.end(NetworkEndpoint.path(path));
    const key = hostsKey((e.end as { node: NodeModel }).node);
    return spec.kind === 'nodes' && spec.nodes.some((n) => hostsKey(n) === key);
  }

  private exactEnds(e: NetworkEndpoint): ExactEnd[] {
    if (e.kind === NetworkEndpointKind.INTERNET) {
      if (e.cidr === undefined || e.cidr === '0.0.0.0/0') return [{ kind: 'internet' }];
      return [{ kind: 'internet', only: [parseCidr(e.cidr)!] }];
    }
    const spec = this.end(e);
    if (spec.kind !== 'nodes') return [];
    return spec.nodes.map((node) => ({ kind: 'node', node }));
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
    if (name.startsWith('tier ')) return [NetworkEndpoint.subnets(net.selectTierSubnets(tier as Tier).subnets)];
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

interface TieredEnd {
  readonly name: string;
  readonly end: ExactEnd;
  readonly tier?: Tier;
  /** A host in the tier's subnets rather than a node. */
  readonly host: boolean;
}

/** What identifies a node's hosts: its subnets and security groups (a bridge-mode ECS service shares its instances'). */
function hostsKey(n: NodeModel): string {
  const onInstances = n.kind === 'ECS service (bridge/host mode)' || n.kind === 'auto scaling group';
  return `${onInstances ? 'instances' : n.id}|${[...n.subnets].sort().join(',')}|${n.sgMode}:${[...n.sgs].sort().join(',')}`;
}

function isWorld(cidrs: string[] | undefined): boolean {
  if (!cidrs) return true;
  const ranges = cidrs.map((c) => parseCidr(c)).filter((r): r is AddressRange => !!r);
  return coversFamily(ranges, 4);
}

function toRanges(protocol: number, family: 4 | 6, spans: PortSpan[], certain: boolean): OpenPortRange[] {
  return spans.map((s) => ({
    protocol: protocol === 6 ? 'tcp' : 'udp',
    family: family === 4 ? AddressFamily.IPV4 : AddressFamily.IPV6,
    fromPort: s.p0,
    toPort: s.p1,
    certain,
    admittedBy: [...s.why],
  }));
}

function displayName(e: NetworkEndpoint, model: TemplateModel): string {
  if (e.kind !== NetworkEndpointKind.CONSTRUCT) return e.name;
  const node = model.nodes.find((n) => n.path === e.paths[0]);
  return node ? node.display : e.name;
}

/** The address family of a question: an internet end's CIDR decides it; between nodes, IPv4. */
function familyOf(from: NetworkEndpoint, to: NetworkEndpoint): 4 | 6 {
  const inet = [from, to].find((e) => e.kind === NetworkEndpointKind.INTERNET);
  return inet && parseCidr(inet.cidr)?.family === 6 ? 6 : 4;
}

function trafficOf(port: ec2.Port): Omit<Traffic, 'family'> | string {
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
