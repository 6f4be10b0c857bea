import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { StackIndex, unresolvedError } from './stack-index';
import { AddressRange, coversFamily } from '../../model/addresses';

/** A TCP or UDP port checked against the world. */
export interface CheckedPort {
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
  readonly name: string;
}

/**
 * Whether the security group rules held by `ownerId` (a group's inline rules, or one standalone
 * ingress rule) take part in opening one of `ports` to every address of a family: the union of
 * the CIDRs of the group's ingress rules that admit the port covers `0.0.0.0/0` or `::/0`
 * (`0.0.0.0/1` and `128.0.0.0/1` together are the world too). Rules of the group held by other
 * resources count towards the union. Ports read from a database's endpoint resolve to the
 * engine's port. Throws the pack's "could not be validated" error when an unresolved CIDR or port
 * of one of the owner's rules could complete the union.
 */
export function opensToWorld(index: StackIndex, ownerId: string, ports: readonly CheckedPort[]): CheckedPort | undefined {
  const model = index.model;
  for (const sg of model.sgs.values()) {
    if (!sg.ingress.some((r) => r.owner === ownerId)) continue;
    for (const p of ports) {
      const protocol = p.protocol === 'tcp' ? 6 : 17;
      for (const family of [4, 6] as const) {
        const ranges: AddressRange[] = [];
        const owners = new Set<string>();
        const unresolved: string[] = [];
        for (const rule of sg.ingress) {
          if (rule.protocol !== -1 && rule.protocol !== protocol) continue;
          if (rule.unknown) {
            if (rule.owner === ownerId && (rule.peer.kind !== 'cidr' || rule.peer.range.family === family)) unresolved.push(`The ${rule.unknown} of an ingress rule`);
            continue;
          }
          if (rule.p0 > p.port || rule.p1 < p.port) continue;
          if (rule.peer.kind === 'cidr') {
            if (rule.peer.range.family !== family) continue;
            ranges.push(rule.peer.range);
            owners.add(rule.owner);
          } else if (rule.peer.kind === 'unknown' && rule.owner === ownerId && !/security group|prefix list/.test(rule.peer.reason)) {
            unresolved.push(`The CIDR of an ingress rule admitting ${p.name} ${p.protocol} ${p.port}`);
          }
        }
        if (coversFamily(ranges, family)) {
          if (owners.has(ownerId)) return p;
          continue;
        }
        if (unresolved.length > 0) throw unresolvedError(unresolved[0]);
      }
    }
  }
  return undefined;
}

/**
 * The rule that security groups do not open any of `ports` to every address, in cdk-nag's shape
 * (named `name`): applicable to groups and standalone ingress rules, non-compliant when
 * `opensToWorld` finds one of the ports open to the world with the resource's rules taking part.
 */
export function worldOpenPortsRule(name: string, ports: readonly CheckedPort[]): (node: CfnResource) => NagRuleResult {
  return Object.defineProperty(
    (node: CfnResource): NagRuleResult => {
      const holder = StackIndex.ofIngressHolder(node);
      if (!holder) return NagRuleCompliance.NOT_APPLICABLE;
      return opensToWorld(holder.index, holder.id, ports) ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
    },
    'name',
    { value: name },
  );
}
