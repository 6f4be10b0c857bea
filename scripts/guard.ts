/**
 * The AWS Control Tower proactive controls as a policy-validation plugin of the main job: the
 * cfn-guard rules bundled with @cdklabs/cdk-validator-cfnguard, run by that package's own
 * validator, on only the rules that can apply to the templates, each on only the resources it can
 * read.
 *
 * Every Control Tower rule selects the resources it checks by type (`Resources.*[ Type == ... ]`),
 * looks up the resources they reference by logical id and then checks that one's type too
 * (`Resources[ keys == ... ]` then `Type == ...`), and is "not applicable" to a template without
 * them. cfn-guard's cost is mostly each rule's queries scanning every resource of every template
 * (the allocator of the bundled binary, largely in the kernel), plus a start-up per run. So the
 * plugin
 * - leaves out the rules that name only resource types none of the templates holds;
 * - groups the others into a few cfn-guard runs (rules naming the same types together, and runs
 *   merged while one more process costs more than the extra scanning, see `guardRuns`);
 * - hands each run copies of the templates that hold one of its types, with only the resources of
 *   the types its rules name (every other section unchanged), and a stand-in holding only the Type
 *   of each resource of another type they reference: a resource of another type is one none of the
 *   run's rules selects, and a rule that looks it up checks only its type.
 * A rule that names no resource type, or reads `Resources` in any other way (told by its text), runs
 * on whole templates; a template with a top-level section CloudFormation doesn't have (as a hook's
 * input has) or a resource Type that is not a string gets every rule, uncut, as the validator runs
 * them. The copies are written with JSON.stringify, as CDK writes templates: the same numbers.
 * The verdicts are the same as the validator's own on the whole templates (compared on every
 * example's templates, and in test/scripts/guard.test.ts). Over the eight examples' templates, one
 * after the other on the project's 2-core machine: 9.4-9.7 s instead of 16-17 s with one run of the
 * applicable rules over the templates cut to the types any of them names (and 66-73 s for the
 * validator's own run of every rule on the whole templates).
 *
 * Findings are reported under the validator's own plugin name, so an acknowledgment is
 * `Validations.of(construct).acknowledge({ id: 'cdk-validator-cfnguard::<guard rule name>', reason })`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type { IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1 } from 'aws-cdk-lib';

/** The bundled Control Tower rules: one `.guard` file per control. */
export const CONTROL_TOWER_RULES = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');

interface RuleFile {
  /** The rule file's path (the rule's name is its file name without `.guard`). */
  readonly file: string;
  /** The resource types the rule's text names. */
  readonly types: string[];
  /** The rule reads resources only through a `Type ==` selection or a `keys ==` lookup (and `Resources exists`). */
  readonly selectsByType: boolean;
}

/**
 * Whether a rule's text (comments removed) reads the template's resources only by type: every
 * `Resources.*[ ... ]` or `Resources[ ... ]` filter starts with `Type` or `keys`, and no other use
 * of `Resources` than `Resources exists`. A property called Resources (as in an EKS cluster's
 * EncryptionConfig) also counts as another use: the answer errs on the side of reading everything.
 */
export function selectsByType(text: string): boolean {
  const code = text.replace(/#.*$/gm, '');
  for (const m of code.matchAll(/\bResources\b(\s*\.\s*\*)?(\s*\[\s*([A-Za-z_*%]+))?(\s*[A-Za-z_]*)/g)) {
    if (m[2]) {
      if (m[3] !== 'Type' && m[3] !== 'keys') return false;
    } else if (m[1] || m[4].trim() !== 'exists') {
      return false;
    }
  }
  return true;
}

let ruleFiles: RuleFile[] | undefined;

/** Every rule file with the resource types it names (read once per process). */
export function controlTowerRules(): RuleFile[] {
  if (!ruleFiles) {
    const found: RuleFile[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) {walk(file);} else if (entry.name.endsWith('.guard')) {
          const text = fs.readFileSync(file, 'utf8');
          const types = [...new Set(text.match(/AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g) ?? [])].sort();
          found.push({ file, types, selectsByType: types.length > 0 && selectsByType(text) });
        }
      }
    };
    walk(CONTROL_TOWER_RULES);
    ruleFiles = found.sort((a, b) => a.file.localeCompare(b.file));
  }
  return ruleFiles;
}

