/**
 * The network to rebuild in Linux namespaces, as plain data: VPCs, subnets with their route
 * table and NACL, security groups, nodes (one ENI per subnet they sit in), NAT gateways, load
 * balancer listeners with their targets, and the declared flows. Built from templates by
 * `topology-from-templates.ts`; everything else in the emulator reads only these types.
 */

/** An IPv4 CIDR as text and as a first/last address pair. */
export interface Cidr {
  readonly cidr: string;
  readonly first: number;
  readonly last: number;
  readonly prefix: number;
}

export interface EmuVpc {
  readonly id: string;
  readonly name: string;
  readonly cidrs: Cidr[];
}

/** A route of a subnet's route table (IPv4, destination outside the VPC). */
export interface EmuRoute {
  readonly dest: Cidr;
  /** `igw`: an internet gateway; `nat`: a NAT gateway (its id in `nat`); anything else is dropped. */
  readonly target: 'igw' | 'nat' | 'other';
  readonly nat?: string;
  readonly text: string;
  /** Why the emulation cannot carry what this route carries (it is dropped instead). */
  readonly notEmulated?: string;
}

export interface EmuSubnet {
  readonly id: string;
  readonly name: string;
  readonly vpc: string;
  readonly cidr: Cidr;
  /** Routes other than the VPC's local routes; empty for a subnet on the VPC's main route table. */
  readonly routes: EmuRoute[];
  /** The NACL's id. */
  readonly nacl: string;
}

export interface EmuNaclEntry {
  readonly ruleNumber: number;
  readonly egress: boolean;
  /** -1 for every protocol, else the IP protocol number. */
  readonly protocol: number;
  readonly p0: number;
  readonly p1: number;
  readonly cidr: Cidr;
  readonly allow: boolean;
}

export interface EmuNacl {
  readonly id: string;
  readonly name: string;
  /** IPv4 entries, by rule number. */
  readonly entries: EmuNaclEntry[];
}

export interface EmuSgRule {
  /** -1 for every protocol, else the IP protocol number. */
  readonly protocol: number;
  readonly p0: number;
  readonly p1: number;
  /** The peer: a CIDR, or the id of a security group (its members' addresses). */
  readonly cidr?: Cidr;
  readonly group?: string;
}

export interface EmuSecurityGroup {
  readonly id: string;
  readonly name: string;
  readonly ingress: EmuSgRule[];
  /** Undefined: no egress rule at all, so EC2's default allow-all outbound rule stays. */
  readonly egress?: EmuSgRule[];
}

export interface EmuListener {
  /** 6 (TCP) or 17 (UDP). */
  readonly protocol: number;
  readonly port: number;
  readonly targets: EmuTarget[];
  /** NLB: the target sees the client's address (DNAT); otherwise the load balancer opens a new connection from its own address. */
  readonly preserveClientIp: boolean;
}

export interface EmuTarget {
  readonly node: string;
  /** 0 for a dynamic host port (an ECS task in bridge mode): the declared flow to the target says which. */
  readonly port: number;
}

export interface EmuNode {
  readonly id: string;
  readonly name: string;
  /** The construct path (or logical id) flows and the analyzer name it by. */
  readonly path: string;
  readonly kind: string;
  readonly subnets: string[];
  /** Undefined: no security group layer (an NLB without security groups, a host standing for a subnet). */
  readonly securityGroups?: string[];
  readonly publicIp: boolean;
  /** The ephemeral range it opens connections from. */
  readonly clientRange: { readonly from: number; readonly to: number; readonly label: string };
  readonly initiates: boolean;
  readonly acceptsInbound: boolean;
  /** Load balancers only. */
  readonly listeners?: EmuListener[];
  readonly network?: 'network' | 'application';
}

export interface EmuNat {
  readonly id: string;
  readonly name: string;
  readonly subnet: string;
}

/** One end of a declared flow. */
export type EmuEnd =
  | { readonly kind: 'internet'; readonly cidrs: Cidr[]; readonly name: string }
  | { readonly kind: 'nodes'; readonly nodes: string[]; readonly name: string; readonly paths: string[] }
  | { readonly kind: 'unknown'; readonly reason: string; readonly name: string };

export interface EmuFlow {
  readonly description: string;
  readonly from: EmuEnd;
  readonly to: EmuEnd;
  /** 6 (TCP) or 17 (UDP). */
  readonly protocol: number;
  readonly fromPort: number;
  readonly toPort: number;
  /** internet -> a tier without a workload end: clients relayed with their own address by a load balancer. */
  readonly relayed: boolean;
  /** The VPC construct that declared it. */
  readonly vpc: string;
}

export interface EmuTopology {
  readonly vpcs: EmuVpc[];
  readonly subnets: EmuSubnet[];
  readonly nacls: EmuNacl[];
  readonly securityGroups: EmuSecurityGroup[];
  readonly nodes: EmuNode[];
  readonly nats: EmuNat[];
  readonly flows: EmuFlow[];
  /** What the template holds that the emulation leaves out, and why. */
  readonly skipped: string[];
}
