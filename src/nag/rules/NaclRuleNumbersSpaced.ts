import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { StackIndex } from '../private/stack-index';

/**
 * NACL rule numbers leave room for insertion: no entry's number directly follows another entry's
 * number in the same NACL and direction (see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html). Reported on the higher-numbered
 * entry of each consecutive pair. Entries with unresolved numbers are not applicable.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    if (node.cfnResourceType !== 'AWS::EC2::NetworkAclEntry') return NagRuleCompliance.NOT_APPLICABLE;
    const index = StackIndex.of(node);
    const res = index.get(node);
    if (!res) return NagRuleCompliance.NOT_APPLICABLE;
    const own = numberKey(index, res.props);
    if (!own) return NagRuleCompliance.NOT_APPLICABLE;
    const numbers = index.memo('nacl-rule-numbers', () => {
      const set = new Set<string>();
      for (const e of index.ofType('AWS::EC2::NetworkAclEntry')) {
        const k = numberKey(index, e.props);
        if (k) set.add(`${k.group}#${k.ruleNumber}`);
      }
      return set;
    });
    return numbers.has(`${own.group}#${own.ruleNumber - 1}`) ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: parse(__filename).name },
);

/** The entry's NACL and direction, and its rule number, when literal. */
function numberKey(index: StackIndex, props: { [key: string]: any }): { group: string; ruleNumber: number } | undefined {
  const ruleNumber = Number(props.RuleNumber);
  if (!Number.isInteger(ruleNumber)) return undefined;
  const egress = props.Egress === true || props.Egress === 'true';
  return { group: `${index.key(props.NetworkAclId)}/${egress ? 'egress' : 'ingress'}`, ruleNumber };
}
