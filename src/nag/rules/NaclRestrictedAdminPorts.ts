import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isWholeFamily, wholeFamily } from '../../model/addresses';
import { aclEntries, evaluate, groupKey, isReturnRange, splitBox, TCP, UDP } from '../private/nacl';
import { ADMIN_PORTS } from '../private/ports';
import { StackIndex, unresolvedError } from '../private/stack-index';

/**
 * NACL inbound allow entries do not admit SSH (TCP 22) or RDP (TCP and UDP 3389) from 0.0.0.0/0
 * or ::/0 (see https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html).
 * Service entries, ranges starting below 1024 and all-traffic entries that cover these ports count.
 * A return range (within 1024-65535, spanning 1000 ports or more, e.g. 1024-65535) is exempt
 * although it covers 3389: AWS's recommended public-subnet rule set admits it from
 * 0.0.0.0/0, a deny for 3389 before it would drop the return traffic of NAT gateway, ELB and
 * Lambda clients whose source port happens to be 3389 (NetworkPatterns-NACL2), and the stateful
 * layer still refuses RDP from anywhere (NetworkPatterns-SG1). Entries are evaluated in
 * rule-number order, first match wins: an allow entry whose SSH/RDP traffic from anywhere is
 * already decided by a lower-numbered entry is compliant.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    if (node.cfnResourceType !== 'AWS::EC2::NetworkAclEntry') return NagRuleCompliance.NOT_APPLICABLE;
    const index = StackIndex.of(node);
    const res = index.get(node);
    if (!res) return NagRuleCompliance.NOT_APPLICABLE;
    const acl = aclEntries(index);
    const entry = acl.byResource.get(res);
    if (!entry) {
      if (res.props.Egress === true || res.props.Egress === 'true') return NagRuleCompliance.NOT_APPLICABLE;
      throw unresolvedError('The rule number, protocol, action, CIDR or port range of the NACL entry');
    }
    if (entry.egress) return NagRuleCompliance.NOT_APPLICABLE;
    if (!entry.allow) return NagRuleCompliance.COMPLIANT;
    if (entry.protocol !== -1 && isReturnRange(entry.ports)) return NagRuleCompliance.COMPLIANT;
    if (entry.peer.kind !== 'range' || !isWholeFamily(entry.peer.range)) return NagRuleCompliance.COMPLIANT;
    const family = entry.peer.range.family;
    const siblings = acl.groups.get(groupKey(entry.aclKey, false)) ?? [];
    for (const admin of ADMIN_PORTS) {
      const protocol = admin.protocol === 'tcp' ? TCP : UDP;
      if (entry.protocol !== protocol && entry.protocol !== -1) continue;
      if (admin.port < entry.ports[0] || admin.port > entry.ports[1]) continue;
      // What reaches this entry: SSH/RDP from anywhere that no lower-numbered entry decided.
      const fromAnywhere = { peer: { kind: 'range', range: wholeFamily(family) } as const, ports: [admin.port, admin.port] as const };
      const before = evaluate(siblings, protocol, fromAnywhere, entry.ruleNumber);
      const reaches = before.undecided.some((b) => {
        const split = splitBox(b, { peer: entry.peer, ports: entry.ports });
        return split !== 'unknown' && split.inside.length > 0;
      });
      if (reaches) {
        if (before.unknown.some((e) => !e.allow)) {
          throw unresolvedError('The CIDR of a lower-numbered deny entry of the NACL');
        }
        return NagRuleCompliance.NON_COMPLIANT;
      }
    }
    return NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: parse(__filename).name },
);
