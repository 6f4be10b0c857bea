/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Rebuilds synthesized templates as Linux namespaces and carries every declared flow (and the
 * undeclared probes) with real TCP handshakes and UDP exchanges, then compares the packets with
 * the reachability analyzer's verdicts.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Agent, Emulation } from './netns';
import { EmulationPlan, Eni, ipToInt, NatPlan, planEmulation } from './plan';
import { blockedSpans, boundarySourcePorts, PortSpan, spanText } from './ports';
import { EmuEnd, EmuNacl, EmuTopology } from './topology';
import { RecordedFlow, topologyFromTemplates } from './topology-from-templates';
import { NetworkEndpoint } from '../verify/network-endpoint';
import { AddressFamily } from '../verify/open-ports';
import { ReachabilityAnalyzer } from '../verify/reachability-analyzer';
import { ReachabilityAnswer, Verdict } from '../verify/reachability-answer';

/** Ports probed for undeclared openings, besides the declared flows' boundaries (as the analyzer's sampling). */
const UNDECLARED_PORTS: Array<[number, number]> = [22, 3389, 80, 443, 8080, 3306, 5432, 6379, 9092, 27017].map((p) => [6, p] as [number, number])
  .concat([[17, 53]]);
const INTERNET_RANGE = { from: 1024, to: 65535, label: 'internet clients' };
/** The source ports a NAT gateway translates to. */
const NAT_RANGE = { from: 1024, to: 65535 };

export interface EmulateOptions {
  /** How long a handshake may take before it counts as blocked. @default 600 ms */
  readonly timeoutMs?: number;
  /** Probe undeclared openings too. @default true */
  readonly undeclared?: boolean;
  /** Flows to probe besides those recorded in the templates. */
  readonly flows?: RecordedFlow[];
  /** Namespace name prefix (must start with `cnpe`). @default `cnpe<pid in base 36>` */
  readonly prefix?: string;
  /** Progress messages. */
  readonly log?: (line: string) => void;
}

/** The templates give the emulation nothing to probe. */
export class NothingToProveError extends Error {}

function requireFlows(topo: EmuTopology): void {
  if (topo.flows.length > 0) return;
  throw new NothingToProveError('the templates declare no flows, so there is nothing to prove: a TieredVpc records its flows on its VPC resource ' +
    '(metadata cdk-network-patterns:flows); for other stacks name the flows with --flow FROM=>TO:tcp/PORT.' +
    (topo.skipped.length ? ` Also: ${topo.skipped.join('; ')}` : ''));
}

/** Throws `NothingToProveError` when neither the templates nor `flows` declare a flow (no root needed). */
export function checkSomethingToProve(templates: { [stack: string]: any }, flows: RecordedFlow[] = []): void {
  requireFlows(topologyFromTemplates(templates, flows));
}

export type PacketVerdict = 'pass' | 'blocked' | 'partial' | 'not run';

export interface ProbeResult {
  readonly kind: 'declared' | 'end-to-end' | 'undeclared';
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly port: string;
  readonly analyzer: string;
  readonly analyzerPartial: boolean;
  readonly packets: PacketVerdict;
  readonly legs: number;
  readonly passedLegs: number;
  /** What the packets met, per (client, server) pair that did not pass entirely. */
  readonly details: string[];
  /** The analyzer and the packets say the same. */
  readonly agree: boolean;
  readonly ok: boolean;
  readonly note?: string;
}

export interface EmulationReport {
  readonly probes: ProbeResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: string[];
  readonly namespaces: number;
  readonly buildSeconds: number;
  readonly probeSeconds: number;
}

interface Endpoint {
  readonly ns: string;
  readonly addr: string;
  readonly label: string;
  readonly eni?: Eni;
}

interface Leg {
  readonly probe: number;
  readonly client: Endpoint;
  readonly server: Endpoint;
  /** The address the client connects to (a public address from the internet). */
  readonly dest: string;
  readonly proto: 'tcp' | 'udp';
  readonly port: number;
  /** The probed source port: the first of a span of ports the NACLs treat alike (`lportMax` is its last). */
  readonly lport: number;
  readonly lportMax: number;
  /** The port actually bound: the first port of the span the client doesn't listen on. */
  bindPort?: number;
  /** Why this leg is not probed (it can't occur). */
  unused?: string;
  /** A leg to the internet through a NAT gateway: the source port the NAT gateway translates to. */
  nat?: { readonly plan: NatPlan; readonly span: PortSpan; port: number };
  /** Load balancer ENI to configure for this leg (end-to-end rounds). */
  readonly via?: { readonly eni: Eni; readonly target: Eni; readonly targetPort: number; readonly passThrough: boolean };
  /** Fails without sending: the client never opens connections. */
  readonly refuse?: string;
  result?: { ok: boolean; err?: string };
}

interface PendingProbe {
  readonly kind: ProbeResult['kind'];
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly port: string;
  readonly answer: ReachabilityAnswer | undefined;
  readonly declared: boolean;
  readonly note?: string;
}

