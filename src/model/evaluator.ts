import { ALL_ADDRESSES, Box, addressSpans, describeAddresses, describePorts, portSpans, removeFrom } from './boxes';
import {
  Cidr, ClientKind, NaclModel, NodeModel, RouteModel, SgModel, SubnetModel, TemplateModel, displayPath, protocolName, toCidr,
} from './template-model';

/** A port range a client uses for return traffic. */
export interface ClientRange {
  readonly from: number;
  readonly to: number;
  readonly label: string;
}

/** The traffic asked about: a protocol (6 or 17) and a destination port range. */
export interface Traffic {
  readonly protocol: number;
  readonly p0: number;
  readonly p1: number;
}

/** A resolved end of a query. */
export type EndSpec =
  | { readonly kind: 'internet'; readonly range: Cidr; readonly name: string }
  | { readonly kind: 'nodes'; readonly nodes: NodeModel[]; readonly name: string }
  | { readonly kind: 'unknown'; readonly reason: string; readonly name: string };

type LayerStatus = 'pass' | 'partial' | 'none' | 'unknown';

interface Layer {
  readonly status: LayerStatus;
  readonly reason?: string;
}

interface PathResult {
  readonly label: string;
  readonly status: 'pass' | 'blocked' | 'unknown';
  /** Some of the traffic may still pass (partial layers, or unknown layers next to partial ones). */
  readonly partial: boolean;
  readonly reasons: string[];
}

/** The evaluator's answer, before it is turned into the public `ReachabilityAnswer`. */
export interface RawAnswer {
  readonly verdict: 'reachable' | 'blocked' | 'unknown';
  readonly reasons: string[];
  readonly warnings: string[];
  readonly partiallyOpen: boolean;
}

/** An address range with a description, the "other side" of a layer check. */
interface Peer {
  readonly first: number;
  readonly last: number;
  readonly text: string;
  readonly node?: NodeModel;
}

const PASS: Layer = { status: 'pass' };
const MAX_REASONS = 8;
const INTERNET_CLIENT: ClientRange = { from: 1024, to: 65535, label: 'internet clients' };
const NAT_RANGE: ClientRange = { from: 1024, to: 65535, label: 'NAT gateway' };

/**
 * Evaluates reachability over a `TemplateModel`: routing, security groups (stateful) and NACLs
 * (stateless, both ways, with the client's whole ephemeral return range), for every
 * (source subnet, destination subnet) pair the traffic could use.
 */
export class Evaluator {
  constructor(
    private readonly model: TemplateModel,
    private readonly clientRanges: Record<ClientKind, ClientRange>,
  ) {}

  /** The nodes an end's construct paths name; falls back to the security groups', then the subnets'. */
  public resolvePaths(paths: string[], name: string): EndSpec {
    const matches = (p: string, rPath: string, logicalId: string) => rPath === p || rPath.startsWith(`${p}/`) || logicalId === p;
    const nodes: NodeModel[] = [];
    for (const p of paths) {
      // A construct's own node (its default child or another direct child) wins over nodes deeper
      // below it, e.g. `Db` names the database, not also the proxy created under it.
      // Then the node of its `Resource` child (a construct wrapping an L2 whose id is `Resource`).
      const direct = this.model.nodes.filter((n) => n.path === p || n.logicalId === p || parentPath(n.path) === p);
      const own = direct.length > 0 ? direct : this.model.nodes.filter((n) => n.path.startsWith(`${p}/Resource/`));
      const found = own.length > 0 ? own : this.model.nodes.filter((n) => matches(p, n.path, n.logicalId));
      for (const n of found) if (!nodes.includes(n)) nodes.push(n);
    }
    if (nodes.length > 0) return { kind: 'nodes', nodes, name };
    const resources = [...this.model.resources.values()].filter((r) => paths.some((p) => matches(p, r.path, r.logicalId)));
    const sgKeys = resources.filter((r) => r.type === 'AWS::EC2::SecurityGroup').map((r) => r.id);
    if (sgKeys.length > 0) {
      const users = this.model.nodes.filter((n) => n.sgs.some((k) => sgKeys.includes(k)));
      if (users.length > 0) return { kind: 'nodes', nodes: users, name };
      return {
        kind: 'unknown',
        name,
        reason: `security group ${sgKeys.map((k) => this.model.sgs.get(k)?.display).join(', ')} is attached to no node the analyzer models ` +
          '(instances, auto scaling groups, ECS services, Lambda functions, RDS, proxies, load balancers, ElastiCache, endpoints, ENIs), ' +
          'so where its traffic comes from or goes to is unknown',
      };
    }
    const subnets = resources.filter((r) => r.type === 'AWS::EC2::Subnet').map((r) => this.model.subnets.get(r.id)!);
    if (subnets.length > 0) return { kind: 'nodes', nodes: subnets.map((s) => this.subnetHost(s)), name };
    return { kind: 'unknown', name, reason: `nothing in the analyzed template(s) matches ${paths.join(', ')} (no node, security group or subnet under that path)` };
  }