/** One cfn-guard run: rule files, and the resource types their template copies keep. */
export interface GuardRun {
  /** The rule files (paths; a rule's name is its file name without `.guard`). */
  readonly rules: string[];
  /** The resource types the rules name; the copies keep only these, or every resource when undefined. */
  readonly keep?: Set<string>;
}

/**
 * cfn-guard's cost on the project's 2-core machine, in milliseconds: about 60 for a run (starting
 * the process, from a Node.js process of a few hundred MB, and reading the rules), and about 0.28
 * for each rule times each resource of the templates it reads (every query of a rule scans every
 * resource: 84 rules over one template of 153 resources take 3.7 s).
 */
const RUN_MS = 60;
const MAX_BUFFER = 64 * 1024 * 1024;
const RULE_RESOURCE_MS = 0.28;

/**
 * The cfn-guard runs over templates holding `counts` resources of each type: the rules that can
 * apply (those that name no resource type, or one of the templates'), split into runs that each
 * read copies of the templates holding only the resource types their rules name (or every resource,
 * for a run with a rule that may read any). Rules that name the same types share a run, and runs
 * merge while merging costs less than the extra process.
 */
export function guardRuns(counts: Map<string, number>): GuardRun[] {
  const byTypes = new Map<string, GuardRun>();
  for (const r of controlTowerRules()) {
    if (r.types.length > 0 && !r.types.some((t) => counts.has(t))) continue;
    const key = r.selectsByType ? r.types.join(' ') : '*';
    const run = byTypes.get(key) ?? { rules: [], keep: r.selectsByType ? new Set(r.types) : undefined };
    (run.rules as string[]).push(r.file);
    byTypes.set(key, run);
  }
  const all = [...counts.values()].reduce((a, b) => a + b, 0);
  const resources = (keep: Set<string> | undefined) => (keep ? [...keep].reduce((a, t) => a + (counts.get(t) ?? 0), 0) : all);
  const cost = (run: GuardRun) => RUN_MS + run.rules.length * resources(run.keep) * RULE_RESOURCE_MS;
  const merge = (a: GuardRun, b: GuardRun): GuardRun => ({
    rules: [...a.rules, ...b.rules],
    keep: a.keep && b.keep ? new Set([...a.keep, ...b.keep]) : undefined,
  });
  const runs = [...byTypes.values()];
  for (;;) {
    let best: { i: number; j: number; merged: GuardRun; saving: number } | undefined;
    for (let i = 0; i < runs.length; i++) {
      for (let j = i + 1; j < runs.length; j++) {
        const merged = merge(runs[i], runs[j]);
        const saving = cost(runs[i]) + cost(runs[j]) - cost(merged);
        if (saving > 0 && (!best || saving > best.saving)) best = { i, j, merged, saving };
      }
    }
    if (!best) return runs;
    runs.splice(best.j, 1);
    runs[best.i] = best.merged;
  }
}

/** The top-level sections of a CloudFormation template. */
const SECTIONS = new Set(['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Mappings', 'Conditions', 'Transform', 'Resources', 'Outputs', 'Hooks']);

/**
 * Whether the plugin may cut a template as `guardCopy` does: it holds only CloudFormation's own
 * top-level sections (the rules also check a hook's input, whose top level is a resource type) and
 * every resource's Type is a string. Otherwise every rule runs on the template as it is.
 */
export function cuttable(template: { [key: string]: unknown }): boolean {
  return Object.keys(template).every((k) => SECTIONS.has(k))
    && Object.values((template.Resources ?? {}) as { [id: string]: { Type?: unknown } }).every((r) => typeof r === 'object' && r !== null && (r.Type === undefined || typeof r.Type === 'string'));
}

