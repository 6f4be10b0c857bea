import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { AddressRange, subtractRanges, wholeFamily } from '../../model/addresses';
import { LBox, addressesAdmittingAll } from '../../model/boxes-exact';
import { entryShare, firstMatch } from '../../model/nacl';
import { NaclEntryModel } from '../../model/template-model';
import { isReadable, modelEntry } from '../private/nacl-entries';
import { CLIENT_EPHEMERAL, isReturnRange } from '../private/ports';
import { StackIndex, unresolvedError } from '../private/stack-index';

/**
 * NACL service entries have their return traffic: NACLs are stateless, so an allow entry that
 * admits a service port (inbound) needs an outbound allow for the client's ephemeral range back
 * to the same peer, and an outbound service entry needs the inbound return range from its peer
 * (see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html).
 *
 * The return range checked is the WHOLE client range 1024-65535 (TCP or UDP, as the service
 * entry): NAT gateways, Elastic Load Balancing and Lambda use all of it (see https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html).
 * Both directions are evaluated in rule-number order, first match wins (the network model's
 * first-match evaluator, the one the reachability analyzer uses), so a lower-numbered deny that
 * cuts into the return range makes the entry non-compliant. A peer known only at deploy time (a
 * parameter, an import) is answered by an entry naming the same value or by 0.0.0.0/0 (::/0);
 * compared with any other CIDR, the rule can't be validated.
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
    const found = modelEntry(index, index.modelId(res));
    if (!found || !isReadable(found.entry)) throw unresolvedError('The rule number, protocol, action or port range of the NACL entry');
    const { acl, entry } = found;
    if (!isServiceEntry(entry)) return NagRuleCompliance.NOT_APPLICABLE;

    // The peers the entry admits (its own block when its CIDR is a deploy-time value): at least and at most.
    const family = entry.ipv6 ? 6 : 4;
    const domain = [entry.symbol ?? wholeFamily(family)];
    const addresses = (boxes: LBox[]): AddressRange[] => boxes.map((b) => ({ family, lo: b.lo, hi: b.hi }));
    const least = addresses(entryShare(acl, entry, entry.protocol, 'min', domain));
    const most = addresses(entryShare(acl, entry, entry.protocol, 'max', domain));
    if (most.length === 0) return NagRuleCompliance.COMPLIANT;

    // The peers to (or from) which the other direction passes every port of the client range: surely and at most.
    const back = (mode: 'lower' | 'upper') => addresses(addressesAdmittingAll(
      firstMatch(acl, !entry.egress, family, entry.protocol, mode, (e) => e.id, domain).boxes, CLIENT_EPHEMERAL.from, CLIENT_EPHEMERAL.to));
    if (subtractRanges(least, back('upper')).length > 0) return NagRuleCompliance.NON_COMPLIANT;
    if (subtractRanges(most, back('lower')).length === 0) return NagRuleCompliance.COMPLIANT;
    throw unresolvedError(`A CIDR or rule of the NACL's ${entry.egress ? 'inbound' : 'outbound'} entries`);
  },
  'name',
  { value: parse(__filename).name },
);

/** A TCP/UDP allow entry that is not a return range (see the rule's doc comment). */
function isServiceEntry(e: NaclEntryModel): boolean {
  if (!e.allow || (e.protocol !== 6 && e.protocol !== 17)) return false;
  return !isReturnRange(e.p0, e.p1);
}
