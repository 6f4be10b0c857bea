import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { ADMIN_PORTS } from '../private/ports';
import { StackIndex } from '../private/stack-index';
import { opensToWorld } from '../private/world-open';

/**
 * Security groups do not admit SSH (TCP and UDP 22) or RDP (TCP and UDP 3389) from every
 * address: 0.0.0.0/0, ::/0, or CIDRs that together cover them (`0.0.0.0/1` plus `128.0.0.0/1`).
 * Inline and standalone ingress rules count, port ranges and all-traffic rules that cover the
 * ports too. A rule from an unresolved CIDR that could complete the union can't be validated
 * (cdk-nag reports the rule as not validated).
 * @see https://docs.aws.amazon.com/config/latest/developerguide/restricted-ssh.html
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    if (node.cfnResourceType !== 'AWS::EC2::SecurityGroup' && node.cfnResourceType !== 'AWS::EC2::SecurityGroupIngress') {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const index = StackIndex.of(node);
    const res = index.get(node);
    if (!res) return NagRuleCompliance.NOT_APPLICABLE;
    return opensToWorld(index, index.modelId(res), ADMIN_PORTS) ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: parse(__filename).name },
);