/** Emulates `templates` (keyed by stack name) and probes them. Needs root, iproute2 and nftables. */
export async function emulate(templates: { [stack: string]: any }, options: EmulateOptions = {}): Promise<EmulationReport> {
  const log = options.log ?? (() => undefined);
  const timeout = options.timeoutMs ?? 600;
  const t0 = Date.now();
  const topo = topologyFromTemplates(templates, options.flows ?? []);
  const prefix = options.prefix ?? `cnpe${process.pid.toString(36)}`;
  if (!/^cnpe[a-z0-9]{0,8}$/.test(prefix)) throw new Error(`the namespace prefix must be 'cnpe' and up to 8 lowercase letters or digits, got '${prefix}'`);
  requireFlows(topo);
  const plan = planEmulation(topo, prefix);
  const analyzer = ReachabilityAnalyzer.fromTemplates(templates);
  const probes: PendingProbe[] = [];
  const legs: Leg[] = [];
  planProbes(topo, plan, analyzer, options.undeclared ?? true, probes, legs);
  log(`read the templates and planned ${probes.length} probes in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const agentNs = [...new Set(legs.flatMap((l) => [l.client.ns, l.server.ns]))];
  log(`building ${plan.namespaces.length} namespaces (${plan.enis.length} ENIs, ${plan.nats.length} NAT gateways, ${topo.vpcs.length} VPCs)`);
  const emu = await Emulation.build(plan, agentNs);
  const t1 = Date.now();
  log(`built the namespaces in ${((t1 - t0) / 1000).toFixed(1)} s from the start`);
  try {
    const natUsed = new Map<string, Set<number>>();
    await listen(emu, legs, topo, natUsed);
    log(`agents listening after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    log(`probing ${probes.length} probes with ${legs.length} connections`);
    await runLegs(emu, legs.filter((l) => !l.via), timeout);
    await runRounds(emu, legs.filter((l) => l.via), timeout);
    // A handshake that timed out where the analyzer expects it to pass (or the flow is declared) is
    // tried once more, alone and with a longer timeout, before it counts as blocked: a loaded host
    // must not pass for a firewall.
    const again = legs.filter((l) => l.result?.err === 'timeout' && (probes[l.probe].declared || probes[l.probe].answer?.verdict !== Verdict.BLOCKED));
    if (again.length > 0) {
      log(`retrying ${again.length} timed-out connections`);
      for (const l of again) l.result = undefined;
      await translate(emu, again, natUsed);
      await runLegs(emu, again.filter((l) => !l.via), timeout * 3);
      await runRounds(emu, again.filter((l) => l.via), timeout * 3);
    }
  } finally {
    emu.destroy();
  }
  const t2 = Date.now();
  const results = probes.map((p, i) => judge(p, legs.filter((l) => l.probe === i && !l.unused), topo));
  const counted = results.filter((r) => r.packets !== 'not run' || !r.ok);
  return {
    probes: results,
    passed: counted.filter((r) => r.ok).length,
    failed: counted.filter((r) => !r.ok).length,
    skipped: [...topo.skipped, ...plan.skipped],
    namespaces: plan.namespaces.length,
    buildSeconds: (t1 - t0) / 1000,
    probeSeconds: (t2 - t1) / 1000,
  };
}

function portText(proto: number, p0: number, p1: number): string {
  return `${proto === 17 ? 'udp' : 'tcp'} ${p0 === p1 ? p0 : `${p0}-${p1}`}`;
}

function ec2Port(proto: number, p0: number, p1: number): ec2.Port {
  return proto === 17 ? ec2.Port.udpRange(p0, p1) : ec2.Port.tcpRange(p0, p1);
}

/** The worst of several answers: blocked, then unknown, then reachable; partial when they differ. */
function worst(answers: ReachabilityAnswer[]): ReachabilityAnswer {
  const rank = (a: ReachabilityAnswer) => (a.verdict === Verdict.BLOCKED ? 2 : a.verdict === Verdict.UNKNOWN ? 1 : 0);
  const sorted = [...answers].sort((x, y) => rank(y) - rank(x));
  const w = sorted[0];
  const mixed = answers.some((a) => a.verdict !== w.verdict);
  const reasons = [...new Set(answers.flatMap((a) => a.reasons))];
  return { ...w, partiallyOpen: w.partiallyOpen || (w.verdict !== Verdict.REACHABLE && mixed), reasons };
}

function endpointsOf(e: EmuEnd): NetworkEndpoint[] {
  if (e.kind === 'internet') return e.cidrs.map((c) => NetworkEndpoint.internet(c.cidr));
  if (e.kind === 'nodes') return e.paths.map((p) => NetworkEndpoint.path(p));
  return [];
}

