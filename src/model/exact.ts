import { AddressRange, describeRange, intersectRanges, subtractRanges, wholeFamily } from './addresses';
import {
  LBox, PortSpan, addressesAdmittingAll, clipAddresses, fullBox, intersectSets, intersectSpans, projectPorts, subtractSpans, unionSpans,
} from './boxes-exact';
import { LayerCtx, LayerName, NetworkLayers } from './layers';
import { ClientKind, NodeModel, RouteModel, SubnetModel, TemplateModel, displayPath, protocolName } from './template-model';

/** An address family. */
export type Family = 4 | 6;

export type { LayerName };

/** A port range of a client's ephemeral ports. */
export interface EphemeralPorts {
  readonly from: number;
  readonly to: number;
}

/** One end of an exact question: a node (or a host in a subnet), or the internet. */
export type ExactEnd =
  | { readonly kind: 'node'; readonly node: NodeModel }
  | {
    readonly kind: 'internet';
    /** Restricts the internet to these addresses (still outside the VPC). */
    readonly only?: readonly AddressRange[];
  };

/** The exact answer for one (protocol, family): the open port spans, and what may open more. */
export interface ExactAnswer {
  readonly open: PortSpan[];
  /** Ports that unresolved values may open besides `open` (with the reasons in their labels). */
  readonly maybe: PortSpan[];
  readonly unknown: string[];
}

type Ctx = LayerCtx;

const INTERNET_CLIENT: EphemeralPorts = { from: 1024, to: 65535 };
const NAT_CLIENT: EphemeralPorts = { from: 1024, to: 65535 };

/**
 * Exact open sets over a `TemplateModel`: for two ends, a protocol and a family, every port that
 * passes every layer (routes, the source's security group egress, the destination's security
 * group ingress, both subnets' NACLs both ways with the client's whole ephemeral return range, the
 * NAT gateway subnet's NACL, load balancer listeners), by interval arithmetic over
 * (address x port) boxes, never by sampling.
 *
 * A node may hold any address of its subnets, and a port is open when SOME source address reaches
 * SOME destination address on it: the constraints on the source's address and on the
 * destination's are independent, so the open ports are the intersection of their projections.
 */
export class ExactEvaluator {
  private readonly cache = new Map<string, any>();

  private readonly layers: NetworkLayers;

  constructor(
    private readonly model: TemplateModel,
    private readonly clientRanges: Record<ClientKind, EphemeralPorts>,
  ) {
    this.layers = new NetworkLayers(model);
  }

  /** The open ports from `from` to `to` for one protocol (6 or 17) and family. */
  public open(from: ExactEnd, to: ExactEnd, protocol: number, family: Family, ignore?: LayerName): ExactAnswer {
    const lowerCtx: Ctx = { mode: 'lower', ignore, unknown: new Set() };
    const open = this.pair(from, to, protocol, family, lowerCtx);
    if (lowerCtx.unknown.size === 0) return { open, maybe: [], unknown: [] };
    const upperCtx: Ctx = { mode: 'upper', ignore, unknown: new Set() };
    const upper = this.pair(from, to, protocol, family, upperCtx);
    const reasons = [...lowerCtx.unknown];
    const maybe = subtractSpans(upper, open).map((s) => ({ ...s, why: [...s.why, ...reasons.map((r) => `unknown: ${r}`)] }));
    return { open, maybe, unknown: reasons };
  }

  /** The addresses outside the VPC of `sub` ("the internet") for a family. */
  public internetAddresses(sub: SubnetModel | undefined, family: Family): AddressRange[] {
    const vpc = sub?.vpc ? this.model.vpcs.get(sub.vpc) : undefined;
    const own = vpc ? (family === 4 ? vpc.cidrs : vpc.ipv6Cidrs) : [];
    return subtractRanges([wholeFamily(family)], own);
  }

  private pair(from: ExactEnd, to: ExactEnd, protocol: number, family: Family, ctx: Ctx): PortSpan[] {
    if (from.kind === 'internet' && to.kind === 'internet') return [];
    if (from.kind === 'internet') return this.internetToNode(from, (to as { node: NodeModel }).node, protocol, family, ctx);
    if (to.kind === 'internet') return this.nodeToInternet(from.node, to, protocol, family, ctx);
    return this.nodeToNode(from.node, to.node, protocol, family, ctx);
  }