  /** A host anywhere in these subnets (e.g. a tier's), with no security group layer and no public address. */
  public hostIn(subnets: SubnetModel[], name: string): NodeModel {
    return { ...this.subnetHost(subnets[0]), id: `host:${name}`, path: name, display: name, logicalId: name, subnets: subnets.map((s) => s.id), publicIp: false };
  }

  /** A host standing for "anything in this subnet": no security group layer, public when the subnet routes to an IGW. */
  private subnetHost(s: SubnetModel): NodeModel {
    const route = this.lpm(s, parseAll());
    const isPublic = 'route' in route && route.route?.target === 'igw';
    return {
      id: s.id,
      path: s.display,
      display: s.display,
      logicalId: s.id,
      kind: 'host in subnet',
      subnets: [s.id],
      sgMode: 'none',
      sgs: [],
      publicIp: isPublic,
      publicNote: isPublic ? 'a public IP (a host in a public subnet)' : 'no public address',
      acceptsInbound: true,
      initiates: true,
      clientKind: 'instance',
      isLoadBalancer: false,
      listeners: [],
      outsideVpc: false,
      notes: [],
    };
  }

  public evaluate(from: EndSpec, to: EndSpec, t: Traffic, portText: string): RawAnswer {
    if (from.kind === 'unknown' || to.kind === 'unknown') {
      const reasons = [from, to].filter((e) => e.kind === 'unknown').map((e) => `unknown: ${(e as { reason: string }).reason}`);
      return { verdict: 'unknown', reasons, warnings: [], partiallyOpen: false };
    }
    if (from.kind === 'internet' && to.kind === 'internet') {
      return { verdict: 'unknown', reasons: ['unknown: both ends are the internet; name a node for at least one end'], warnings: [], partiallyOpen: false };
    }
    const warnings: string[] = [];
    const paths: PathResult[] = [];
    const notes: string[] = [];
    if (from.kind === 'internet') {
      for (const d of (to as { nodes: NodeModel[] }).nodes) paths.push(...this.internetToNode(from.range, from.name, d, t, portText));
    } else if (to.kind === 'internet') {
      for (const s of from.nodes) paths.push(...this.nodeToInternet(s, to.range, to.name, t, portText, warnings));
    } else {
      for (const s of from.nodes) {
        for (const d of to.nodes) {
          if (s.outsideVpc) {
            notes.push(`${s.display} is a Lambda function outside any VPC: it connects from AWS's public network, like an internet client`);
            paths.push(...this.internetToNode(parseAll(), `${s.display} (outside any VPC)`, d, t, portText));
          } else {
            if (s.kind === 'network load balancer') {
              notes.push(`${s.display} is a network load balancer: with client IP preservation (on by default for instance targets) its targets ` +
                'see the clients\' addresses, which this analysis does not model (the load balancer -> target hop is checked from the load balancer\'s subnets)');
            }
            paths.push(...this.nodeToNode(s, d, t, portText));
          }
        }
      }
    }
    for (const n of [...(from.kind === 'nodes' ? from.nodes : []), ...(to.kind === 'nodes' ? to.nodes : [])]) notes.push(...n.notes);
    return this.combine(paths, t, from, warnings, notes);
  }

