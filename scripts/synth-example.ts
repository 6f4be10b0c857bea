/**
 * Synthesizes ONE example (argv[2], e.g. `three-tier-vpc`) in this fresh process with the
 * checks on, and writes `cdk.out/examples/<example>/summary.json` for scripts/run-examples.ts.
 *
 * Checks: cdk-nag packs registered as policy-validation plugins (an unacknowledged error fails
 * the synth), aws-cdk-lib's template validator (on unless CDK_VALIDATION=false), and cfn-lint on
 * every template when it is installed.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mermaid, tieredVpcs } from './diagram';
import { NetworkPatternsChecks } from '../src';

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
  const app = new App({ outdir });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NetworkPatternsChecks(app));
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
  };
  fs.mkdirSync(outdir, { recursive: true });
  fs.writeFileSync(path.join(outdir, 'summary.json'), JSON.stringify(summary, null, 2));
  process.exitCode = summary.ok ? 0 : 1;
}

main();
