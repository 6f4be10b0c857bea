import { Annotations, Duration, Stack, Tags, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct, IConstruct } from 'constructs';
import { FailoverEndpointHealthCheckOptions, FailoverHealthCheck, FailoverHealthCheckProtocol } from './failover-health-check';
import { FailoverTarget } from './failover-target';
import { ipFamily, nonPublicReason } from './ip-address';
import { FailoverHealthCheckSpec, FailoverTargetSpec } from './record-spec';
import { FlowProtocol } from '../network/declared-flow';
import { TieredVpc } from '../network/tiered-vpc';
import { acknowledgeCompliance, CompliancePack } from '../private/compliance';
import { ErrorCode, formatValue, propError } from '../private/errors';

/** One side (PRIMARY or SECONDARY) of a failover pair. */
export interface FailoverRecordEndpoint {
  /** What this side answers with: a load balancer (alias), IP addresses or a domain name. */
  readonly target: FailoverTarget;
  /**
   * The health check Route 53 consults before answering with this side.
   * @default - primary: `FailoverHealthCheck.endpoint()` (HTTPS /health every 30 s, failure threshold 3,
   * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover.html), refused for a private target; secondary: none, so Route 53 answers
   * with the secondary whenever the primary is unhealthy (see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover.html)
   */
  readonly healthCheck?: FailoverHealthCheck;
  /**
   * The set identifier that tells the two records of the pair apart, 1-128 characters.
   * @default 'primary' or 'secondary'
   */
  readonly setIdentifier?: string;
}

/** Properties of a `FailoverRecord`. */
export interface FailoverRecordProps {
  /** The public or private hosted zone that holds the pair. */
  readonly zone: route53.IHostedZone;
  /**
   * The record name, relative to the zone (`app`) or fully qualified with a trailing dot (`app.example.com.`).
   * @default - the zone apex (a domain name target, a CNAME, can't be used there)
   */
  readonly recordName?: string;
  /** The PRIMARY side: answered while its health check passes. It always has a health check. */
  readonly primary: FailoverRecordEndpoint;
  /** The SECONDARY side: answered when the primary is unhealthy. */
  readonly secondary: FailoverRecordEndpoint;
  /**
   * A comment on each record.
   * @default - no comment
   */
  readonly comment?: string;
}