function planProbes(topo: EmuTopology, plan: EmulationPlan, analyzer: ReachabilityAnalyzer, undeclared: boolean,
  probes: PendingProbe[], legs: Leg[]): void {
  const nodes = new Map(topo.nodes.map((n) => [n.id, n]));
  const nacls = new Map(topo.nacls.map((n) => [n.id, n]));
  const enisOf = (nodeId: string) => plan.enis.filter((e) => e.node.id === nodeId);
  const inet = (cidr: string): Endpoint | undefined => {
    const a = plan.internetAddrs.get(cidr);
    return a ? { ns: plan.internetNs, addr: a.client, label: `internet ${a.client}` } : undefined;
  };
  const inetServer = (cidr: string): Endpoint | undefined => {
    const a = plan.internetAddrs.get(cidr);
    return a ? { ns: plan.internetNs, addr: a.server, label: `internet ${a.server}` } : undefined;
  };
  const eniEnd = (e: Eni): Endpoint => ({ ns: e.ns, addr: e.addr, label: `${e.node.name} ${e.addr}`, eni: e });
  const aclsOf = (...enis: Array<Eni | undefined>): EmuNacl[] => enis.filter((e): e is Eni => !!e).map((e) => nacls.get(e.subnet.nacl)!);
  const natOf = (e: Eni): NatPlan | undefined => {
    const r = e.subnet.routes.find((x) => x.target === 'nat' && x.dest.prefix === 0);
    return r ? plan.nats.find((n) => n.id === r.nat) : undefined;
  };
  const natAcls = (e: Eni): EmuNacl[] => {
    const nat = natOf(e);
    return nat ? [nacls.get(nat.subnet.nacl)!] : [];
  };
  const clientRange = (c: Endpoint) => (c.eni ? c.eni.node.clientRange : INTERNET_RANGE);
  let spare = 0;
  const addLegs = (probe: number, pairs: Array<[Endpoint, Endpoint, string]>, proto: number, ports: number[], boundaries: boolean,
    via?: (c: Endpoint, s: Endpoint) => Leg['via']) => {
    for (const [client, server, dest] of pairs) {
      const range = clientRange(client);
      let sources: number[];
      if (boundaries) {
        sources = boundarySourcePorts(range.from, range.to, [...aclsOf(client.eni, server.eni, via?.(client, server)?.eni),
          ...(client.eni && !server.eni ? natAcls(client.eni) : [])]);
      } else {
        // One source port inside the range, different for each leg (a bound port can't be reused at once).
        sources = [range.from + 7 + (spare++ % Math.max(1, range.to - range.from - 14))];
      }
      const refuse = client.eni && !client.eni.node.initiates ? `${client.eni.node.name} is a ${client.eni.node.kind}: it never opens connections` : undefined;
      // Through a NAT gateway, the translated source port (1024-65535) meets the NAT gateway subnet's
      // NACL: probe its boundaries too, one translated port per leg, cycling over both lists.
      const nat = client.eni && !server.eni ? natOf(client.eni) : undefined;
      const natCuts = nat ? boundarySourcePorts(NAT_RANGE.from, NAT_RANGE.to, boundaries ? [nacls.get(nat.subnet.nacl)!] : []) : [];
      const natSpans: PortSpan[] = natCuts.map((p, i) => ({ from: p, to: i + 1 < natCuts.length ? natCuts[i + 1] - 1 : NAT_RANGE.to }));
      const natPorts = boundaries ? natSpans : natSpans.slice(0, 1);
      for (const port of ports) {
        const n = Math.max(sources.length, natPorts.length);
        for (let i = 0; i < n; i++) {
          const k = i % sources.length;
          const lport = sources[k];
          const lportMax = boundaries ? (k + 1 < sources.length ? sources[k + 1] - 1 : range.to) : lport;
          legs.push({
            probe,
            client,
            server,
            dest,
            proto: proto === 17 ? 'udp' : 'tcp',
            port,
            lport,
            lportMax,
            via: via?.(client, server),
            refuse,
            nat: nat ? { plan: nat, span: natPorts[i % natPorts.length], port: 0 } : undefined,
          });
        }
      }
    }
  };
  const serverAddr = (e: Eni, fromInternet: boolean) => (fromInternet && e.publicAddr ? e.publicAddr : e.addr);

  // 1. Declared flows, hop by hop.
  for (const f of topo.flows) {
    const port = portText(f.protocol, f.fromPort, f.toPort);
    const ports = [...new Set([f.fromPort, f.toPort])];
    if (f.from.kind === 'unknown' || f.to.kind === 'unknown') {
      probes.push(notEmulated(f, (f.from.kind === 'unknown' ? f.from : f.to as any).reason));
      continue;
    }
    if (f.relayed) {
      relayedProbes(f, topo, plan, analyzer, probes, addLegs, inet, eniEnd);
      continue;
    }
    const through = f.to.kind === 'internet' && f.from.kind === 'nodes'
      ? f.to.cidrs.map((c) => unbuiltRoute(topo, (f.from as { nodes: string[] }).nodes, plan.internetAddrs.get(c.cidr)?.server)).find((x) => x)
      : undefined;
    if (through) {
      probes.push(notEmulated(f, through));
      continue;
    }
    const flowPort = ec2Port(f.protocol, f.fromPort, f.toPort);
    const answer = worst(endpointsOf(f.from).flatMap((a) => endpointsOf(f.to).map((b) => analyzer.canReach(a, b, flowPort))));
    const index = probes.length;
    probes.push({ kind: 'declared', name: f.description, from: f.from.name, to: f.to.name, port, answer, declared: true });
    const pairs: Array<[Endpoint, Endpoint, string]> = [];
    if (f.from.kind === 'internet') {
      for (const c of f.from.cidrs) {
        const client = inet(c.cidr);
        for (const id of (f.to as { nodes: string[] }).nodes) {
          for (const e of enisOf(id)) if (client) pairs.push([client, eniEnd(e), serverAddr(e, true)]);
        }
      }
    } else if (f.to.kind === 'internet') {
      for (const id of f.from.nodes) {
        for (const e of enisOf(id)) for (const c of f.to.cidrs) { const s = inetServer(c.cidr); if (s) pairs.push([eniEnd(e), s, s.addr]); }
      }
    } else {
      for (const a of f.from.nodes) {
        for (const b of f.to.nodes) for (const x of enisOf(a)) for (const y of enisOf(b)) pairs.push([eniEnd(x), eniEnd(y), y.addr]);
      }
    }
    addLegs(index, pairs, f.protocol, ports, true);
  }

  // 2. End to end through load balancers: every declared flow to a listener, on to every target.
  for (const f of topo.flows) {
    if (f.relayed || f.to.kind !== 'nodes' || f.from.kind === 'unknown') continue;
    for (const lbId of f.to.nodes) {
      const lb = nodes.get(lbId)!;
      for (const l of lb.listeners ?? []) {
        if (l.protocol !== f.protocol || l.port < f.fromPort || l.port > f.toPort || l.targets.length === 0) continue;
        for (const declaredTarget of l.targets) {
          const target = nodes.get(declaredTarget.node)!;
          // A dynamic host port: the ends of the range the declared flow from the load balancer opens.
          const hostFlow = declaredTarget.port === 0
            ? topo.flows.find((x) => x.from.kind === 'nodes' && x.from.nodes.includes(lbId) && x.to.kind === 'nodes' && x.to.nodes.includes(target.id))
            : undefined;
          if (declaredTarget.port === 0 && !hostFlow) continue;
          for (const port of hostFlow ? [...new Set([hostFlow.fromPort, hostFlow.toPort])] : [declaredTarget.port]) {
            const t = { node: declaredTarget.node, port };
            const listenerPort = ec2Port(l.protocol, l.port, l.port);
            const hop1 = worst(endpointsOf(f.from).map((a) => analyzer.canReach(a, NetworkEndpoint.path(lb.path), listenerPort)));
            const hop2 = analyzer.canReach(NetworkEndpoint.path(lb.path), NetworkEndpoint.path(target.path), ec2Port(l.protocol, t.port, t.port));
            const index = probes.length;
            probes.push({
              kind: 'end-to-end',
              name: `${f.from.name} -> ${lb.name} -> ${target.name}`,
              from: f.from.name,
              to: target.name,
              port: `${portText(l.protocol, l.port, l.port)} -> ${t.port}`,
              answer: worst([hop1, hop2]),
              declared: true,
              note: l.preserveClientIp ? 'client IP preserved: the target sees the client\'s address' : 'the load balancer opens a new connection from its own address',
            });
            const pairs: Array<[Endpoint, Endpoint, string]> = [];
            const clients: Endpoint[] = f.from.kind === 'internet' ? f.from.cidrs.map((c) => inet(c.cidr)).filter((x): x is Endpoint => !!x)
              : f.from.nodes.flatMap((id) => enisOf(id).map(eniEnd));
            for (const c of clients) {
              for (const le of enisOf(lbId)) {
                for (const te of enisOf(t.node)) pairs.push([c, { ...eniEnd(te), lbEni: le } as any, serverAddr(le, !c.eni)]);
              }
            }
            addLegs(index, pairs, l.protocol, [l.port], true,
              (_c, s) => ({ eni: (s as any).lbEni, target: s.eni!, targetPort: t.port, passThrough: l.preserveClientIp }));
          }
        }
      }
    }
  }

  if (!undeclared) return;
  // 3. Undeclared openings: every ordered pair of the flows' workload ends and the internet.
  const ends = new Map<string, { end: EmuEnd; key: string }>();
  for (const f of topo.flows) {
    for (const e of [f.from, f.to]) {
      if (e.kind !== 'nodes' || e.nodes.every((id) => id.startsWith('host:'))) continue;
      const key = [...e.nodes].sort().join(',');
      if (!ends.has(key)) ends.set(key, { end: e, key });
    }
  }
  const internet: EmuEnd = { kind: 'internet', cidrs: [{ cidr: '0.0.0.0/0', first: 0, last: 2 ** 32 - 1, prefix: 0 }], name: 'internet 0.0.0.0/0' };
  const all = [...ends.values(), { end: internet, key: 'internet' }];
  const keyOf = (e: EmuEnd) => (e.kind === 'nodes' ? [...e.nodes].sort().join(',') : e.kind === 'internet' ? 'internet' : 'unknown');
  const ports = new Map<string, [number, number]>();
  for (const [p, n] of UNDECLARED_PORTS) ports.set(`${p}/${n}`, [p, n]);
  for (const f of topo.flows) for (const n of [f.fromPort - 1, f.fromPort, f.toPort, f.toPort + 1]) if (n >= 1 && n <= 65535) ports.set(`${f.protocol}/${n}`, [f.protocol, n]);
  for (const a of all) {
    for (const b of all) {
      if (a.key === b.key) continue;
      // Besides the sampled ports: the edges of every range the analyzer finds open between the two
      // ends (its exact open ports), so that an undeclared opening is carried by packets too.
      const pairPorts = new Map(ports);
      const ea = endpointsOf(a.end)[0];
      const eb = endpointsOf(b.end)[0];
      if (ea && eb) {
        for (const r of analyzer.openPorts(ea, eb)) {
          const proto = r.protocol === 'udp' ? 17 : r.protocol === 'tcp' ? 6 : 0;
          if (proto === 0 || r.family !== AddressFamily.IPV4) continue;
          for (const n of [r.fromPort, r.toPort]) if (n >= 1 && n <= 65535) pairPorts.set(`${proto}/${n}`, [proto, n]);
        }
      }
      for (const [proto, n] of pairPorts.values()) {
        const declared = topo.flows.some((f) => f.protocol === proto && f.fromPort <= n && n <= f.toPort && keyOf(f.to) === b.key &&
          (keyOf(f.from) === a.key || (f.from.kind === 'internet' && (a.key === 'internet' || f.from.cidrs.some((c) => c.prefix === 0)))));
        if (declared) continue;
        // Nothing to compare where the packets could not take the route the analyzer follows.
        const through = a.end.kind === 'nodes' && b.end.kind === 'internet' ? unbuiltRoute(topo, a.end.nodes, plan.internetAddrs.get('0.0.0.0/0')?.server) : undefined;
        const answer = through ? undefined
          : worst(endpointsOf(a.end).flatMap((x) => endpointsOf(b.end).map((y) => analyzer.canReach(x, y, ec2Port(proto, n, n)))));
        const index = probes.length;
        probes.push({
          kind: 'undeclared',
          name: 'undeclared',
          from: a.end.name,
          to: b.end.name,
          port: portText(proto, n, n),
          answer,
          declared: false,
          note: through && `not emulated: ${through}`,
        });
        if (!answer || answer.verdict === Verdict.UNKNOWN) continue;
        const pairs: Array<[Endpoint, Endpoint, string]> = [];
        const sideEnds = (e: EmuEnd, server: boolean): Endpoint[] => (e.kind === 'internet'
          ? [server ? inetServer('0.0.0.0/0')! : inet('0.0.0.0/0')!]
          : (e as { nodes: string[] }).nodes.flatMap((id) => enisOf(id).map(eniEnd)));
        for (const c of sideEnds(a.end, false)) for (const s of sideEnds(b.end, true)) pairs.push([c, s, s.eni ? serverAddr(s.eni, !c.eni) : s.addr]);
        addLegs(index, pairs, proto, [n], false);
      }
    }
  }
}