  /**
   * Internet clients whose traffic a proxy relays with the client's own address (an NLB with
   * client IP preservation): the destination subnets' NACLs must admit the clients both ways,
   * while routing and security groups are the proxy's hops, checked separately.
   */
  public evaluateRelayedNacls(from: EndSpec, to: EndSpec, t: Traffic, portText: string): RawAnswer {
    if (from.kind !== 'internet' || to.kind !== 'nodes') return this.evaluate(from, to, t, portText);
    const peer: Peer = { first: from.range.first, last: from.range.last, text: from.range.cidr };
    const what = `${from.name} -> ${to.name} on ${portText}, relayed with the client's address`;
    const paths: PathResult[] = [];
    for (const d of to.nodes) {
      for (const sid of d.subnets) {
        const sub = this.model.subnets.get(sid)!;
        paths.push(this.path(`${from.name} -> ${this.subnetText(sub)} (relayed)`, [
          this.nacl(sub, false, t, peer, what),
          this.nacl(sub, true, { protocol: t.protocol, p0: INTERNET_CLIENT.from, p1: INTERNET_CLIENT.to }, peer,
            `return traffic of ${what}, to the ${INTERNET_CLIENT.label}' ephemeral ports`),
        ]));
      }
    }
    return this.combine(paths, t, from, [], ['NACL-only flow: the clients reach this tier only through a proxy that keeps their ' +
      'address (e.g. an NLB with client IP preservation), so only the tier\'s NACLs are checked here; the proxy\'s own hops are separate flows']);
  }

  private combine(paths: PathResult[], t: Traffic, from: EndSpec, warnings: string[], notes: string[]): RawAnswer {
    const uniq = (xs: string[]) => [...new Set(xs)];
    const blocked = paths.filter((p) => p.status === 'blocked');
    const unknown = paths.filter((p) => p.status === 'unknown');
    const passed = paths.filter((p) => p.status === 'pass');
    const partiallyOpen = passed.length > 0 || paths.some((p) => p.partial) || unknown.length > 0;
    if (blocked.length === 0 && unknown.length === 0) {
      const ranges = from.kind === 'internet'
        ? [INTERNET_CLIENT]
        : uniq(from.kind === 'nodes' ? from.nodes.map((n) => JSON.stringify(this.clientRange(n))) : []).map((j) => JSON.parse(j) as ClientRange);
      const ret = ranges.map((r) => `${protocolName(t.protocol)} ${describePorts(r.from, r.to)} for ${r.label}`).join(', ');
      return {
        verdict: 'reachable',
        reasons: [
          `reachable: all ${paths.length} subnet path(s) pass ${notes.some((n) => n.startsWith('NACL-only')) ? 'the NACLs' : 'routing, security groups and NACLs'} in both directions (return traffic ${ret})`,
          ...uniq(notes).map((n) => `note: ${n}`),
        ],
        warnings: uniq(warnings),
        partiallyOpen: false,
      };
    }
    const grouped = (list: PathResult[]) => {
      const byReason = new Map<string, string[]>();
      for (const p of list) {
        for (const r of p.reasons) {
          const labels = byReason.get(r) ?? [];
          labels.push(p.label);
          byReason.set(r, labels);
        }
      }
      return [...byReason.entries()].map(([r, labels]) =>
        `${r} [${labels[0]}${labels.length > 1 ? ` and ${labels.length - 1} more subnet pair(s)` : ''}]`);
    };
    let reasons = blocked.length > 0 ? grouped(blocked) : grouped(unknown);
    if (blocked.length > 0 && unknown.length > 0) reasons.push(...grouped(unknown));
    if (reasons.length > MAX_REASONS) reasons = [...reasons.slice(0, MAX_REASONS), `... and ${reasons.length - MAX_REASONS} more reason(s) of the same kind on other subnet pairs`];
    if (blocked.length > 0 && passed.length > 0) {
      reasons.push(`partial: ${passed.length} of ${paths.length} subnet path(s) pass and ${blocked.length} are blocked; ` +
        'reachability that depends on the AZ or subnet a task, instance or database lands in fails quietly');
    }
    reasons.push(...uniq(notes).map((n) => `note: ${n}`));
    return { verdict: blocked.length > 0 ? 'blocked' : 'unknown', reasons, warnings: uniq(warnings), partiallyOpen };
  }

  public clientRange(n: NodeModel): ClientRange {
    return this.clientRanges[n.clientKind];
  }

  // ---------------------------------------------------------------------------------------
  // Paths
  // ---------------------------------------------------------------------------------------