/** Route 53 checker regions (Route 53 API reference, HealthCheckConfig Regions). */
const CHECKER_REGIONS = ['us-east-1', 'us-west-1', 'us-west-2', 'eu-west-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'sa-east-1'];
/** Record TTLs above this delay failover noticeably (see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-types.html). */
const HIGH_TTL_SECONDS = 300;
const DEFAULT_TTL = Duration.seconds(60);
const ALARM_STATISTICS = ['Average', 'Minimum', 'Maximum', 'Sum', 'SampleCount'];

type Side = 'primary' | 'secondary';
type Family = 'A' | 'AAAA' | 'CNAME';

/** A side's target, resolved against this construct. */
interface ResolvedTarget {
  readonly spec: FailoverTargetSpec;
  readonly families: Family[];
  readonly description: string;
  /** Why Route 53 checkers can't reach the target, when they can't. */
  readonly privateReason?: string;
  readonly aliasTarget?: route53.IAliasRecordTarget;
  readonly ipv4: string[];
  readonly ipv6: string[];
  readonly ttl?: Duration;
  /** What an endpoint health check probes by default. */
  readonly probeDomainName?: string;
  readonly probeIpAddress?: string;
  /** The probe can only be resolved to IPv6, which Route 53 doesn't do for domain-name checks. */
  readonly ipv6Only?: boolean;
  /** The load balancer construct, when defined in this app. */
  readonly loadBalancer?: elbv2.ILoadBalancerV2;
}

/** A load balancer endpoint check to verify against the flow model once the app is complete. */
interface ReachabilityCheck {
  readonly side: Side;
  readonly loadBalancer: elbv2.ILoadBalancerV2;
  readonly port: number;
}

/**
 * A Route 53 failover pair for one record name: a PRIMARY record answered while its health
 * check passes and a SECONDARY answered when it fails (see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover.html).
 *
 * Each side points at a load balancer (an alias record with evaluate-target-health; A, plus
 * AAAA when dual-stack), IP addresses (A/AAAA, TTL 60 s by default) or a domain name (CNAME,
 * TTL 60 s by default). Built on aws-cdk-lib's `route53.HealthCheck` and the `failover`,
 * `setIdentifier` and `healthCheck` props of `ARecord`/`AaaaRecord`/`CnameRecord`.
 *
 * The primary always has a health check. Route 53 health checkers sit outside every VPC, so
 * for a private target (an internal load balancer, a private address) the construct refuses an
 * endpoint check and takes a CloudWatch-alarm health check on the target group's healthy host
 * count instead. When an endpoint check probes a load balancer in a `TieredVpc`, the construct
 * checks at synth that a declared flow admits the check's port from the internet, and that the
 * load balancer listens on it.
 *
 * Across regions, keep the records in the zone's stack and give each regional load balancer
 * by `FailoverTarget.loadBalancerAttributes` (literal DNS name and canonical hosted zone id).
 *
 * Refused at synth, each with the fix in the message: a primary with no health check target
 * (several addresses and no `ipAddress`); a failure threshold outside 1-10; an interval other
 * than 10 or 30 s; fewer than 3 checker regions; the same set identifier on both sides; a second
 * pair for the same name in the zone; a CNAME (domain name target) at the zone apex or paired
 * with A/AAAA records; two sides with no record type in common; an alias to something that is not
 * a load balancer DNS name, to the records' own zone id, to another partition, or to a load
 * balancer construct in another region (a cross-region reference); an endpoint health check on a
 * private target (internal load balancer, private or non-routable address) or resolving an
 * IPv6-only load balancer (Route 53 resolves health check names to IPv4 only); a CloudWatch alarm
 * Route 53 can't follow (metric math, percentiles, high resolution); and, late, an endpoint check
 * on a `TieredVpc` load balancer whose port no internet flow admits or no listener serves.
 * (Evaluate-target-health is always on for alias targets and has no meaning for IP or domain
 * name targets, so it is not a prop.)
 *
 * @example
 * new FailoverRecord(this, 'Api', {
 *   zone,
 *   recordName: 'api',
 *   primary: { target: FailoverTarget.loadBalancer(eastAlb) },
 *   secondary: {
 *     target: FailoverTarget.loadBalancerAttributes({ dnsName: 'web-123.us-west-2.elb.amazonaws.com', canonicalHostedZoneId: 'Z1H1FL5HABSF5', region: 'us-west-2' }),
 *     healthCheck: FailoverHealthCheck.endpoint(),
 *   },
 * });
 */
export class FailoverRecord extends Construct {
  /** The record name, fully qualified (as Route 53 stores it). */
  public readonly domainName: string;
  /** The record types of the pair: A, A and AAAA, AAAA, or CNAME. */
  public readonly recordTypes: route53.RecordType[];
  /** The PRIMARY records, one per record type. */
  public readonly primaryRecords: route53.RecordSet[];
  /** The SECONDARY records, one per record type. */
  public readonly secondaryRecords: route53.RecordSet[];
  /** The primary's health check. */
  public readonly primaryHealthCheck: route53.IHealthCheck;
  /**
   * The secondary's health check.
   * @default - none
   */
  public readonly secondaryHealthCheck?: route53.IHealthCheck;
  /**
   * The CloudWatch alarms this construct created for target-group health checks. They have no
   * alarm action: Route 53 reads their state. Add notifications with `addAlarmAction`.
   */
  public readonly alarms: cloudwatch.Alarm[] = [];

  private readonly zone: route53.IHostedZone;
  private readonly zoneIsPrivate: boolean;
  private readonly reachabilityChecks: ReachabilityCheck[] = [];

  constructor(scope: Construct, id: string, props: FailoverRecordProps) {
    super(scope, id);
    this.zone = props.zone;
    this.zoneIsPrivate = isPrivateZone(props.zone);
    const setIds = this.validateSetIdentifiers(props);
    this.domainName = qualify(props.recordName, props.zone);
    this.validateUniquePair(props);

    const primary = this.resolveTarget('primary', props.primary.target);
    const secondary = this.resolveTarget('secondary', props.secondary.target);
    this.validateDistinctTargets(primary, secondary);
    this.recordTypes = this.recordTypesOf(props, primary, secondary);

    this.primaryHealthCheck = this.healthCheck('primary', props.primary.healthCheck ?? FailoverHealthCheck.endpoint(), primary);
    this.secondaryHealthCheck = props.secondary.healthCheck ? this.healthCheck('secondary', props.secondary.healthCheck, secondary) : undefined;

    this.primaryRecords = this.records('primary', route53.Failover.PRIMARY, setIds.primary, primary, this.primaryHealthCheck, props);
    this.secondaryRecords = this.records('secondary', route53.Failover.SECONDARY, setIds.secondary, secondary, this.secondaryHealthCheck, props);

    this.node.addValidation({ validate: () => this.validateReachability() });
  }

  /** A pair whose two sides are one target never fails over: refused. */
  private validateDistinctTargets(primary: ResolvedTarget, secondary: ResolvedTarget): void {
    const a = targetIdentity(primary.spec);
    const b = targetIdentity(secondary.spec);
    if (a !== undefined && a === b) {
      throw propError(this, 'secondary.target', secondary.description, 'is the same target as the primary, so the pair can never fail over: when the primary is unhealthy, Route 53 answers with the same endpoint',
        'Point the secondary at a standby in another AZ or Region (another load balancer, address or name). ' +
        'See https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-types.html', ErrorCode.FAILOVER_SAME_TARGET);
    }
  }

  private validateSetIdentifiers(props: FailoverRecordProps): Record<Side, string> {
    const ids: Record<Side, string> = {
      primary: props.primary.setIdentifier ?? 'primary',
      secondary: props.secondary.setIdentifier ?? 'secondary',
    };
    for (const side of ['primary', 'secondary'] as Side[]) {
      const v = ids[side];
      if (!Token.isUnresolved(v) && (v.length < 1 || v.length > 128)) {
        throw propError(this, `${side}.setIdentifier`, v, 'must be 1-128 characters long', 'Give a short name such as \'us-east-1\'.');
      }
    }
    if (!Token.isUnresolved(ids.primary) && ids.primary === ids.secondary) {
      throw propError(this, 'secondary.setIdentifier', ids.secondary, 'must differ from primary.setIdentifier',
        'Route 53 tells the two records of a failover pair apart by their set identifiers: give each side its own, e.g. \'us-east-1\' and \'us-west-2\'.');
    }
    return ids;
  }

  /** Two failover pairs for the same name in the same zone would be two PRIMARY records: refused. */
  private validateUniquePair(props: FailoverRecordProps): void {
    if (Token.isUnresolved(this.domainName)) return;
    const other = Stack.of(this).node.findAll().find((c) =>
      c !== this && c instanceof FailoverRecord && c.zone === props.zone && c.domainName === this.domainName);
    if (other) {
      throw propError(this, 'recordName', this.domainName, `already has a failover pair in this zone (${other.node.path})`,
        'A name has one PRIMARY and one SECONDARY per record type: change one of the pairs\' recordName, or keep a single FailoverRecord.');
    }
  }

  private resolveTarget(side: Side, target: FailoverTarget): ResolvedTarget {
    const spec = target._spec;
    const prop = `${side}.target`;
    switch (spec.kind) {
      case 'loadBalancer': return this.resolveLoadBalancer(side, spec);
      case 'ipAddresses': {
        const addresses = spec.addresses ?? [];
        if (addresses.length === 0) {
          throw propError(this, prop, addresses, 'must name at least one IP address', 'Use FailoverTarget.ipAddress(\'52.95.110.1\') or ipAddresses([...]).');
        }
        const ipv4: string[] = [];
        const ipv6: string[] = [];
        for (const a of addresses) {
          if (Token.isUnresolved(a)) { ipv4.push(a); continue; }
          const family = ipFamily(a);
          if (!family) {
            throw propError(this, prop, a, 'is not an IPv4 or IPv6 address', 'Give literal addresses such as \'52.95.110.1\' or \'2600:1f18::1\', or use FailoverTarget.domainName for a name.');
          }
          (family === 'ipv4' ? ipv4 : ipv6).push(a);
        }
        this.validateTtl(side, spec.ttl);
        const privateOnes = addresses.map((a) => [a, nonPublicReason(a)] as const).filter(([, r]) => r !== undefined);
        if (privateOnes.length > 0 && !this.zoneIsPrivate) {
          throw propError(this, prop, privateOnes[0][0], `${privateOnes[0][1]}, but the hosted zone is public: the record would publish an address that no client resolving it on the internet can reach`,
            'Give the public address of the endpoint, or put the pair in a private hosted zone associated with the VPC (route53.PrivateHostedZone). ' +
            'See https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zones-private.html', ErrorCode.FAILOVER_PRIVATE_ADDRESS_IN_PUBLIC_ZONE);
        }
        return {
          spec,
          families: [...(ipv4.length ? ['A' as Family] : []), ...(ipv6.length ? ['AAAA' as Family] : [])],
          description: `IP addresses ${formatValue(addresses)}`,
          privateReason: privateOnes.length ? `${privateOnes[0][0]} ${privateOnes[0][1]}` : undefined,
          ipv4,
          ipv6,
          ttl: spec.ttl ?? DEFAULT_TTL,
          probeIpAddress: addresses.length === 1 ? addresses[0] : undefined,
        };
      }
      default: {
        const name = spec.domainName ?? '';
        if (!Token.isUnresolved(name) && name.trim().length === 0) {
          throw propError(this, prop, name, 'must be a domain name', 'Use FailoverTarget.domainName(\'standby.example.net\').');
        }
        this.validateTtl(side, spec.ttl);
        return {
          spec,
          families: ['CNAME'],
          description: `domain name ${formatValue(name)}`,
          ipv4: [],
          ipv6: [],
          ttl: spec.ttl ?? DEFAULT_TTL,
          probeDomainName: name,
        };
      }
    }
  }

  private resolveLoadBalancer(side: Side, spec: FailoverTargetSpec): ResolvedTarget {
    const prop = `${side}.target`;
    const here = Stack.of(this);
    let internetFacing = spec.internetFacing ?? true;
    let ipAddressType = spec.ipAddressType ?? elbv2.IpAddressType.IPV4;
    let dnsName = spec.dnsName!;
    let region = spec.region;
    let aliasTarget: route53.IAliasRecordTarget;
    let description: string;
    const lb = spec.loadBalancer;
    if (lb) {
      const cfn = lb.node.defaultChild;
      if (cfn instanceof elbv2.CfnLoadBalancer) {
        internetFacing = cfn.scheme !== 'internal';
        ipAddressType = (cfn.ipAddressType as elbv2.IpAddressType | undefined) ?? elbv2.IpAddressType.IPV4;
      }
      dnsName = lb.loadBalancerDnsName;
      const lbStack = Stack.of(lb);
      region = lbStack.region;
      description = `load balancer ${lb.node.path}`;
      const crossRegion = lbStack !== here && !Token.isUnresolved(region) && !Token.isUnresolved(here.region) && region !== here.region;
      if (crossRegion && !(here as unknown as { _crossRegionReferences?: boolean })._crossRegionReferences) {
        throw propError(this, prop, lb.node.path, `is in ${region}, but the records are in ${here.region}: referencing its construct needs a cross-region reference`,
          'Pass the load balancer by its literal attributes instead: FailoverTarget.loadBalancerAttributes({ dnsName, canonicalHostedZoneId, region }) ' +
          '(copy them from the regional stack\'s outputs), or set crossRegionReferences: true on this stack.');
      }
      aliasTarget = new targets.LoadBalancerTarget(lb, { evaluateTargetHealth: true });
    } else {
      description = `load balancer ${formatValue(dnsName)}`;
      this.validateLoadBalancerAttributes(prop, spec);
      aliasTarget = new LoadBalancerAttributesTarget(dnsName, spec.canonicalHostedZoneId!);
    }
    if (region && !Token.isUnresolved(region) && !Token.isUnresolved(here.region)) {
      const theirs = RegionInfo.get(region).partition;
      const ours = RegionInfo.get(here.region).partition;
      if (theirs && ours && theirs !== ours) {
        throw propError(this, prop, `${description} in ${region}`, `is in partition ${theirs}, but the hosted zone's stack is in ${ours}`,
          'An alias record can only point at a load balancer of its own partition: create the secondary in a region of the same partition, or use a hosted zone there.');
      }
    }
    if (!internetFacing && !this.zoneIsPrivate) {
      throw propError(this, prop, description, 'is internal (private addresses only), but the hosted zone is public: the record would publish addresses that no client resolving it on the internet can reach',
        'Use an internet-facing load balancer, or put the pair in a private hosted zone associated with the VPC (route53.PrivateHostedZone). ' +
        'See https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zones-private.html', ErrorCode.FAILOVER_PRIVATE_ADDRESS_IN_PUBLIC_ZONE);
    }
    const families: Family[] = ipAddressType === elbv2.IpAddressType.DUAL_STACK ? ['A', 'AAAA']
      : ipAddressType === elbv2.IpAddressType.DUAL_STACK_WITHOUT_PUBLIC_IPV4 ? ['AAAA'] : ['A'];
    return {
      spec,
      families,
      description,
      privateReason: internetFacing ? undefined : `${description} is internal (scheme internal: private addresses only)`,
      aliasTarget,
      ipv4: [],
      ipv6: [],
      probeDomainName: dnsName,
      ipv6Only: ipAddressType === elbv2.IpAddressType.DUAL_STACK_WITHOUT_PUBLIC_IPV4,
      loadBalancer: lb,
    };
  }

  private validateLoadBalancerAttributes(prop: string, spec: FailoverTargetSpec): void {
    const dnsName = spec.dnsName ?? '';
    const zoneId = spec.canonicalHostedZoneId ?? '';
    if (!Token.isUnresolved(dnsName) && !/\.elb\.([a-z0-9-]+\.)?amazonaws\.com(\.cn)?\.?$/i.test(dnsName)) {
      throw propError(this, `${prop}.dnsName`, dnsName, 'is not a load balancer DNS name (…elb.amazonaws.com)',
        'An alias to a load balancer needs its DNS name, e.g. my-alb-1234567890.us-west-2.elb.amazonaws.com; for any other name use FailoverTarget.domainName.');
    }
    if (!Token.isUnresolved(zoneId)) {
      if (!/^Z[A-Z0-9]{4,31}$/.test(zoneId)) {
        throw propError(this, `${prop}.canonicalHostedZoneId`, zoneId, 'is not a hosted zone id (Z followed by letters and digits)',
          'Give the load balancer\'s loadBalancerCanonicalHostedZoneId, e.g. Z1H1FL5HABSF5 for an ALB in us-west-2.');
      }
      if (!Token.isUnresolved(this.zone.hostedZoneId) && zoneId === this.zone.hostedZoneId) {
        throw propError(this, `${prop}.canonicalHostedZoneId`, zoneId, 'is the id of the hosted zone that holds the records',
          'An alias to a load balancer names the ELB service\'s zone for its region (loadBalancerCanonicalHostedZoneId), not your own zone.');
      }
    }
  }

  private validateTtl(side: Side, ttl: Duration | undefined): void {
    if (!ttl) return;
    const seconds = ttl.toSeconds();
    if (Token.isUnresolved(seconds)) return;
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 2147483647) {
      throw propError(this, `${side}.target ttl`, `${seconds} s`, 'must be a whole number of seconds within 0-2147483647', 'Use Duration.seconds(60).');
    }
    if (seconds > HIGH_TTL_SECONDS) {
      Annotations.of(this).addWarningV2('cdk-network-patterns:failoverHighTtl',
        `${side}: TTL ${seconds} s: resolvers keep answering with a failed endpoint for up to this long, so failover takes as long. ` +
        'Keep it at 60 s (the default) or lower for failover.');
    }
  }

  private recordTypesOf(props: FailoverRecordProps, primary: ResolvedTarget, secondary: ResolvedTarget): route53.RecordType[] {
    const pCname = primary.families.includes('CNAME');
    const sCname = secondary.families.includes('CNAME');
    if (pCname !== sCname) {
      const [cnameSide, other] = pCname ? ['primary', secondary] : ['secondary', primary];
      throw propError(this, `${cnameSide}.target`, `${cnameSide === 'primary' ? primary.description : secondary.description}`,
        `is a CNAME, but the other side (${other.description}) is answered with ${other.families.join('/')} records`,
        'A failover pair is two records of one type, and a CNAME can\'t share its name with other records: make both sides domain names, or both load balancers / IP addresses.');
    }
    if (pCname) {
      const zoneName = this.zone.zoneName;
      if (!Token.isUnresolved(zoneName) && !Token.isUnresolved(this.domainName) && trimDot(this.domainName) === trimDot(zoneName)) {
        throw propError(this, 'recordName', props.recordName, `is the zone apex (${zoneName}), where a CNAME is not allowed`,
          'Give a subdomain as recordName (e.g. \'app\'), or point both sides at load balancers or IP addresses (alias and A/AAAA records work at the apex).');
      }
      return [route53.RecordType.CNAME];
    }
    const common = primary.families.filter((f) => secondary.families.includes(f));
    if (common.length === 0) {
      throw propError(this, 'secondary.target', secondary.description,
        `shares no record type with the primary (primary ${primary.families.join('/')}, secondary ${secondary.families.join('/')})`,
        'Both sides must answer the same type (A for IPv4, AAAA for IPv6): give both an IPv4 address, or make both dual-stack.');
    }
    const dropped = [...primary.families, ...secondary.families].filter((f) => !common.includes(f));
    if (dropped.length) {
      Annotations.of(this).addWarningV2('cdk-network-patterns:failoverRecordTypeDropped',
        `${[...new Set(dropped)].join('/')} records are not created: only one side answers that type, and a failover pair with one side would ` +
        `not fail over (primary ${primary.families.join('/')}, secondary ${secondary.families.join('/')}). Make both sides dual-stack to serve IPv6 clients.`);
    }
    return common.map((f) => (f === 'A' ? route53.RecordType.A : route53.RecordType.AAAA));
  }

  private healthCheck(side: Side, check: FailoverHealthCheck, target: ResolvedTarget): route53.IHealthCheck {
    const spec = check._spec;
    const id = side === 'primary' ? 'PrimaryHealthCheck' : 'SecondaryHealthCheck';
    let healthCheck: route53.IHealthCheck;
    switch (spec.kind) {
      case 'existing':
        return spec.healthCheck!;
      case 'endpoint':
        healthCheck = this.endpointHealthCheck(side, id, spec.endpoint ?? {}, target);
        break;
      default:
        healthCheck = this.alarmHealthCheck(side, id, spec);
    }
    Tags.of(healthCheck).add('Name', `${Token.isUnresolved(this.domainName) ? this.node.path : trimDot(this.domainName)} ${side}`);
    return healthCheck;
  }

  private endpointHealthCheck(side: Side, id: string, o: FailoverEndpointHealthCheckOptions, target: ResolvedTarget): route53.IHealthCheck {
    const prop = `${side}.healthCheck`;
    const protocol = o.protocol ?? FailoverHealthCheckProtocol.HTTPS;
    const isHttp = protocol !== FailoverHealthCheckProtocol.TCP;

    // Settings
    if (o.port === undefined && !isHttp) {
      throw propError(this, `${prop}.port`, o.port, 'is required for a TCP health check', 'Give the port the endpoint listens on, e.g. port: 9092.');
    }
    const port = o.port ?? (protocol === FailoverHealthCheckProtocol.HTTP ? 80 : 443);
    if (!Token.isUnresolved(port) && (!Number.isInteger(port) || port < 1 || port > 65535)) {
      throw propError(this, `${prop}.port`, port, 'must be an integer within 1-65535', 'Give the port the endpoint listens on, e.g. 443.');
    }
    for (const [name, value] of [['path', o.path], ['searchString', o.searchString]] as const) {
      if (value === undefined) continue;
      if (!isHttp) {
        throw propError(this, `${prop}.${name}`, value, 'only applies to HTTP and HTTPS health checks', `Remove ${name}, or use protocol HTTP or HTTPS.`);
      }
      if (!Token.isUnresolved(value) && (value.length < 1 || value.length > 255)) {
        throw propError(this, `${prop}.${name}`, value, 'must be 1-255 characters long', name === 'path' ? 'Use a short path such as \'/health\'.' : 'Match a short marker such as \'OK\'.');
      }
    }
    const interval = o.interval ?? Duration.seconds(30);
    const seconds = interval.toSeconds();
    if (!Token.isUnresolved(seconds) && seconds !== 10 && seconds !== 30) {
      throw propError(this, `${prop}.interval`, `${seconds} s`, 'must be 10 or 30 seconds (the only intervals Route 53 offers)',
        'Use Duration.seconds(30) (Route 53\'s standard interval), or Duration.seconds(10) for faster failover at a higher price.');
    }
    const failureThreshold = o.failureThreshold ?? 3;
    if (!Token.isUnresolved(failureThreshold) && (!Number.isInteger(failureThreshold) || failureThreshold < 1 || failureThreshold > 10)) {
      throw propError(this, `${prop}.failureThreshold`, failureThreshold, 'must be an integer within 1-10',
        'Use 3 (Route 53\'s default): with a 30 s interval, failover starts after about 90 s of failures.');
    }
    if (o.regions !== undefined) {
      const bad = o.regions.filter((r) => !Token.isUnresolved(r) && !CHECKER_REGIONS.includes(r));
      if (bad.length) {
        throw propError(this, `${prop}.regions`, o.regions, `names ${formatValue(bad)}, which ${bad.length === 1 ? 'is not a' : 'are not'} Route 53 checker region${bad.length === 1 ? '' : 's'}`,
          `Choose at least 3 of ${CHECKER_REGIONS.join(', ')}, or omit regions for all of them.`);
      }
      if (new Set(o.regions).size !== o.regions.length || o.regions.length < 3) {
        throw propError(this, `${prop}.regions`, o.regions, 'must name at least 3 distinct checker regions',
          `Route 53 needs checkers in 3 regions or more: choose from ${CHECKER_REGIONS.join(', ')}, or omit regions for all of them.`);
      }
    }

    // What is probed
    const ipAddress = o.ipAddress ?? (o.domainName === undefined ? target.probeIpAddress : undefined);
    const domainName = o.domainName ?? target.probeDomainName;
    if (ipAddress === undefined && domainName === undefined) {
      throw propError(this, `${prop}`, `${target.description}`, 'has no health check target: Route 53 can probe one address or one name',
        'Say what to probe: FailoverHealthCheck.endpoint({ ipAddress: \'52.95.110.1\' }) or endpoint({ domainName: \'app-east.example.com\' }).');
    }
    if (o.ipAddress !== undefined && !Token.isUnresolved(o.ipAddress) && !ipFamily(o.ipAddress)) {
      throw propError(this, `${prop}.ipAddress`, o.ipAddress, 'is not an IPv4 or IPv6 address', 'Give a literal public address, or use domainName.');
    }
    const privateIp = ipAddress !== undefined ? nonPublicReason(ipAddress) : undefined;
    if (privateIp) {
      throw propError(this, o.ipAddress !== undefined ? `${prop}.ipAddress` : prop, ipAddress,
        `${privateIp}: an endpoint health check can't reach it, because Route 53 health checkers sit outside every VPC`,
        'For a private target use a CloudWatch-alarm health check, e.g. FailoverHealthCheck.cloudWatchAlarm(alarm) on a metric of the target\'s health.');
    }
    if (o.ipAddress === undefined && o.domainName === undefined && target.privateReason) {
      throw propError(this, prop, 'an endpoint health check', `aims at a private target: ${target.privateReason}, and Route 53 health checkers sit outside every VPC, so the check would always fail`,
        'Use a CloudWatch-alarm health check on the target\'s health instead: FailoverHealthCheck.applicationTargetGroupHealth(targetGroup) ' +
        '(networkTargetGroupHealth for an NLB) or FailoverHealthCheck.cloudWatchAlarm(alarm).');
    }
    if (ipAddress === undefined && o.domainName === undefined && target.ipv6Only) {
      throw propError(this, prop, target.description, 'has public IPv6 addresses only (DUAL_STACK_WITHOUT_PUBLIC_IPV4), but Route 53 resolves a health check\'s domain name to IPv4 only',
        'Probe an IPv6 address (ipAddress), a name with a public A record (domainName), or use a CloudWatch-alarm health check (applicationTargetGroupHealth).');
    }
    if (domainName !== undefined && ipAddress === undefined) this.warnPrivateZoneName(side, domainName);

    const type = protocol === FailoverHealthCheckProtocol.TCP ? route53.HealthCheckType.TCP
      : o.searchString !== undefined
        ? (protocol === FailoverHealthCheckProtocol.HTTP ? route53.HealthCheckType.HTTP_STR_MATCH : route53.HealthCheckType.HTTPS_STR_MATCH)
        : (protocol === FailoverHealthCheckProtocol.HTTP ? route53.HealthCheckType.HTTP : route53.HealthCheckType.HTTPS);
    const healthCheck = new route53.HealthCheck(this, id, {
      type,
      fqdn: domainName,
      ipAddress,
      port,
      resourcePath: isHttp ? (o.path ?? '/health') : undefined,
      searchString: o.searchString,
      requestInterval: interval,
      failureThreshold,
      measureLatency: o.measureLatency ?? false,
      regions: o.regions,
    });
    if (target.loadBalancer && o.ipAddress === undefined && o.domainName === undefined) {
      this.reachabilityChecks.push({ side, loadBalancer: target.loadBalancer, port });
    }
    return healthCheck;
  }

  private warnPrivateZoneName(side: Side, name: string): void {
    const zoneName = this.zone.zoneName;
    if (!this.zoneIsPrivate || Token.isUnresolved(name) || Token.isUnresolved(zoneName)) return;
    const n = trimDot(name).toLowerCase();
    const z = trimDot(zoneName).toLowerCase();
    if (n === z || n.endsWith(`.${z}`)) {
      Annotations.of(this).addWarningV2('cdk-network-patterns:failoverProbeInPrivateZone',
        `${side}: the health check resolves ${name}, which is under the private hosted zone ${zoneName}: Route 53 health checkers resolve names ` +
        'in public DNS, outside the VPC, so unless the name is also public the check will fail. Probe a public name or address, or use a CloudWatch-alarm health check.');
    }
  }

  private alarmHealthCheck(side: Side, id: string, spec: FailoverHealthCheckSpec): route53.IHealthCheck {
    const prop = `${side}.healthCheck`;
    let alarmName: string;
    let region: string;
    if (spec.kind === 'targetGroup') {
      const o = spec.targetGroupOptions ?? {};
      const minHealthy = o.minHealthyTargets ?? 1;
      const periods = o.evaluationPeriods ?? 3;
      if (!Token.isUnresolved(minHealthy) && (!Number.isInteger(minHealthy) || minHealthy < 1)) {
        throw propError(this, `${prop}.minHealthyTargets`, minHealthy, 'must be an integer of at least 1', 'Use 1: unhealthy when no target is healthy.');
      }
      if (!Token.isUnresolved(periods) && (!Number.isInteger(periods) || periods < 1 || periods > 10)) {
        throw propError(this, `${prop}.evaluationPeriods`, periods, 'must be an integer within 1-10', 'Use 3 (as the endpoint check\'s failure threshold).');
      }
      const alarm = new cloudwatch.Alarm(this, `${side === 'primary' ? 'Primary' : 'Secondary'}HealthAlarm`, {
        metric: spec.healthyHostCount!(),
        threshold: minHealthy,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: periods,
        alarmDescription: `Fewer than ${minHealthy} healthy target(s) behind the ${side} of the failover pair ${this.node.path}: Route 53 fails over while this alarm is on.`,
      });
      acknowledgeCompliance(alarm, 'CloudWatchAlarmAction',
        'This alarm is the input of a Route 53 health check: Route 53 reads its state and fails over while it is on, which is its ' +
        'action. Who gets notified is the application\'s choice: add it with alarms[i].addAlarmAction (e.g. an SNS topic).',
        [CompliancePack.NIST_800_53_R5, CompliancePack.HIPAA_SECURITY]);
      this.alarms.push(alarm);
      alarmName = alarm.alarmName;
      region = Stack.of(this).region;
    } else if (spec.kind === 'alarm') {
      const alarm = spec.alarm!;
      this.validateAlarm(prop, alarm);
      alarmName = alarm.alarmName;
      region = alarm.env.region;
      if (Token.isUnresolved(region) && Stack.of(alarm) !== Stack.of(this)) {
        throw propError(this, `${prop}`, alarm.node.path, 'is in another stack whose region is not known at synth',
          'Give that stack an env with a region, or use FailoverHealthCheck.cloudWatchAlarmName(alarmName, region).');
      }
    } else {
      alarmName = spec.alarmName ?? '';
      region = spec.alarmRegion ?? '';
      if (!Token.isUnresolved(alarmName) && (alarmName.length < 1 || alarmName.length > 256)) {
        throw propError(this, `${prop} alarm name`, alarmName, 'must be 1-256 characters long', 'Give the alarm\'s exact name (set alarmName on the alarm in its own stack).');
      }
      if (!Token.isUnresolved(region) && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
        throw propError(this, `${prop} alarm region`, region, 'is not a region name', 'Give the alarm\'s region, e.g. \'us-west-2\'.');
      }
    }
    return new route53.HealthCheck(this, id, {
      type: route53.HealthCheckType.CLOUDWATCH_METRIC,
      alarmIdentifier: { name: alarmName, region },
      insufficientDataHealthStatus: spec.alarmOptions?.insufficientDataHealthStatus ?? route53.InsufficientDataHealthStatusEnum.LAST_KNOWN_STATUS,
    });
  }

  /** Route 53 follows standard-resolution, single-metric alarms with a simple statistic only. */
  private validateAlarm(prop: string, alarm: cloudwatch.IAlarm): void {
    const cfn = alarm.node.defaultChild;
    if (!(cfn instanceof cloudwatch.CfnAlarm)) return;
    const fix = 'Alarm on one standard-resolution metric with Average, Minimum, Maximum, Sum or SampleCount, e.g. the target group\'s HealthyHostCount (applicationTargetGroupHealth does this).';
    if (cfn.metrics !== undefined) {
      throw propError(this, prop, alarm.node.path, 'is a metric-math or multi-metric alarm, which Route 53 health checks don\'t support', fix);
    }
    if (cfn.extendedStatistic !== undefined) {
      throw propError(this, prop, alarm.node.path, `uses the extended statistic ${cfn.extendedStatistic}, which Route 53 health checks don't support`, fix);
    }
    if (cfn.statistic !== undefined && !Token.isUnresolved(cfn.statistic) && !ALARM_STATISTICS.includes(cfn.statistic)) {
      throw propError(this, prop, alarm.node.path, `uses the statistic ${cfn.statistic}, which Route 53 health checks don't support`, fix);
    }
    if (typeof cfn.period === 'number' && cfn.period < 60) {
      throw propError(this, prop, alarm.node.path, `has a ${cfn.period} s period (a high-resolution alarm), which Route 53 health checks don't support`, fix);
    }
  }

  private records(side: Side, failover: route53.Failover, setIdentifier: string, target: ResolvedTarget,
    healthCheck: route53.IHealthCheck | undefined, props: FailoverRecordProps): route53.RecordSet[] {
    const prefix = side === 'primary' ? 'Primary' : 'Secondary';
    const common = { zone: props.zone, recordName: props.recordName, failover, setIdentifier, healthCheck, comment: props.comment };
    return this.recordTypes.map((type) => {
      const id = `${prefix}${type}`;
      if (type === route53.RecordType.CNAME) {
        return new route53.CnameRecord(this, id, { ...common, domainName: target.spec.domainName!, ttl: target.ttl });
      }
      const values = type === route53.RecordType.A ? target.ipv4 : target.ipv6;
      const recordTarget = target.aliasTarget ? route53.RecordTarget.fromAlias(target.aliasTarget) : route53.RecordTarget.fromIpAddresses(...values);
      const ttl = target.aliasTarget ? undefined : target.ttl;
      return type === route53.RecordType.A
        ? new route53.ARecord(this, id, { ...common, target: recordTarget, ttl })
        : new route53.AaaaRecord(this, id, { ...common, target: recordTarget, ttl });
    });
  }

  /**
   * Late check, once every flow is declared: an endpoint health check on a load balancer in a
   * `TieredVpc` needs a declared internet -> load balancer flow on the check's port (its SG rule
   * and both NACL directions come with it), and a listener on that port.
   */
  private validateReachability(): string[] {
    const errors: string[] = [];
    for (const check of this.reachabilityChecks) {
      const lb = check.loadBalancer;
      const where = `${this.node.path}: ${check.side}.healthCheck port ${check.port}`;
      const listenerPorts = listenerPortsOf(lb);
      if (listenerPorts.length > 0 && !listenerPorts.includes(check.port)) {
        errors.push(`${where} has no listener on ${lb.node.path}, got listeners on ${formatValue(listenerPorts)}. ` +
          `The health check would always fail. Add a listener on ${check.port}, or set healthCheck: FailoverHealthCheck.endpoint({ port: ${listenerPorts[0]} }).`);
      }
      const net = tieredVpcOf(lb);
      if (!net) continue;
      // A flow declared on the load balancer, or on its security group (as an ALB's group often is), admits it.
      const connectable = (lb as Partial<ec2.IConnectable>).connections ? lb as unknown as ec2.IConnectable : undefined;
      const fromInternet = connectable ? net._internetFlowsTo(connectable)
        : net.flows.filter((f) => f.toPath === lb.node.path && f.fromTier === undefined && f.internetCidrs !== undefined);
      const admitting = fromInternet.filter((f) => f.protocol === FlowProtocol.TCP && f.fromPort <= check.port && check.port <= f.toPort);
      const fix = `net.addFlow(FlowEndpoint.internet(), FlowEndpoint.workload(loadBalancer, { tier: Tier.PUBLIC }), ec2.Port.tcp(${check.port}))`;
      if (admitting.length === 0) {
        errors.push(`${where} is not admitted from the internet to ${lb.node.path}, got no declared flow of ${net.node.path} that admits tcp ${check.port} to it. ` +
          'Route 53 health checkers sit outside the VPC (the ROUTE53_HEALTHCHECKS ranges of ip-ranges.json); without the security group rule and NACL entries ' +
          `the check always fails and Route 53 ${check.side === 'primary' ? 'answers with the secondary for good' : 'treats the secondary as down'}. Declare the flow: ${fix}.`);
      } else if (!admitting.some((f) => f.internetCidrs!.includes('0.0.0.0/0'))) {
        Annotations.of(this).addWarningV2('cdk-network-patterns:failoverHealthCheckCidrs',
          `${check.side}: the flows admitting tcp ${check.port} to ${lb.node.path} come from ${formatValue(admitting.flatMap((f) => f.internetCidrs!))} only; ` +
          'Route 53 health checkers come from the ROUTE53_HEALTHCHECKS ranges of ip-ranges.json, which the construct can\'t confirm are covered. ' +
          `Include them (or 0.0.0.0/0): ${fix}.`);
      }
    }
    return errors;
  }
}

