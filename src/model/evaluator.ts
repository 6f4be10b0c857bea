import { AddressRange, describeRange, normalize, wholeFamily } from './addresses';
import { LBox, intersectSets, projectPorts, subtractBox } from './boxes-exact';
import { LayerCtx, NetworkLayers } from './layers';
import {
  Cidr, ClientKind, NodeModel, RouteModel, SubnetModel, TemplateModel, displayPath, protocolName,
} from './template-model';

/** A port range a client uses for return traffic. */
export interface ClientRange {
  readonly from: number;
  readonly to: number;
  readonly label: string;
}

/** The traffic asked about: an address family, a protocol (6 or 17) and a destination port range. */
export interface Traffic {
  readonly family: 4 | 6;
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
  readonly range: AddressRange;
  readonly text: string;
  readonly node?: NodeModel;
}

const PASS: Layer = { status: 'pass' };
const MAX_REASONS = 8;
const INTERNET_CLIENT: ClientRange = { from: 1024, to: 65535, label: 'internet clients' };
const NAT_RANGE: ClientRange = { from: 1024, to: 65535, label: 'NAT gateway' };

/**
 * Explains reachability over a `TemplateModel`, path by path: routing, security groups (stateful)
 * and NACLs (stateless, both ways, with the client's whole ephemeral return range), for every
 * (source subnet, destination subnet) pair the traffic could use, in IPv4 or IPv6, through
 * internet gateways, egress-only internet gateways, NAT gateways and NAT instances.
 *
 * Each layer is read from the network model's shared layers (`NetworkLayers`: the one
 * first-match NACL evaluator and the one security group reader, over address x port boxes),
 * the same the exact open-set evaluator uses; this class only decides, per subnet pair, whether
 * a layer passes the WHOLE traffic asked about, and names the rule that admits or blocks it.
 */
export class Evaluator {
  private readonly layers: NetworkLayers;

