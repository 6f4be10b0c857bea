/**
 * The AWS Control Tower proactive controls as a policy-validation plugin of the main job: the
 * cfn-guard rules bundled with @cdklabs/cdk-validator-cfnguard, run by that package's own
 * validator, on only the rules that can apply to the templates and on only the resources those
 * rules can read.
 *
 * Every Control Tower rule selects the resources it checks by type (`Resources.*[ Type == ... ]`),
 * looks up the resources they reference by logical id and then checks that one's type too
 * (`Resources[ keys == ... ]` then `Type == ...`), and is "not applicable" to a template without
 * them. cfn-guard's cost grows with the rules times the size of the templates (about 9 s of CPU for
 * all 237 rules on one small template on the project's 2-core machine, most of it the allocator of
 * the bundled binary), so the plugin
 * - hands the validator, as `disabledRules`, the rules that name only resource types none of the
 *   templates holds;
 * - hands it copies of the templates that hold only the resources of the types the remaining rules
 *   name (and every other section unchanged): a resource of another type is one no rule selects,
 *   and a reference to it fails a rule's type check whether it is there or not.
 * The verdicts are the same (compared on every example's templates): on the three-tier-web-app
 * example's template, 3 s of cfn-guard CPU instead of 6 s for the applicable rules on the whole
 * template without Metadata, and 17 s for all the rules on the template as synthesized (2-core
 * machine, load average 4-5). A rule that names no resource type, or reads `Resources` in any other
 * way, turns the second cut off (it is told by its text).
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
  readonly name: string;
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
          const types = [...new Set(text.match(/AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g) ?? [])];
          found.push({ name: path.parse(entry.name).name, types, selectsByType: types.length > 0 && selectsByType(text) });
        }
      }
    };
    walk(CONTROL_TOWER_RULES);
    ruleFiles = found;
  }
  return ruleFiles;
}

/** The rules that can't apply to templates holding only `types`: each names resource types, none of them in `types`. */
export function inapplicableRules(types: Set<string>): string[] {
  return controlTowerRules().filter((r) => r.types.length > 0 && !r.types.some((t) => types.has(t))).map((r) => r.name);
}

/**
 * The resource types the rules that apply to templates holding `types` can read, or undefined when
 * one of them may read any resource (then every resource stays).
 */
export function typesRead(types: Set<string>): Set<string> | undefined {
  const applicable = controlTowerRules().filter((r) => r.types.length === 0 || r.types.some((t) => types.has(t)));
  if (applicable.some((r) => !r.selectsByType)) return undefined;
  return new Set(applicable.flatMap((r) => r.types));
}

/**
 * The copy of a template cfn-guard reads: without the resources' Metadata (construct paths, the
 * declared flows), which no Control Tower rule reads, and, when `keep` is given, with only the
 * resources of those types (a resource without a type stays).
 */
export function guardCopy(template: { [key: string]: unknown }, keep: Set<string> | undefined): { [key: string]: unknown } {
  const resources: { [id: string]: unknown } = {};
  for (const [id, r] of Object.entries((template.Resources ?? {}) as { [id: string]: { Type?: string; Metadata?: unknown } })) {
    if (keep && r.Type && !keep.has(r.Type)) continue;
    const copy = { ...r };
    delete copy.Metadata;
    resources[id] = copy;
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
    const templates = context.templatePaths.map((t) => ({ path: t, template: JSON.parse(fs.readFileSync(t, 'utf8')) }));
    const types = new Set<string>();
    for (const { template } of templates) {
      for (const r of Object.values<{ Type?: string }>(template.Resources ?? {})) if (r.Type) types.add(r.Type);
    }
    const keep = typesRead(types);
    // The copies keep the templates' file names, and the findings point at the templates themselves.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnp-guard-'));
    try {
      const copies = new Map<string, string>();
      for (const t of templates) {
        const copy = path.join(dir, `${copies.size}-${path.basename(t.path)}`);
        fs.writeFileSync(copy, JSON.stringify(guardCopy(t.template, keep)));
        copies.set(copy, t.path);
      }
      const validator = new CfnGuardValidator({
        controlTowerRulesEnabled: true,
        disabledRules: inapplicableRules(types),
        maxBuffer: 64 * 1024 * 1024,
      });
      const report = validator.validate({ ...context, templatePaths: [...copies.keys()] });
      for (const v of report.violations) {
        for (const r of v.violatingResources) {
          const original = copies.get(r.templatePath) ?? [...copies].find(([copy]) => path.resolve(copy) === path.resolve(r.templatePath))?.[1];
          if (original) (r as { templatePath: string }).templatePath = original;
        }
      }
      return report;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