  private internetToNode(inet: Cidr, inetName: string, d: NodeModel, t: Traffic, portText: string): PathResult[] {
    const what = `${inetName} -> ${d.display} on ${portText}`;
    const label = (sub?: SubnetModel) => `${inetName} -> ${d.display}${sub ? ` in ${this.subnetText(sub)}` : ''}`;
    const head = this.destinationLayers(d, t);
    if (d.outsideVpc) return [this.path(label(), head)];
    if (d.subnetsUnknown) return [this.path(label(), [...head, { status: 'unknown', reason: d.subnetsUnknown }])];
    const peer: Peer = { first: inet.first, last: inet.last, text: inet.cidr };
    return d.subnets.map((sid) => {
      const sub = this.model.subnets.get(sid)!;
      const layers: Layer[] = [...head];
      layers.push(this.routeIn(d, sub, inet));
      layers.push(this.nacl(sub, false, t, peer, what));
      layers.push(this.sg(d, 'ingress', t, peer, what));
      layers.push(this.nacl(sub, true, { protocol: t.protocol, p0: INTERNET_CLIENT.from, p1: INTERNET_CLIENT.to }, peer,
        `return traffic of ${what}, to the ${INTERNET_CLIENT.label}' ephemeral ports`));
      return this.path(label(sub), layers);
    });
  }

  private nodeToInternet(s: NodeModel, inet: Cidr, inetName: string, t: Traffic, portText: string, warnings: string[]): PathResult[] {
    const what = `${s.display} -> ${inetName} on ${portText}`;
    const label = (sub?: SubnetModel) => `${s.display}${sub ? ` in ${this.subnetText(sub)}` : ''} -> ${inetName}`;
    if (s.outsideVpc) {
      return [{ label: label(), status: 'pass', partial: false, reasons: [] }];
    }
    if (!s.initiates) return [this.path(label(), [this.neverInitiates(s)])];
    if (s.subnetsUnknown) return [this.path(label(), [{ status: 'unknown', reason: s.subnetsUnknown }])];
    const peer: Peer = { first: inet.first, last: inet.last, text: inet.cidr };
    const ret = this.clientRange(s);
    return s.subnets.map((sid) => {
      const sub = this.model.subnets.get(sid)!;
      const layers: Layer[] = [];
      layers.push(this.sg(s, 'egress', t, peer, what));
      layers.push(this.nacl(sub, true, t, peer, what));
      layers.push(this.nacl(sub, false, { protocol: t.protocol, p0: ret.from, p1: ret.to }, peer,
        `return traffic of ${what}, to ${s.display}'s ephemeral ports (${ret.label})`));
      layers.push(...this.routeOut(s, sub, inet, t, what, warnings));
      return this.path(label(sub), layers);
    });
  }

  private nodeToNode(s: NodeModel, d: NodeModel, t: Traffic, portText: string): PathResult[] {
    const what = `${s.display} -> ${d.display} on ${portText}`;
    const head = this.destinationLayers(d, t);
    if (!s.initiates) head.push(this.neverInitiates(s));
    if (d.outsideVpc) return [this.path(`${s.display} -> ${d.display}`, head)];
    if (s.subnetsUnknown || d.subnetsUnknown) {
      return [this.path(`${s.display} -> ${d.display}`, [...head, { status: 'unknown', reason: (s.subnetsUnknown ?? d.subnetsUnknown)! }])];
    }
    const ret = this.clientRange(s);
    const out: PathResult[] = [];
    for (const ssid of s.subnets) {
      for (const dsid of d.subnets) {
        const ss = this.model.subnets.get(ssid)!;
        const ds = this.model.subnets.get(dsid)!;
        const layers: Layer[] = [...head];
        layers.push(this.routeLocal(ss, ds));
        const sPeer = this.subnetPeer(ss, s);
        const dPeer = this.subnetPeer(ds, d);
        layers.push(this.sg(s, 'egress', t, dPeer, what));
        layers.push(this.sg(d, 'ingress', t, sPeer, what));
        if (ssid !== dsid) {
          // Traffic inside one subnet never crosses its NACL (see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html).
          const back: Traffic = { protocol: t.protocol, p0: ret.from, p1: ret.to };
          const retWhat = `return traffic of ${what}, to ${s.display}'s ephemeral ports (${ret.label})`;
          if (!ss.cidr || !ds.cidr) {
            layers.push({ status: 'unknown', reason: (ss.cidrUnknown ?? ds.cidrUnknown)! });
          } else {
            layers.push(this.nacl(ss, true, t, dPeer, what));
            layers.push(this.nacl(ds, false, t, sPeer, what));
            layers.push(this.nacl(ds, true, back, sPeer, retWhat));
            layers.push(this.nacl(ss, false, back, dPeer, retWhat));
          }
        }
        out.push(this.path(`${s.display} in ${this.subnetText(ss)} -> ${d.display} in ${this.subnetText(ds)}`, layers));
      }
    }
    return out;
  }

