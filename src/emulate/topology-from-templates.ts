/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * The one place the emulator reads templates: it turns the analyzer's network model of
 * synthesized CloudFormation templates into the emulator's `EmuTopology`. Everything else in
 * `src/emulate/` works on `EmuTopology` only, so a change in the model touches this file alone.
 */
import { Cidr, EmuEnd, EmuFlow, EmuListener, EmuNode, EmuRoute, EmuSgRule, EmuTarget, EmuTopology } from './topology';
import { Evaluator } from '../model/evaluator';
import { ClientKind, NodeModel, SgRuleModel, TemplateModel } from '../model/template-model';
import { EphemeralRange } from '../ports/ephemeral-range';
import { parseIpv4 } from '../private/cidr';
import { FLOWS_METADATA_KEY } from '../private/flow-metadata';


/** A declared flow as recorded in the template's metadata. */
export interface RecordedFlow {
  readonly description: string;
  readonly from: string;
  readonly to: string;
  readonly fromPath?: string;
  readonly toPath?: string;
  readonly fromTier?: string;
  readonly toTier?: string;
  /** The construct paths of the subnets of a tier end. */
  readonly fromSubnets?: string[];
  readonly toSubnets?: string[];
  readonly internetCidrs?: string[];
  readonly protocol: string;
  readonly fromPort: number;
  readonly toPort: number;
}

const RANGES: Record<ClientKind, { from: number; to: number; label: string }> = {
  instance: { from: EphemeralRange.LINUX.fromPort, to: EphemeralRange.LINUX.toPort, label: `instances, ${EphemeralRange.LINUX.label}` },
  elb: { from: EphemeralRange.ELB.fromPort, to: EphemeralRange.ELB.toPort, label: EphemeralRange.ELB.label },
  lambda: { from: EphemeralRange.LAMBDA.fromPort, to: EphemeralRange.LAMBDA.toPort, label: EphemeralRange.LAMBDA.label },
  managed: { from: EphemeralRange.ANY_CLIENT.fromPort, to: EphemeralRange.ANY_CLIENT.toPort, label: 'a managed service, any client range' },
};

/** IPv4 only: the emulation (and AWS's NACL and SG entries it reproduces here) is IPv4. */
function isV4(c: { family?: number } | undefined): boolean {
  return c !== undefined && (c.family === undefined || c.family === 4);
}

function cidr(c: { cidr: string; first: number; last: number; prefix: number }): Cidr {
  return { cidr: c.cidr, first: c.first, last: c.last, prefix: c.prefix };
}

/**
 * Builds the emulation topology of templates keyed by stack name.
 * @param extraFlows flows given on the command line, in the recorded form
 */
