import { wholeFamily } from './addresses';
import { LBox, fullBox } from './boxes-exact';
import { EvaluationMode, FirstMatchResult, firstMatch } from './nacl';
import { NaclModel, NodeModel, SubnetModel, TemplateModel, displayPath } from './template-model';

/** A layer the exact evaluator can be asked to leave out (to find what one layer alone stops). */
export type LayerName = 'security groups' | 'NACLs' | 'routing' | 'listeners';

/** How a layer is evaluated: the bound taken for unresolved values, a layer left out, and the unresolved values met. */
export interface LayerCtx {
  readonly mode: EvaluationMode;
  readonly ignore?: LayerName;
  readonly unknown: Set<string>;
}

/** How NACL boxes are labelled: `full` names the NACL, the direction and the rule; `rule` only the rule number. */
export type NaclLabels = 'full' | 'rule';

/**
 * The layers of the network model as (peer address x port) box sets: a subnet's NACL (the one
 * first-match evaluator, `firstMatch`) and a node's security groups. Both the exact open-set
 * evaluator and the per-path explainer behind `canReach` read the layers here, so they cannot
 * disagree on what a rule admits.
 */
export class NetworkLayers {
  private readonly cache = new Map<string, FirstMatchResult>();

  constructor(public readonly model: TemplateModel) {}

  /** The NACL of a subnet: its association, else its VPC's default NACL; undefined when the VPC is unknown. */
  public naclOf(sub: SubnetModel): NaclModel | { unknown: string } | undefined {
    if (sub.naclUnknown) return { unknown: sub.naclUnknown };
    if (sub.nacl) return this.model.nacls.get(sub.nacl);
    // No association: the VPC's default NACL, which allows everything unless the template adds entries to it.
    return sub.vpc ? this.model.defaultNacls.get(sub.vpc) : undefined;
  }

  /** One direction of a NACL for one protocol and family, first match by rule number (cached). */
  public nacl(acl: NaclModel, egress: boolean, family: 4 | 6, protocol: number, mode: EvaluationMode, labels: NaclLabels = 'full'): FirstMatchResult {
    const key = `${acl.id}|${egress}|${family}|${protocol}|${mode}|${labels}`;
    let r = this.cache.get(key);
    if (!r) {
      const dir = egress ? 'outbound' : 'inbound';
      r = firstMatch(acl, egress, family, protocol, mode,
        labels === 'full' ? (e) => `NACL ${displayPath(acl.display)} ${dir} rule ${e.ruleNumber}` : (e) => `rule ${e.ruleNumber}`);
      this.cache.set(key, r);
    }
    return r;
  }

  /**
   * What a node's security groups admit in one direction, over (peer address x port): the union
   * of their rules for the protocol and family. A rule naming a group admits `peer` when `peer`
   * is in that group. A group without egress rules allows all outbound traffic of both families.
   */
  public sgSet(node: NodeModel, dir: 'ingress' | 'egress', family: 4 | 6, protocol: number, peer: NodeModel | undefined, ctx: LayerCtx): LBox[] {
    const all = fullBox(wholeFamily(family));
    if (ctx.ignore === 'security groups') return [all];
    if (node.sgMode === 'none') return [{ ...all, why: [`${node.display} has no security group`] }];
    const out: LBox[] = [];
    const unknown = (why: string, box?: LBox) => {
      ctx.unknown.add(why);
      if (ctx.mode === 'upper') out.push(box ?? all);
    };
    if (node.sgsUnknown) unknown(node.sgsUnknown);
    for (const key of node.sgs) {
      const sg = this.model.sgs.get(key);
      if (key.startsWith('lit:')) unknown(`security group ${key.slice(4)} is not defined in the analyzed template(s), so its rules are unknown`);
      if (!sg) continue;
      const rules = dir === 'egress' ? sg.egress : sg.ingress;
      if (dir === 'egress' && rules.length === 0 && !key.startsWith('lit:')) {
        // No egress rule at all: EC2 adds its default rules, which allow all outbound IPv4 and IPv6
        // traffic (AWS::EC2::SecurityGroup reference: "if you do not add egress rules, we add egress
        // rules that allow all outbound IPv4 and IPv6 traffic").
        out.push({ ...all, why: [`security group ${sg.display} default egress (all ${family === 4 ? 'IPv4' : 'IPv6'} traffic)`] });
        continue;
      }
      for (const rule of rules) {
        if (rule.placeholder) continue;
        if (rule.protocol !== -1 && rule.protocol !== protocol) continue;
        const why = [`security group ${sg.display} ${rule.text}`];
        if (rule.unknown) {
          unknown(`a ${dir} rule of ${sg.display} has ${rule.unknown}`);
          continue;
        }
        if (rule.peer.kind === 'cidr') {
          if (rule.peer.range.family !== family) continue;
          out.push({ lo: rule.peer.range.lo, hi: rule.peer.range.hi, p0: rule.p0, p1: rule.p1, why });
        } else if (rule.peer.kind === 'sg') {
          if (!peer || peer.sgMode === 'none' || !peer.sgs.includes(rule.peer.key)) continue;
          out.push({ ...all, p0: rule.p0, p1: rule.p1, why });
        } else {
          unknown(`a ${dir} rule of ${sg.display} names ${rule.peer.reason}`, { ...all, p0: rule.p0, p1: rule.p1, why });
        }
      }
    }
    return out;
  }
}