function relayedProbes(f: EmuTopology['flows'][number], topo: EmuTopology, plan: EmulationPlan, analyzer: ReachabilityAnalyzer,
  probes: PendingProbe[], addLegs: (...a: any[]) => void, inet: (c: string) => Endpoint | undefined,
  eniEnd: (e: Eni) => Endpoint): void {
  const toSubnets = new Set((f.to as { nodes: string[] }).nodes.map((id) => topo.nodes.find((n) => n.id === id)!.subnets[0]));
  const port = portText(f.protocol, f.fromPort, f.toPort);
  let any = false;
  for (const lb of topo.nodes) {
    for (const l of lb.listeners ?? []) {
      if (!l.preserveClientIp || l.protocol !== f.protocol) continue;
      for (const t of l.targets) {
        if (t.port < f.fromPort || t.port > f.toPort) continue;
        const targetEnis = plan.enis.filter((e) => e.node.id === t.node && toSubnets.has(e.subnet.id));
        if (targetEnis.length === 0) continue;
        any = true;
        const target = topo.nodes.find((n) => n.id === t.node)!;
        const cidrs = (f.from as { cidrs: Array<{ cidr: string }> }).cidrs;
        const listenerPort = ec2Port(l.protocol, l.port, l.port);
        const answers = cidrs.map((c) => analyzer.canReach(NetworkEndpoint.internet(c.cidr), NetworkEndpoint.path(lb.path), listenerPort));
        answers.push(analyzer.canReach(NetworkEndpoint.path(lb.path), NetworkEndpoint.path(target.path), ec2Port(l.protocol, t.port, t.port)));
        const index = probes.length;
        probes.push({
          kind: 'declared',
          name: f.description,
          from: f.from.name,
          to: `${target.name} (through ${lb.name})`,
          port,
          answer: worst(answers),
          declared: true,
          note: 'relayed with the client\'s address: the analyzer\'s verdicts for the load balancer\'s two hops; the packets also meet the target tier\'s NACLs with the client\'s address',
        });
        const pairs: Array<[Endpoint, Endpoint, string]> = [];
        for (const c of (f.from as { cidrs: Array<{ cidr: string }> }).cidrs) {
          const client = inet(c.cidr);
          if (!client) continue;
          for (const le of plan.enis.filter((e) => e.node.id === lb.id)) {
            for (const te of targetEnis) pairs.push([client, { ...eniEnd(te), lbEni: le } as any, le.publicAddr ?? le.addr]);
          }
        }
        addLegs(index, pairs, l.protocol, [l.port], true,
          (_c: Endpoint, s: any) => ({ eni: s.lbEni, target: s.eni, targetPort: t.port, passThrough: true }));
      }
    }
  }
  if (!any) probes.push(notEmulated(f, 'no load balancer passes clients through to this tier with their own address'));
}

