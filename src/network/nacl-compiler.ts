import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { Tier } from './tier';
import { ErrorCode, propError } from '../private/errors';
import { NaclLeg } from '../private/flow-compile';
import { describePort } from '../private/port-spec';

/** Entries per direction per NACL: AWS's default quota (adjustable to 40; https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html). */
export const NACL_ENTRY_QUOTA = 20;
/** Rule numbers go in steps of 100, leaving room for hand insertions (a common convention for NACL numbering). */
export const RULE_NUMBER_STEP = 100;

interface CompiledEntry {
  readonly key: string;
  readonly ruleNumber: number;
  readonly flows: string[];
}

/**
 * Turns flow legs into NACL allow entries: identical entries are merged, numbers go up in steps
 * of 100 in declaration order (a new flow never renumbers an existing entry), and more than
 * `NACL_ENTRY_QUOTA` entries in one direction of one NACL is a synth-time error naming the flows.
 */
export class NaclCompiler {
  private readonly entries = new Map<string, CompiledEntry[]>();

  constructor(private readonly scope: IConstruct, private readonly acls: Record<Tier, ec2.NetworkAcl>) {}

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
    if (list.length >= NACL_ENTRY_QUOTA) {
      const flows = [...new Set([...list.flatMap((e) => e.flows), flow])];
      throw propError(this.scope, `addFlow(${flow})`, `${direction} ${describePort(port)} ${cidr}`,
        `would be entry ${list.length + 1} in the ${direction === 'ingress' ? 'inbound' : 'outbound'} side of the ${tier} tier's NACL, over the quota of ${NACL_ENTRY_QUOTA}`,
        `Merge these flows into port ranges or fewer peer CIDRs (the limit is AWS's default quota of ${NACL_ENTRY_QUOTA} entries per direction, ` +
        `https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html). Flows involved: ${flows.join('; ')}.`, ErrorCode.FLOW_NACL_QUOTA);
    }
    const ruleNumber = (list.length + 1) * RULE_NUMBER_STEP;
    list.push({ key, ruleNumber, flows: [flow] });
    const id = `${direction === 'ingress' ? 'In' : 'Out'}-${key.replace(/[^A-Za-z0-9-]/g, '_')}`;
    this.acls[tier].addEntry(id, {
      ruleNumber,
      cidr: leg.family === 'ipv4' ? ec2.AclCidr.ipv4(cidr) : ec2.AclCidr.ipv6(cidr),
      traffic: port.protocol === 'tcp'
        ? ec2.AclTraffic.tcpPortRange(port.from, port.to)
        : ec2.AclTraffic.udpPortRange(port.from, port.to),
      direction: direction === 'ingress' ? ec2.TrafficDirection.INGRESS : ec2.TrafficDirection.EGRESS,
      ruleAction: ec2.Action.ALLOW,
    });
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
