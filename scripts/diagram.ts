/**
 * A Mermaid diagram of a TieredVpc: its tiers (with their blocks), AZs and NAT gateways, the
 * workloads of its declared flows in their tiers, and the flows with their ports.
 */
import { spawn } from 'child_process';
import * as path from 'path';
import { exitText, stopChild } from './child';
import { DeclaredFlow, Tier, TieredVpc } from '../src';

const TIERS: Tier[] = [Tier.PUBLIC, Tier.APP, Tier.DATA];

function label(name: string, stackPrefix: string): string {
  return name.startsWith(stackPrefix) ? name.slice(stackPrefix.length) : name;
}

/** Mermaid text inside a quoted label: a double quote ends the label, so it becomes an entity. */
export function quoted(text: string): string {
  return `"${text.replace(/"/g, '#quot;')}"`;
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
  // Each node is declared once; `end` closes a subgraph and repeats by design.
  const declared = new Set<string>();
  const node = (indent: string, key: string, shape: (text: string) => string, text: string) => {
    if (declared.has(key)) return;
    declared.add(key);
    lines.push(`${indent}${id(key)}${shape(quoted(text))}`);
  };
  const internets = [...new Set(net.flows.flatMap((f) => (f.fromTier ? [] : [f.from])).concat(net.flows.flatMap((f) => (f.toTier ? [] : [f.to]))))];
  for (const i of internets) node('  ', i, (t) => `((${t}))`, i);
  lines.push(`  subgraph ${id(net.node.path)}[${quoted(`VPC ${label(net.node.path, stackPrefix)}: ${net.availabilityZones.length} AZs (${net.availabilityZones.join(', ')})`)}]`);
  for (const tier of TIERS) {
    lines.push(`    subgraph ${id(`tier:${tier}`)}[${quoted(`${tier} tier ${net.tierCidr(tier)}`)}]`);
    if (tier === Tier.PUBLIC && net.natGatewayCount > 0) {
      node('      ', 'nat', (t) => `[[${t}]]`, `NAT gateway x${net.natGatewayCount}${net.natGatewayCount === net.availabilityZones.length ? ' (one per AZ)' : ''}`);
    }
    const members = [...tierOf.entries()].filter(([, t]) => t === tier).map(([n]) => n);
    for (const m of members) node('      ', m, (t) => `[${t}]`, m.startsWith('tier ') ? `(whole ${tier} tier)` : label(m, stackPrefix));
    if (!members.length && !(tier === Tier.PUBLIC && net.natGatewayCount > 0)) node('      ', `empty:${tier}`, (t) => `[${t}]`, ' ');
    lines.push('    end');
  }
  lines.push('  end');
  const edges = new Map<string, DeclaredFlow[]>();
  for (const f of net.flows) {
    const key = `${f.from}\u0000${f.to}`;
    edges.set(key, [...(edges.get(key) ?? []), f]);
  }
  const links = new Set<string>();
  for (const [key, flows] of edges) {
    const [from, to] = key.split('\u0000');
    const viaNat = flows[0].fromTier === Tier.APP && !flows[0].toTier && net.natGatewayCount > 0;
    if (viaNat) {
      links.add(`  ${id(from)} -->|${quoted(ports(flows))}| ${id('nat')}`);
      links.add(`  ${id('nat')} -.->|${quoted(ports(flows))}| ${id(to)}`);
    } else {
      links.add(`  ${id(from)} -->|${quoted(ports(flows))}| ${id(to)}`);
    }
  }
  lines.push(...links);
  return lines.join('\n');
}

/** Every TieredVpc under `scope`. */
export function tieredVpcs(scope: { node: { findAll(): unknown[] } }): TieredVpc[] {
  return scope.node.findAll().filter((c): c is TieredVpc => c instanceof TieredVpc);
}

/** The result of parsing one diagram with Mermaid's own parser. */
export interface MermaidParse {
  readonly ok: boolean;
  /** The diagram type Mermaid recognized (e.g. `flowchart-v2`). */
  readonly type?: string;
  readonly error?: string;
}

/** Mermaid's parser, started: `parse` hands it the diagrams (once); `stop` ends it if it still runs. */
export interface MermaidParser {
  parse(diagrams: string[]): Promise<MermaidParse[]>;
  stop(): void;
}

/**
 * Starts Mermaid's parser (scripts/mermaid-parse.mjs, in a Node process of its own): loading
 * Mermaid is most of its cost, so the main job starts it first and hands it the diagrams at the end.
 */
export function mermaidParser(): MermaidParser {
  const child = spawn(process.execPath, [path.join(__dirname, 'mermaid-parse.mjs')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  child.stdin.on('error', () => { /* the process exited: told by its exit */ });
  const closed = new Promise<string | undefined>((resolve) => {
    child.on('error', (e) => resolve(e.message));
    child.on('close', (code, signal) => resolve(code === 0 ? undefined : exitText(code, signal)));
  });
  return {
    parse: async (diagrams) => {
      if (!diagrams.length && child.kill()) return [];
      child.stdin.end(JSON.stringify(diagrams));
      const failure = await closed;
      if (failure) throw new Error(`Mermaid's parser failed to run (${failure}): ${err.trim()}`);
      return JSON.parse(out);
    },
    stop: () => {
      stopChild(child);
    },
  };
}
