import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct, IConstruct } from 'constructs';
import { FailoverHealthCheck } from './failover-health-check';
import { FailoverTarget } from './failover-target';
import { FailoverBindContext, ReachabilityCheck, ResolvedTarget, Side, trimDot } from './private/binding';
import { FlowProtocol } from '../network/declared-flow';
import { TieredVpc } from '../network/tiered-vpc';
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

    // The targets and health checks bind themselves to the pair, through this narrow view of it.
    const ctx: FailoverBindContext = {
      scope: this,
      zone: this.zone,
      zoneIsPrivate: this.zoneIsPrivate,
      domainName: this.domainName,
      addReachabilityCheck: (check) => this.reachabilityChecks.push(check),
      addAlarm: (alarm) => this.alarms.push(alarm),
    };
    const primary = props.primary.target._bind(ctx, 'primary');
    const secondary = props.secondary.target._bind(ctx, 'secondary');
    this.validateDistinctTargets(primary, secondary);
    this.recordTypes = this.recordTypesOf(props, primary, secondary);

    this.primaryHealthCheck = (props.primary.healthCheck ?? FailoverHealthCheck.endpoint())._bind(ctx, 'primary', primary);
    this.secondaryHealthCheck = props.secondary.healthCheck?._bind(ctx, 'secondary', secondary);

    this.primaryRecords = this.records('primary', route53.Failover.PRIMARY, setIds.primary, primary, this.primaryHealthCheck, props);
    this.secondaryRecords = this.records('secondary', route53.Failover.SECONDARY, setIds.secondary, secondary, this.secondaryHealthCheck, props);

    this.node.addValidation({ validate: () => this.validateReachability() });
  }

  /** A pair whose two sides are one target never fails over: refused. */
  private validateDistinctTargets(primary: ResolvedTarget, secondary: ResolvedTarget): void {
    const a = primary.identity;
    const b = secondary.identity;
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

  private records(side: Side, failover: route53.Failover, setIdentifier: string, target: ResolvedTarget,
    healthCheck: route53.IHealthCheck | undefined, props: FailoverRecordProps): route53.RecordSet[] {
    const prefix = side === 'primary' ? 'Primary' : 'Secondary';
    const common = { zone: props.zone, recordName: props.recordName, failover, setIdentifier, healthCheck, comment: props.comment };
    return this.recordTypes.map((type) => {
      const id = `${prefix}${type}`;
      if (type === route53.RecordType.CNAME) {
        return new route53.CnameRecord(this, id, { ...common, domainName: target.cname!, ttl: target.ttl });
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

function isPrivateZone(zone: route53.IHostedZone): boolean {
  if (zone instanceof route53.PrivateHostedZone) return true;
  const cfn = zone.node.defaultChild;
  return cfn instanceof route53.CfnHostedZone && Array.isArray(cfn.vpcs) && cfn.vpcs.length > 0;
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