  // ---------------------------------------------------------------------------------------
  // Pairs
  // ---------------------------------------------------------------------------------------

  private nodeToNode(s: NodeModel, d: NodeModel, protocol: number, family: Family, ctx: Ctx): PortSpan[] {
    if (s === d || !d.acceptsInbound || !s.initiates || d.outsideVpc) return [];
    if (s.outsideVpc) return this.internetToNode({}, d, protocol, family, ctx);
    const listeners = this.listenerSpans(d, protocol, ctx);
    if (listeners.length === 0) return [];
    if (s.subnetsUnknown || d.subnetsUnknown) {
      ctx.unknown.add((s.subnetsUnknown ?? d.subnetsUnknown)!);
      return ctx.mode === 'upper' ? listeners : [];
    }
    const eph = this.clientRanges[s.clientKind];
    // The security groups don't depend on the subnet pair: an empty side closes every pair.
    const sgOut = this.layers.sgSet(s, 'egress', family, protocol, d, ctx);
    const sgIn = this.layers.sgSet(d, 'ingress', family, protocol, s, ctx);
    if (sgOut.length === 0 || sgIn.length === 0) return [];
    let out: PortSpan[] = [];
    for (const ssid of s.subnets) {
      for (const dsid of d.subnets) {
        const ss = this.model.subnets.get(ssid)!;
        const ds = this.model.subnets.get(dsid)!;
        const as = this.addressesOf(ss, family, ctx);
        const ad = this.addressesOf(ds, family, ctx);
        if (!as || !ad) continue;
        if (!this.routedLocally(ss, ds, family, ctx)) continue;
        // Constraints on the destination's address (seen by the source's side) ...
        let cd = clipAddresses(sgOut, ad);
        // ... and on the source's address (seen by the destination's side).
        let cs = clipAddresses(sgIn, as);
        if (ssid !== dsid) {
          // Traffic inside one subnet never crosses its NACL.
          cd = intersectSets(cd, this.naclBothWays(ss, true, family, protocol, eph, ctx));
          cs = intersectSets(cs, this.naclBothWays(ds, false, family, protocol, eph, ctx));
        }
        if (cd.length === 0 || cs.length === 0) continue;
        const open = intersectSpans(intersectSpans(projectPorts(cd), projectPorts(cs)), listeners);
        out = unionSpans(out, open);
      }
    }
    return out;
  }

  /** A subnet's NACL one way for the request and the other way for the client's whole ephemeral range back. */
  private naclBothWays(sub: SubnetModel, egress: boolean, family: Family, protocol: number, eph: EphemeralPorts, ctx: Ctx): LBox[] {
    const key = `both|${sub.id}|${egress}|${family}|${protocol}|${eph.from}-${eph.to}|${ctx.mode}|${ctx.ignore ?? ''}`;
    const hit = this.cache.get(key);
    if (hit) {
      for (const u of hit.unknown) ctx.unknown.add(u);
      return hit.boxes;
    }
    const local: Ctx = { mode: ctx.mode, ignore: ctx.ignore, unknown: new Set() };
    const boxes = intersectSets(this.naclSet(sub, egress, family, protocol, local), this.returnSet(sub, !egress, family, protocol, eph, local));
    this.cache.set(key, { boxes, unknown: [...local.unknown] });
    for (const u of local.unknown) ctx.unknown.add(u);
    return boxes;
  }