  private subnetPeer(sub: SubnetModel, node: NodeModel): Peer {
    return sub.cidr
      ? { first: sub.cidr.first, last: sub.cidr.last, text: `${sub.cidr.cidr} (${node.display} in ${sub.display})`, node }
      : { first: 0, last: ALL_ADDRESSES.last, text: `${node.display} in ${sub.display}`, node };
  }

  private subnetText(s: SubnetModel): string {
    return `${s.display} (${s.cidr?.cidr ?? 'unknown CIDR'}, ${s.az})`;
  }

  private path(label: string, layers: Layer[]): PathResult {
    const bad = layers.filter((l) => l.status === 'none' || l.status === 'partial');
    const unknown = layers.filter((l) => l.status === 'unknown');
    if (bad.length > 0) {
      return {
        label,
        status: 'blocked',
        partial: !layers.some((l) => l.status === 'none'),
        reasons: bad.map((l) => `blocked: ${l.reason}`),
      };
    }
    if (unknown.length > 0) return { label, status: 'unknown', partial: true, reasons: unknown.map((l) => `unknown: ${l.reason}`) };
    return { label, status: 'pass', partial: false, reasons: [] };
  }

  private neverInitiates(s: NodeModel): Layer {
    return { status: 'none', reason: `${s.display} is an ${s.kind}: it only accepts connections, it never opens one` };
  }

  /** Checks that depend only on the destination: does it accept connections, and listen on the port? */
  private destinationLayers(d: NodeModel, t: Traffic): Layer[] {
    const layers: Layer[] = [];
    if (!d.acceptsInbound) {
      layers.push({ status: 'none', reason: `${d.display} is a ${d.kind}: it accepts no inbound connections (it is invoked through the Lambda API, not the network)` });
    }
    if (d.isLoadBalancer) {
      const unknown = d.listeners.find((l) => l.unknown && l.protocols.includes(protocolName(t.protocol)));
      const ports = d.listeners.filter((l) => l.port !== undefined && l.protocols.includes(protocolName(t.protocol))).map((l) => l.port!);
      const all = range(t.p0, t.p1);
      const missing = all.length <= 65536 ? all.filter((p) => !ports.includes(p)) : [];
      if (missing.length > 0 && unknown) {
        layers.push({ status: 'unknown', reason: `listener of ${d.display}: ${unknown.unknown}` });
      } else if (missing.length > 0) {
        const have = d.listeners.length === 0 ? 'it has no listeners'
          : `its listeners: ${d.listeners.map((l) => `${l.protocols.join('+')} ${l.port ?? '?'}`).join(', ')}`;
        layers.push({
          status: missing.length === all.length ? 'none' : 'partial',
          reason: `load balancer ${d.display} has no listener on ${protocolName(t.protocol)} ${compactPorts(missing)} (${have})`,
        });
      }
    }
    return layers;
  }

  // ---------------------------------------------------------------------------------------
  // Routing
  // ---------------------------------------------------------------------------------------

  private lpm(sub: SubnetModel, dest: Cidr): { route?: RouteModel; table: string; main: boolean } | { unknown: string } {
    if (sub.routeTableUnknown) return { unknown: sub.routeTableUnknown };
    if (!sub.routeTable) return { table: 'the VPC main route table', main: true };
    const rt = this.model.routeTables.get(sub.routeTable)!;
    const candidates = rt.routes.filter((r) => r.family === 4 && r.dest && r.dest.first <= dest.first && dest.last <= r.dest.last);
    candidates.sort((a, b) => b.dest!.prefix - a.dest!.prefix);
    const unknownRoute = rt.routes.find((r) => r.family === 4 && r.unknown);
    if (candidates.length === 0 && unknownRoute) return { unknown: unknownRoute.unknown! };
    return { route: candidates[0], table: rt.display, main: false };
  }