/**
 * Why the route that a subnet of `nodes` takes to the internet address `addr` (the longest prefix
 * that holds it) can't be emulated, if one of them can't.
 */
function unbuiltRoute(topo: EmuTopology, nodes: string[], addr: string | undefined): string | undefined {
  if (!addr) return undefined;
  const n = ipToInt(addr);
  for (const id of nodes) {
    for (const s of topo.nodes.find((x) => x.id === id)?.subnets ?? []) {
      const routes = topo.subnets.find((x) => x.id === s)?.routes ?? [];
      const best = routes.filter((r) => r.dest.first <= n && n <= r.dest.last).sort((x, y) => y.dest.prefix - x.dest.prefix)[0];
      if (best?.notEmulated) return best.notEmulated;
    }
  }
  return undefined;
}

/** The probe of a declared flow the emulation cannot carry, with the reason. */
function notEmulated(f: EmuTopology['flows'][number], reason: string): PendingProbe {
  return {
    kind: 'declared',
    name: f.description,
    from: f.from.name,
    to: f.to.name,
    port: portText(f.protocol, f.fromPort, f.toPort),
    answer: undefined,
    declared: true,
    note: `not emulated: ${reason}`,
  };
}

/**
 * Gives each leg through a NAT gateway its own translated port, inside the NACL span the leg
 * probes (a translated address and port can carry one connection to a destination at a time,
 * and its conntrack entry outlives the connection), and loads the NAT gateways' maps.
 */
