import { Annotations, Aspects, CfnOutput, IAspect, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { ITieredNetworkLoadBalancer } from './i-tiered-network-load-balancer';
import { NlbListener, NlbListenerOptions } from './nlb-listener';
import { validateClientCidrs, warnWorldClients, WorkloadClient } from './private/clients';
import { NlbListenerHost } from './private/listener-host';
import { ClientOptions } from '../network/client-options';
import { FlowEndpoint } from '../network/flow-endpoint';
import { Tier } from '../network/tier';
import { FlowOptions, ITieredVpc } from '../network/tiered-vpc';
import { EphemeralRange } from '../ports/ephemeral-range';
import { acknowledgeCompliance, acknowledgeControlTower } from '../private/compliance';
import { propError } from '../private/errors';
import { isAnyAddress } from '../private/ipv6-cidr';

/** Properties of a `TieredNetworkLoadBalancer`. */
export interface TieredNetworkLoadBalancerProps {
  /** The tiered VPC: the load balancer goes in its public tier (internet-facing) or its app tier (internal). */
  readonly network: ITieredVpc;

  /**
   * Whether the load balancer faces the internet (public tier, one static IP per AZ) or is
   * internal (app tier). A required choice: exposure is never a default.
   */
  readonly internetFacing: boolean;

  /**
   * The clients admitted on every listener port, as CIDRs outside the VPC (e.g. a partner's
   * egress range for its allowlist deal); IPv6 CIDRs only in a dual-stack VPC. The load balancer's security group admits exactly these
   * (the flow model compiles the NACL entries both ways). Per-listener `clientCidrs` override it.
   *
   * Clients inside the VPC are workloads, admitted by security group reference with `allowClient`
   * (see https://docs.aws.amazon.com/elasticloadbalancing/latest/network/introduction.html); a CIDR overlapping the VPC
   * is refused. An internal load balancer's CIDR clients are peered networks or on-premises
   * ranges reached over VPN or Direct Connect.
   * @default ['0.0.0.0/0'] when internet-facing (['0.0.0.0/0', '::/0'] in a dual-stack VPC); none when internal (admit workloads with `allowClient`)
   */
  readonly clientCidrs?: string[];

  /**
   * One Elastic IP per AZ, attached through subnet mappings, so the addresses never change and
   * a partner can allowlist them (see https://docs.aws.amazon.com/elasticloadbalancing/latest/network/introduction.html). Only for
   * internet-facing load balancers.
   * @default true when internet-facing
   */
  readonly staticIps?: boolean;

  /**
   * Existing Elastic IP allocation ids, one per AZ in the VPC's AZ order, instead of new ones:
   * addresses that outlive this stack (a partner's allowlist survives a redeploy from scratch).
   * They hold Elastic IP quota as well: the nag pack's NetworkPatterns-EIP1 counts them with the
   * stack's new addresses.
   * @default - new Elastic IPs, one per AZ, when `staticIps` is on
   */
  readonly elasticIpAllocationIds?: string[];

  /**
   * Create a CloudFormation output per static IP (in this construct's scope), to hand to a
   * partner's allowlist.
   * @default false
   */
  readonly staticIpOutputs?: boolean;

  /**
   * Cross-zone load balancing: every load balancer node spreads connections over the healthy
   * targets of every AZ, so an AZ with few (or no) healthy targets doesn't strand the clients
   * that reach its static IP. AWS's NLB default is off (see https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/how-elastic-load-balancing-works.html#cross-zone-load-balancing): on here for availability, at the price of inter-AZ data charges.
   * @default true
   */
  readonly crossZone?: boolean;

  /**
   * How the load balancer's DNS name spreads clients over the AZs.
   * @default - AWS's default: no AZ affinity
   */
  readonly clientRoutingPolicy?: elbv2.ClientRoutingPolicy;

  /**
   * Deletion protection on the load balancer (NIST 800-53 and HIPAA packs:
   * ELBDeletionProtectionEnabled). Its DNS name, and the association of its static IPs, are what
   * clients point at and partners allowlist: deleting it by accident (a stack deletion, a
   * replacement) cuts every client off until DNS and allowlists follow. The price: `cdk destroy`
   * fails on it until you turn it off (`aws elbv2 modify-load-balancer-attributes
   * --load-balancer-arn <arn> --attributes Key=deletion_protection.enabled,Value=false`, or
   * deploy with `false` first).
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * A bucket for the load balancer's access logs. An NLB writes access logs only for TLS
   * listeners (AWS ELB user guide, "Access logs for your Network Load Balancer"): without a TLS
   * listener there is nothing to log, and the construct acknowledges AwsSolutions-ELB2 (and the
   * NIST 800-53, HIPAA and PCI DSS packs' ELBLoggingEnabled) saying so; with a TLS listener and no
   * bucket, those findings stay for you to resolve. The stack must
   * have an explicit region (the bucket policy names the Region's log delivery principal).
   * @default - no access logs
   */
  readonly accessLogBucket?: s3.IBucket;

  /**
   * Key prefix of the access logs in `accessLogBucket`.
   * @default - no prefix
   */
  readonly accessLogPrefix?: string;

  /**
   * The load balancer's name.
   * @default - generated by CloudFormation
   */
  readonly loadBalancerName?: string;
}

/**
 * A Network Load Balancer for any TCP, TLS or UDP service, placed in a tiered VPC with every
 * opening declared as a flow.
 *
 * An ALB speaks HTTP/HTTPS only; Kafka 9092, MySQL 3306
 * or a custom protocol, a fixed IP per AZ a partner can allowlist, and long-lived connections
 * call for an NLB. aws-cdk-lib's NLB leaves the security-group and NACL side to you (aws-cdk
 * issues 3864, 4283, 26735, 29041); this construct does it through the `TieredVpc` flow model:
 *
 * - internet-facing: in the public tier, one Elastic IP per AZ (subnet mappings), `staticIps`;
 *   internal: in the app tier;
 * - always created with a security group (an NLB created without one can never get one,
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html), admitting only the clients on the listener ports:
 *   `clientCidrs -> load balancer` on each listener port, `workload -> load balancer` for each
 *   `allowClient`;
 * - `load balancer -> targets` on the target port and the health-check port (SG referencing SG,
 *   the ELB ephemeral range 1024-65535 for the NACL return entries);
 * - with client IP preservation on, the targets see the clients' own addresses: the targets' tier
 *   NACL admits the client CIDRs on the target port (and returns to them). The targets' security
 *   group needs no client CIDR: it references the load balancer's security group, which admits
 *   preserved-IP traffic too (AWS ELB user guide, "Security groups for your Network Load
 *   Balancer": "ensures that your targets accept traffic from your Network Load Balancer even if
 *   you enable client IP preservation"), so the internet can never reach a target directly.
 *
 * The library's nag pack warns (NetworkPatterns-EIP1) when the stack's Elastic IPs (NAT gateways +
 * static NLB addresses) exceed the default Regional quota of 5.
 *
 * Deletion protection is on by default. Without a TLS listener there is nothing for access logs
 * to record, and the construct acknowledges the packs' logging findings saying so; a TCP
 * listener whose targets terminate TLS says so with `targetsTerminateTls`.
 *
 * @example
 * const nlb = new TieredNetworkLoadBalancer(this, 'Kafka', {
 *   network: net,
 *   internetFacing: true,
 *   clientCidrs: ['203.0.113.0/24'],   // the partner's egress range
 * });
 * nlb.addListener('Brokers', { port: 9092, targets: [NlbTarget.autoScalingGroup(brokers)] });
 * // nlb.staticIps: the addresses the partner allowlists
 */
export class TieredNetworkLoadBalancer extends Construct implements ITieredNetworkLoadBalancer {
  /**
   * The default Regional quota of Elastic IP addresses ("EC2-VPC Elastic IPs", Service Quotas
   * code L-0263D0A3): 5 per Region (see https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html).
   */
  public static readonly ELASTIC_IP_DEFAULT_QUOTA = 5;

  /** The underlying aws-cdk-lib Network Load Balancer. */
  public readonly loadBalancer: elbv2.NetworkLoadBalancer;
  /** The load balancer's security group (egress only to its targets, ingress only from its clients). */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The load balancer's connections. Open them with `allowClient` (which declares flows), not directly. */
  public readonly connections: ec2.Connections;
  /** The tiered VPC. */
  public readonly network: ITieredVpc;
  /** The tier the load balancer is placed in: `Tier.PUBLIC` when internet-facing, `Tier.APP` when internal. */
  public readonly tier: Tier;
  /** Whether the load balancer faces the internet. */
  public readonly internetFacing: boolean;
  /** The CIDR clients admitted on every listener (unless a listener overrides them). */
  public readonly clientCidrs: string[];
  /** The Elastic IPs this construct created, one per AZ in the VPC's AZ order (empty when none). */
  public readonly elasticIps: ec2.CfnEIP[];
  /**
   * The static public IPs (tokens), one per AZ in the VPC's AZ order: what a partner allowlists.
   * Empty when internal, when `staticIps` is off, or when you gave `elasticIpAllocationIds`.
   */
  public readonly staticIps: string[];
  /** Whether access logs are written to a bucket. */
  public readonly accessLogsEnabled: boolean;

  private readonly listenerList: NlbListener[] = [];
  private readonly workloadClients: WorkloadClient[] = [];

  constructor(scope: Construct, id: string, props: TieredNetworkLoadBalancerProps) {
    super(scope, id);
    this.network = props.network;
    this.internetFacing = props.internetFacing;
    this.tier = props.internetFacing ? Tier.PUBLIC : Tier.APP;
    this.clientCidrs = [...(props.clientCidrs ?? (props.internetFacing ? (props.network.dualStack ? ['0.0.0.0/0', '::/0'] : ['0.0.0.0/0']) : []))];
    const staticIps = props.staticIps ?? props.internetFacing;
    this.validateProps(props, staticIps);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.network.vpc,
      allowAllOutbound: false,
      description: `${this.node.path}: ${props.internetFacing ? 'internet-facing' : 'internal'} NLB; admits its clients on the listener ports, reaches only its targets`,
    });

    const subnets = props.network.selectTierSubnets(this.tier).subnets;
    this.elasticIps = [];
    let subnetMappings: elbv2.SubnetMapping[] | undefined;
    if (props.internetFacing && staticIps) {
      const allocationIds = props.elasticIpAllocationIds ?? subnets.map((subnet, i) => {
        const eip = new ec2.CfnEIP(this, `ElasticIp${i + 1}`, {
          domain: 'vpc',
          tags: [{ key: 'Name', value: `${this.node.path} ${subnet.availabilityZone}` }],
        });
        this.elasticIps.push(eip);
        return eip.attrAllocationId;
      });
      subnetMappings = subnets.map((subnet, i) => ({ subnet, allocationId: allocationIds[i] }));
    }
    this.staticIps = this.elasticIps.map((eip) => eip.attrPublicIp);

    this.loadBalancer = new elbv2.NetworkLoadBalancer(this, 'Resource', {
      vpc: props.network.vpc,
      internetFacing: props.internetFacing,
      securityGroups: [this.securityGroup],
      ...(subnetMappings ? { subnetMappings } : { vpcSubnets: props.network.tierSubnets(this.tier) }),
      crossZoneEnabled: props.crossZone ?? true,
      clientRoutingPolicy: props.clientRoutingPolicy,
      deletionProtection: props.deletionProtection ?? true,
      loadBalancerName: props.loadBalancerName,
      // Dual stack when the VPC is: clients then reach the load balancer over IPv4 and IPv6
      // (its subnets have IPv6 blocks and routes, and the IPv6 client flows compile into the NACLs).
      ipAddressType: props.network.dualStack ? elbv2.IpAddressType.DUAL_STACK : undefined,
    });
    this.connections = this.loadBalancer.connections;

    this.accessLogsEnabled = props.accessLogBucket !== undefined;
    if (props.accessLogBucket) {
      this.loadBalancer.logAccessLogs(props.accessLogBucket, props.accessLogPrefix);
    }

    if (props.staticIpOutputs) {
      this.elasticIps.forEach((eip, i) => {
        new CfnOutput(this, `StaticIp${i + 1}`, {
          value: eip.attrPublicIp,
          description: `Static IP of ${this.node.path} in ${subnets[i].availabilityZone}: give it to the clients' allowlist`,
        });
      });
    }

    if (this.clientCidrs.some(isAnyAddress)) this.acknowledgeOpenListeners();
    Aspects.of(this).add(new SynthTimeChecks(this));
  }

  /** The listeners added so far. */
  public get listeners(): NlbListener[] {
    return [...this.listenerList];
  }

  /** The load balancer's DNS name. */
  public get loadBalancerDnsName(): string {
    return this.loadBalancer.loadBalancerDnsName;
  }

  /**
   * Adds a listener and its targets; declares the flows clients -> load balancer on the listener
   * port and load balancer -> targets on the target and health-check ports (and, with client IP
   * preservation, clients -> targets' tier NACL).
   */
  public addListener(id: string, options: NlbListenerOptions): NlbListener {
    // The listener drives this load balancer through the internal members of NlbListenerHost only.
    return new NlbListener(this, id, { ...options, loadBalancer: this satisfies NlbListenerHost });
  }

  /**
   * Admits a workload inside the VPC as a client of this internal load balancer on every listener
   * port, present and future: security group reference and the NACL entries between the client's
   * tier and the load balancer's (and, with client IP preservation, the targets' tier NACL).
   *
   * Only for internal load balancers: a workload reaches an internet-facing one through its NAT
   * gateway, with the NAT gateway's public address as source; admit those addresses in
   * `clientCidrs`, or put an internal load balancer in front of in-VPC clients.
   */
  public allowClient(client: ec2.IConnectable, tier: Tier, options: ClientOptions = {}): void {
    if (this.internetFacing) {
      throw propError(this, 'allowClient', (client as unknown as IConstruct).node?.path ?? options.name ?? 'a workload',
        'admits a workload inside the VPC to an internet-facing load balancer, which it can only reach through a NAT gateway (from the NAT gateway\'s public address)',
        'Use an internal TieredNetworkLoadBalancer for clients inside the VPC, or admit the NAT gateways\' Elastic IPs in clientCidrs.');
    }
    const wc: WorkloadClient = { connectable: client, tier, ephemeralRange: options.ephemeralRange ?? EphemeralRange.ANY_CLIENT, name: options.name };
    this.workloadClients.push(wc);
    for (const listener of this.listenerList) listener._admitWorkloadClient(wc);
  }

  /** @internal */
  public _registerListener(listener: NlbListener): void {
    for (const other of this.listenerList) {
      if (!Token.isUnresolved(other.port) && other.port === listener.port) {
        throw propError(listener, 'port', listener.port, `is already used by listener ${other.node.id} (${other.protocol})`,
          'Give each listener its own port; for TCP and UDP on one port use a single Protocol.TCP_UDP listener.');
      }
    }
    this.listenerList.push(listener);
  }

  /** @internal */
  public _workloadClients(): WorkloadClient[] {
    return [...this.workloadClients];
  }

  /**
   * Declares a flow on the VPC (`addFlow` declares the same opening once, e.g. when two target
   * sets sharing a security group ask for it).
   * @internal
   */
  public _declare(from: FlowEndpoint, to: FlowEndpoint, port: ec2.Port, options: FlowOptions): void {
    this.network.addFlow(from, to, port, options);
  }

  /** @internal */
  public _acknowledgeOpenListeners(): void {
    this.acknowledgeOpenListeners();
  }

  /**
   * Runs at synth: the access-log acknowledgment, clientless internal NLBs. (The Elastic IP quota
   * is the nag pack's NetworkPatterns-EIP1, a warning.)
   * @internal
   */
  public _synthChecks(): void {
    const tls = this.listenerList.some((l) => l.protocol === elbv2.Protocol.TLS);
    if (!this.accessLogsEnabled && !tls) {
      const reason = 'A Network Load Balancer writes access logs only for TLS listeners (AWS ELB user guide, "Access logs for your ' +
        'Network Load Balancer"); this one has none, so a log bucket would stay empty. VPC flow logs (TieredVpc) record its connections.';
      Validations.of(this.loadBalancer).acknowledge({ id: 'AwsSolutions-ELB2', reason });
      acknowledgeCompliance(this.loadBalancer, 'ELBLoggingEnabled', reason);
      acknowledgeControlTower(this.loadBalancer, 'CT.ELASTICLOADBALANCING.PR.6', 'elbv2_logging_enabled_check',
        `${reason} https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html`);
    }
    const listenerCidrs = this.listenerList.some((l) => l.clientCidrs.length > 0);
    if (!this.internetFacing && this.workloadClients.length === 0 && !listenerCidrs && this.listenerList.length > 0) {
      Annotations.of(this).addWarningV2('cdk-network-patterns:nlbNoClients',
        'This internal load balancer admits no client yet: its security group admits nothing on the listener ports. ' +
        'Admit the client workloads with allowClient(workload, tier), or clients outside the VPC with clientCidrs.');
    }
  }

  private acknowledgeOpenListeners(): void {
    Validations.of(this.securityGroup).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'An internet-facing load balancer for clients anywhere admits 0.0.0.0/0 (and ::/0 when dual stack) on its listener ports only (each a declared flow); ' +
        'its targets admit only the load balancer\'s security group. Narrow clientCidrs to the partners\' ranges when they are known.',
    });
  }

  private validateProps(props: TieredNetworkLoadBalancerProps, staticIps: boolean): void {
    validateClientCidrs(this, 'clientCidrs', this.clientCidrs, props.network);
    if (!props.internetFacing) warnWorldClients(this, this.clientCidrs);
    if (props.internetFacing && this.clientCidrs.length === 0) {
      throw propError(this, 'clientCidrs', [], 'must name at least one CIDR for an internet-facing load balancer',
        'Give the clients\' ranges, e.g. [\'203.0.113.0/24\'], or omit clientCidrs to admit anyone (0.0.0.0/0).');
    }
    if (!props.internetFacing && props.staticIps === true) {
      throw propError(this, 'staticIps', true, 'is only for internet-facing load balancers (an internal NLB has no public address)',
        'Set internetFacing: true for a partner allowlist, or drop staticIps: an internal NLB keeps a private IP per AZ for its lifetime.');
    }
    if (props.elasticIpAllocationIds !== undefined) {
      if (!props.internetFacing || !staticIps) {
        throw propError(this, 'elasticIpAllocationIds', props.elasticIpAllocationIds,
          'needs an internet-facing load balancer with staticIps on', 'Drop elasticIpAllocationIds, or set internetFacing: true and staticIps: true.');
      }
      const azs = props.network.availabilityZones.length;
      if (props.elasticIpAllocationIds.length !== azs) {
        throw propError(this, 'elasticIpAllocationIds', props.elasticIpAllocationIds, `must give exactly one allocation id per AZ (${azs})`,
          `List one per AZ in the VPC's AZ order (${props.network.availabilityZones.join(', ')}).`);
      }
    }
    if (props.staticIpOutputs && !(props.internetFacing && staticIps && props.elasticIpAllocationIds === undefined)) {
      throw propError(this, 'staticIpOutputs', true, 'needs Elastic IPs created by this construct (internet-facing, staticIps on, no elasticIpAllocationIds)',
        'Drop staticIpOutputs, or let the construct create the Elastic IPs.');
    }
    if (props.accessLogPrefix !== undefined && props.accessLogBucket === undefined) {
      throw propError(this, 'accessLogPrefix', props.accessLogPrefix, 'needs accessLogBucket', 'Give the bucket, or drop the prefix.');
    }
    if (props.accessLogBucket !== undefined && Token.isUnresolved(Stack.of(this).region)) {
      throw propError(this, 'accessLogBucket', props.accessLogBucket.node.path, 'needs a stack with an explicit region',
        'Give the stack env: { region: ... }: the bucket policy names the Region\'s log delivery principal.');
    }
  }
}

/** The construct's synth-time checks, run as an aspect on its own scope (aspects may add warnings; validations may not). */
class SynthTimeChecks implements IAspect {
  constructor(private readonly nlb: TieredNetworkLoadBalancer) {}

  public visit(node: IConstruct): void {
    if (node === this.nlb) this.nlb._synthChecks();
  }
}
