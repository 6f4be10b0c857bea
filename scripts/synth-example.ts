/**
 * Synthesizes examples with the checks on, each into its own App, and writes
 * `cdk.out/examples/<example>/summary.json` for scripts/run-examples.ts.
 *
 * - `synth-example.ts <example> ...`: the named examples, one after the other, in this process;
 * - `synth-example.ts --worker`: a worker of the main job: reads example names from stdin, one per
 *   line, and answers `done <example>` on stdout after each (the modules, the packs' rules and the
 *   template validator's schema are loaded once per worker, not once per example).
 *
 * Checks: cdk-nag's AwsSolutions, NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1 packs and the
 * library's NetworkPatterns pack, registered as policy-validation plugins (an unacknowledged error
 * fails the synth), aws-cdk-lib's template validator (on unless CDK_VALIDATION=false), and the AWS
 * Control Tower proactive controls (cfn-guard rules of @cdklabs/cdk-validator-cfnguard, see
 * scripts/guard.ts; off with EXAMPLES_GUARD=0). cfn-lint runs in scripts/run-examples.ts
 * (scripts/cfn-lint.ts), on each example's templates as soon as this worker reports it done.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as readline from 'readline';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { mermaid, tieredVpcs } from './diagram';
import { ControlTowerGuard } from './guard';
import { NetworkPatternsChecks, OpeningStatus, ReachabilityAnalyzer, TieredVpc, UndeclaredOpening, Verdict } from '../src';

export interface ExampleSummary {
  readonly example: string;
  readonly ok: boolean;
  readonly seconds: number;
  readonly error?: string;
  readonly stacks: string[];
  readonly templates: string[];
  /** cfn-lint's findings (filled in by scripts/run-examples.ts, which lints every template at once). */
  readonly cfnLint: CfnLintResult;
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

export interface CfnLintResult {
  readonly ran: boolean;
  /** `file:line:col:endline:endcol:RULE:message` lines of cfn-lint's parseable format. */
  readonly errors: string[];
  readonly warnings: string[];
  readonly note?: string;
}

export interface Finding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly paths: string[];
  readonly description: string;
}
export interface Acknowledgment { readonly path: string; readonly id: string; readonly reason: string }

/** The plugin name of the AWS Control Tower proactive controls (scripts/guard.ts). */
export const GUARD_PLUGIN = 'cdk-validator-cfnguard';

/**
 * The findings that fail the main job: every error, and every unacknowledged finding of the AWS
 * Control Tower controls (cfn-guard reports no severity: an unacknowledged one is a failure).
 * cdk-nag warnings and the template validator's warnings are listed in the report only.
 */
export function blockingFindings(all: Finding[]): Finding[] {
  return all.filter((f) => f.severity === 'error' || f.severity === 'fatal' || f.plugin === GUARD_PLUGIN);
}

/** Whether an example passes: it synthesized, no finding blocks it, and the analyzer found no failure. */
export function examplePasses(s: Pick<ExampleSummary, 'error' | 'findings' | 'reachability'>): boolean {
  return !s.error && blockingFindings(s.findings).length === 0 && s.reachability.every((r) => r.failures.length === 0);
}

/** The unacknowledged findings in a cloud assembly's validation-report.json. */
export function findings(outdir: string): Finding[] {
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

/** The AWS Control Tower proactive controls run unless EXAMPLES_GUARD=0 (`npm run examples -- --no-guard`). */
export const GUARD = process.env.EXAMPLES_GUARD !== '0';

/** Synthesizes one example with every check on and writes its summary.json. */
export function synthExample(example: string): ExampleSummary {
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
    ...(GUARD ? [new ControlTowerGuard()] : []),
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
  const summary: ExampleSummary = {
    example,
    ok: !error,
    seconds: (Date.now() - started) / 1000,
    error,
    stacks: stacks.map((s) => s.stackName),
    templates,
    cfnLint: { ran: false, errors: [], warnings: [], note: error ? 'not run: synthesis failed' : 'not run' },
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
  (summary as { ok: boolean }).ok = examplePasses(summary);
  fs.mkdirSync(outdir, { recursive: true });
  fs.writeFileSync(path.join(outdir, 'summary.json'), JSON.stringify(summary, null, 2));
  return summary;
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--worker') {
    const lines = readline.createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      const example = line.trim();
      if (!example) return;
      synthExample(example);
      process.stdout.write(`done ${example}\n`);
    });
    return;
  }
  const summaries = args.map(synthExample);
  process.exitCode = summaries.every((s) => s.ok) ? 0 : 1;
}

if (require.main === module) main();