async function translate(emu: Emulation, legs: Leg[], used: Map<string, Set<number>>): Promise<void> {
  const elements = new Map<string, Map<string, string>>();
  for (const l of legs) {
    if (!l.nat || l.bindPort === undefined) continue;
    const key = `${l.nat.plan.ns}|${l.proto}`;
    const taken = used.get(key) ?? new Set<number>();
    used.set(key, taken);
    const clientKey = `${l.client.addr} . ${l.bindPort}`;
    const existing = elements.get(key)?.get(clientKey);
    if (existing) {
      l.nat.port = Number(existing.split(' . ')[1]);
      continue;
    }
    const m = elements.get(key) ?? new Map<string, string>();
    elements.set(key, m);
    // A leg tried again keeps its translated port: the same client address and port to the same
    // destination is the same connection to the NAT gateway's connection tracking.
    if (l.nat.port > 0) {
      m.set(clientKey, `${l.nat.plan.addr} . ${l.nat.port}`);
      continue;
    }
    let p = l.nat.span.from;
    while (p <= l.nat.span.to && taken.has(p)) p++;
    if (p > l.nat.span.to) {
      l.unused = `no translated port of ${spanText(l.nat.span)} left on ${l.nat.plan.name}`;
      continue;
    }
    taken.add(p);
    l.nat.port = p;
    m.set(clientKey, `${l.nat.plan.addr} . ${p}`);
  }
  for (const [key, m] of elements) {
    const [ns, proto] = key.split('|');
    await emu.nft(ns, `flush map ip cnpenat ${proto}ports\nadd element ip cnpenat ${proto}ports { ${[...m].map(([k, v]) => `${k} : ${v}`).join(', ')} }\n`);
  }
}