  private routeIn(d: NodeModel, sub: SubnetModel, inet: Cidr): Layer {
    if (!d.publicIp) {
      return { status: 'none', reason: `routing: ${d.display} has ${d.publicNote}, so nothing on the internet can open a connection to it` };
    }
    const r = this.lpm(sub, inet);
    if ('unknown' in r) return { status: 'unknown', reason: r.unknown };
    if (!r.route) {
      return {
        status: 'none',
        reason: `routing: subnet ${sub.display} has no route to ${inet.cidr} in ${r.table}${r.main ? ' (no explicit route table association: ' +
          'the main route table, to which a template cannot add routes, is taken as local-only)' : ''}, so the internet cannot reach it`,
      };
    }
    if (r.route.target !== 'igw') {
      return {
        status: 'none',
        reason: `routing: ${r.table} of subnet ${sub.display} sends ${r.route.destText} to ${r.route.targetText}, not to an internet gateway, ` +
          'so connections from the internet cannot come in',
      };
    }
    return PASS;
  }

  private routeOut(s: NodeModel, sub: SubnetModel, inet: Cidr, t: Traffic, what: string, warnings: string[]): Layer[] {
    const r = this.lpm(sub, inet);
    if ('unknown' in r) return [{ status: 'unknown', reason: r.unknown }];
    if (!r.route) {
      return [{
        status: 'none',
        reason: `routing: subnet ${sub.display} has no route to ${inet.cidr} in ${r.table} (an isolated subnet${r.main ? '; no explicit route table ' +
          'association, so the VPC main route table, taken as local-only' : ''})`,
      }];
    }
    const route = r.route;
    switch (route.target) {
      case 'igw':
        return s.publicIp ? [PASS] : [{
          status: 'none',
          reason: `routing: subnet ${sub.display} sends ${route.destText} to internet gateway ${route.targetText}, but ${s.display} has ${s.publicNote} ` +
            'there, so the gateway drops its traffic (put it behind a NAT gateway or give it a public IP)',
        }];
      case 'nat':
        return this.natHop(s, sub, route, inet, t, what, warnings);
      case 'eigw':
        return [{ status: 'none', reason: `routing: ${r.table} sends ${route.destText} to an egress-only internet gateway, which carries IPv6 only` }];
      default:
        return [{ status: 'unknown', reason: `routing: ${r.table} sends ${route.destText} to ${route.targetText}; traffic beyond it is not modelled` }];
    }
  }

  private natHop(s: NodeModel, sub: SubnetModel, route: RouteModel, inet: Cidr, t: Traffic, what: string, warnings: string[]): Layer[] {
    const nat = route.targetId ? this.model.nats.get(route.targetId) : undefined;
    if (!nat) return [{ status: 'unknown', reason: `routing: NAT gateway ${route.targetText} is not in the analyzed template(s)` }];
    if (nat.isPrivate) return [{ status: 'none', reason: `routing: NAT gateway ${nat.display} is a private NAT gateway (ConnectivityType private): it has no internet path` }];
    if (!nat.subnet) return [{ status: 'unknown', reason: `routing: ${nat.subnetUnknown}` }];
    const natSub = this.model.subnets.get(nat.subnet)!;
    if (natSub.az !== sub.az && !natSub.az.startsWith('an unknown') && !sub.az.startsWith('an unknown')) {
      warnings.push(`NAT gateway ${nat.display} is in ${natSub.az} but serves subnet ${sub.display} in ${sub.az}: that subnet loses the internet when ` +
        `${natSub.az} fails, and its traffic pays cross-AZ charges (use one NAT gateway per AZ: see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html)`);
    }
    const layers: Layer[] = [];
    const r = this.lpm(natSub, inet);
    if ('unknown' in r) {layers.push({ status: 'unknown', reason: r.unknown });} else if (!r.route || r.route.target !== 'igw') {
      layers.push({
        status: 'none',
        reason: `routing: NAT gateway ${nat.display} sits in subnet ${natSub.display}, whose ${r.table} ${r.route ? `sends ${r.route.destText} to ${r.route.targetText}` : `has no route to ${inet.cidr}`}, not to an internet gateway`,
      });
    }
    if (natSub.id !== sub.id) {
      if (!sub.cidr) return [...layers, { status: 'unknown', reason: sub.cidrUnknown! }];
      const inner: Peer = { first: sub.cidr.first, last: sub.cidr.last, text: `${sub.cidr.cidr} (${s.display} in ${sub.display})` };
      const outer: Peer = { first: inet.first, last: inet.last, text: inet.cidr };
      const ret = this.clientRange(s);
      const via = `through NAT gateway ${nat.display}`;
      layers.push(this.nacl(natSub, false, t, inner, `${what}, ${via}`));
      layers.push(this.nacl(natSub, true, t, outer, `${what}, ${via}`));
      layers.push(this.nacl(natSub, false, { protocol: t.protocol, p0: NAT_RANGE.from, p1: NAT_RANGE.to }, outer,
        `return traffic of ${what}, to the ${NAT_RANGE.label}'s ephemeral ports`));
      layers.push(this.nacl(natSub, true, { protocol: t.protocol, p0: ret.from, p1: ret.to }, inner,
        `return traffic of ${what}, relayed by NAT gateway ${nat.display} to ${s.display}'s ephemeral ports (${ret.label})`));
    }
    return layers;
  }