  private internetToNode(from: { only?: readonly AddressRange[] }, d: NodeModel, protocol: number, family: Family, ctx: Ctx): PortSpan[] {
    if (!d.acceptsInbound || d.outsideVpc) return [];
    const listeners = this.listenerSpans(d, protocol, ctx);
    if (listeners.length === 0) return [];
    if (d.subnetsUnknown) {
      ctx.unknown.add(d.subnetsUnknown);
      return ctx.mode === 'upper' ? listeners : [];
    }
    let out: PortSpan[] = [];
    for (const dsid of d.subnets) {
      const ds = this.model.subnets.get(dsid)!;
      if (!this.addressesOf(ds, family, ctx)) continue;
      let domain = this.internetAddresses(ds, family);
      if (from.only) domain = intersectRanges(domain, from.only);
      let c: LBox[] = domain.map((r) => fullBox(r));
      if (ctx.ignore !== 'routing') {
        // An IPv4 connection from the internet needs a public address; an IPv6 address is
        // globally routable. Either way the subnet must route the client back to an internet
        // gateway (an egress-only internet gateway admits nothing in).
        if (family === 4 && !d.publicIp) continue;
        c = intersectSets(c, this.routeSet(ds, family, (r) => r.target === 'igw', ctx));
      }
      c = intersectSets(c, this.naclSet(ds, false, family, protocol, ctx));
      c = intersectSets(c, this.layers.sgSet(d, 'ingress', family, protocol, undefined, ctx));
      c = intersectSets(c, this.returnSet(ds, true, family, protocol, INTERNET_CLIENT, ctx));
      out = unionSpans(out, intersectSpans(projectPorts(c), listeners));
    }
    return out;
  }

