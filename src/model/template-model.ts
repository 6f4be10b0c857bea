import { StackInput } from './model-types';
import { Workloads } from './workloads';

export * from './model-types';

/**
 * A network model read from one or more synthesized CloudFormation templates: VPCs, subnets,
 * route tables, NACLs, security groups, NAT gateways, and the nodes that sit in subnets with
 * security groups. Shared by the reachability analyzer and the rule pack; it never calls the flow
 * compiler. Every value is resolved to a logical id (or to a literal), and whatever can't be
 * resolved is kept as an "unknown" reason, never guessed.
 *
 * Read in three layers, one file each: intrinsic functions (`intrinsics.ts`), the network
 * resources (`network-resources.ts`) and the workloads that sit in them (`workloads.ts`).
 */
export class TemplateModel extends Workloads {
  constructor(inputs: StackInput[]) {
    super(inputs);
    this.buildNetwork();
    this.buildNodes();
  }
}