  private routeLocal(s: SubnetModel, d: SubnetModel): Layer {
    if (s.vpc && s.vpc === d.vpc) return PASS;
    if (!s.vpc || !d.vpc) return { status: 'unknown', reason: `routing: the VPC of subnet ${(s.vpc ? d : s).display} is not in the analyzed template(s)` };
    if (!d.cidr) return { status: 'unknown', reason: d.cidrUnknown! };
    const r = this.lpm(s, d.cidr);
    if ('unknown' in r) return { status: 'unknown', reason: r.unknown };
    if (!r.route) return { status: 'none', reason: `routing: subnets ${s.display} and ${d.display} are in different VPCs and ${r.table} has no route to ${d.cidr.cidr}` };
    if (['igw', 'nat', 'eigw'].includes(r.route.target)) {
      return {
        status: 'none',
        reason: `routing: subnets ${s.display} and ${d.display} are in different VPCs and ${r.table} sends ${d.cidr.cidr} to ${r.route.targetText}, ` +
          'towards the internet, which does not carry another VPC\'s private addresses (a peering connection or transit gateway would)',
      };
    }
    return { status: 'unknown', reason: `routing: ${s.display} reaches the other VPC's ${d.cidr.cidr} through ${r.route.targetText}; cross-VPC paths are not modelled` };
  }

  // ---------------------------------------------------------------------------------------
  // NACLs and security groups
  // ---------------------------------------------------------------------------------------

  private naclOf(sub: SubnetModel): NaclModel | { unknown: string } | undefined {
    if (sub.naclUnknown) return { unknown: sub.naclUnknown };
    if (sub.nacl) return this.model.nacls.get(sub.nacl);
    // No association: the VPC's default NACL, which allows everything unless the template adds entries to it.
    return sub.vpc ? this.model.defaultNacls.get(sub.vpc) : undefined;
  }

  private nacl(sub: SubnetModel, egress: boolean, t: Traffic, peer: Peer, purpose: string): Layer {
    const acl = this.naclOf(sub);
    if (acl === undefined) return PASS;
    if ('unknown' in acl) return { status: 'unknown', reason: acl.unknown };
    let remaining: Box[] = [{ a0: peer.first, a1: peer.last, p0: t.p0, p1: t.p1 }];
    let allowed = false;
    const denials: string[] = [];
    for (const e of acl.entries) {
      if (remaining.length === 0) break;
      if (e.egress !== egress || e.ipv6) continue;
      if (e.protocol !== -1 && e.protocol !== t.protocol) continue;
      if (e.unknown) return { status: 'unknown', reason: `NACL ${displayPath(acl.display)}: ${e.unknown}` };
      const { left, hit } = removeFrom(remaining, { a0: e.cidr!.first, a1: e.cidr!.last, p0: e.p0, p1: e.p1 });
      if (hit.length > 0) {
        if (e.allow) allowed = true;
        else denials.push(`rule ${e.ruleNumber} denies ${this.describeBoxes(hit, t, peer)} before any allow`);
      }
      remaining = left;
    }
    if (denials.length === 0 && remaining.length === 0) return PASS;
    const dir = egress ? 'outbound' : 'inbound';
    const want = `${protocolName(t.protocol)} ${describePorts(t.p0, t.p1)} ${egress ? 'to' : 'from'} ${peer.text}`;
    const name = `NACL ${displayPath(acl.display)} ${dir}`;
    if (!allowed && denials.length === 0) return { status: 'none', reason: `${name} has no allow for ${want} (${purpose})` };
    const parts = [...denials];
    if (remaining.length > 0) parts.push(`nothing allows ${this.describeBoxes(remaining, t, peer)}`);
    return {
      status: allowed ? 'partial' : 'none',
      reason: `${name} ${allowed ? 'allows only part of' : 'blocks'} ${want}: ${parts.join('; ')} (${purpose})`,
    };
  }