export function topologyFromTemplates(templates: { [stack: string]: any }, extraFlows: RecordedFlow[] = []): EmuTopology {
  const model = new TemplateModel(Object.entries(templates).map(([name, template]) => ({ name, template, paths: new Map() })));
  const evaluator = new Evaluator(model, RANGES);
  const skipped: string[] = [];

  const vpcs = [...model.vpcs.values()].map((v) => ({ id: v.id, name: v.display, cidrs: v.cidrs.filter(isV4).map(cidr) }));
  const nacls = [...model.nacls.values()].map((n) => ({
    id: n.id,
    name: n.display,
    entries: n.entries.filter((e) => !e.ipv6 && !e.unknown && isV4(e.cidr)).map((e) => ({
      ruleNumber: e.ruleNumber, egress: e.egress, protocol: e.protocol, p0: e.p0, p1: e.p1, cidr: cidr(e.cidr!), allow: e.allow,
    })),
  }));
  for (const n of model.nacls.values()) {
    for (const e of n.entries) if (e.unknown) skipped.push(`NACL ${n.display}: ${e.unknown} (left out of the emulation)`);
  }

  const subnets = [];
  for (const s of model.subnets.values()) {
    if (!s.vpc || !s.cidr || !isV4(s.cidr)) {
      skipped.push(`subnet ${s.display}: ${s.cidrUnknown ?? 'its VPC is not in the templates'}`);
      continue;
    }
    const nacl = s.nacl ?? model.defaultNacls.get(s.vpc)!.id;
    if (s.naclUnknown) skipped.push(`subnet ${s.display}: ${s.naclUnknown} (emulated with no NACL entries: everything denied)`);
    const routes: EmuRoute[] = [];
    if (s.routeTableUnknown) skipped.push(`subnet ${s.display}: ${s.routeTableUnknown} (emulated with local routes only)`);
    const rt = s.routeTable ? model.routeTables.get(s.routeTable) : undefined;
    for (const r of rt?.routes ?? []) {
      if (!r.dest || !isV4(r.dest) || r.target === 'local') continue;
      const nat = r.target === 'nat' && r.targetId ? model.nats.get(r.targetId) : undefined;
      // A regional NAT gateway sits in no subnet, so there is no subnet to build it in.
      const regional = nat?.regional ? `${r.targetText} is a regional NAT gateway (in no subnet), which the emulation does not build` : undefined;
      const target = r.target === 'igw' ? 'igw' : nat && !nat.isPrivate && !regional ? 'nat' : 'other';
      routes.push({ dest: cidr(r.dest), target, nat: target === 'nat' ? r.targetId : undefined, text: `${r.destText} -> ${r.targetText}`, notEmulated: regional });
    }
    subnets.push({ id: s.id, name: s.display, vpc: s.vpc, cidr: cidr(s.cidr), routes, nacl: s.naclUnknown ? `${s.id}#unknown-nacl` : nacl });
    if (s.naclUnknown) nacls.push({ id: `${s.id}#unknown-nacl`, name: `unknown NACL of ${s.display}`, entries: [] });
  }
  const subnetIds = new Set(subnets.map((s) => s.id));

  const rule = (r: SgRuleModel): EmuSgRule | undefined => {
    if (r.placeholder || r.unknown) return undefined;
    if (r.peer.kind === 'cidr') return isV4(r.peer.range) ? { protocol: r.protocol, p0: r.p0, p1: r.p1, cidr: cidr(r.peer.range) } : undefined;
    if (r.peer.kind === 'sg') return { protocol: r.protocol, p0: r.p0, p1: r.p1, group: r.peer.key };
    return undefined;
  };
  const securityGroups = [...model.sgs.values()].map((g) => {
    for (const r of [...g.ingress, ...g.egress]) {
      if (r.unknown || r.peer.kind === 'unknown') skipped.push(`security group ${g.display}: a rule with ${r.unknown ?? (r.peer as any).reason} (left out)`);
    }
    return {
      id: g.key,
      name: g.display,
      ingress: g.ingress.map(rule).filter((x): x is EmuSgRule => x !== undefined),
      // Only the CDK placeholder (255.255.255.255/32) or nothing at all: keep the distinction EC2 makes.
      egress: g.egress.length === 0 ? undefined : g.egress.map(rule).filter((x): x is EmuSgRule => x !== undefined),
    };
  });

  const nodes: EmuNode[] = [];
  const emulated = new Set<string>();
  for (const n of model.nodes) {
    if (n.outsideVpc) continue;
    if (n.subnetsUnknown) {
      skipped.push(`${n.display}: ${n.subnetsUnknown}`);
      continue;
    }
    if (n.sgsUnknown) skipped.push(`${n.display}: ${n.sgsUnknown} (emulated with the groups that are known)`);
    const placed = n.subnets.filter((s) => subnetIds.has(s));
    if (placed.length === 0) continue;
    emulated.add(n.id);
    nodes.push(nodeOf(n, placed));
  }
  // Listeners and their targets, read from the listener and target group resources.
  for (const lb of nodes.filter((n) => n.network)) {
    (lb as { listeners: EmuListener[] }).listeners = listenersOf(model, lb, emulated, skipped);
  }

  const nats = [];
  for (const n of model.nats.values()) {
    if (n.isPrivate) continue;
    if (n.regional) {
      skipped.push(`NAT gateway ${n.display}: a regional NAT gateway (in no subnet) is not emulated; what its routes carry is reported as not emulated`);
      continue;
    }
    if (!n.subnet || !subnetIds.has(n.subnet)) {
      skipped.push(`NAT gateway ${n.display}: ${n.subnetUnknown ?? 'its subnet is not emulated'}`);
      continue;
    }
    nats.push({ id: n.id, name: n.display, subnet: n.subnet });
  }

  // Declared flows: every VPC resource's metadata, then the extra ones.
  const recorded: Array<{ vpc: string; flow: RecordedFlow }> = [];
  for (const r of model.resources.values()) {
    if (r.type !== 'AWS::EC2::VPC') continue;
    const raw = templates[r.stack]?.Resources?.[r.logicalId]?.Metadata?.[FLOWS_METADATA_KEY];
    if (Array.isArray(raw)) for (const f of raw) recorded.push({ vpc: r.display, flow: f });
  }
  for (const f of extraFlows) recorded.push({ vpc: 'command line', flow: f });

  const withPaths = [...model.resources.values()].some((r) => r.path !== r.logicalId);
  if (recorded.some(({ flow }) => flow.fromPath || flow.toPath || flow.fromSubnets || flow.toSubnets) && !withPaths) {
    skipped.push('the templates carry no construct paths (aws:cdk:path metadata), so flow ends named by path can\'t be found: synthesize with ' +
      '`cdk synth` (path metadata is on by default) or give the app the context aws:cdk:enable-path-metadata=true');
  }
  const hosts = new Map<string, EmuNode>();
  const end = (path: string | undefined, subnetPaths: string[] | undefined, tier: string | undefined, name: string,
    cidrs: string[] | undefined): EmuEnd => {
    if (path) {
      const spec = evaluator.resolvePaths([path], name);
      if (spec.kind !== 'nodes') return { kind: 'unknown', reason: spec.kind === 'unknown' ? spec.reason : 'not a node', name };
      const ids = spec.nodes.map((x) => (emulated.has(x.id) ? x.id : hostOf(x, hosts, subnetIds)));
      if (ids.some((x) => x === undefined)) return { kind: 'unknown', reason: `${name}: a node the emulation leaves out (see the skipped list)`, name };
      return { kind: 'nodes', nodes: ids as string[], name, paths: [path] };
    }
    if (tier !== undefined) {
      const ids: string[] = [];
      for (const sp of subnetPaths ?? []) {
        const spec = evaluator.resolvePaths([sp], name);
        if (spec.kind !== 'nodes') return { kind: 'unknown', reason: spec.kind === 'unknown' ? spec.reason : 'not a subnet', name };
        for (const x of spec.nodes) {
          const id = hostOf(x, hosts, subnetIds);
          if (!id) return { kind: 'unknown', reason: `${name}: subnet ${x.display} is not emulated`, name };
          ids.push(id);
        }
      }
      if (ids.length === 0) return { kind: 'unknown', reason: `${name}: the flow names no subnets of the tier`, name };
      return { kind: 'nodes', nodes: ids, name, paths: subnetPaths! };
    }
    // The emulation carries IPv4 only: a dual-stack flow is probed over its IPv4 CIDRs, an IPv6-only one is reported, not run.
    const ipv4 = (cidrs ?? ['0.0.0.0/0']).filter((c) => !c.includes(':'));
    if (ipv4.length === 0) return { kind: 'unknown', reason: `${name}: IPv6 only (${cidrs!.join(', ')}), and the emulation carries IPv4 only`, name };
    return { kind: 'internet', cidrs: ipv4.map((c) => cidr(parseIpv4(c))), name };
  };
  const flows: EmuFlow[] = recorded.map(({ vpc, flow: f }) => ({
    description: f.description,
    vpc,
    protocol: String(f.protocol).toLowerCase() === 'udp' ? 17 : 6,
    fromPort: f.fromPort,
    toPort: f.toPort,
    from: end(f.fromPath, f.fromSubnets, f.fromTier, f.from, f.internetCidrs),
    to: end(f.toPath, f.toSubnets, f.toTier, f.to, f.internetCidrs),
    relayed: f.fromTier === undefined && f.toPath === undefined && f.toTier !== undefined && f.toTier !== 'public',
  }));
  nodes.push(...hosts.values());
  return { vpcs, subnets, nacls, securityGroups, nodes, nats, flows, skipped };
}