/** An alias to a load balancer known by attributes (aws-cdk-lib's LoadBalancerTarget needs a construct). */
class LoadBalancerAttributesTarget implements route53.IAliasRecordTarget {
  constructor(private readonly dnsName: string, private readonly hostedZoneId: string) {}

  public bind(): route53.AliasRecordTargetConfig {
    const name = !Token.isUnresolved(this.dnsName) && this.dnsName.toLowerCase().startsWith('dualstack.') ? this.dnsName : `dualstack.${this.dnsName}`;
    return { hostedZoneId: this.hostedZoneId, dnsName: name, evaluateTargetHealth: true };
  }
}

function isPrivateZone(zone: route53.IHostedZone): boolean {
  if (zone instanceof route53.PrivateHostedZone) return true;
  const cfn = zone.node.defaultChild;
  return cfn instanceof route53.CfnHostedZone && Array.isArray(cfn.vpcs) && cfn.vpcs.length > 0;
}

function trimDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** The record's fully qualified name, as aws-cdk-lib's `determineFullyQualifiedDomainName` forms it. */
function qualify(recordName: string | undefined, zone: route53.IHostedZone): string {
  const zoneName = zone.zoneName;
  const name = recordName || zoneName;
  if (Token.isUnresolved(name) || Token.isUnresolved(zoneName)) return `${name}.${zoneName}.`;
  if (name.endsWith('.')) return name;
  const z = trimDot(zoneName);
  return name === z || name.endsWith(`.${z}`) ? `${name}.` : `${name}.${z}.`;
}

