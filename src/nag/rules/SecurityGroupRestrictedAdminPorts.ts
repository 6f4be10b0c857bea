import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isWholeFamily } from '../../model/addresses';
import { ADMIN_PORTS } from '../private/ports';
import { admitsPort, CidrValue, ingressRules } from '../private/security-groups';
import { StackIndex, unresolvedError } from '../private/stack-index';

/**
 * Security groups do not admit SSH (TCP 22) or RDP (TCP and UDP 3389) from 0.0.0.0/0 or ::/0:
 * inline and standalone ingress rules, including port ranges and all-traffic rules that cover
 * them (see https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html). A rule from an unresolved CIDR that
 * covers them can't be validated (cdk-nag reports the rule as not validated).
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
    for (const rule of ingressRules(index).byOwner.get(res) ?? []) {
      for (const cidr of [rule.cidrIp, rule.cidrIpv6]) {
        const world = fromAnywhere(cidr);
        if (world === false) continue;
        for (const { protocol, port, name } of ADMIN_PORTS) {
          const admits = admitsPort(rule, protocol, port);
          if (admits === false) continue;
          if (admits === undefined) throw unresolvedError(`The protocol or ports of an ingress rule from ${world ? 'anywhere' : 'a CIDR'}`);
          if (world === undefined) throw unresolvedError(`The CIDR of an ingress rule admitting ${name} ${protocol} ${port}`);
          return NagRuleCompliance.NON_COMPLIANT;
        }
      }
    }
    return NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: parse(__filename).name },
);

/** True for 0.0.0.0/0 and ::/0, false for other blocks and VPC attributes, undefined when unresolved. */
function fromAnywhere(cidr: CidrValue | undefined): boolean | undefined {
  if (!cidr) return false;
  if (cidr.kind === 'literal') return isWholeFamily(cidr.range);
  if (cidr.kind === 'vpc') return false;
  return undefined;
}