function nodeOf(n: NodeModel, subnets: string[]): EmuNode {
  const lbType = n.isLoadBalancer ? (n.kind.startsWith('network') ? 'network' : 'application') : undefined;
  return {
    id: n.id,
    name: n.display,
    path: n.path,
    kind: n.kind,
    subnets,
    securityGroups: n.sgMode === 'none' ? undefined : n.sgs.filter((k) => !k.startsWith('lit:')),
    publicIp: n.publicIp,
    clientRange: RANGES[n.clientKind],
    initiates: n.initiates,
    acceptsInbound: n.acceptsInbound,
    listeners: lbType ? [] : undefined,
    network: lbType,
  };
}

/** A host standing for "anything in this subnet" (the analyzer's subnet ends): no security group. */
function hostOf(x: NodeModel, hosts: Map<string, EmuNode>, subnetIds: Set<string>): string | undefined {
  if (x.kind !== 'host in subnet') return undefined;
  const sid = x.subnets[0];
  if (!subnetIds.has(sid)) return undefined;
  const id = `host:${sid}`;
  if (!hosts.has(id)) {
    hosts.set(id, {
      id,
      name: `host in ${x.display}`,
      path: x.path,
      kind: 'host in subnet',
      subnets: [sid],
      securityGroups: undefined,
      publicIp: x.publicIp,
      clientRange: RANGES.instance,
      initiates: true,
      acceptsInbound: true,
    });
  }
  return id;
}

