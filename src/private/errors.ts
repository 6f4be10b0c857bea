import { IConstruct } from 'constructs';

/**
 * Stable codes of the library's synth-time refusals. A code never changes meaning once shipped:
 * tests and users' tooling may match on it (the README's "Fail at synth" section lists them).
 */
export enum ErrorCode {
  /** Any other invalid property (the message says which). */
  INVALID_PROPERTY = 'InvalidProperty',

  // Flows (TieredVpc.addFlow)
  /** The port is not a concrete TCP/UDP port or range within 0-65535. */
  FLOW_PORT_INVALID = 'FlowPortInvalid',
  /** Port 0: no service listens on it (ECS's hostPort 0 means "dynamic", not port 0). */
  FLOW_PORT_ZERO = 'FlowPortZero',
  /** SSH 22 or RDP 3389 (TCP or UDP) from peers that cover every IPv4 address, or every IPv6 address on the internet. */
  FLOW_ADMIN_PORT_OPEN_TO_WORLD = 'FlowAdminPortOpenToWorld',
  /** An internet end with no CIDR at all. */
  FLOW_INTERNET_NO_CIDRS = 'FlowInternetNoCidrs',
  /** An internet CIDR that is malformed, or IPv6 in a VPC that is not dual stack. */
  FLOW_INTERNET_CIDR_INVALID = 'FlowInternetCidrInvalid',
  /** An internet CIDR inside the VPC (workloads there are admitted by security group reference). */
  FLOW_INTERNET_CIDR_INSIDE_VPC = 'FlowInternetCidrInsideVpc',
  /** Both ends are the internet. */
  FLOW_NO_END_INSIDE_VPC = 'FlowNoEndInsideVpc',
  /** The internet to the data tier. */
  FLOW_INTERNET_TO_DATA_TIER = 'FlowInternetToDataTier',
  /** The internet to the app tier over IPv6 (the egress-only internet gateway admits nothing in). */
  FLOW_INTERNET_TO_APP_TIER_OVER_IPV6 = 'FlowInternetToAppTierOverIpv6',
  /** The data tier to the internet. */
  FLOW_DATA_TIER_TO_INTERNET = 'FlowDataTierToInternet',
  /** The app tier to the internet in a VPC with no NAT gateway. */
  FLOW_NO_NAT_GATEWAY = 'FlowNoNatGateway',
  /** A whole tier paired with a workload. */
  FLOW_TIER_WITH_WORKLOAD = 'FlowTierWithWorkload',
  /** A tier opened to itself. */
  FLOW_TIER_TO_ITSELF = 'FlowTierToItself',
  /** A workload end whose connections hold no security group. */
  FLOW_WORKLOAD_NO_SECURITY_GROUP = 'FlowWorkloadNoSecurityGroup',
  /** A workload end whose security group belongs to another VPC. */
  FLOW_WORKLOAD_OTHER_VPC = 'FlowWorkloadOtherVpc',
  /** A workload end whose imported security group is immutable: the rule would not be written. */
  FLOW_WORKLOAD_IMMUTABLE_SECURITY_GROUP = 'FlowWorkloadImmutableSecurityGroup',
  /** A workload declared in a tier its subnets are not in, or placed in several tiers. */
  FLOW_WORKLOAD_TIER_MISMATCH = 'FlowWorkloadTierMismatch',
  /** A workload end with no tier given, whose tier cannot be derived from its subnets. */
  FLOW_WORKLOAD_TIER_UNKNOWN = 'FlowWorkloadTierUnknown',
  /** A flow declared after the app was synthesized: it would be in no template. */
  FLOW_AFTER_SYNTHESIS = 'FlowAfterSynthesis',
  /** More NACL entries in one direction than the quota. */
  FLOW_NACL_QUOTA = 'FlowNaclQuota',

  /** An `EphemeralRange.of` outside 1024-65535, or inverted. */
  EPHEMERAL_RANGE_INVALID = 'EphemeralRangeInvalid',

  // The VPC
  /** An availability zone name that is malformed, a Region name, or from another Region. */
  VPC_AVAILABILITY_ZONE_INVALID = 'VpcAvailabilityZoneInvalid',
  /** maxAzs out of range or above the Region's AZs. */
  VPC_MAX_AZS_INVALID = 'VpcMaxAzsInvalid',

  // Workloads
  /** An ECS dynamic host port range too small for the tasks it must place. */
  ECS_DYNAMIC_RANGE_TOO_SMALL = 'EcsDynamicRangeTooSmall',
  /** An RDS Proxy timeout outside the service's limits. */
  RDS_PROXY_TIMEOUT_OUT_OF_RANGE = 'RdsProxyTimeoutOutOfRange',
  /** A failover pair whose primary and secondary are the same target. */
  FAILOVER_SAME_TARGET = 'FailoverSameTarget',
  /** A private IP address published in a public hosted zone. */
  FAILOVER_PRIVATE_ADDRESS_IN_PUBLIC_ZONE = 'FailoverPrivateAddressInPublicZone',
}

/**
 * The library's synth-time error: `code` is stable, the message names the construct path, the
 * property, the value received, what is allowed and what to do instead.
 */
export class NetworkPatternsError extends Error {
  constructor(
    /** The stable code of the refusal. */
    public readonly code: ErrorCode,
    message: string,
  ) {
    super(`${message} [${code}]`);
    this.name = 'NetworkPatternsError';
  }
}

/**
 * Builds the library's synth-time error: the construct path, the property, the value received,
 * what is allowed and what to do instead.
 */
export function propError(scope: IConstruct, prop: string, value: unknown, problem: string, fix: string,
  code: ErrorCode = ErrorCode.INVALID_PROPERTY): NetworkPatternsError {
  return new NetworkPatternsError(code, `${scope.node.path}: ${prop} ${problem}, got ${formatValue(value)}. ${fix}`);
}

/** Renders a received value for an error message. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (value === undefined) return 'undefined';
  return JSON.stringify(value) ?? String(value);
}
