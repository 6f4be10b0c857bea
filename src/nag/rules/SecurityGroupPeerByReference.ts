import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { containsRange } from '../../model/addresses';
import { CidrValue, ingressRules, vpcBlocks } from '../private/security-groups';
import { IndexedResource, StackIndex } from '../private/stack-index';

/**
 * Security group ingress rules do not name a CIDR inside the group's own VPC: inside a VPC, a
 * rule referencing the peer's security group admits exactly the peer's ENIs, whatever their
 * IPs (see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html). 0.0.0.0/0 and CIDRs
 * outside the VPC (partners, on-premises, peered VPCs) are out of this rule's scope.
 * The VPC's CIDRs are its literal `CidrBlock` and `AWS::EC2::VPCCidrBlock` blocks, and its
 * `CidrBlock` attribute; a group whose VPC is not in the stack is not applicable.
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
    let applicable = false;
    for (const rule of ingressRules(index).byOwner.get(res) ?? []) {
      const vpc = rule.group && rule.group.type === 'AWS::EC2::SecurityGroup' ? index.target(rule.group.props.VpcId) : undefined;
      if (!vpc || vpc.type !== 'AWS::EC2::VPC') continue;
      applicable = true;
      if (insideVpc(index, vpc, rule.cidrIp) || insideVpc(index, vpc, rule.cidrIpv6)) return NagRuleCompliance.NON_COMPLIANT;
    }
    return applicable ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NOT_APPLICABLE;
  },
  'name',
  { value: parse(__filename).name },
);

function insideVpc(index: StackIndex, vpc: IndexedResource, cidr: CidrValue | undefined): boolean {
  if (!cidr) return false;
  if (cidr.kind === 'vpc') return cidr.vpc === vpc;
  if (cidr.kind === 'literal') return vpcBlocks(index, vpc).some((block) => containsRange(block, cidr.range));
  return false;
}
