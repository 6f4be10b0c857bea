import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { containsRange } from '../../model/addresses';
import { StackIndex } from '../private/stack-index';

/**
 * Security group ingress rules do not name a CIDR inside the group's own VPC: inside a VPC, a
 * rule referencing the peer's security group admits exactly the peer's ENIs, whatever their
 * IPs (see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html). 0.0.0.0/0 and CIDRs
 * outside the VPC (partners, on-premises, peered VPCs) are out of this rule's scope.
 * The rules and the VPC's blocks are read by the network model the reachability analyzer uses:
 * the VPC's `CidrBlock`, its `AWS::EC2::VPCCidrBlock` blocks (an Amazon-provided IPv6 block
 * stands for a block of its own, so a subnet's IPv6 CIDR derived from it is inside it), and
 * values such as `Fn::GetAtt Vpc.CidrBlock` resolved to the block. A group whose VPC is not in
 * the stack is not applicable.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    const holder = StackIndex.ofIngressHolder(node);
    if (!holder) return NagRuleCompliance.NOT_APPLICABLE;
    const { index, id } = holder;
    const model = index.model;
    let applicable = false;
    for (const sg of model.sgs.values()) {
      const vpc = sg.vpc ? model.vpcs.get(sg.vpc) : undefined;
      if (!vpc) continue;
      for (const rule of sg.ingress) {
        if (rule.owner !== id) continue;
        applicable = true;
        if (rule.peer.kind !== 'cidr') continue;
        const range = rule.peer.range;
        if ([...vpc.cidrs, ...vpc.ipv6Cidrs].some((block) => containsRange(block, range))) return NagRuleCompliance.NON_COMPLIANT;
      }
    }
    return applicable ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NOT_APPLICABLE;
  },
  'name',
  { value: parse(__filename).name },
);