/** Starts the listeners every leg needs. */
async function listen(emu: Emulation, legs: Leg[], topo: EmuTopology, natUsed: Map<string, Set<number>>): Promise<void> {
  // Servers listen on their own address only, so that a client address of the same namespace can
  // still send from that port.
  const wanted = new Map<string, { ns: string; addr: string; proto: string; port: number }>();
  const add = (ns: string, addr: string, proto: string, port: number) => wanted.set(`${ns}|${addr}|${proto}|${port}`, { ns, addr, proto, port });
  for (const l of legs) {
    const node = l.server.eni?.node;
    if (l.via) {
      add(l.server.ns, l.server.addr, l.proto, l.via.targetPort);
      if (!l.via.passThrough) add(l.via.eni.ns, l.via.eni.addr, l.proto, l.port);
      continue;
    }
    if (node && !node.acceptsInbound) continue;
    if (node?.listeners && !node.listeners.some((x) => x.port === l.port && (x.protocol === 17) === (l.proto === 'udp'))) continue;
    add(l.server.ns, l.server.addr, l.proto, l.port);
  }
  void topo;
  // A client never sends from a port it listens on (bind would fail): take the next port of the span.
  const listening = new Set([...wanted.keys()]);
  // Legs through one NAT gateway that share a client port but probe different translated ports
  // need distinct client ports (the NAT gateway maps a client address and port to one translated port).
  const natKeys = new Map<string, string>();
  for (const l of legs) {
    let p = l.lport;
    const free = (x: number) => !listening.has(`${l.client.ns}|${l.client.addr}|${l.proto}|${x}`) &&
      (!l.nat || (natKeys.get(`${l.nat.plan.ns}|${l.client.addr}|${l.proto}|${x}`) ?? spanText(l.nat.span)) === spanText(l.nat.span));
    while (p <= l.lportMax && !free(p)) p++;
    if (l.nat && p <= l.lportMax) natKeys.set(`${l.nat.plan.ns}|${l.client.addr}|${l.proto}|${p}`, spanText(l.nat.span));
    if (p <= l.lportMax) l.bindPort = p;
    // A host never sends from a port it listens on: that source port can't occur, so it isn't probed.
    else l.unused = `source port ${l.lport} is a port ${l.client.label} listens on`;
  }
  await translate(emu, legs, natUsed);
  const replies = await Promise.all([...wanted.values()].map(async (w) => ({ w, r: await agent(emu, w.ns).send({ op: 'listen', proto: w.proto, port: w.port, addr: w.addr }) })));
  const failed = replies.filter((x) => !x.r.ok);
  if (failed.length > 0) throw new Error(`could not listen on ${failed.map((x) => `${x.w.proto} ${x.w.port} in ${x.w.ns} (${x.r.err})`).join(', ')}`);
}

function agent(emu: Emulation, ns: string): Agent {
  const a = emu.agents.get(ns);
  if (!a) throw new Error(`no agent in namespace ${ns}`);
  return a;
}

/** Runs legs concurrently, except legs that share a client socket (namespace, protocol, source port). */
async function runLegs(emu: Emulation, legs: Leg[], timeout: number): Promise<void> {
  const groups = new Map<string, Leg[]>();
  for (const l of legs) {
    const k = `${l.client.ns}|${l.client.addr}|${l.proto}|${l.lport}`;
    groups.set(k, [...(groups.get(k) ?? []), l]);
  }
  await Promise.all([...groups.values()].map(async (group) => {
    for (const l of group) {
      if (l.refuse) {
        l.result = { ok: false, err: l.refuse };
        continue;
      }
      if (l.bindPort === undefined) continue;
      const r = await agent(emu, l.client.ns).send({ op: 'connect', proto: l.proto, host: l.dest, port: l.port, laddr: l.client.addr, lport: l.bindPort, timeout });
      l.result = { ok: r.ok, err: r.err };
    }
  }));
}

/** End-to-end legs through load balancers: one round per target, each load balancer ENI aimed at it. */
async function runRounds(emu: Emulation, legs: Leg[], timeout: number): Promise<void> {
  const rounds = new Map<string, Leg[]>();
  for (const l of legs) {
    const k = `${l.via!.eni.index}->${l.via!.target.index}:${l.via!.targetPort}`;
    rounds.set(k, [...(rounds.get(k) ?? []), l]);
  }
  // Group rounds so that each load balancer ENI has one target per batch.
  const pending = [...rounds.values()];
  while (pending.length > 0) {
    const used = new Set<number>();
    const batch: Leg[][] = [];
    for (let i = 0; i < pending.length;) {
      const lbEni = pending[i][0].via!.eni.index;
      if (used.has(lbEni)) { i++; continue; }
      used.add(lbEni);
      batch.push(pending.splice(i, 1)[0]);
    }
    await Promise.all(batch.map(async (group) => {
      const v = group[0].via!;
      const ports = [...new Set(group.map((l) => `${l.proto}|${l.port}`))];
      if (v.passThrough) {
        const rules = ports.map((p) => { const [proto, port] = p.split('|'); return `    meta l4proto ${proto} th dport ${port} dnat to ${v.target.addr}:${v.targetPort}`; });
        await emu.nft(v.eni.ns, `table ip cnpelb {}\nflush table ip cnpelb\ntable ip cnpelb {\n  chain pre {\n    type nat hook prerouting priority -100; policy accept;\n${rules.join('\n')}\n  }\n}\n`);
      } else {
        for (const p of ports) {
          const port = Number(p.split('|')[1]);
          await agent(emu, v.eni.ns).send({ op: 'relay', port, host: v.target.addr, tport: v.targetPort, laddr: v.eni.addr, timeout: Math.max(100, timeout - 100) });
        }
      }
    }));
    await runLegs(emu, batch.flat(), timeout);
  }
}

