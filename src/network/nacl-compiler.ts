import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { Tier } from './tier';
import { ErrorCode, propError } from '../private/errors';
import { NaclLeg } from '../private/flow-compile';
import { describePort } from '../private/port-spec';

/**
 * Rules per direction per NACL and per address family: AWS's default quota, 20 (adjustable to
 * 40). AWS counts IPv4 and IPv6 rules separately, and counts the family's default deny rule (`*`,
 * rule 32767 for IPv4, 32768 for IPv6) among the 20.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-nacls
 */
export const NACL_RULE_QUOTA = 20;
/** The entries the library may add per direction and family: the quota less the default deny rule. */
export const NACL_ENTRY_QUOTA = NACL_RULE_QUOTA - 1;
/** Rule numbers go in steps of 100, leaving room for hand insertions (a common convention for NACL numbering). */
export const RULE_NUMBER_STEP = 100;

interface CompiledEntry {
  readonly key: string;
  readonly family: NaclLeg['family'];
  readonly ruleNumber: number;
  readonly flows: string[];
}

/**
 * Turns flow legs into NACL allow entries: identical entries are merged, numbers go up in steps
 * of 100 in declaration order (a new flow never renumbers an existing entry; IPv4 and IPv6 entries
 * share one sequence, as a rule number is unique in a direction of a NACL), and more than
 * `NACL_ENTRY_QUOTA` entries of one family in one direction of one NACL is a synth-time error
 * naming the flows.
 */
export class NaclCompiler {
  private readonly entries = new Map<string, CompiledEntry[]>();
  /** Stable names for blocks known only at deploy time (a tier's IPv6 block): construct ids derive from them, never from a token. */
  private readonly blockNames = new Map<string, string>();

  /**
   * @param ipv6Block the VPC's IPv6 block association, in a dual-stack VPC: IPv6 entries name
   * blocks derived from it, so they wait for it.
   */
  constructor(private readonly scope: IConstruct, private readonly acls: Record<Tier, ec2.NetworkAcl>, private readonly ipv6Block?: IConstruct) {}

  /** Names a block that is a token (e.g. `app-tier-ipv6`), so that the ids of its entries are stable across syntheses. */
  public nameBlock(cidr: string, name: string): void {
    this.blockNames.set(cidr, name);
  }

  public add(leg: NaclLeg, flow: string): void {
    const { tier, direction, port, cidr } = leg;
    const list = this.list(tier, direction);
    // The IPv4 key stays as it was (construct ids derive from it); other families will be prefixed.
    const key = `${leg.family === 'ipv4' ? '' : `${leg.family}-`}${port.protocol}-${port.from}-${port.to}-${cidr}`;
    const existing = list.find((e) => e.key === key);
    if (existing) {
      if (!existing.flows.includes(flow)) existing.flows.push(flow);
      return;
    }
    const sameFamily = list.filter((e) => e.family === leg.family);
    if (sameFamily.length >= NACL_ENTRY_QUOTA) {
      const flows = [...new Set([...sameFamily.flatMap((e) => e.flows), flow])];
      const family = leg.family === 'ipv4' ? 'IPv4' : 'IPv6';
      throw propError(this.scope, `addFlow(${flow})`, `${direction} ${describePort(port)} ${Token.isUnresolved(cidr) ? `the ${family} block of a tier` : cidr}`,
        `would be ${family} entry ${sameFamily.length + 1} in the ${direction === 'ingress' ? 'inbound' : 'outbound'} side of the ${tier} tier's NACL, over the quota of ${NACL_ENTRY_QUOTA}`,
        `Merge these flows into port ranges or fewer peer CIDRs: AWS's default quota is ${NACL_RULE_QUOTA} rules per direction and address family, ` +
        'the family\'s default deny rule included (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-nacls), ' +
        `which leaves ${NACL_ENTRY_QUOTA}. Flows involved: ${flows.join('; ')}.`, ErrorCode.FLOW_NACL_QUOTA);
    }
    const ruleNumber = (list.length + 1) * RULE_NUMBER_STEP;
    list.push({ key, family: leg.family, ruleNumber, flows: [flow] });
    // A token's text changes with the order tokens are created in: the id names the block instead.
    const blockName = this.blockNames.get(cidr) ?? cidr;
    const idKey = `${leg.family === 'ipv4' ? '' : `${leg.family}-`}${port.protocol}-${port.from}-${port.to}-${blockName}`;
    const id = `${direction === 'ingress' ? 'In' : 'Out'}-${idKey.replace(/[^A-Za-z0-9-]/g, '_')}`;
    const entry = this.acls[tier].addEntry(id, {
      ruleNumber,
      cidr: leg.family === 'ipv4' ? ec2.AclCidr.ipv4(cidr) : ec2.AclCidr.ipv6(cidr),
      traffic: port.protocol === 'tcp'
        ? ec2.AclTraffic.tcpPortRange(port.from, port.to)
        : ec2.AclTraffic.udpPortRange(port.from, port.to),
      direction: direction === 'ingress' ? ec2.TrafficDirection.INGRESS : ec2.TrafficDirection.EGRESS,
      ruleAction: ec2.Action.ALLOW,
    });
    if (leg.family === 'ipv6' && this.ipv6Block) entry.node.addDependency(this.ipv6Block);
  }

  private list(tier: Tier, direction: NaclLeg['direction']): CompiledEntry[] {
    const k = `${tier}/${direction}`;
    let list = this.entries.get(k);
    if (!list) {
      list = [];
      this.entries.set(k, list);
    }
    return list;
  }
}
