/* eslint-disable @typescript-eslint/no-explicit-any */
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Acknowledgment, LoadedTemplate } from './assembly';
import { NetworkPatternsChecks } from '../../nag/network-patterns-checks';
import { RULES } from '../../nag/private/rule-table';

/** A finding of the `NetworkPatterns` rule pack on one resource of a template. */
export interface RuleFinding {
  readonly ruleId: string;
  readonly level: 'error' | 'warning';
  readonly message: string;
  readonly stackName: string;
  readonly logicalId: string;
}

/** A template the pack could not read, and why. */
export interface RuleFailure {
  readonly stackName: string;
  readonly reason: string;
}

/**
 * Runs the `NetworkPatternsChecks` rules on templates nobody wrote with CDK constructs at hand:
 * each resource of a template becomes a `CfnResource` of its type, properties and logical id in
 * a throwaway stack, which the pack validates (the rules read resources as CloudFormation renders
 * them, so an L1 of the resource's own class is not needed; `CfnInclude`, which builds one, takes
 * seconds more on a large template and refuses some templates).
 * Findings acknowledged in the cloud assembly (`Validations.of(construct).acknowledge`, on the
 * resource or any construct above it) or in the template (`cdk_nag.rules_to_suppress` metadata)
 * are left out.
 */
export function runRules(templates: LoadedTemplate[]): { findings: RuleFinding[]; failures: RuleFailure[] } {
  const findings: RuleFinding[] = [];
  const failures: RuleFailure[] = [];
  const pack = new NetworkPatternsChecks();
  const explanation = new Map(RULES.map((r) => [`NetworkPatterns-${r.ruleSuffixOverride}`, `${r.info} ${r.explanation}`]));
  templates.forEach((t, i) => {
    const app = new App({ context: { 'aws:cdk:disable-stack-trace': true } });
    const stack = new Stack(app, `Check${i}`);
    try {
      for (const [logicalId, r] of Object.entries<any>(t.template.Resources ?? {})) {
        if (typeof r?.Type !== 'string') throw new Error(`the resource ${logicalId} has no Type`);
        const res = new CfnResource(stack, logicalId, { type: r.Type, properties: r.Properties });
        res.overrideLogicalId(logicalId);
      }
    } catch (e) {
      failures.push({ stackName: t.stackName, reason: `the template could not be read for the rule pack: ${(e as Error).message.split('\n')[0]}` });
      return;
    }
    const report = pack.validateScope(stack);
    for (const v of report.violations ?? []) {
      for (const r of v.violatingResources) {
        const logicalId = (r as any).constructPath?.split('/').pop() ?? r.resourceLogicalId;
        const baseId = v.ruleName.replace(/\[.*$/, '');
        if (acknowledged(t, logicalId, v.ruleName)) continue;
        const threw = /^Rule threw an error/.test(v.description);
        findings.push({
          ruleId: v.ruleName,
          level: v.severity === 'error' ? 'error' : 'warning',
          message: threw
            ? `${baseId} could not be validated: a value it needs is known only at deploy time (a parameter, an import or another intrinsic function). ${explanation.get(baseId) ?? ''}`.trim()
            : (explanation.get(baseId) ?? v.description),
          stackName: t.stackName,
          logicalId,
        });
      }
    }
  });
  return { findings, failures };
}

function acknowledged(t: LoadedTemplate, logicalId: string, ruleId: string): boolean {
  const fromTemplate = t.template.Resources?.[logicalId]?.Metadata?.cdk_nag?.rules_to_suppress;
  if (Array.isArray(fromTemplate) && fromTemplate.some((s: any) => normalize(String(s?.id)) === ruleId)) return true;
  const path = t.paths.get(logicalId);
  if (path === undefined) return false;
  return t.acknowledgments.some((a: Acknowledgment) => (path === a.path || path.startsWith(`${a.path}/`)) && normalize(a.id) === ruleId);
}

/** `Annotation::X`, `NetworkPatterns::X` and `X` name the same rule. */
function normalize(id: string): string {
  return id.replace(/^[A-Za-z0-9.]+::/, '');
}
