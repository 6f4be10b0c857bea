import { ErrorCode, NetworkPatternsError } from '../private/errors';

/**
 * The ephemeral (client-side) port range a kind of client uses for its end of a connection.
 * Stateless NACLs must admit the WHOLE range for return traffic, or connections die one way
 * (AWS VPC user guide, "Ephemeral ports").
 *
 * A range narrower than 1024-65535 makes tighter NACL return entries, but it holds only while the
 * client really uses it (a changed `ip_local_port_range`, a NAT in between, breaks it quietly):
 * the library's nag pack reports such entries (NetworkPatterns-NACL2); acknowledge it where you
 * control the clients.
 *
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html
 * @example
 * FlowEndpoint.workload(service, { tier: Tier.APP, ephemeralRange: EphemeralRange.LINUX });
 */
export class EphemeralRange {
  /** NAT gateways use 1024-65535 for their translated connections (AWS VPC user guide). */
  public static readonly NAT_GATEWAY = new EphemeralRange('NAT gateway', 1024, 65535);
  /** Elastic Load Balancing nodes use 1024-65535 towards targets (AWS VPC user guide). */
  public static readonly ELB = new EphemeralRange('Elastic Load Balancing', 1024, 65535);
  /** AWS Lambda functions use 1024-65535 (AWS VPC user guide). */
  public static readonly LAMBDA = new EphemeralRange('AWS Lambda', 1024, 65535);
  /** Many Linux kernels (`net.ipv4.ip_local_port_range`): 32768-60999. */
  public static readonly LINUX = new EphemeralRange('Linux kernel', 32768, 60999);
  /** Windows Server 2008 and later: 49152-65535. */
  public static readonly WINDOWS = new EphemeralRange('Windows Server 2008+', 49152, 65535);
  /** The IANA dynamic range: 49152-65535 (RFC 6335). */
  public static readonly IANA = new EphemeralRange('IANA dynamic', 49152, 65535);
  /**
   * Any client: 1024-65535, AWS's advice for a NACL that must serve every kind of client
   * (internet clients, NAT gateways, load balancers, Lambda, Linux and Windows instances).
   */
  public static readonly ANY_CLIENT = new EphemeralRange('any client', 1024, 65535);

  /**
   * A custom range, e.g. the one an ECS agent is pinned to with `ECS_DYNAMIC_HOST_PORT_RANGE`.
   * @param from first port, 1024 or above
   * @param to last port, 65535 or below, not below `from`
   */
  public static of(from: number, to: number): EphemeralRange {
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 1024 || to > 65535 || from > to) {
      throw new NetworkPatternsError(ErrorCode.EPHEMERAL_RANGE_INVALID,
        `EphemeralRange.of: the range must lie within 1024-65535 with from <= to, got ${from}-${to}. ` +
        'Ephemeral ports are never well-known ports (0-1023); use EphemeralRange.ANY_CLIENT when unsure.',
      );
    }
    return new EphemeralRange(`custom ${from}-${to}`, from, to);
  }

  private constructor(
    /** What the range belongs to, for reports and error messages. */
    public readonly label: string,
    /** First port of the range. */
    public readonly fromPort: number,
    /** Last port of the range. */
    public readonly toPort: number,
  ) {}

  /** `from-to`, e.g. `1024-65535`. */
  public toString(): string {
    return `${this.fromPort}-${this.toPort}`;
  }
}
