/**
 * Synthesizes ONE example (argv[2], e.g. `three-tier-vpc`) in this fresh process with the
 * checks on, and writes `cdk.out/examples/<example>/summary.json` for scripts/run-examples.ts.
 *
 * Checks: cdk-nag's AwsSolutions, NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1 packs and the
 * library's NetworkPatterns pack, registered as policy-validation plugins (an unacknowledged error
 * fails the synth), aws-cdk-lib's template validator (on unless CDK_VALIDATION=false), and cfn-lint on
 * every template when it is installed.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { mermaid, tieredVpcs } from './diagram';
import { NetworkPatternsChecks, OpeningStatus, ReachabilityAnalyzer, TieredVpc, UndeclaredOpening, Verdict } from '../src';

export interface ExampleSummary {
  readonly example: string;
  readonly ok: boolean;
  readonly seconds: number;
  readonly error?: string;
  readonly stacks: string[];
  readonly templates: string[];
  readonly cfnLint: { readonly ran: boolean; readonly errors: string[]; readonly warnings: number; readonly note?: string };
  /** Unacknowledged findings of the validation plugins (cdk-nag packs, the template validator). */
  readonly findings: Finding[];
  /** Every acknowledgment in the app: where, which rule, why. */
  readonly acknowledgments: Acknowledgment[];
  /** Resource counts by type, over all stacks. */
  readonly resources: Record<string, number>;
  /** A Mermaid diagram per TieredVpc: tiers, AZs, NAT gateways, workloads and flows. */
  readonly diagrams: Array<{ readonly vpc: string; readonly mermaid: string }>;
  /** The analyzer's proof per TieredVpc. */
  readonly reachability: Reachability[];
}

export interface Reachability {
  readonly vpc: string;
  /** Every declared flow with the analyzer's verdict (all must be reachable). */
  readonly declared: Array<{ readonly from: string; readonly to: string; readonly port: string; readonly verdict: string; readonly reason: string }>;
  /** Which nodes of the VPC the internet reaches, on exactly which port ranges (only the entry points may appear). */
  readonly internetExposure: Array<{ readonly node: string; readonly kind: string; readonly ports: string[] }>;
  /** Every undeclared opening that is live or unknown (must be none). */
  readonly undeclaredOpen: string[];
  /** Every undeclared opening that one layer alone stops (reported, allowed). */
  readonly latent: string[];
  readonly failures: string[];
}

export interface Finding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly paths: string[];
  readonly description: string;
}
export interface Acknowledgment { readonly path: string; readonly id: string; readonly reason: string }

function findings(outdir: string): Finding[] {
  const file = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(file)) return [];
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  return (report.pluginReports ?? []).flatMap((p: any) => (p.violations ?? []).map((v: any) => ({
    plugin: p.pluginName,
    rule: v.ruleName,
    severity: v.severity,
    description: v.description,
    paths: (v.violatingConstructs ?? v.violatingResources ?? []).map((c: any) => c.constructPath),
  })));
}

function acknowledgments(app: App): Acknowledgment[] {
  const out: Acknowledgment[] = [];
  for (const c of app.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !m.data) continue;
      for (const [id, reason] of Object.entries(m.data as Record<string, string>)) {
        out.push({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason: String(reason) });
      }
    }
  }
  return out;
}

/** The analyzer over one TieredVpc: declared flows reachable, the exact internet exposure, every undeclared opening. */
function reachability(vpc: TieredVpc): Reachability {
  const analyzer = ReachabilityAnalyzer.fromStack(Stack.of(vpc));
  const portText = (f: { protocol: string; fromPort: number; toPort: number }) =>
    `${f.protocol} ${f.fromPort === f.toPort ? f.fromPort : `${f.fromPort}-${f.toPort}`}`;
  const declared = analyzer.checkDeclaredFlows(vpc).map(({ flow, answer }) => ({
    from: flow.from, to: flow.to, port: portText(flow), verdict: answer.verdict, reason: answer.reasons[0] ?? '',
  }));
  const vpcSubnets = [...vpc.vpc.publicSubnets, ...vpc.vpc.privateSubnets, ...vpc.vpc.isolatedSubnets].map((sn) => sn.node.path);
  const inVpc = new Set(analyzer.listNodes().filter((n) => n.subnets.some((sn) => vpcSubnets.some((v) => sn.startsWith(v)))).map((n) => n.path));
  const exposure = new Map<string, { node: string; kind: string; ports: string[] }>();
  for (const e of analyzer.exposure().filter((x) => inVpc.has(x.node))) {
    const entry = exposure.get(e.node) ?? { node: e.node, kind: e.kind, ports: [] };
    entry.ports.push(`${portText(e)} ${e.family}${e.certain ? '' : ' (unknown)'}`);
    exposure.set(e.node, entry);
  }
  const openings = analyzer.undeclaredOpenings(vpc);
  const line = (o: UndeclaredOpening) => `${o.from} -> ${o.to} on ${portText(o)} (${o.family})${o.stoppedBy ? `, stopped only by ${o.stoppedBy}` : ''}: ` +
    `admitted by ${o.admittedBy.join('; ') || 'no filtering layer'}`;
  const undeclaredOpen = openings.filter((o) => o.status !== OpeningStatus.LATENT).map((o) => `${o.status}: ${line(o)}`);
  const latent = openings.filter((o) => o.status === OpeningStatus.LATENT).map(line);
  const failures = [
    ...declared.filter((d) => d.verdict !== Verdict.REACHABLE).map((d) => `declared flow ${d.from} -> ${d.to} ${d.port} is ${d.verdict}: ${d.reason}`),
    ...undeclaredOpen.map((u) => `undeclared opening: ${u}`),
  ];
  return { vpc: vpc.node.path, declared, internetExposure: [...exposure.values()], undeclaredOpen, latent, failures };
}

