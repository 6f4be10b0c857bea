import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { StackIndex } from '../private/stack-index';

/**
 * Network Load Balancers are created with security groups: security groups can only be attached
 * to an NLB when it is created, so an NLB created without them can never get them, its targets
 * must then admit the clients' or the NLB's IPs by CIDR, and replacing the NLB changes its DNS
 * name and static IPs (see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html). An unresolved `SecurityGroups` value counts as present.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    if (node.cfnResourceType !== 'AWS::ElasticLoadBalancingV2::LoadBalancer') return NagRuleCompliance.NOT_APPLICABLE;
    const res = StackIndex.of(node).get(node);
    if (!res) return NagRuleCompliance.NOT_APPLICABLE;
    if (String(res.props.Type ?? 'application').toLowerCase() !== 'network') return NagRuleCompliance.NOT_APPLICABLE;
    const groups = res.props.SecurityGroups;
    const missing = groups === undefined || (Array.isArray(groups) && groups.length === 0);
    return missing ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: parse(__filename).name },
);
