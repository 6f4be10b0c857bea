import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { IndexedResource, StackIndex } from '../private/stack-index';

/** Elastic IP addresses per Region: AWS's default quota (adjustable). */
const DEFAULT_ELASTIC_IP_QUOTA = 5;

/**
 * The stack uses no more Elastic IPs than the default Regional quota of 5 (3 NAT gateways and an
 * internet-facing NLB with a static IP in each of 3 AZs need 6; see https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html).
 *
 * Counted once each, in construct-tree order: every `AWS::EC2::EIP` of the stack, and every
 * allocation id that is not an EIP of the stack (a literal `eipalloc-...` or an import) named by
 * a NAT gateway (`AllocationId`, `SecondaryAllocationIds`), an NLB's `SubnetMappings` or an
 * `AWS::EC2::EIPAssociation`. Reported on each EIP (or referencing resource) beyond the fifth.
 * The quota is per account and Region, shared by every stack there, and can be raised: a stack
 * deployed where it was raised acknowledges the finding at the stack.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    if (!COUNTED_TYPES.has(node.cfnResourceType)) return NagRuleCompliance.NOT_APPLICABLE;
    const index = StackIndex.of(node);
    const res = index.get(node);
    if (!res) return NagRuleCompliance.NOT_APPLICABLE;
    const over = index.memo('eips-over-quota', () => eipsOverQuota(index));
    if (over.has(res)) return NagRuleCompliance.NON_COMPLIANT;
    return res.type === 'AWS::EC2::EIP' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NOT_APPLICABLE;
  },
  'name',
  { value: parse(__filename).name },
);

const COUNTED_TYPES = new Set([
  'AWS::EC2::EIP',
  'AWS::EC2::NatGateway',
  'AWS::ElasticLoadBalancingV2::LoadBalancer',
  'AWS::EC2::EIPAssociation',
]);

/** The resources that bring the stack's Elastic IP count beyond the quota. */
function eipsOverQuota(index: StackIndex): Set<IndexedResource> {
  const counted: IndexedResource[] = [];
  const seen = new Set<string>();
  for (const res of index.resources) {
    if (res.type === 'AWS::EC2::EIP') {
      counted.push(res);
      continue;
    }
    for (const allocation of allocationIds(res)) {
      const target = index.target(allocation);
      if (target && target.type === 'AWS::EC2::EIP') continue; // counted as the EIP itself
      const key = JSON.stringify(allocation);
      if (seen.has(key)) continue;
      seen.add(key);
      counted.push(res);
    }
  }
  return new Set(counted.slice(DEFAULT_ELASTIC_IP_QUOTA));
}

function allocationIds(res: IndexedResource): unknown[] {
  const p = res.props;
  switch (res.type) {
    case 'AWS::EC2::NatGateway': {
      // A regional NAT gateway names its addresses per AZ (AvailabilityZoneAddresses[].AllocationIds).
      const perAz = (Array.isArray(p.AvailabilityZoneAddresses) ? p.AvailabilityZoneAddresses : [])
        .flatMap((a: { AllocationIds?: unknown }) => (Array.isArray(a?.AllocationIds) ? a.AllocationIds : []));
      return [p.AllocationId, ...(Array.isArray(p.SecondaryAllocationIds) ? p.SecondaryAllocationIds : []), ...perAz].filter((a) => a !== undefined);
    }
    case 'AWS::ElasticLoadBalancingV2::LoadBalancer':
      return (Array.isArray(p.SubnetMappings) ? p.SubnetMappings : [])
        .map((m: { AllocationId?: unknown }) => m?.AllocationId)
        .filter((a: unknown) => a !== undefined);
    case 'AWS::EC2::EIPAssociation':
      return p.AllocationId === undefined ? [] : [p.AllocationId];
    default:
      return [];
  }
}