/**
 * The port a load balancer reaches an ECS task on: the container port in awsvpc and host mode, the
 * host port in bridge mode, and 0 for a dynamic host port (bridge mode, HostPort 0 or absent).
 * @see https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html
 */
function hostPort(model: TemplateModel, service: { stack: string; props: any }, containerPort: number): number {
  const td = model.resolve(service.stack, service.props.TaskDefinition);
  const def = td.kind === 'res' ? model.resources.get(td.id) : undefined;
  if (!def) return containerPort;
  const mode = String(def.props.NetworkMode ?? 'bridge');
  if (mode !== 'bridge') return containerPort;
  for (const c of Array.isArray(def.props.ContainerDefinitions) ? def.props.ContainerDefinitions : []) {
    for (const m of Array.isArray(c.PortMappings) ? c.PortMappings : []) {
      if (Number(m.ContainerPort) === containerPort) return Number(m.HostPort ?? 0) || 0;
    }
  }
  return containerPort;
}

function listenersOf(model: TemplateModel, lb: EmuNode, emulated: Set<string>, skipped: string[]): EmuListener[] {
  const out: EmuListener[] = [];
  const all = [...model.resources.values()];
  for (const l of all.filter((r) => r.type === 'AWS::ElasticLoadBalancingV2::Listener')) {
    const owner = model.resolve(l.stack, l.props.LoadBalancerArn);
    if (owner.kind !== 'res' || owner.id !== lb.id) continue;
    const port = model.resolvePort(l.stack, l.props.Port);
    const proto = String(l.props.Protocol ?? (lb.network === 'network' ? 'TCP' : 'HTTP')).toUpperCase();
    if (typeof port !== 'number') {
      skipped.push(`listener ${l.display}: ${port}`);
      continue;
    }
    const tgRefs: any[] = [];
    for (const a of Array.isArray(l.props.DefaultActions) ? l.props.DefaultActions : []) {
      if (a.TargetGroupArn !== undefined) tgRefs.push(a.TargetGroupArn);
      for (const t of a.ForwardConfig?.TargetGroups ?? []) tgRefs.push(t.TargetGroupArn);
    }
    const targets: EmuTarget[] = [];
    let preserve = false;
    for (const ref of tgRefs) {
      const tgv = model.resolve(l.stack, ref);
      const tg = tgv.kind === 'res' ? model.resources.get(tgv.id) : undefined;
      if (!tg) continue;
      const tgPort = Number(tg.props.Port);
      const type = String(tg.props.TargetType ?? 'instance');
      const attrs: any[] = Array.isArray(tg.props.TargetGroupAttributes) ? tg.props.TargetGroupAttributes : [];
      const explicit = attrs.find((a) => a.Key === 'preserve_client_ip.enabled');
      const tgProto = String(tg.props.Protocol ?? proto).toUpperCase();
      // Client IP preservation: on by default for instance targets and for UDP, off for TCP/TLS IP targets.
      preserve = lb.network === 'network' && (explicit ? String(explicit.Value) === 'true' : type === 'instance' || tgProto.includes('UDP'));
      for (const r of all) {
        if (r.type === 'AWS::ECS::Service') {
          for (const m of Array.isArray(r.props.LoadBalancers) ? r.props.LoadBalancers : []) {
            const v = model.resolve(r.stack, m.TargetGroupArn);
            if (v.kind === 'res' && v.id === tg.id && emulated.has(r.id)) targets.push({ node: r.id, port: hostPort(model, r, Number(m.ContainerPort ?? tgPort)) });
          }
        } else if (r.type === 'AWS::AutoScaling::AutoScalingGroup') {
          const list = Array.isArray(r.props.TargetGroupARNs) ? r.props.TargetGroupARNs : [];
          if (list.some((x: any) => { const v = model.resolve(r.stack, x); return v.kind === 'res' && v.id === tg.id; }) && emulated.has(r.id)) {
            targets.push({ node: r.id, port: tgPort });
          }
        }
      }
      for (const t of Array.isArray(tg.props.Targets) ? tg.props.Targets : []) {
        const v = model.resolve(tg.stack, t.Id);
        if (v.kind === 'res' && emulated.has(v.id)) targets.push({ node: v.id, port: Number(t.Port ?? tgPort) });
        else skipped.push(`target group ${tg.display}: target ${JSON.stringify(t.Id)} is not a node of the templates (left out)`);
      }
    }
    const protocols = proto === 'UDP' ? [17] : proto === 'TCP_UDP' ? [6, 17] : [6];
    for (const protocol of protocols) out.push({ protocol, port, targets, preserveClientIp: preserve });
  }
  return out;
}