  constructor(
    private readonly model: TemplateModel,
    private readonly clientRanges: Record<ClientKind, ClientRange>,
  ) {
    this.layers = new NetworkLayers(model);
  }

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
    const route = this.lpm(s, wholeFamily(4));
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
            paths.push(...this.internetToNode(wholeFamily(t.family), `${s.display} (outside any VPC)`, d, t, portText));
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
    const peer: Peer = { range: from.range, text: from.range.cidr };
    const what = `${from.name} -> ${to.name} on ${portText}, relayed with the client's address`;
    const paths: PathResult[] = [];
    for (const d of to.nodes) {
      for (const sid of d.subnets) {
        const sub = this.model.subnets.get(sid)!;
        paths.push(this.path(`${from.name} -> ${this.subnetText(sub)} (relayed)`, [
          this.nacl(sub, false, t, peer, what),
          this.nacl(sub, true, { ...t, p0: INTERNET_CLIENT.from, p1: INTERNET_CLIENT.to }, peer,
            `return traffic of ${what}, to the ${INTERNET_CLIENT.label}' ephemeral ports`),
        ], t.family));
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
          `reachable: all ${paths.length} subnet path(s) pass ${notes.some((n) => n.startsWith('NACL-only')) ? 'the NACLs' : 'routing, security groups and NACLs'} ` +
          `in both directions${t.family === 6 ? ' over IPv6' : ''} (return traffic ${ret})`,
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

  private internetToNode(inet: AddressRange, inetName: string, d: NodeModel, t: Traffic, portText: string): PathResult[] {
    const what = `${inetName} -> ${d.display} on ${portText}`;
    const label = (sub?: SubnetModel) => `${inetName} -> ${d.display}${sub ? ` in ${this.subnetText(sub)}` : ''}`;
    const head = this.destinationLayers(d, t);
    if (d.outsideVpc) return [this.path(label(), head, t.family)];
    if (d.subnetsUnknown) return [this.path(label(), [...head, { status: 'unknown', reason: d.subnetsUnknown }], t.family)];
    const peer: Peer = { range: inet, text: describeRange(inet) };
    return d.subnets.map((sid) => {
      const sub = this.model.subnets.get(sid)!;
      const layers: Layer[] = [...head];
      layers.push(this.familyAddress(d, sub, t.family));
      layers.push(this.routeIn(d, sub, inet));
      layers.push(this.nacl(sub, false, t, peer, what));
      layers.push(this.sg(d, 'ingress', t, peer, what));
      layers.push(this.nacl(sub, true, { ...t, p0: INTERNET_CLIENT.from, p1: INTERNET_CLIENT.to }, peer,
        `return traffic of ${what}, to the ${INTERNET_CLIENT.label}' ephemeral ports`));
      return this.path(label(sub), layers, t.family);
    });
  }

  /** An IPv6 end needs an IPv6 address: its subnet must have an IPv6 block. */
  private familyAddress(n: NodeModel, sub: SubnetModel, family: 4 | 6): Layer {
    if (family === 4 || sub.ipv6Cidr) return PASS;
    if (sub.ipv6CidrUnknown) return { status: 'unknown', reason: sub.ipv6CidrUnknown };
    return { status: 'none', reason: `addressing: subnet ${sub.display} has no IPv6 CIDR block, so ${n.display} has no IPv6 address there` };
  }

  private nodeToInternet(s: NodeModel, inet: AddressRange, inetName: string, t: Traffic, portText: string, warnings: string[]): PathResult[] {
    const what = `${s.display} -> ${inetName} on ${portText}`;
    const label = (sub?: SubnetModel) => `${s.display}${sub ? ` in ${this.subnetText(sub)}` : ''} -> ${inetName}`;
    if (s.outsideVpc) {
      return [{ label: label(), status: 'pass', partial: false, reasons: [] }];
    }
    if (!s.initiates) return [this.path(label(), [this.neverInitiates(s)], t.family)];
    if (s.subnetsUnknown) return [this.path(label(), [{ status: 'unknown', reason: s.subnetsUnknown }], t.family)];
    const peer: Peer = { range: inet, text: describeRange(inet) };
    const ret = this.clientRange(s);
    return s.subnets.map((sid) => {
      const sub = this.model.subnets.get(sid)!;
      const layers: Layer[] = [];
      layers.push(this.familyAddress(s, sub, t.family));
      layers.push(this.sg(s, 'egress', t, peer, what));
      layers.push(this.nacl(sub, true, t, peer, what));
      layers.push(this.nacl(sub, false, { ...t, p0: ret.from, p1: ret.to }, peer,
        `return traffic of ${what}, to ${s.display}'s ephemeral ports (${ret.label})`));
      layers.push(...this.routeOut(s, sub, inet, t, what, warnings));
      return this.path(label(sub), layers, t.family);
    });
  }

  private nodeToNode(s: NodeModel, d: NodeModel, t: Traffic, portText: string): PathResult[] {
    const what = `${s.display} -> ${d.display} on ${portText}`;
    const head = this.destinationLayers(d, t);
    if (!s.initiates) head.push(this.neverInitiates(s));
    if (d.outsideVpc) return [this.path(`${s.display} -> ${d.display}`, head, t.family)];
    if (s.subnetsUnknown || d.subnetsUnknown) {
      return [this.path(`${s.display} -> ${d.display}`, [...head, { status: 'unknown', reason: (s.subnetsUnknown ?? d.subnetsUnknown)! }], t.family)];
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
          const back: Traffic = { ...t, p0: ret.from, p1: ret.to };
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
        out.push(this.path(`${s.display} in ${this.subnetText(ss)} -> ${d.display} in ${this.subnetText(ds)}`, layers, t.family));
      }
    }
    return out;
  }

  private subnetPeer(sub: SubnetModel, node: NodeModel): Peer {
    return sub.cidr
      ? { range: sub.cidr, text: `${sub.cidr.cidr} (${node.display} in ${sub.display})`, node }
      : { range: wholeFamily(4), text: `${node.display} in ${sub.display}`, node };
  }

  private subnetText(s: SubnetModel): string {
    return `${s.display} (${s.cidr?.cidr ?? 'unknown CIDR'}, ${s.az})`;
  }

  private path(label: string, layers: Layer[], family: 4 | 6): PathResult {
    const bad = layers.filter((l) => l.status === 'none' || l.status === 'partial');
    const unknown = layers.filter((l) => l.status === 'unknown');
    const over = family === 6 ? ' over IPv6' : '';
    if (bad.length > 0) {
      return {
        label,
        status: 'blocked',
        partial: !layers.some((l) => l.status === 'none'),
        reasons: bad.map((l) => `blocked${over}: ${l.reason}`),
      };
    }
    if (unknown.length > 0) return { label, status: 'unknown', partial: true, reasons: unknown.map((l) => `unknown${over}: ${l.reason}`) };
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

  // Routing
  // ---------------------------------------------------------------------------------------

  /** The longest-prefix route of a subnet's table that covers the whole `dest` block (same family). */
  private lpm(sub: SubnetModel, dest: AddressRange): { route?: RouteModel; table: string; main: boolean } | { unknown: string } {
    if (sub.routeTableUnknown) return { unknown: sub.routeTableUnknown };
    if (!sub.routeTable) return { table: 'the VPC main route table', main: true };
    const rt = this.model.routeTables.get(sub.routeTable)!;
    const candidates = rt.routes.filter((r) => r.family === dest.family && r.dest && r.dest.lo <= dest.lo && dest.hi <= r.dest.hi);
    candidates.sort((a, b) => b.dest!.prefix - a.dest!.prefix);
    const unknownRoute = rt.routes.find((r) => r.family === dest.family && r.unknown);
    if (candidates.length === 0 && unknownRoute) return { unknown: unknownRoute.unknown! };
    return { route: candidates[0], table: rt.display, main: false };
  }

  private routeIn(d: NodeModel, sub: SubnetModel, inet: AddressRange): Layer {
    if (inet.family === 4 && !d.publicIp) {
      return { status: 'none', reason: `routing: ${d.display} has ${d.publicNote}, so nothing on the internet can open a connection to it` };
    }
    const r = this.lpm(sub, inet);
    if ('unknown' in r) return { status: 'unknown', reason: r.unknown };
    if (!r.route) {
      return {
        status: 'none',
        reason: `routing: subnet ${sub.display} has no route to ${describeRange(inet)} in ${r.table}${r.main ? ' (no explicit route table association: ' +
          'the main route table, to which a template cannot add routes, is taken as local-only)' : ''}, so the internet cannot reach it`,
      };
    }
    if (r.route.target === 'eigw') {
      return {
        status: 'none',
        reason: `routing: ${r.table} of subnet ${sub.display} sends ${r.route.destText} to egress-only internet gateway ${r.route.targetText}, ` +
          'which lets connections out but none in',
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

  private routeOut(s: NodeModel, sub: SubnetModel, inet: AddressRange, t: Traffic, what: string, warnings: string[]): Layer[] {
    const r = this.lpm(sub, inet);
    if ('unknown' in r) return [{ status: 'unknown', reason: r.unknown }];
    if (!r.route) {
      return [{
        status: 'none',
        reason: `routing: subnet ${sub.display} has no route to ${describeRange(inet)} in ${r.table} (an isolated subnet${r.main ? '; no explicit route table ' +
          'association, so the VPC main route table, taken as local-only' : ''})`,
      }];
    }
    const route = r.route;
    switch (route.target) {
      case 'igw':
        // An IPv6 address is globally routable; an IPv4 one needs a public address to use the gateway.
        return inet.family === 6 || s.publicIp ? [PASS] : [{
          status: 'none',
          reason: `routing: subnet ${sub.display} sends ${route.destText} to internet gateway ${route.targetText}, but ${s.display} has ${s.publicNote} ` +
            'there, so the gateway drops its traffic (put it behind a NAT gateway or give it a public IP)',
        }];
      case 'nat':
        if (inet.family === 6) return [{ status: 'none', reason: `routing: ${r.table} sends ${route.destText} to NAT gateway ${route.targetText}, which carries IPv4 only` }];
        return this.natHop(s, sub, route, inet, t, what, warnings);
      case 'eigw':
        if (inet.family === 6) return [PASS];
        return [{ status: 'none', reason: `routing: ${r.table} sends ${route.destText} to an egress-only internet gateway, which carries IPv6 only` }];
      case 'instance':
        if (inet.family === 4) return this.natInstanceHop(s, sub, route, r.table, inet, t, what);
        return [{ status: 'unknown', reason: `routing: ${r.table} sends ${route.destText} to ${route.targetText}; traffic beyond it is not modelled` }];
      default:
        return [{ status: 'unknown', reason: `routing: ${r.table} sends ${route.destText} to ${route.targetText}; traffic beyond it is not modelled` }];
    }
  }

  private natHop(s: NodeModel, sub: SubnetModel, route: RouteModel, inet: AddressRange, t: Traffic, what: string, warnings: string[]): Layer[] {
    const nat = route.targetId ? this.model.nats.get(route.targetId) : undefined;
    if (!nat) return [{ status: 'unknown', reason: `routing: NAT gateway ${route.targetText} is not in the analyzed template(s)` }];
    if (nat.isPrivate) return [{ status: 'none', reason: `routing: NAT gateway ${nat.display} is a private NAT gateway (ConnectivityType private): it has no internet path` }];
    // A regional NAT gateway is in no subnet: the client's own subnet is the only NACL on the way.
    if (nat.regional) {
      if (nat.noInternet) return [{ status: 'none', reason: `routing: ${nat.noInternet}` }];
      return nat.internetUnknown ? [{ status: 'unknown', reason: `routing: ${nat.internetUnknown}` }] : [];
    }
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
        reason: `routing: NAT gateway ${nat.display} sits in subnet ${natSub.display}, whose ${r.table} ${r.route ? `sends ${r.route.destText} to ${r.route.targetText}` : `has no route to ${describeRange(inet)}`}, not to an internet gateway`,
      });
    }
    if (natSub.id !== sub.id) layers.push(...this.relayNacls(s, sub, natSub, inet, t, what, `NAT gateway ${nat.display}`, NAT_RANGE));
    return layers;
  }

  /**
   * A NAT instance (an EC2 instance with `SourceDestCheck: false` and a public address) forwards
   * what its security groups admit: the client's traffic in, the translated traffic out.
   * @see https://docs.aws.amazon.com/vpc/latest/userguide/work-with-nat-instances.html
   */
  private natInstanceHop(s: NodeModel, sub: SubnetModel, route: RouteModel, table: string, inet: AddressRange, t: Traffic, what: string): Layer[] {
    const nat = route.targetId ? this.model.nodes.find((n) => n.id === route.targetId) : undefined;
    if (!nat) return [{ status: 'unknown', reason: `routing: ${table} sends ${route.destText} to ${route.targetText}, which is not an instance in the analyzed template(s)` }];
    if (!nat.forwards) {
      return [{
        status: 'none',
        reason: `routing: ${table} sends ${route.destText} to instance ${nat.display}, which drops traffic that is not its own ` +
          '(its SourceDestCheck is not false, so it is no NAT instance)',
      }];
    }
    if (nat.subnetsUnknown || nat.subnets.length === 0) return [{ status: 'unknown', reason: nat.subnetsUnknown ?? `${nat.display} names no subnet` }];
    const natSub = this.model.subnets.get(nat.subnets[0])!;
    const via = `through NAT instance ${nat.display}`;
    const layers: Layer[] = [];
    if (!nat.publicIp) {
      layers.push({ status: 'none', reason: `routing: NAT instance ${nat.display} has ${nat.publicNote}, so the internet gateway drops what it forwards` });
    }
    const r = this.lpm(natSub, inet);
    if ('unknown' in r) {layers.push({ status: 'unknown', reason: r.unknown });} else if (!r.route || r.route.target !== 'igw') {
      layers.push({
        status: 'none',
        reason: `routing: NAT instance ${nat.display} sits in subnet ${natSub.display}, whose ${r.table} ${r.route ? `sends ${r.route.destText} to ${r.route.targetText}` : `has no route to ${describeRange(inet)}`}, not to an internet gateway`,
      });
    }
    const inner = this.subnetPeer(sub, s);
    layers.push(this.sg(nat, 'ingress', t, inner, `${what}, ${via}`));
    layers.push(this.sg(nat, 'egress', t, { range: inet, text: describeRange(inet) }, `${what}, ${via}`));
    if (natSub.id !== sub.id) {
      const natRange = this.clientRange(nat);
      layers.push(...this.relayNacls(s, sub, natSub, inet, t, what, `NAT instance ${nat.display}`, { ...natRange, label: `NAT instance ${nat.display}, ${natRange.label}` }));
    }
    return layers;
  }

  /** The NAT's subnet NACL, both ways on both sides: from the client and back to it, to the internet and back to the NAT. */
  private relayNacls(
    s: NodeModel, sub: SubnetModel, natSub: SubnetModel, inet: AddressRange, t: Traffic, what: string, natName: string, natRange: ClientRange,
  ): Layer[] {
    if (!sub.cidr) return [{ status: 'unknown', reason: sub.cidrUnknown! }];
    const inner: Peer = { range: sub.cidr, text: `${sub.cidr.cidr} (${s.display} in ${sub.display})` };
    const outer: Peer = { range: inet, text: describeRange(inet) };
    const ret = this.clientRange(s);
    const via = `through ${natName}`;
    return [
      this.nacl(natSub, false, t, inner, `${what}, ${via}`),
      this.nacl(natSub, true, t, outer, `${what}, ${via}`),
      this.nacl(natSub, false, { ...t, p0: natRange.from, p1: natRange.to }, outer, `return traffic of ${what}, to the ${natRange.label}'s ephemeral ports`),
      this.nacl(natSub, true, { ...t, p0: ret.from, p1: ret.to }, inner,
        `return traffic of ${what}, relayed by ${natName} to ${s.display}'s ephemeral ports (${ret.label})`),
    ];
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
  // NACLs and security groups, read from the shared layers
  // ---------------------------------------------------------------------------------------

  /**
   * Whether a subnet's NACL passes the whole traffic `t` to or from `peer`, by the one first-match
   * evaluator: the part allowed, the part an earlier deny entry takes (named), and the part no
   * entry matches. With unresolved entries, the answer is PASS only when it passes however they
   * resolve, blocked when some traffic is blocked however they resolve, else unknown.
   */
  private nacl(sub: SubnetModel, egress: boolean, t: Traffic, peer: Peer, purpose: string): Layer {
    const acl = this.layers.naclOf(sub);
    if (acl === undefined) return PASS;
    if ('unknown' in acl) return { status: 'unknown', reason: acl.unknown };
    const q: LBox = { lo: peer.range.lo, hi: peer.range.hi, p0: t.p0, p1: t.p1, why: [] };
    const lower = this.layers.nacl(acl, egress, t.family, t.protocol, 'lower', 'rule');
    if (minus(q, intersectSets([q], lower.boxes)).length === 0) return PASS;
    let m = lower;
    if (lower.unknown.length > 0) {
      const upper = this.layers.nacl(acl, egress, t.family, t.protocol, 'upper', 'rule');
      if (minus(q, intersectSets([q], upper.boxes)).length === 0) return { status: 'unknown', reason: [...new Set(lower.unknown)].join('; ') };
      m = upper;
    }
    const allowedHere = intersectSets([q], m.boxes);
    const deniedHere = intersectSets([q], m.denied);
    const denials: string[] = [];
    const byRule = new Map<string, LBox[]>();
    for (const b of deniedHere) byRule.set(b.why[0], [...(byRule.get(b.why[0]) ?? []), b]);
    for (const [rule, hit] of byRule) denials.push(`${rule} denies ${this.describeBoxes(hit, t, peer)} before any allow`);
    const remaining = minus(q, [...allowedHere, ...deniedHere]);
    const dir = egress ? 'outbound' : 'inbound';
    const want = `${protocolName(t.protocol)} ${describePorts(t.p0, t.p1)} ${egress ? 'to' : 'from'} ${peer.text}`;
    const name = `NACL ${displayPath(acl.display)} ${dir}`;
    const allowed = allowedHere.length > 0;
    if (!allowed && denials.length === 0) return { status: 'none', reason: `${name} has no allow for ${want} (${purpose})` };
    const parts = [...denials];
    if (remaining.length > 0) parts.push(`nothing allows ${this.describeBoxes(remaining, t, peer)}`);
    return {
      status: allowed ? 'partial' : 'none',
      reason: `${name} ${allowed ? 'allows only part of' : 'blocks'} ${want}: ${parts.join('; ')} (${purpose})`,
    };
  }

  private describeBoxes(boxes: LBox[], t: Traffic, peer: Peer): string {
    const ports = projectPorts(boxes.map((b) => ({ ...b, why: [] }))).map((s) => describePorts(s.p0, s.p1)).join(', ');
    const addrs = normalize(boxes.map((b) => ({ family: peer.range.family, lo: b.lo, hi: b.hi })));
    const whole = addrs.length === 1 && addrs[0].lo <= peer.range.lo && addrs[0].hi >= peer.range.hi;
    return `${protocolName(t.protocol)} ${ports}${whole ? '' : ` for ${addrs.map((a) => describeRange(a)).join(', ')}`}`;
  }

  /**
   * Whether a node's security groups pass the whole traffic `t` to or from `peer` (the union of
   * their rules, from the shared layers). Unresolved rules make the answer unknown unless the
   * resolved ones already pass it, or even their widest reading would not.
   */
  private sg(node: NodeModel, dir: 'ingress' | 'egress', t: Traffic, peer: Peer, purpose: string): Layer {
    if (node.sgMode === 'none') return PASS;
    const q: LBox = { lo: peer.range.lo, hi: peer.range.hi, p0: t.p0, p1: t.p1, why: [] };
    const lowerCtx: LayerCtx = { mode: 'lower', unknown: new Set() };
    const lower = intersectSets([q], this.layers.sgSet(node, dir, t.family, t.protocol, peer.node, lowerCtx));
    const remaining = minus(q, lower);
    if (remaining.length === 0) return PASS;
    if (lowerCtx.unknown.size > 0) {
      const upperCtx: LayerCtx = { mode: 'upper', unknown: new Set() };
      const upper = intersectSets([q], this.layers.sgSet(node, dir, t.family, t.protocol, peer.node, upperCtx));
      if (minus(q, upper).length === 0) return { status: 'unknown', reason: `security groups of ${node.display}: ${[...lowerCtx.unknown].join('; ')}` };
    }
    const want = `${protocolName(t.protocol)} ${describePorts(t.p0, t.p1)} ${dir === 'egress' ? 'to' : 'from'} ${peer.text}`;
    const names = node.sgs.map((k) => this.model.sgs.get(k)?.display ?? k.replace(/^lit:/, ''));
    const groups = names.length > 0 ? names.join(', ') : 'no security groups';
    const name = `security group ${dir} of ${node.display} (${groups})`;
    if (lower.length === 0) return { status: 'none', reason: `${name} has no rule allowing ${want} (${purpose})` };
    return {
      status: 'partial',
      reason: `${name} allows only part of ${want}: nothing allows ${this.describeBoxes(remaining, t, peer)} (${purpose})`,
    };
  }
}

/** `q` less every box of `cut`. */
function minus(q: LBox, cut: readonly LBox[]): LBox[] {
  let left: LBox[] = [q];
  for (const c of cut) left = left.flatMap((b) => subtractBox(b, c));
  return left;
}

/** Renders a port range: `443` or `1024-65535`. */
function describePorts(p0: number, p1: number): string {
  return p0 === p1 ? `${p0}` : `${p0}-${p1}`;
}

function parentPath(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
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
