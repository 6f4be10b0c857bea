/**
 * The AWS Control Tower proactive controls as a policy-validation plugin of the main job: the
 * cfn-guard rules bundled with @cdklabs/cdk-validator-cfnguard, run by that package's own
 * validator, on only the rules that can apply to the templates.
 *
 * Every Control Tower rule selects the resources it checks by type (`Resources.*[ Type == ... ]`)
 * and is "not applicable" to a template without them. cfn-guard's cost grows with the rules times
 * the templates (about 9 s of CPU for all 237 rules on one small template on the project's 2-core
 * machine), so the plugin hands the validator, as `disabledRules`, the rules that name only
 * resource types none of the templates holds: the verdicts are the same, for a third of the CPU.
 * A rule that names no resource type always runs.
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

interface RuleFile { readonly name: string; readonly types: string[] }

let ruleFiles: RuleFile[] | undefined;

/** Every rule file with the resource types it names (read once per process). */
export function controlTowerRules(): RuleFile[] {
  if (!ruleFiles) {
    const found: RuleFile[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) {walk(file);} else if (entry.name.endsWith('.guard')) {
          const types = [...new Set(fs.readFileSync(file, 'utf8').match(/AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g) ?? [])];
          found.push({ name: path.parse(entry.name).name, types });
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

export class ControlTowerGuard implements IPolicyValidationPluginBeta1 {
  public readonly name = 'cdk-validator-cfnguard';
  public readonly version?: string;

  constructor() {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.version = require('@cdklabs/cdk-validator-cfnguard/package.json').version;
  }

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const types = new Set<string>();
    // cfn-guard reads the templates without their resources' Metadata (construct paths, the
    // declared flows), which no Control Tower rule reads (a rule checks Type and Properties): a
    // quarter less work. The copies keep the templates' file names, and the findings point at the
    // templates themselves.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnp-guard-'));
    try {
      const copies = new Map<string, string>();
      for (const t of context.templatePaths) {
        const template = JSON.parse(fs.readFileSync(t, 'utf8'));
        for (const r of Object.values<{ Type?: string; Metadata?: unknown }>(template.Resources ?? {})) {
          if (r.Type) types.add(r.Type);
          delete r.Metadata;
        }
        const copy = path.join(dir, `${copies.size}-${path.basename(t)}`);
        fs.mkdirSync(path.dirname(copy), { recursive: true });
        fs.writeFileSync(copy, JSON.stringify(template));
        copies.set(copy, t);
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