function resourceCounts(templates: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of templates) {
    for (const r of Object.values<any>(JSON.parse(fs.readFileSync(t, 'utf8')).Resources ?? {})) counts[r.Type] = (counts[r.Type] ?? 0) + 1;
  }
  return counts;
}

function cfnLint(templates: string[]): ExampleSummary['cfnLint'] {
  if (spawnSync('sh', ['-c', 'command -v cfn-lint'], { encoding: 'utf8' }).status !== 0) {
    return { ran: false, errors: [], warnings: 0, note: 'cfn-lint is not installed: skipped (pip install cfn-lint to run it)' };
  }
  const errors: string[] = [];
  let warnings = 0;
  for (const t of templates) {
    const r = spawnSync('cfn-lint', ['--format', 'parseable', t], { encoding: 'utf8' });
    for (const line of (r.stdout ?? '').split('\n').filter(Boolean)) {
      // parseable: file:line:col:endline:endcol:RULE:message
      const rule = line.split(':')[5] ?? '';
      if (rule.startsWith('E')) errors.push(line);
      else warnings++;
    }
    // cfn-lint's exit code is a bit mask: 2 = an error was found.
    // eslint-disable-next-line no-bitwise
    if (((r.status ?? 0) & 2) !== 0 && errors.length === 0) errors.push(`${t}: cfn-lint reported an error (exit ${r.status}): ${r.stderr}`);
  }
  return { ran: true, errors, warnings };
}

function main(): void {
  const example = process.argv[2];
  const outdir = path.join('cdk.out', 'examples', example);
  fs.rmSync(outdir, { recursive: true, force: true });
  const started = Date.now();
  // Construct paths in the templates, as `cdk synth` writes them: the emulation names flow ends by path.
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new NIST80053R5Checks(app),
    new HIPAASecurityChecks(app),
    new PCIDSS321Checks(app),
    new NetworkPatternsChecks(app),
  );
  let stacks: Stack[] = [];
  let error: string | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.resolve('examples', `${example}.ts`));
    stacks = mod.build(app);
    app.synth();
  } catch (e) {
    error = (e as Error).message;
  }
  const templates = fs.existsSync(outdir) ? fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json')).map((f) => path.join(outdir, f)) : [];
  const lint = error ? { ran: false, errors: [], warnings: 0, note: 'not run: synthesis failed' } : cfnLint(templates);
  const summary: ExampleSummary = {
    example,
    ok: !error && lint.errors.length === 0,
    seconds: (Date.now() - started) / 1000,
    error,
    stacks: stacks.map((s) => s.stackName),
    templates,
    cfnLint: lint,
    findings: findings(outdir).filter((f) => f.severity === 'error' || f.plugin !== 'CloudFormation Validate'),
    acknowledgments: acknowledgments(app),
    resources: resourceCounts(templates),
    diagrams: tieredVpcs(app).map((v) => ({ vpc: v.node.path, mermaid: mermaid(v) })),
    reachability: [],
  };
  if (!error) {
    try {
      (summary.reachability as Reachability[]).push(...tieredVpcs(app).map(reachability));
    } catch (e) {
      summary.reachability.push({ vpc: '(analyzer)', declared: [], internetExposure: [], undeclaredOpen: [], latent: [], failures: [`the analyzer failed: ${(e as Error).message}`] });
    }
  }
  (summary as { ok: boolean }).ok = summary.ok && summary.reachability.every((r) => r.failures.length === 0);
  fs.mkdirSync(outdir, { recursive: true });
  fs.writeFileSync(path.join(outdir, 'summary.json'), JSON.stringify(summary, null, 2));
  process.exitCode = summary.ok ? 0 : 1;
}

main();
