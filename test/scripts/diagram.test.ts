import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { MermaidParse, mermaid, mermaidParser, quoted, tieredVpcs } from '../../scripts/diagram';

const EXAMPLES = fs.readdirSync(path.join(__dirname, '..', '..', 'examples'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

// GIVEN every example app, built once (no synthesis needed: the diagram reads the declared flows)
const diagrams = EXAMPLES.flatMap((example) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join('..', '..', 'examples', example));
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  mod.build(app);
  return tieredVpcs(app).map((vpc) => ({ example, vpc: vpc.node.path, text: mermaid(vpc) }));
});

// Mermaid runs in a Node process of its own (ES module, DOM): parse everything in one call.
const broken = diagrams[0].text.split('\n')
  .filter((l, i, all) => !(l.trim() === 'end' && all.slice(0, i).some((p) => p.trim() === 'end')))
  .join('\n');
const label = quoted('Stack/My "quoted" Service');
const withQuotedLabel = `flowchart LR\n  n0[${label}]\n  n1["b"]\n  n0 -->|"tcp 443"| n1`;
const withRawQuotes = 'flowchart LR\n  n0["Stack/My "quoted" Service"]\n  n1["b"]\n  n0 --> n1';
let parsed: MermaidParse[] = [];
beforeAll(async () => {
  parsed = await mermaidParser().parse([...diagrams.map((d) => d.text), broken, withQuotedLabel, withRawQuotes]);
}, 120_000);

test('every example with a tiered VPC has a diagram', () => {
  expect(diagrams.length).toBeGreaterThanOrEqual(EXAMPLES.length - 1);
  expect(new Set(diagrams.map((d) => d.example)).size).toBeGreaterThanOrEqual(EXAMPLES.length - 1);
});

test('every diagram parses with Mermaid\'s own parser as a flowchart', () => {
  const results = parsed.slice(0, diagrams.length);
  const failed = results.flatMap((r, i) => (r.ok ? [] : [`${diagrams[i].example} ${diagrams[i].vpc}: ${r.error}\n${diagrams[i].text}`]));
  expect(failed).toEqual([]);
  expect(results.map((r) => r.type)).toEqual(diagrams.map(() => 'flowchart-v2'));
});

test('every subgraph is closed: as many `end` lines as `subgraph` lines (the VPC and its three tiers)', () => {
  for (const d of diagrams) {
    const lines = d.text.split('\n').map((l) => l.trim());
    expect(lines.filter((l) => l.startsWith('subgraph ')).length).toBe(4);
    expect(lines.filter((l) => l === 'end').length).toBe(4);
  }
});

test('each node is declared once and every flow is drawn', () => {
  for (const d of diagrams) {
    const declarations = d.text.split('\n').map((l) => l.trim()).filter((l) => /^n\d+[[(]/.test(l)).map((l) => l.match(/^n\d+/)![0]);
    expect(new Set(declarations).size).toBe(declarations.length);
    expect(d.text).toMatch(/-->\|"(tcp|udp|icmp|all)/);
  }
});

test('the parser check itself rejects a diagram with a subgraph left open (what dropping repeated `end` lines did)', () => {
  expect(broken).not.toEqual(diagrams[0].text);
  const result = parsed[diagrams.length];
  expect(result.ok).toBe(false);
  expect(result.error).toMatch(/Parse error/);
});

test('a double quote in a construct path cannot end a label early', () => {
  expect(label).toBe('"Stack/My #quot;quoted#quot; Service"');
  expect(parsed[diagrams.length + 1].ok).toBe(true);
  expect(parsed[diagrams.length + 2].ok).toBe(false);
});