/** Adds to `out` the logical ids `value` references: `Ref`, `Fn::GetAtt` (both forms), `Fn::Sub` variables and `DependsOn`. */
function references(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) {
    value.forEach((v) => references(v, out));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string') out.add(v);
      else if (k === 'Fn::GetAtt' && typeof v === 'string') out.add(v.split('.')[0]);
      else if (k === 'Fn::GetAtt' && Array.isArray(v) && typeof v[0] === 'string') out.add(v[0]);
      else if (k === 'DependsOn') [v].flat().forEach((d) => typeof d === 'string' && out.add(d));
      if (k === 'Fn::Sub') {
        const text = Array.isArray(v) ? v[0] : v;
        if (typeof text === 'string') for (const m of text.matchAll(/\$\{([^!}][^}.]*)/g)) out.add(m[1]);
      }
      references(v, out);
    }
  }
}

/**
 * The copy of a template cfn-guard reads: without the resources' Metadata (construct paths, the
 * declared flows), which no Control Tower rule reads, and, when `keep` is given, with only the
 * resources of those types (a resource without a type stays), plus, for each resource they
 * reference of another type, a stand-in holding only its Type. A rule looks up a referenced
 * resource by logical id and checks only its type (the rules' `query_for_resource`): the stand-in
 * answers that as the resource would, where a missing resource makes cfn-guard write output the
 * validator fails to read.
 */
export function guardCopy(template: { [key: string]: unknown }, keep: Set<string> | undefined): { [key: string]: unknown } {
  const all = (template.Resources ?? {}) as { [id: string]: { Type?: string; Metadata?: unknown } };
  const resources: { [id: string]: unknown } = {};
  const referenced = new Set<string>();
  for (const [id, r] of Object.entries(all)) {
    if (keep && r.Type && !keep.has(r.Type)) continue;
    const copy = { ...r };
    delete copy.Metadata;
    resources[id] = copy;
    if (keep) references(copy, referenced);
  }
  for (const id of referenced) {
    if (id in all && !(id in resources)) resources[id] = { Type: all[id].Type };
  }
  return template.Resources === undefined ? { ...template } : { ...template, Resources: resources };
}

export class ControlTowerGuard implements IPolicyValidationPluginBeta1 {
  public readonly name = 'cdk-validator-cfnguard';
  public readonly version?: string;

  constructor() {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.version = require('@cdklabs/cdk-validator-cfnguard/package.json').version;
  }

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const counts = new Map<string, number>();
    const templates = context.templatePaths.map((t) => {
      const template = JSON.parse(fs.readFileSync(t, 'utf8'));
      const types = new Set<string>();
      for (const r of Object.values<{ Type?: string } | null>(template.Resources ?? {})) {
        if (!r?.Type) continue;
        types.add(r.Type);
        counts.set(r.Type, (counts.get(r.Type) ?? 0) + 1);
      }
      return { path: t, template, types };
    });
    // A template this plugin may not cut: every rule on the templates as they are, as the validator does.
    if (!templates.every((t) => cuttable(t.template))) {
      return new CfnGuardValidator({ controlTowerRulesEnabled: true, maxBuffer: MAX_BUFFER }).validate(context);
    }
    const report: PolicyValidationPluginReportBeta1 = { success: true, violations: [] };
    // The copies keep the templates' file names, and the findings point at the templates themselves.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnp-guard-'));
    try {
      guardRuns(counts).forEach((run, i) => {
        // A rule that selects by type is not applicable to a template without one of its types.
        const data = templates.filter((t) => !run.keep || [...t.types].some((type) => run.keep!.has(type)));
        if (!data.length) return;
        const copies = new Map<string, string>();
        for (const t of data) {
          const copy = path.join(dir, `${i}-${copies.size}-${path.basename(t.path)}`);
          fs.writeFileSync(copy, JSON.stringify(guardCopy(t.template, run.keep)));
          copies.set(copy, t.path);
        }
        const validator = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: run.rules, maxBuffer: MAX_BUFFER });
        const result = validator.validate({ ...context, templatePaths: [...copies.keys()] });
        for (const v of result.violations) {
          for (const r of v.violatingResources) {
            const original = copies.get(r.templatePath) ?? [...copies].find(([copy]) => path.resolve(copy) === path.resolve(r.templatePath))?.[1];
            if (original) (r as { templatePath: string }).templatePath = original;
          }
        }
        (report as { success: boolean }).success &&= result.success;
        (report.violations as unknown[]).push(...result.violations);
      });
      return report;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
