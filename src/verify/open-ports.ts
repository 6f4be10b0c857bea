/** An IP address family. */
export enum AddressFamily {
  /** IPv4. */
  IPV4 = 'IPv4',
  /** IPv6. */
  IPV6 = 'IPv6',
}

/**
 * A range of ports open from one end to another: every port of it passes every layer (routes,
 * security groups, NACLs both ways with the client's whole ephemeral return range, listeners)
 * for some address of each end.
 */
export interface OpenPortRange {
  /** `tcp` or `udp`. */
  readonly protocol: string;
  /** The address family of the traffic. */
  readonly family: AddressFamily;
  /** The first open port. */
  readonly fromPort: number;
  /** The last open port. */
  readonly toPort: number;
  /**
   * False when the range is open only if values the template doesn't resolve (parameters,
   * imports, prefix lists, groups defined elsewhere) allow it; `admittedBy` then ends with the
   * `unknown: ...` reasons.
   */
  readonly certain: boolean;
  /** The rules that admit the range: security group rules, NACL entries, routes, listeners. */
  readonly admittedBy: string[];
}

/** The open ports between two ends. */
export interface OpenPortsEntry {
  /** The source's name. */
  readonly from: string;
  /** The destination's name. */
  readonly to: string;
  /** Every open range, TCP then UDP, IPv4 then IPv6. */
  readonly ranges: OpenPortRange[];
}

/** A range of ports the internet reaches on a node. */
export interface ExposedPortRange extends OpenPortRange {
  /** The node's construct path (or logical id). */
  readonly node: string;
  /** What the node is, e.g. `application load balancer`. */
  readonly kind: string;
}

/** Whether an undeclared opening carries traffic. */
export enum OpeningStatus {
  /** Every layer passes it: the traffic gets through today. */
  LIVE = 'live',
  /** One layer alone stops it (named in `stoppedBy`): change that layer and it is open. */
  LATENT = 'latent',
  /** Values the template doesn't resolve decide it: it may be open. */
  UNKNOWN = 'unknown',
}

/** An opening between two ends that no declared flow covers. */
export interface UndeclaredOpening extends OpenPortRange {
  /** The source: a node's path, `tier <name>` (a host in the tier's subnets), or `internet`. */
  readonly from: string;
  /** The destination, named like `from`. */
  readonly to: string;
  /** LIVE, LATENT or UNKNOWN. */
  readonly status: OpeningStatus;
  /**
   * For a LATENT opening, the one layer that stops it: `security groups`, `NACLs`, `routing` or `listeners`.
   * @default - not latent
   */
  readonly stoppedBy?: string;
}
