/**
 * A Mermaid diagram of a TieredVpc: its tiers (with their blocks), AZs and NAT gateways, the
 * workloads of its declared flows in their tiers, and the flows with their ports.
 */
import { DeclaredFlow, Tier, TieredVpc } from '../src';

const TIERS: Tier[] = [Tier.PUBLIC, Tier.APP, Tier.DATA];

function label(name: string, stackPrefix: string): string {
  return name.startsWith(stackPrefix) ? name.slice(stackPrefix.length) : name;
}

function ports(flows: DeclaredFlow[]): string {
  const all = [...new Set(flows.map((f) => `${f.protocol} ${f.fromPort === f.toPort ? f.fromPort : `${f.fromPort}-${f.toPort}`}`))];
  return all.join(', ');
}

export function mermaid(net: TieredVpc): string {
  const stackPrefix = `${net.node.path.split('/')[0]}/`;
  const ids = new Map<string, string>();
  const id = (key: string) => {
    if (!ids.has(key)) ids.set(key, `n${ids.size}`);
    return ids.get(key)!;
  };
  const tierOf = new Map<string, string>();
  for (const f of net.flows) {
    if (f.fromTier) tierOf.set(f.from, f.fromTier);
    if (f.toTier) tierOf.set(f.to, f.toTier);
  }
  const lines = ['flowchart LR'];
  const internets = [...new Set(net.flows.flatMap((f) => (f.fromTier ? [] : [f.from])).concat(net.flows.flatMap((f) => (f.toTier ? [] : [f.to]))))];
  for (const i of internets) lines.push(`  ${id(i)}(("${i}"))`);
  lines.push(`  subgraph ${id(net.node.path)}["VPC ${label(net.node.path, stackPrefix)}: ${net.availabilityZones.length} AZs (${net.availabilityZones.join(', ')})"]`);
  for (const tier of TIERS) {
    lines.push(`    subgraph ${id(`tier:${tier}`)}["${tier} tier ${net.tierCidr(tier)}"]`);
    if (tier === Tier.PUBLIC && net.natGatewayCount > 0) {
      lines.push(`      ${id('nat')}[["NAT gateway x${net.natGatewayCount}${net.natGatewayCount === net.availabilityZones.length ? ' (one per AZ)' : ''}"]]`);
    }
    const members = [...tierOf.entries()].filter(([, t]) => t === tier).map(([n]) => n);
    for (const m of members) lines.push(`      ${id(m)}["${m.startsWith('tier ') ? `(whole ${tier} tier)` : label(m, stackPrefix)}"]`);
    if (!members.length && !(tier === Tier.PUBLIC && net.natGatewayCount > 0)) lines.push(`      ${id(`empty:${tier}`)}[" "]`);
    lines.push('    end');
  }
  lines.push('  end');
  const edges = new Map<string, DeclaredFlow[]>();
  for (const f of net.flows) {
    const key = `${f.from}\u0000${f.to}`;
    edges.set(key, [...(edges.get(key) ?? []), f]);
  }
  for (const [key, flows] of edges) {
    const [from, to] = key.split('\u0000');
    const viaNat = flows[0].fromTier === Tier.APP && !flows[0].toTier && net.natGatewayCount > 0;
    if (viaNat) {
      lines.push(`  ${id(from)} -->|"${ports(flows)}"| ${id('nat')}`);
      lines.push(`  ${id('nat')} -.->|"${ports(flows)}"| ${id(to)}`);
    } else {
      lines.push(`  ${id(from)} -->|"${ports(flows)}"| ${id(to)}`);
    }
  }
  return [...new Set(lines)].join('\n');
}

/** Every TieredVpc under `scope`. */
export function tieredVpcs(scope: { node: { findAll(): unknown[] } }): TieredVpc[] {
  return scope.node.findAll().filter((c): c is TieredVpc => c instanceof TieredVpc);
}