function judge(p: PendingProbe, legs: Leg[], topo: EmuTopology): ProbeResult {
  void topo;
  const analyzer = p.answer ? p.answer.verdict : 'not asked';
  const partial = p.answer?.partiallyOpen ?? false;
  const passedLegs = legs.filter((l) => l.result?.ok).length;
  const packets: PacketVerdict = legs.length === 0 ? 'not run' : passedLegs === legs.length ? 'pass' : passedLegs === 0 ? 'blocked' : 'partial';
  // What the packets met, per (client, server) pair: the blocked source ports and why.
  const details: string[] = [];
  const byPair = new Map<string, Leg[]>();
  for (const l of legs) {
    byPair.set(`${l.client.label} -> ${l.server.label}${l.via ? ` via ${l.via.eni.node.name} ${l.via.eni.addr}` : ''} ${l.proto} ${l.port}`,
      [...(byPair.get(`${l.client.label} -> ${l.server.label}${l.via ? ` via ${l.via.eni.node.name} ${l.via.eni.addr}` : ''} ${l.proto} ${l.port}`) ?? []), l]);
  }
  for (const [pair, ls] of byPair) {
    if (ls.every((l) => l.result?.ok)) continue;
    const errs = [...new Set(ls.filter((l) => !l.result?.ok).map((l) => describeError(l.result?.err)))].join(', ');
    if (ls.length > 1) {
      const range = ls[0].client.eni ? ls[0].client.eni.node.clientRange : INTERNET_RANGE;
      const spans = blockedSpans(range.from, range.to, new Map(ls.map((l) => [l.lport, !!l.result?.ok])));
      const all = spans.length === 1 && spans[0].from === range.from && spans[0].to === range.to;
      details.push(`${pair}: ${all ? `blocked from every source port ${range.from}-${range.to}` : `blocked source ports ${spans.map(spanText).join(', ')}`} (${errs})`);
    } else {
      details.push(`${pair} from source port ${ls[0].lport}: ${errs}`);
    }
  }
  // Through NAT gateways: which translated source ports failed.
  const byNat = new Map<string, Leg[]>();
  for (const l of legs) if (l.nat) byNat.set(l.nat.plan.name, [...(byNat.get(l.nat.plan.name) ?? []), l]);
  for (const [nat, ls] of byNat) {
    const ports = new Map<number, boolean>();
    for (const l of ls) ports.set(l.nat!.span.from, (ports.get(l.nat!.span.from) ?? true) && !!l.result?.ok);
    if ([...ports.values()].every((x) => x) || ports.size < 2) continue;
    const spans = blockedSpans(NAT_RANGE.from, NAT_RANGE.to, ports);
    details.push(`through NAT gateway ${nat}: translated source ports ${spans.map(spanText).join(', ')} blocked`);
  }
  let agree: boolean;
  let ok: boolean;
  if (!p.answer || p.answer.verdict === Verdict.UNKNOWN || packets === 'not run') {
    agree = true;
    // A declared flow the packets could not carry is a failure: nothing proves it.
    ok = p.declared ? packets === 'pass' : true;
  } else if (p.answer.verdict === Verdict.REACHABLE) {
    agree = packets === 'pass';
    ok = p.declared && agree;
  } else {
    agree = partial ? packets !== 'pass' : packets === 'blocked';
    ok = !p.declared && packets === 'blocked';
  }
  return {
    kind: p.kind,
    name: p.name,
    from: p.from,
    to: p.to,
    port: p.port,
    analyzer,
    analyzerPartial: partial,
    packets,
    legs: legs.length,
    passedLegs,
    details,
    agree,
    ok,
    note: p.note,
  };
}

function describeError(err: string | undefined): string {
  switch (err) {
    case 'timeout': return 'no answer: the handshake timed out';
    case 'ECONNREFUSED': return 'refused: nothing listens there';
    case 'ENETUNREACH':
    case 'EHOSTUNREACH': return 'no route';
    case 'closed':
    case 'ECONNRESET': return 'closed before the answer';
    case 'EPERM': return 'not sent: a firewall rule of the client\'s own namespace dropped it';
    default: return err ?? 'failed';
  }
}