  private describeBoxes(boxes: Box[], t: Traffic, peer: Peer): string {
    const ports = portSpans(boxes).map((s) => describePorts(s.p0, s.p1)).join(', ');
    const addrs = addressSpans(boxes);
    const whole = addrs.length === 1 && addrs[0].a0 <= peer.first && addrs[0].a1 >= peer.last;
    return `${protocolName(t.protocol)} ${ports}${whole ? '' : ` for ${addrs.map((a) => describeAddresses(a.a0, a.a1)).join(', ')}`}`;
  }

  private sg(node: NodeModel, dir: 'ingress' | 'egress', t: Traffic, peer: Peer, purpose: string): Layer {
    if (node.sgMode === 'none') return PASS;
    const unknown: string[] = node.sgsUnknown ? [node.sgsUnknown] : [];
    let remaining: Box[] = [{ a0: peer.first, a1: peer.last, p0: t.p0, p1: t.p1 }];
    let hitAny = false;
    const names: string[] = [];
    for (const key of node.sgs) {
      const sg: SgModel | undefined = this.model.sgs.get(key);
      const literal = key.startsWith('lit:');
      names.push(sg ? sg.display : key.slice(4));
      if (literal) unknown.push(`security group ${key.slice(4)} is not defined in the analyzed template(s), so its rules are unknown`);
      if (!sg) continue;
      const rules = dir === 'egress' ? sg.egress : sg.ingress;
      if (dir === 'egress' && rules.length === 0 && !literal) {
        // No egress rule at all: EC2's default allow-all outbound rule stays (CloudFormation removes it once any egress rule exists;
        // aws-cdk issue 987 / PR 998, which is why CDK writes a 255.255.255.255/32 placeholder for "no outbound").
        remaining = [];
        hitAny = true;
        break;
      }
      for (const rule of rules) {
        if (remaining.length === 0) break;
        if (rule.placeholder) continue;
        if (rule.protocol !== -1 && rule.protocol !== t.protocol) continue;
        if (rule.unknown) {
          unknown.push(`a ${dir} rule of ${sg.display} has ${rule.unknown}`);
          continue;
        }
        if (rule.p1 < t.p0 || rule.p0 > t.p1) continue;
        let box: Box;
        if (rule.peer.kind === 'cidr' && rule.peer.range.family === 6) {continue;} else if (rule.peer.kind === 'cidr') {box = { a0: rule.peer.range.first, a1: rule.peer.range.last, p0: rule.p0, p1: rule.p1 };} else if (rule.peer.kind === 'sg') {
          if (!peer.node || peer.node.sgMode === 'none' || !peer.node.sgs.includes(rule.peer.key)) continue;
          box = { a0: 0, a1: ALL_ADDRESSES.last, p0: rule.p0, p1: rule.p1 };
        } else if (rule.peer.kind === 'unknown') {
          unknown.push(`a ${dir} rule of ${sg.display} names ${rule.peer.reason}`);
          continue;
        } else {continue;}
        const { left, hit } = removeFrom(remaining, box);
        if (hit.length > 0) hitAny = true;
        remaining = left;
      }
    }
    if (remaining.length === 0) return PASS;
    if (unknown.length > 0) return { status: 'unknown', reason: `security groups of ${node.display}: ${[...new Set(unknown)].join('; ')}` };
    const want = `${protocolName(t.protocol)} ${describePorts(t.p0, t.p1)} ${dir === 'egress' ? 'to' : 'from'} ${peer.text}`;
    const groups = names.length > 0 ? names.join(', ') : 'no security groups';
    const name = `security group ${dir} of ${node.display} (${groups})`;
    if (!hitAny) return { status: 'none', reason: `${name} has no rule allowing ${want} (${purpose})` };
    return {
      status: 'partial',
      reason: `${name} allows only part of ${want}: nothing allows ${this.describeBoxes(remaining, t, peer)} (${purpose})`,
    };
  }
}

function parentPath(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

function parseAll(): Cidr {
  return toCidr('0.0.0.0/0')!;
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i <= b; i++) out.push(i);
  return out;
}

function compactPorts(ports: number[]): string {
  const spans: string[] = [];
  let i = 0;
  while (i < ports.length) {
    let j = i;
    while (j + 1 < ports.length && ports[j + 1] === ports[j] + 1) j++;
    spans.push(describePorts(ports[i], ports[j]));
    i = j + 1;
  }
  return spans.join(', ');
}
