import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { AddressRange, coversFamily, isWholeFamily } from '../../model/addresses';
import { LBox } from '../../model/boxes-exact';
import { entryShare, firstMatch } from '../../model/nacl';
import { isReadable, modelEntry } from '../private/nacl-entries';
import { ADMIN_PORTS, isReturnRange } from '../private/ports';
import { StackIndex, unresolvedError } from '../private/stack-index';

/**
 * NACL inbound allow entries do not admit SSH (TCP and UDP 22) or RDP (TCP and UDP 3389) from
 * 0.0.0.0/0 or ::/0 (AWS Config `nacl-no-unrestricted-ssh-rdp`, Security Hub EC2.21), alone or
 * together with other allow entries that, first match by rule number, admit every address
 * (`0.0.0.0/1` plus `128.0.0.0/1` is the whole internet too).
 * Service entries, ranges starting below 1024 and all-traffic entries that cover these ports count.
 * A return range (within 1024-65535, spanning 1000 ports or more, e.g. 1024-65535) is exempt
 * although it covers 3389: AWS's recommended public-subnet rules admit it from 0.0.0.0/0, a deny for 3389 before it would drop the return traffic of NAT gateway, ELB and
 * Lambda clients whose source port happens to be 3389 (NetworkPatterns-NACL2), and the stateful
 * layer still refuses RDP from anywhere (NetworkPatterns-SG1). Entries are evaluated in
 * rule-number order, first match wins (the network model's first-match evaluator, the one the
 * reachability analyzer uses): an allow entry whose SSH/RDP traffic from anywhere is already
 * decided by a lower-numbered entry is compliant. An entry whose CIDR is known only at deploy
 * time (a parameter, an import) and that could complete the world can't be validated.
 * @see https://docs.aws.amazon.com/config/latest/developerguide/nacl-no-unrestricted-ssh-rdp.html
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    if (node.cfnResourceType !== 'AWS::EC2::NetworkAclEntry') return NagRuleCompliance.NOT_APPLICABLE;
    const index = StackIndex.of(node);
    const res = index.get(node);
    if (!res) return NagRuleCompliance.NOT_APPLICABLE;
    const found = modelEntry(index, index.modelId(res));
    if (!found || !isReadable(found.entry)) {
      if (res.props.Egress === true || res.props.Egress === 'true') return NagRuleCompliance.NOT_APPLICABLE;
      throw unresolvedError('The rule number, protocol, action or port range of the NACL entry');
    }
    const { acl, entry } = found;
    if (entry.egress) return NagRuleCompliance.NOT_APPLICABLE;
    if (!entry.allow) return NagRuleCompliance.COMPLIANT;
    if (entry.protocol !== -1 && isReturnRange(entry.p0, entry.p1)) return NagRuleCompliance.COMPLIANT;
    const family = entry.ipv6 ? 6 : 4;
    const exempt = new Set(acl.entries.filter((e) => e.protocol !== -1 && isReturnRange(e.p0, e.p1)).map((e) => e.id));
    const onPort = (boxes: LBox[], port: number) => boxes.filter((b) => b.p0 <= port && port <= b.p1);
    const world = (boxes: LBox[]) =>
      coversFamily(boxes.filter((b) => !exempt.has(b.why[0])).map((b): AddressRange => ({ family, lo: b.lo, hi: b.hi })), family);
    let undecided = false;
    for (const admin of ADMIN_PORTS) {
      const protocol = admin.protocol === 'tcp' ? 6 : 17;
      if (entry.protocol !== -1 && entry.protocol !== protocol) continue;
      if (admin.port < entry.p0 || admin.port > entry.p1) continue;
      // What the entry surely and at most admits on the port, and what all allow entries together surely and at most admit.
      const least = onPort(entryShare(acl, entry, protocol, 'min'), admin.port);
      const most = onPort(entryShare(acl, entry, protocol, 'max'), admin.port);
      const surely = onPort(firstMatch(acl, false, family, protocol, 'lower', (e) => e.id).boxes, admin.port);
      const maybe = onPort(firstMatch(acl, false, family, protocol, 'upper', (e) => e.id).boxes, admin.port);
      const whole = entry.cidr !== undefined && isWholeFamily(entry.cidr);
      if (least.length > 0 && (whole || world(surely))) return NagRuleCompliance.NON_COMPLIANT;
      if (most.length > 0 && (whole || entry.symbol !== undefined || world(maybe))) undecided = true;
    }
    if (undecided) throw unresolvedError('The CIDR of the NACL entry or of a lower-numbered entry');
    return NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: parse(__filename).name },
);
