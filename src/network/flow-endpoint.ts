import { IConnectable } from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { Tier } from './tier';
import { EphemeralRange } from '../ports/ephemeral-range';

/** What kind of end a `FlowEndpoint` is. */
export enum FlowEndpointKind {
  /** Addresses outside the VPC, reached through the internet gateway (or the NAT gateway, outbound). */
  INTERNET = 'internet',
  /** A whole tier: NACL entries only, no security group rule. */
  TIER = 'tier',
  /** A workload with security groups in a tier: a security group rule (SG referencing SG) and NACL entries. */
  WORKLOAD = 'workload',
}

/** Options for an internet end of a flow. */
export interface InternetEndpointOptions {
  /**
   * CIDRs of the peers: IPv4, and IPv6 in a dual-stack `TieredVpc` (e.g. `['0.0.0.0/0', '::/0']`
   * for every address of both families).
   * @default ['0.0.0.0/0']
   */
  readonly cidrs?: string[];
}

/** Options for a tier end of a flow. */
export interface TierEndpointOptions {
  /**
   * The ephemeral range the tier's clients use when the tier is the client of a flow; the NACL
   * return entries admit exactly this range.
   * @see https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html
   * @default EphemeralRange.ANY_CLIENT (1024-65535)
   */
  readonly ephemeralRange?: EphemeralRange;
}

/** Options for a workload end of a flow. */
export interface WorkloadEndpointOptions {
  /**
   * The tier the workload is placed in. `TieredVpc.addFlow` refuses a workload whose subnets are
   * in another tier (its NACL entries would land in the wrong tier). A bare security group names
   * no subnet: give its tier.
   * @default - derived from the subnets the workload's resources name
   */
  readonly tier?: Tier;
  /**
   * The ephemeral range the workload uses when it is the client of a flow; the NACL return
   * entries admit exactly this range.
   * @see https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html
   * @default EphemeralRange.ANY_CLIENT (1024-65535, AWS's advice for NACLs that serve every client kind)
   */
  readonly ephemeralRange?: EphemeralRange;
  /**
   * A name for reports and error messages.
   * @default - the workload's construct path, when it is a construct
   */
  readonly name?: string;
}

/**
 * One end of a declared flow: the internet, a tier, or a workload in a tier.
 *
 * @example
 * vpc.addFlow(FlowEndpoint.internet(), FlowEndpoint.tier(Tier.PUBLIC), WellKnownPorts.HTTPS);
 * vpc.addFlow(FlowEndpoint.internet({ cidrs: ['203.0.113.0/24'] }),
 *   FlowEndpoint.workload(alb, { tier: Tier.PUBLIC }), WellKnownPorts.HTTPS);
 */
export class FlowEndpoint {
  /**
   * Addresses outside the VPC.
   * @param options the peers' CIDRs
   */
  public static internet(options: InternetEndpointOptions = {}): FlowEndpoint {
    return new FlowEndpoint(FlowEndpointKind.INTERNET, undefined, undefined, options.cidrs ?? ['0.0.0.0/0'], EphemeralRange.ANY_CLIENT);
  }

  /**
   * Every subnet of a tier (NACL entries only).
   * @param tier the tier
   * @param options the range the tier's clients use for return traffic
   */
  public static tier(tier: Tier, options: TierEndpointOptions = {}): FlowEndpoint {
    return new FlowEndpoint(FlowEndpointKind.TIER, tier, undefined, undefined, options.ephemeralRange ?? EphemeralRange.ANY_CLIENT);
  }

  /**
   * A workload with security groups (an instance, an auto scaling group, a service, a function,
   * a database, a load balancer, an endpoint...) placed in a tier.
   *
   * `TieredVpc.addFlow` reads the subnets the workload's resources name: without `tier`, the tier
   * is derived from them; with it, a workload whose subnets are in another tier is refused (its
   * NACL entries would land in the wrong tier). A bare security group names no subnet: give its tier.
   *
   * @param connectable the workload
   * @param options its tier (derived from its subnets when omitted), a name and its client ephemeral range
   */
  public static workload(connectable: IConnectable, options: WorkloadEndpointOptions = {}): FlowEndpoint {
    return new FlowEndpoint(FlowEndpointKind.WORKLOAD, options.tier, connectable, undefined,
      options.ephemeralRange ?? EphemeralRange.ANY_CLIENT, options.name);
  }

  private constructor(
    /** What kind of end this is. */
    public readonly kind: FlowEndpointKind,
    /** The tier, for tier ends and for workload ends given one. */
    public readonly placedTier: Tier | undefined,
    /** The workload, for workload ends. */
    public readonly connectable: IConnectable | undefined,
    /** The peers' CIDRs, for internet ends. */
    public readonly cidrs: string[] | undefined,
    /** The ephemeral range this end uses as a client. */
    public readonly ephemeralRange: EphemeralRange,
    private readonly explicitName?: string,
  ) {}

  /** The construct path of a workload end, when the workload is a construct. */
  public get path(): string | undefined {
    const c = this.connectable as unknown as IConstruct | undefined;
    return c && typeof c === 'object' && 'node' in c ? c.node.path : undefined;
  }

  /** A name for reports: `internet 0.0.0.0/0`, `tier app`, or the workload's name or path. */
  public get name(): string {
    switch (this.kind) {
      case FlowEndpointKind.INTERNET: return `internet ${this.cidrs!.join(',')}`;
      case FlowEndpointKind.TIER: return `tier ${this.placedTier}`;
      default: return this.explicitName ?? this.path ?? (this.placedTier ? `workload in tier ${this.placedTier}` : 'workload');
    }
  }
}