  private nodeToInternet(s: NodeModel, to: { only?: readonly AddressRange[] }, protocol: number, family: Family, ctx: Ctx): PortSpan[] {
    if (!s.initiates) return [];
    if (s.outsideVpc) return [{ p0: 0, p1: 65535, why: [`${s.display} runs outside any VPC, on AWS's public network`] }];
    if (s.subnetsUnknown) {
      ctx.unknown.add(s.subnetsUnknown);
      return ctx.mode === 'upper' ? [{ p0: 0, p1: 65535, why: [] }] : [];
    }
    const eph = this.clientRanges[s.clientKind];
    let out: PortSpan[] = [];
    for (const ssid of s.subnets) {
      const ss = this.model.subnets.get(ssid)!;
      const as = this.addressesOf(ss, family, ctx);
      if (!as) continue;
      let domain = this.internetAddresses(ss, family);
      if (to.only) domain = intersectRanges(domain, to.only);
      let base: LBox[] = domain.map((r) => fullBox(r));
      base = intersectSets(base, this.layers.sgSet(s, 'egress', family, protocol, undefined, ctx));
      base = intersectSets(base, this.naclSet(ss, true, family, protocol, ctx));
      base = intersectSets(base, this.returnSet(ss, false, family, protocol, eph, ctx));
      if (ctx.ignore === 'routing') {
        out = unionSpans(out, projectPorts(base));
        continue;
      }
      // Straight out through an internet gateway (IPv4 needs a public address) or an egress-only one (IPv6).
      const direct = family === 4 && !s.publicIp ? [] : this.routeSet(ss, family, (r) => r.target === 'igw' || (family === 6 && r.target === 'eigw'), ctx);
      out = unionSpans(out, projectPorts(intersectSets(base, direct)));
      if (family === 4) {
        for (const nat of this.natTargets(ss, ctx)) {
          // A regional NAT gateway (no subnet) reaches the internet gateway on its own route table.
          const natSub = nat.subnet ? this.model.subnets.get(nat.subnet)! : undefined;
          let ci = intersectSets(base, this.routeSet(ss, 4, (r) => r.target === 'nat' && r.targetId === nat.id, ctx));
          if (natSub) ci = intersectSets(ci, this.routeSet(natSub, 4, (r) => r.target === 'igw', ctx));
          let cs: LBox[] = as.map((r) => fullBox(r));
          if (natSub && natSub.id !== ss.id) {
            ci = intersectSets(ci, this.naclSet(natSub, true, 4, protocol, ctx));
            ci = intersectSets(ci, this.returnSet(natSub, false, 4, protocol, NAT_CLIENT, ctx));
            cs = intersectSets(cs, this.naclSet(natSub, false, 4, protocol, ctx));
            cs = intersectSets(cs, this.returnSet(natSub, true, 4, protocol, eph, ctx));
          }
          const natWhy = `through NAT gateway ${nat.display}`;
          out = unionSpans(out, intersectSpans(projectPorts(ci), projectPorts(cs)).map((p) => ({ ...p, why: [...p.why, natWhy] })));
        }
        for (const nat of this.natInstances(ss)) {
          // A NAT instance (SourceDestCheck false) forwards what its security groups admit: the
          // client's traffic in, and the translated traffic out from its own public address.
          const natSub = this.model.subnets.get(nat.subnets[0])!;
          const natEph = this.clientRanges[nat.clientKind];
          let ci = intersectSets(base, this.routeSet(ss, 4, (r) => r.target === 'instance' && r.targetId === nat.id, ctx));
          ci = intersectSets(ci, this.routeSet(natSub, 4, (r) => r.target === 'igw', ctx));
          ci = intersectSets(ci, this.layers.sgSet(nat, 'egress', 4, protocol, undefined, ctx));
          let cs: LBox[] = clipAddresses(this.layers.sgSet(nat, 'ingress', 4, protocol, s, ctx), as);
          if (natSub.id !== ss.id) {
            ci = intersectSets(ci, this.naclBothWays(natSub, true, 4, protocol, natEph, ctx));
            cs = intersectSets(cs, this.naclBothWays(natSub, false, 4, protocol, eph, ctx));
          }
          const natWhy = `through NAT instance ${nat.display}`;
          out = unionSpans(out, intersectSpans(projectPorts(ci), projectPorts(cs)).map((p) => ({ ...p, why: [...p.why, natWhy] })));
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------
  // Layers as box sets
  // ---------------------------------------------------------------------------------------

  private addressesOf(sub: SubnetModel, family: Family, ctx: Ctx): AddressRange[] | undefined {
    const c = family === 4 ? sub.cidr : sub.ipv6Cidr;
    if (c) return [c];
    const why = family === 4 ? sub.cidrUnknown : sub.ipv6CidrUnknown;
    if (!why) return undefined; // no address of this family at all
    ctx.unknown.add(why);
    return ctx.mode === 'upper' ? [wholeFamily(family)] : undefined;
  }

  private routedLocally(ss: SubnetModel, ds: SubnetModel, family: Family, ctx: Ctx): boolean {
    if (ctx.ignore === 'routing') return true;
    if (ss.vpc && ss.vpc === ds.vpc) return true;
    if (!ss.vpc || !ds.vpc) {
      ctx.unknown.add(`routing: the VPC of subnet ${(ss.vpc ? ds : ss).display} is not in the analyzed template(s)`);
      return ctx.mode === 'upper';
    }
    const dest = family === 4 ? ds.cidr : ds.ipv6Cidr;
    if (!dest) return ctx.mode === 'upper';
    // Across VPCs only a peering connection or a transit gateway carries private addresses; an
    // internet or NAT gateway route sends them to the internet, where they are not routed.
    const viaGateway = this.routeSet(ss, family, (r) => ['peering', 'tgw', 'vgw', 'other', 'instance', 'eni'].includes(r.target), ctx);
    if (clipAddresses(viaGateway, [dest]).length === 0) return false;
    ctx.unknown.add(`routing: subnet ${ss.display} reaches the other VPC's ${describeRange(dest)} through a peering connection or gateway, which is not modelled`);
    return ctx.mode === 'upper';
  }

  /** The destinations whose longest-prefix route from `sub` satisfies `want` (the local route first). */
  private routeSet(sub: SubnetModel, family: Family, want: (r: RouteModel) => boolean, ctx: Ctx): LBox[] {
    if (sub.routeTableUnknown) {
      ctx.unknown.add(sub.routeTableUnknown);
      return ctx.mode === 'upper' ? [fullBox(wholeFamily(family))] : [];
    }
    const vpc = sub.vpc ? this.model.vpcs.get(sub.vpc) : undefined;
    const local = vpc ? (family === 4 ? vpc.cidrs : vpc.ipv6Cidrs) : [];
    // The local route covers the VPC's own blocks and wins over any broader route.
    let covered: AddressRange[] = [...local];
    const out: LBox[] = [];
    if (!sub.routeTable) return out; // the main route table, taken as local-only
    const rt = this.model.routeTables.get(sub.routeTable)!;
    const routes = rt.routes.filter((r) => r.family === family);
    for (const r of routes) if (r.unknown) ctx.unknown.add(r.unknown);
    const known = routes.filter((r) => r.dest).sort((a, b) => b.dest!.prefix - a.dest!.prefix);
    for (const r of known) {
      const part = subtractRanges([r.dest!], covered);
      covered = [...covered, r.dest!];
      if (want(r)) for (const p of part) out.push(fullBox(p, [`route ${r.destText} -> ${r.targetText} in ${displayPath(rt.display)}`]));
    }
    return out;
  }

  private natTargets(sub: SubnetModel, ctx: Ctx): Array<{ id: string; display: string; subnet?: string }> {
    if (!sub.routeTable) return [];
    const rt = this.model.routeTables.get(sub.routeTable)!;
    const out: Array<{ id: string; display: string; subnet?: string }> = [];
    for (const r of rt.routes) {
      if (r.family !== 4 || r.target !== 'nat' || !r.targetId || out.some((o) => o.id === r.targetId)) continue;
      const nat = this.model.nats.get(r.targetId);
      if (!nat || nat.isPrivate) continue;
      if (nat.regional) {
        if (nat.internetUnknown) ctx.unknown.add(`routing: ${nat.internetUnknown}`);
        else if (!nat.noInternet) out.push({ id: nat.id, display: nat.display });
        continue;
      }
      if (!nat.subnet) {
        ctx.unknown.add(`routing: ${nat.subnetUnknown}`);
        continue;
      }
      out.push({ id: nat.id, display: nat.display, subnet: nat.subnet });
    }
    return out;
  }

  /** The NAT instances (public, forwarding) that the subnet's route table routes to. */
  private natInstances(sub: SubnetModel): NodeModel[] {
    if (!sub.routeTable) return [];
    const ids = new Set(this.model.routeTables.get(sub.routeTable)!.routes.filter((r) => r.family === 4 && r.target === 'instance').map((r) => r.targetId));
    return this.model.nodes.filter((n) => ids.has(n.id) && n.forwards && n.publicIp && n.subnets.length > 0);
  }

  /** What a subnet's NACL allows in one direction, over (peer address x port), first match by rule number. */
  private naclSet(sub: SubnetModel, egress: boolean, family: Family, protocol: number, ctx: Ctx): LBox[] {
    if (ctx.ignore === 'NACLs') return [fullBox(wholeFamily(family))];
    const acl = this.layers.naclOf(sub);
    if (acl === undefined) return [fullBox(wholeFamily(family))];
    if ('unknown' in acl) {
      ctx.unknown.add(acl.unknown);
      return ctx.mode === 'upper' ? [fullBox(wholeFamily(family))] : [];
    }
    const r = this.layers.nacl(acl, egress, family, protocol, ctx.mode);
    for (const u of r.unknown) ctx.unknown.add(u);
    return r.boxes;
  }

  /** The peer addresses to which a subnet's NACL passes EVERY port of the client's ephemeral range. */
  private returnSet(sub: SubnetModel, egress: boolean, family: Family, protocol: number, eph: EphemeralPorts, ctx: Ctx): LBox[] {
    if (ctx.ignore === 'NACLs') return [fullBox(wholeFamily(family))];
    const key = `ret|${sub.id}|${egress}|${family}|${protocol}|${eph.from}-${eph.to}|${ctx.mode}`;
    const hit = this.cache.get(key);
    const allowed = this.naclSet(sub, egress, family, protocol, ctx);
    if (hit) return hit;
    const r = addressesAdmittingAll(allowed, eph.from, eph.to).map((b) => ({ ...b, why: b.why.map((w) => `${w} (return traffic)`) }));
    this.cache.set(key, r);
    return r;
  }

  private listenerSpans(d: NodeModel, protocol: number, ctx: Ctx): PortSpan[] {
    if (!d.isLoadBalancer || ctx.ignore === 'listeners') return [{ p0: 0, p1: 65535, why: [] }];
    const name = protocolName(protocol);
    const out: PortSpan[] = [];
    for (const l of d.listeners) {
      if (!l.protocols.includes(name)) continue;
      if (l.port !== undefined) {out.push({ p0: l.port, p1: l.port, why: [`listener ${name} ${l.port} of ${d.display}`] });} else {
        ctx.unknown.add(`listener of ${d.display}: ${l.unknown}`);
        if (ctx.mode === 'upper') out.push({ p0: 0, p1: 65535, why: [] });
      }
    }
    return unionSpans([], out);
  }
}
