/**
 * REPORT.md of the main job. The report is a list of sections; each section is one function of
 * an example's summary that returns its Markdown lines (none when it has nothing to say), so a new
 * check adds a function to EXAMPLE_SECTIONS.
 */
import type { Acknowledgment, ExampleSummary } from './synth-example';

export interface ReportContext {
  readonly seconds: number;
  readonly workers: number;
  readonly guard: boolean;
}

export type ExampleSection = (s: ExampleSummary, ctx: ReportContext) => string[];

/** The rule-id prefixes of the plugins the main job registers (scripts/synth-example.ts). */
const PACKS = ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321', 'NetworkPatterns', 'CloudFormation-Validate'];
const GUARD_PLUGIN = 'cdk-validator-cfnguard';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The part of a construct path below the stack, so that long paths stay readable. */
function shortPath(p: string): string {
  const parts = p.split('/');
  return parts.length > 1 ? parts.slice(1).join('/') : p;
}

function summaryTable(summaries: ExampleSummary[], ctx: ReportContext): string[] {
  const lines = [
    '# Examples report', '',
    `${summaries.length} examples in ${ctx.seconds.toFixed(1)} s on ${ctx.workers} worker processes; checks: cdk-nag AwsSolutions, ` +
    'NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1, NetworkPatterns, the CloudFormation template validator, the reachability ' +
    `analyzer, cfn-lint and Mermaid's parser${ctx.guard ? ', AWS Control Tower proactive controls (cfn-guard)' : ''}.`, '',
    '| example | result | seconds | stacks | cfn-lint | acknowledgments |', '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const s of summaries) {
    const lint = s.cfnLint.ran ? `${s.cfnLint.errors.length} errors, ${s.cfnLint.warnings.length} warnings` : (s.cfnLint.note ?? 'not run');
    lines.push(`| [${s.example}](#${s.example}) | ${s.ok ? 'ok' : 'FAILED'} | ${s.seconds.toFixed(1)} | ${s.stacks.join(', ')} | ${lint} | ${s.acknowledgments.length} |`);
  }
  return lines;
}

export const errorSection: ExampleSection = (s) => (s.error ? ['```', s.error, '```', ''] : []);

export const diagramSection: ExampleSection = (s) =>
  s.diagrams.flatMap((d) => [`### Network: ${d.vpc}`, '', '```mermaid', d.mermaid, '```', '']);

export const reachabilitySection: ExampleSection = (s) => s.reachability.flatMap((r) => {
  const lines = [`### Reachability: ${r.vpc}`, '', 'Declared flows, as the analyzer proves them on the synthesized template:', '',
    '| from | to | port | verdict |', '| --- | --- | --- | --- |'];
  for (const d of r.declared) lines.push(`| ${cell(d.from)} | ${cell(d.to)} | ${d.port} | ${d.verdict} |`);
  lines.push('', 'What the internet reaches, exactly (every node of the VPC, every TCP/UDP port range, IPv4 and IPv6):', '',
    '| node | kind | ports |', '| --- | --- | --- |');
  for (const e of r.internetExposure) lines.push(`| ${cell(e.node)} | ${e.kind} | ${e.ports.join(', ')} |`);
  if (!r.internetExposure.length) lines.push('| (nothing) | | |');
  lines.push('', `Undeclared openings between every node, tier and the internet: ${r.undeclaredOpen.length} live or unknown, ` +
    `${r.latent.length} latent (one layer alone stops each).`, '');
  for (const u of r.undeclaredOpen) lines.push(`- ${u}`);
  for (const u of r.latent) lines.push(`- latent: ${u}`);
  for (const f of r.failures) lines.push(`- FAILED: ${f}`);
  return [...lines, ''];
});

export const resourcesSection: ExampleSection = (s) => [
  '### Resources', '', '| type | count |', '| --- | --- |',
  ...Object.entries(s.resources).sort().map(([type, n]) => `| ${type} | ${n} |`), '',
];

export const checksSection: ExampleSection = (s, ctx) => {
  const lines = ['### Checks per pack', '', '| pack | unacknowledged findings | acknowledgments |', '| --- | --- | --- |'];
  for (const pack of ctx.guard ? [...PACKS, GUARD_PLUGIN] : PACKS) {
    const findings = s.findings.filter((f) => f.rule.startsWith(`${pack}-`) || f.plugin === pack).length;
    const acks = s.acknowledgments.filter((a) => a.id.startsWith(`${pack}-`) || a.id.startsWith(`${pack}::`)).length;
    lines.push(`| ${pack} | ${findings} | ${acks} |`);
  }
  return [...lines, ''];
};

export const findingsSection: ExampleSection = (s) => [
  '### Findings', '',
  ...(s.findings.length ? s.findings.map((f) => `- ${f.plugin} ${f.rule} (${f.severity}): ${f.description} at ${f.paths.join(', ')}`) : ['No unacknowledged findings.']),
  '',
];

/**
 * Acknowledgments grouped by reason: one row per reason, with the rules it answers (e.g. one
 * finding as each pack names it) and every construct it covers.
 */
export function groupAcknowledgments(acks: Acknowledgment[]): Array<{ rules: string[]; reason: string; paths: string[] }> {
  const groups = new Map<string, { rules: string[]; reason: string; paths: string[] }>();
  for (const a of acks) {
    if (!groups.has(a.reason)) groups.set(a.reason, { rules: [], reason: a.reason, paths: [] });
    const g = groups.get(a.reason)!;
    if (!g.rules.includes(a.id)) g.rules.push(a.id);
    if (!g.paths.includes(a.path)) g.paths.push(a.path);
  }
  for (const g of groups.values()) g.rules.sort();
  return [...groups.values()].sort((x, y) => x.rules[0].localeCompare(y.rules[0]));
}

export const acknowledgmentsSection: ExampleSection = (s) => {
  if (!s.acknowledgments.length) return [];
  const groups = groupAcknowledgments(s.acknowledgments);
  const lines = ['### Acknowledgments', '',
    `${s.acknowledgments.length} acknowledgments with ${groups.length} distinct reasons: each reason once, with the rules it answers and the constructs it covers.`, '',
    '| rules | reason | constructs |', '| --- | --- | --- |'];
  for (const g of groups) {
    lines.push(`| ${g.rules.map(cell).join('<br>')} | ${cell(g.reason)} | ${g.paths.map((p) => `\`${cell(shortPath(p))}\``).join(', ')} |`);
  }
  return [...lines, ''];
};

export const cfnLintSection: ExampleSection = (s) => {
  if (!s.cfnLint.ran) return s.cfnLint.note ? ['### cfn-lint', '', s.cfnLint.note, ''] : [];
  const lines = ['### cfn-lint', '', `${s.cfnLint.errors.length} errors, ${s.cfnLint.warnings.length} warnings.`, ''];
  for (const e of s.cfnLint.errors) lines.push(`- error: \`${e}\``);
  for (const w of s.cfnLint.warnings) lines.push(`- warning: \`${w}\``);
  return [...lines, ''];
};

/** The per-example sections, in report order. */
export const EXAMPLE_SECTIONS: ExampleSection[] = [
  errorSection,
  diagramSection,
  reachabilitySection,
  resourcesSection,
  checksSection,
  findingsSection,
  acknowledgmentsSection,
  cfnLintSection,
];

export function renderReport(summaries: ExampleSummary[], ctx: ReportContext): string {
  const lines = summaryTable(summaries, ctx);
  for (const s of summaries) lines.push('', `## ${s.example}`, '', ...EXAMPLE_SECTIONS.flatMap((section) => section(s, ctx)));
  return lines.join('\n') + '\n';
}
