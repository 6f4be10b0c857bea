import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { aclEntries, AclEntry, Box, CLIENT_EPHEMERAL, evaluate, fullyAllowed, groupKey, isReturnRange, TCP, UDP } from '../private/nacl';
import { StackIndex, unresolvedError } from '../private/stack-index';

/** A return range lies within 1024-65535 and spans at least this many ports. */

/**
 * NACL service entries have their return traffic: NACLs are stateless, so an allow entry that
 * admits a service port (inbound) needs an outbound allow for the client's ephemeral range back
 * to the same peer, and an outbound service entry needs the inbound return range from its peer
 * (see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html).
 *
 * The return range checked is the WHOLE client range 1024-65535 (TCP or UDP, as the service
 * entry): NAT gateways, Elastic Load Balancing and Lambda use all of it (see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html).
 * Both directions are evaluated in rule-number order, first match wins, so a lower-numbered deny
 * that cuts into the return range makes the entry non-compliant.
 *
 * Service entry or return entry (the heuristic): a TCP/UDP allow entry whose port range lies
 * within 1024-65535 and spans 1000 ports or more is a return entry and is not checked itself;
 * every other TCP/UDP allow entry (single ports, small ranges, ranges reaching below 1024) is a
 * service entry. All-traffic and ICMP entries are neither, but count when checking coverage.
 * A service entry fully shadowed by lower-numbered entries admits nothing and is compliant.
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
    if (!entry) throw unresolvedError('The rule number, protocol, action or port range of the NACL entry');
    if (!isServiceEntry(entry)) return NagRuleCompliance.NOT_APPLICABLE;

    // What the entry admits: its own region less what lower-numbered entries already decided.
    const same = acl.groups.get(groupKey(entry.aclKey, entry.egress)) ?? [];
    const admitted = evaluate(same, entry.protocol, { peer: entry.peer, ports: entry.ports }, entry.ruleNumber).undecided;
    if (admitted.length === 0) return NagRuleCompliance.COMPLIANT;

    // The return traffic: the whole client ephemeral range, to (or from) every peer admitted.
    const returnGroup = groupKey(entry.aclKey, !entry.egress);
    const opposite = acl.groups.get(returnGroup) ?? [];
    const seen = new Set<string>();
    let unknown = false;
    for (const b of admitted) {
      const peerKey = JSON.stringify(b.peer, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
      if (seen.has(peerKey)) continue;
      seen.add(peerKey);
      const ret: Box = { peer: b.peer, ports: CLIENT_EPHEMERAL };
      const covered = fullyAllowed(opposite, entry.protocol, ret);
      if (covered === false && !acl.unresolved.has(returnGroup)) return NagRuleCompliance.NON_COMPLIANT;
      if (covered !== true) unknown = true;
    }
    if (unknown) throw unresolvedError(`A CIDR or rule of the NACL's ${entry.egress ? 'inbound' : 'outbound'} entries`);
    return NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: parse(__filename).name },
);

/** A TCP/UDP allow entry that is not a return range (see the rule's doc comment). */
function isServiceEntry(e: AclEntry): boolean {
  if (!e.allow || (e.protocol !== TCP && e.protocol !== UDP)) return false;
  return !isReturnRange(e.ports);
}
