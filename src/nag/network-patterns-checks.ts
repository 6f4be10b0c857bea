import { CfnResource, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { NagPack, NagPackProps } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { PACK_NAME, RULES } from './private/rule-table';
import { resetStackIndexes } from './private/stack-index';

/**
 * AWS networking practice as a cdk-nag v3 rule pack, for any stack (with or without this
 * library's constructs): SSH/RDP open to the internet in security groups and NACLs, NACL entries
 * without their ephemeral return traffic, cross-AZ NAT routing, non-HTTP ports on an ALB, NLBs
 * without security groups, Lambda reaching RDS without a proxy, security group rules naming
 * CIDRs inside their own VPC, NACL numbers without room for insertion, and more Elastic IPs
 * than the default quota. Rule ids are `NetworkPatterns-<id>`; the README's rule table lists them, and
 * lib/nag/RULES.md in the package explains each.
 *
 * Register it like `AwsSolutionsChecks`, as a policy-validation plugin, or call `validateScope`
 * directly (in tests). Acknowledge a finding with
 * `Validations.of(construct).acknowledge({ id: 'NetworkPatterns-NAT1', reason: '...' })`.
 *
 * @example
 * const app = new App();
 * Validations.of(app).addPlugins(new NetworkPatternsChecks(app));
 * // or, in a unit test:
 * const report = new NetworkPatternsChecks().validateScope(stack);
 */
export class NetworkPatternsChecks extends NagPack {
  /** The plugin's name: `NetworkPatterns`. */
  public readonly name: string;
  /** The pack's rule ids, e.g. `NetworkPatterns-SG1` (lib/nag/RULES.md in the package explains each). */
  public readonly ruleIds?: string[];

  /**
   * @param scope the app (only needed for `writeSuppressionsToCloudFormation`)
   * @param props cdk-nag's pack options
   */
  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.name = PACK_NAME;
    this.packName = PACK_NAME;
    this.ruleIds = RULES.map((r) => `${PACK_NAME}-${r.ruleSuffixOverride}`);
  }

  /**
   * Validates a construct tree (an app, a stage or a stack). Resolved stack indexes are built
   * afresh on every call, so a stack changed since an earlier validation is read anew. The report
   * succeeds when no finding is an error: warning-level rules (SG2, NACL3, EIP1) advise without
   * failing synthesis.
   */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    resetStackIndexes();
    try {
      const report = super.validateScope(scope);
      // Warnings are advisories: only error-level findings fail the report (and so `cdk synth`),
      // the way aws-cdk-lib judges a report once some finding is acknowledged.
      return { ...report, success: report.violations.every((v) => v.severity !== 'error' && v.severity !== 'fatal') };
    } finally {
      resetStackIndexes();
    }
  }

  /** Applies every rule of the pack to `node`. */
  protected checkResource(node: CfnResource): void {
    for (const rule of RULES) {
      this.applyRule({ ...rule, node });
    }
  }
}
