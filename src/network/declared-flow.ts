import { Tier } from './tier';

/** The transport protocol of a declared flow. */
export enum FlowProtocol {
  /** TCP. */
  TCP = 'tcp',
  /** UDP. */
  UDP = 'udp',
}

/**
 * A flow declared on a `TieredVpc`, as recorded for reports, the analyzer and tests.
 */
export interface DeclaredFlow {
  /** The source: `internet <cidrs>`, `tier <tier>`, or the workload's name. */
  readonly from: string;
  /** The destination: `internet <cidrs>`, `tier <tier>`, or the workload's name. */
  readonly to: string;
  /**
   * The source's construct path, for workload ends.
   * @default - not a workload, or not a construct
   */
  readonly fromPath?: string;
  /**
   * The destination's construct path, for workload ends.
   * @default - not a workload, or not a construct
   */
  readonly toPath?: string;
  /**
   * The source's tier (given, or derived from the workload's subnets).
   * @default - the source is the internet
   */
  readonly fromTier?: Tier;
  /**
   * The destination's tier (given, or derived from the workload's subnets).
   * @default - the destination is the internet
   */
  readonly toTier?: Tier;
  /**
   * The peers' CIDRs when one end is the internet.
   * @default - neither end is the internet
   */
  readonly internetCidrs?: string[];
  /** TCP or UDP. */
  readonly protocol: FlowProtocol;
  /** First port of the service port range. */
  readonly fromPort: number;
  /** Last port of the service port range. */
  readonly toPort: number;
  /** First port of the client's ephemeral range (the return traffic's destination ports). */
  readonly ephemeralFromPort: number;
  /** Last port of the client's ephemeral range. */
  readonly ephemeralToPort: number;
  /** What the flow is for. */
  readonly description: string;
}