function listenerPortsOf(lb: elbv2.ILoadBalancerV2): number[] {
  const ports = new Set<number>();
  const listeners: IConstruct[] = [
    ...lb.node.findAll(),
    ...(lb instanceof elbv2.ApplicationLoadBalancer ? lb.listeners.flatMap((l) => l.node.findAll()) : []),
  ];
  for (const c of listeners) {
    if (c instanceof elbv2.CfnListener && typeof c.port === 'number') ports.add(c.port);
  }
  return [...ports].sort((a, b) => a - b);
}

function tieredVpcOf(lb: elbv2.ILoadBalancerV2): TieredVpc | undefined {
  const vpc = (lb as unknown as { vpc?: ec2.IVpc }).vpc;
  const parent = vpc?.node.scope;
  return parent instanceof TieredVpc && parent.vpc === vpc ? parent : undefined;
}

/** An identity of a target, equal for two specs naming the same endpoint; undefined when unknown (tokens). */
function targetIdentity(spec: FailoverTargetSpec): string | undefined {
  const name = (n: string | undefined) => (n === undefined || Token.isUnresolved(n) ? undefined : trimDot(n.toLowerCase()).replace(/^dualstack\./, ''));
  switch (spec.kind) {
    case 'loadBalancer':
      if (spec.loadBalancer) return `lb:${spec.loadBalancer.node.addr}`;
      return name(spec.dnsName) === undefined ? undefined : `lb:${name(spec.dnsName)}`;
    case 'ipAddresses': {
      const addresses = spec.addresses ?? [];
      if (addresses.some((a) => Token.isUnresolved(a))) return undefined;
      return `ip:${[...new Set(addresses.map((a) => a.toLowerCase()))].sort().join(',')}`;
    }
    default:
      return name(spec.domainName) === undefined ? undefined : `name:${name(spec.domainName)}`;
  }
}
