import { ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';

/**
 * The cdk-nag compliance packs whose findings the constructs acknowledge, by the prefix of their
 * rule ids: NIST 800-53 rev 5, HIPAA Security, PCI DSS 3.2.1.
 */
export enum CompliancePack {
  NIST_800_53_R5 = 'NIST.800.53.R5',
  HIPAA_SECURITY = 'HIPAA.Security',
  PCI_DSS_321 = 'PCI.DSS.321',
}

/** The three compliance packs. */
export const ALL_COMPLIANCE_PACKS = [CompliancePack.NIST_800_53_R5, CompliancePack.HIPAA_SECURITY, CompliancePack.PCI_DSS_321];

/**
 * Acknowledges the finding `rule` (e.g. 'ELBLoggingEnabled' or 'RDSLoggingEnabled[LogExport::audit]')
 * of each of `packs` on `scope`, with one reason. Pass only the packs that contain the rule, so
 * the README's list of acknowledgments names real findings.
 */
export function acknowledgeCompliance(scope: IConstruct, rule: string, reason: string, packs: CompliancePack[] = ALL_COMPLIANCE_PACKS): void {
  for (const pack of packs) {
    Validations.of(scope).acknowledge({ id: `${pack}-${rule}`, reason });
  }
}

/**
 * The plugin name under which `@cdklabs/cdk-validator-cfnguard` reports the AWS Control Tower
 * proactive controls: an acknowledgment's id is `<plugin>::<guard rule name>`.
 */
export const CONTROL_TOWER_PLUGIN = 'cdk-validator-cfnguard';

/**
 * Acknowledges an AWS Control Tower proactive control on `scope` and everything under it.
 * `control` is the control's id (e.g. 'CT.EC2.PR.5'), kept in the reason so the report names it;
 * `rule` is the name of its cfn-guard rule (e.g. 'nacl_no_unrestricted_ssh_rdp_check'), which is
 * what the validation report matches. The acknowledgment is recorded in the cloud assembly with
 * the cdk-nag ones (aws-cdk-lib's `Validations`): the Control Tower rules themselves read no
 * suppression from a template.
 * @see https://docs.aws.amazon.com/controltower/latest/controlreference/proactive-controls.html
 */
export function acknowledgeControlTower(scope: IConstruct, control: string, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `${CONTROL_TOWER_PLUGIN}::${rule}`, reason: `[${control}] ${reason}` });
}

/**
 * Adds to `key`'s policy the statement AWS Control Tower's CT.KMS.PR.3 asks for: nobody may
 * create a grant on the key unless an AWS service integrated with AWS KMS asks for it on their
 * behalf (`kms:GrantIsForAWSResource`) or the caller is an AWS service (`aws:PrincipalIsAWSService`).
 * Services that encrypt at rest with grants (RDS, for example) keep working.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/grant-authorization.html
 */
function denyGrantsExceptForAwsServices(key: kms.Key): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyCreateGrantExceptForAwsServices',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
}

/**
 * An IAM role whose statements added later (aws-cdk-lib's grants, `addToPolicy`) land in one
 * customer managed policy of the role instead of the inline `DefaultPolicy` aws-cdk-lib writes
 * (NIST 800-53, HIPAA and PCI DSS packs: IAMNoInlinePolicy). The managed policy is created on
 * the first statement, as the child `Policy`, attached to this role only.
 *
 * TieredVpc's flow log role writes its one policy up front and freezes the role; the roles here
 * get statements from aws-cdk-lib code that the construct does not control (the ECS agent's
 * permissions from `ecs.Cluster`, the log driver's and image pulls' from the task definition,
 * the proxy's secret read from `rds.DatabaseProxy`), so they are routed rather than written.
 * A managed policy holds at most 6,144 characters (an inline one 10,240): enough for the grants
 * of one construct.
 */
export class ManagedPolicyRole extends iam.Role {
  private managedPolicy?: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    super(scope, id, props);
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    // With iam.Role.customizeRoles the role is not synthesized: keep aws-cdk-lib's own handling (a policy report).
    if ((this as unknown as { _precreatedRole?: unknown })._precreatedRole) return super.addToPrincipalPolicy(statement);
    if (!this.managedPolicy) {
      this.managedPolicy = new iam.ManagedPolicy(this, 'Policy', {
        description: `Permissions of ${this.node.path}`,
        roles: [this],
      });
    }
    this.managedPolicy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.managedPolicy };
  }
}

/**
 * A customer managed KMS key as every construct of the library creates it: rotated yearly,
 * retained on stack deletion, its policy's `statements` (for the service that uses it), then
 * `kms:CreateGrant` denied unless an AWS service asks (AWS Control Tower CT.KMS.PR.3).
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html
 */
export function createManagedKey(scope: Construct, id: string, description: string, statements: iam.PolicyStatement[] = []): kms.Key {
  const key = new kms.Key(scope, id, {
    description,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  for (const statement of statements) key.addToResourcePolicy(statement);
  denyGrantsExceptForAwsServices(key);
  return key;
}

/**
 * A customer managed KMS key, rotated yearly and retained on stack deletion, that CloudWatch Logs
 * of the stack's Region may use for this account's log groups (CloudWatch Logs user guide,
 * "Encrypt log data in CloudWatch Logs using AWS KMS"; the same policy as TieredVpc's flow log key).
 */
export function createLogEncryptionKey(scope: Construct, id: string, description: string): kms.Key {
  const stack = Stack.of(scope);
  return createManagedKey(scope, id, description, [new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    },
  })]);
}
