import { Annotations, Lazy, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DeclaredFlow } from './declared-flow';
import { FlowEndpoint, FlowEndpointKind } from './flow-endpoint';
import { IpPlanProps } from './ip-plan';
import { NaclCompiler } from './nacl-compiler';
import { ALL_TIERS, subnetGroupName, Tier } from './tier';
import { WellKnownPorts } from '../ports/well-known-ports';
import { isIpv4Cidr, isIpv6Cidr } from '../private/cidr';
import { acknowledgeCompliance, createLogEncryptionKey } from '../private/compliance';
import { propError } from '../private/errors';
import { FLOWS_METADATA_KEY } from '../private/flow-metadata';
import { computeIpPlan, RESERVED_ADDRESSES_PER_SUBNET, TierPlan } from '../private/ip-plan';
import { describePort, includesPort, portProblem, PortSpec, toPortSpec } from '../private/port-spec';

/** How many NAT gateways a `TieredVpc` gets. */
export enum NatGatewayMode {
  /**
   * One NAT gateway in every AZ, each app subnet routing to the one in its own AZ: a NAT
   * gateway is redundant only inside its AZ, and same-AZ routing avoids cross-AZ charges
   * (AWS-FACTS.md "NAT gateways"; seed 004 "NAT gateway per AZ for HA").
   */
  PER_AZ = 'per-az',
  /**
   * One NAT gateway for every AZ: cheaper, for non-production. The app tier of every other AZ
   * loses the internet when that AZ fails, and pays cross-AZ data charges. Leaves a warning.
   */
  SINGLE = 'single',
  /** No NAT gateway: the app tier has no route to the internet; flows from it to the internet are refused. */
  NONE = 'none',
}

/** Properties of a `TieredVpc`. */
export interface TieredVpcProps {
  /**
   * The VPC's IPv4 CIDR, /16 to /24.
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
  /**
   * How many AZs to use, at least 2 (the NAT-per-AZ and RDS Proxy guarantees need two).
   * @default 3, or the stack's AZ count when it has fewer (an environment-agnostic stack has 2)
   */
  readonly maxAzs?: number;
  /**
   * Exact AZ names to use (overrides `maxAzs`). Useful to synthesize without AWS credentials.
   * @default - the first `maxAzs` of the stack's AZs
   */
  readonly availabilityZones?: string[];
  /**
   * Sizes or exact blocks of the tiers.
   * @default - each tier a quarter of the VPC (public, app, data in that order; the last quarter spare for growth)
   */
  readonly ipPlan?: IpPlanProps;
  /**
   * NAT gateways for the app tier.
   * @default NatGatewayMode.PER_AZ
   */
  readonly natGateways?: NatGatewayMode;
  /**
   * Retention of the VPC flow logs (CloudWatch Logs, all traffic). Flow logs are always on
   * (seed 003 "Best practices": VPC flow logs; AwsSolutions-VPC7).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * What happens to the flow log group when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly flowLogRemovalPolicy?: RemovalPolicy;
  /**
   * The KMS key that encrypts the flow log group (NIST 800-53, HIPAA and PCI DSS packs:
   * CloudWatchLogGroupEncrypted). Its key policy must let CloudWatch Logs use it.
   * @default - a new customer managed key with annual rotation, retained on stack deletion
   */
  readonly flowLogEncryptionKey?: kms.IKey;
  /**
   * Gateway endpoints for S3 and DynamoDB in the app and data tiers: free, and they take
   * that traffic off the NAT gateway (AWS-FACTS.md "NAT gateways and addressing").
   * @default true
   */
  readonly gatewayEndpoints?: boolean;
  /**
   * Interface endpoints to create in the app tier. Workloads reach them through
   * `allowInterfaceEndpoints`, which declares the flows (SG referencing SG on 443).
   * @default - none
   */
  readonly interfaceEndpoints?: ec2.InterfaceVpcEndpointAwsService[];
  /**
   * Create the `ssm`, `ssmmessages` and `ec2messages` interface endpoints, so Session Manager
   * works without SSH and without the NAT gateway (seed 000 section 9: never open SSH).
   * @default false
   */
  readonly sessionManagerEndpoints?: boolean;
}

/**
 * A three-tier VPC: public, app and data subnets in every AZ, a NAT gateway per AZ, flow logs,
 * the default security group stripped, gateway endpoints for S3 and DynamoDB, and one NACL per
 * tier whose entries are compiled from declared flows.
 *
 * Each tier owns one contiguous block of the VPC CIDR (10.0.0.0/18 public, 10.0.64.0/18 app,
 * 10.0.128.0/18 data by default), so one NACL entry names a whole tier. Every opening is a
 * flow declared with `addFlow`, compiled into a security group rule (stateful, SG referencing
 * SG) and NACL entries in both tiers, both directions, with the client's ephemeral return range
 * (seed 000 section 9: "Stateless = Say Both Ways").
 *
 * @example
 * const net = new TieredVpc(this, 'Net');
 * net.addFlow(FlowEndpoint.internet(), FlowEndpoint.workload(alb, Tier.PUBLIC), WellKnownPorts.HTTPS);
 * net.addFlow(FlowEndpoint.workload(alb, Tier.PUBLIC, { ephemeralRange: EphemeralRange.ELB }),
 *   FlowEndpoint.workload(service, Tier.APP), WellKnownPorts.HTTP_ALT);
 */
export class TieredVpc extends Construct {
  /** The underlying aws-cdk-lib VPC, for any construct that takes an `ec2.IVpc`. */
  public readonly vpc: ec2.Vpc;
  /** The AZs the tiers span. */
  public readonly availabilityZones: string[];
  /** How many NAT gateways the VPC has. */
  public readonly natGatewayCount: number;
  /** The NAT gateway mode. */
  public readonly natGatewayMode: NatGatewayMode;
  /** The flow log group. */
  public readonly flowLogGroup: logs.LogGroup;
  /** The key that encrypts the flow log group. */
  public readonly flowLogEncryptionKey: kms.IKey;
  /** The interface endpoints created from `interfaceEndpoints` and `sessionManagerEndpoints`. */
  public readonly interfaceEndpoints: ec2.InterfaceVpcEndpoint[];

  private readonly plan: TierPlan[];
  private readonly acls: Record<Tier, ec2.NetworkAcl>;
  private readonly compiler: NaclCompiler;
  private readonly declared: DeclaredFlow[] = [];

  constructor(scope: Construct, id: string, props: TieredVpcProps = {}) {
    super(scope, id);
    this.natGatewayMode = props.natGateways ?? NatGatewayMode.PER_AZ;
    this.availabilityZones = this.resolveAzs(props);
    const azCount = this.availabilityZones.length;
    const cidr = props.cidr ?? '10.0.0.0/16';
    this.plan = computeIpPlan(this, cidr, azCount, props.ipPlan);

    this.natGatewayCount = { [NatGatewayMode.PER_AZ]: azCount, [NatGatewayMode.SINGLE]: 1, [NatGatewayMode.NONE]: 0 }[this.natGatewayMode];
    if (this.natGatewayMode === NatGatewayMode.SINGLE) {
      Annotations.of(this).addWarningV2('cdk-network-patterns:singleNatGateway',
        'One NAT gateway serves every AZ: when its AZ fails, the app tier of every other AZ loses the internet, ' +
        'and traffic from other AZs pays cross-AZ data charges. Use NatGatewayMode.PER_AZ in production.');
    }

    const plan = this.plan;
    this.vpc = new ec2.Vpc(this, 'Resource', {
      ipAddresses: new TierPlanIpAddresses(cidr, plan),
      availabilityZones: this.availabilityZones,
      natGateways: this.natGatewayCount,
      natGatewaySubnets: { subnetGroupName: subnetGroupName(Tier.PUBLIC) },
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        {
          name: subnetGroupName(Tier.PUBLIC),
          subnetType: ec2.SubnetType.PUBLIC,
          cidrMask: this.tierPlan(Tier.PUBLIC).subnetPrefixLength,
          mapPublicIpOnLaunch: false,
        },
        {
          name: subnetGroupName(Tier.APP),
          subnetType: this.natGatewayCount > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED,
          cidrMask: this.tierPlan(Tier.APP).subnetPrefixLength,
        },
        { name: subnetGroupName(Tier.DATA), subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: this.tierPlan(Tier.DATA).subnetPrefixLength },
      ],
    });

    // The declared flows travel with the template (for the `emulate` command, which reads cdk.out).
    (this.vpc.node.defaultChild as ec2.CfnVPC).addMetadata(FLOWS_METADATA_KEY, Lazy.any({ produce: () => this.recordedFlows() }));

    this.flowLogEncryptionKey = props.flowLogEncryptionKey ?? createLogEncryptionKey(this, 'FlowLogKey', `Encrypts the flow logs of ${this.node.path}`);
    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.flowLogRemovalPolicy ?? RemovalPolicy.RETAIN,
      encryptionKey: this.flowLogEncryptionKey,
    });
    // The delivery role's permissions sit in a customer managed policy rather than an inline one
    // (NIST 800-53, HIPAA and PCI DSS packs: IAMNoInlinePolicy); aws-cdk-lib's grant is then a no-op.
    const flowLogRole = new iam.Role(this, 'FlowLogRole', {
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com'),
      description: `Delivers the flow logs of ${this.node.path} to CloudWatch Logs`,
      managedPolicies: [new iam.ManagedPolicy(this, 'FlowLogPolicy', {
        description: `Writes the flow logs of ${this.node.path}`,
        statements: [new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [this.flowLogGroup.logGroupArn],
        })],
      })],
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup, flowLogRole.withoutPolicyUpdates()),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    // Only the public tier routes to the internet gateway: that is what the public tier is for
    // (internet-facing load balancers and the NAT gateways); app and data subnets have no such route.
    for (const subnet of this.vpc.publicSubnets) {
      const route = subnet.node.tryFindChild('DefaultRoute');
      if (!route) continue;
      acknowledgeCompliance(route, 'VPCNoUnrestrictedRouteToIGW',
        'The public tier exists to hold internet-facing load balancers and NAT gateways, which need the route to the ' +
        'internet gateway; only the public tier has it, and what the internet reaches there is limited by declared flows.');
    }

    if (props.gatewayEndpoints ?? true) {
      const subnets = [this.selectSubnets(Tier.APP), this.selectSubnets(Tier.DATA)];
      this.vpc.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets });
      this.vpc.addGatewayEndpoint('DynamoDbEndpoint', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB, subnets });
    }

    this.acls = {} as Record<Tier, ec2.NetworkAcl>;
    for (const tier of ALL_TIERS) {
      const acl = new ec2.NetworkAcl(this, `${subnetGroupName(tier)}Acl`, {
        vpc: this.vpc,
        subnetSelection: this.selectSubnets(tier),
      });
      Validations.of(acl).acknowledge({
        id: 'AwsSolutions-VPC3',
        reason: 'The library compiles every NACL entry from declared flows (with the ephemeral return range both ways), ' +
          'so the NACL is a second, stateless layer that cannot drift from the security groups: the trade-off VPC3 warns about ' +
          '(hand-written NACLs breaking return traffic) is what the flow model removes.',
      });
      this.acls[tier] = acl;
    }
    this.compiler = new NaclCompiler(this, this.acls);

    const endpointServices = [
      ...(props.interfaceEndpoints ?? []),
      ...(props.sessionManagerEndpoints
        ? [ec2.InterfaceVpcEndpointAwsService.SSM, ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES, ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES]
        : []),
    ];
    this.interfaceEndpoints = endpointServices.map((service) => {
      const endpointId = `${service.shortName.replace(/[^A-Za-z0-9]/g, '')}Endpoint`;
      return this.vpc.addInterfaceEndpoint(endpointId, {
        service,
        subnets: this.selectSubnets(Tier.APP),
        // Closed by default: workloads are admitted by SG reference through allowInterfaceEndpoints.
        open: false,
      });
    });
  }

  /** The tier's whole block, e.g. `10.0.64.0/18` for the app tier by default. */
  public tierCidr(tier: Tier): string {
    return this.tierPlan(tier).cidr;
  }

  /** The tier's per-AZ subnet CIDRs, in AZ order. */
  public subnetCidrs(tier: Tier): string[] {
    return [...this.tierPlan(tier).subnetCidrs];
  }

  /** Addresses usable in each of the tier's subnets: the subnet size less the 5 that AWS reserves. */
  public usableAddressesPerSubnet(tier: Tier): number {
    return 2 ** (32 - this.tierPlan(tier).subnetPrefixLength) - RESERVED_ADDRESSES_PER_SUBNET;
  }

  /** A subnet selection for the tier, for any aws-cdk-lib construct's `vpcSubnets`. */
  public selectSubnets(tier: Tier): ec2.SubnetSelection {
    return { subnetGroupName: subnetGroupName(tier) };
  }

  /** The tier's NACL. Its entries come from `addFlow`; add none by hand. */
  public networkAcl(tier: Tier): ec2.NetworkAcl {
    return this.acls[tier];
  }

  /** The flows declared so far, in declaration order. */
  public get flows(): DeclaredFlow[] {
    return [...this.declared];
  }

  /**
   * Declares a flow: `from` may open connections to `to` on `port`.
   *
   * Compiles it into a security group rule when both ends are workloads (SG referencing SG),
   * or when one end is a workload and the other the internet (the peers' CIDRs); and into NACL
   * entries in every tier the traffic crosses, both directions: the service port one way, the
   * client's ephemeral range back. Traffic from the app tier to the internet crosses the public
   * tier's NACL too, where the NAT gateway sits.
   *
   * Refused with a synth-time error: SSH or RDP from 0.0.0.0/0 or ::/0; any flow from the internet
   * to the data tier; the data tier (or an app tier without NAT) to the internet; a tier to itself
   * (declare workload to workload instead); a tier end paired with a workload end; ports that are
   * not TCP/UDP within 0-65535.
   */
  public addFlow(from: FlowEndpoint, to: FlowEndpoint, port: ec2.Port, options: FlowOptions = {}): void {
    const spec = this.validateFlow(from, to, port);
    const description = options.description ?? `${from.name} -> ${to.name} ${describePort(spec)}`;
    const client = from.ephemeralRange;
    const ret: PortSpec = { protocol: spec.protocol, from: client.fromPort, to: client.toPort };

    const fromCidrs = this.endpointCidrs(from);
    const toCidrs = this.endpointCidrs(to);
    if (from.placedTier) {
      for (const c of toCidrs) {
        this.compiler.add(from.placedTier, 'egress', spec, c, description);
        this.compiler.add(from.placedTier, 'ingress', ret, c, description);
      }
    }
    if (to.placedTier) {
      for (const c of fromCidrs) {
        this.compiler.add(to.placedTier, 'ingress', spec, c, description);
        this.compiler.add(to.placedTier, 'egress', ret, c, description);
      }
    }
    if (to.kind === FlowEndpointKind.INTERNET && from.placedTier === Tier.APP) {
      // Through the NAT gateway in the public tier: it receives the request from the app tier,
      // sends it on from its own ephemeral ports (1024-65535), and returns the answer.
      const appCidr = this.tierCidr(Tier.APP);
      this.compiler.add(Tier.PUBLIC, 'ingress', spec, appCidr, description);
      this.compiler.add(Tier.PUBLIC, 'egress', ret, appCidr, description);
      for (const c of toCidrs) {
        this.compiler.add(Tier.PUBLIC, 'egress', spec, c, description);
        this.compiler.add(Tier.PUBLIC, 'ingress', { protocol: spec.protocol, from: 1024, to: 65535 }, c, description);
      }
    }

    // Security group rules: SG referencing SG inside the VPC, CIDRs only for the internet.
    const portDescription = options.description ?? `${from.name} -> ${to.name}`;
    if (from.kind === FlowEndpointKind.WORKLOAD && to.kind === FlowEndpointKind.WORKLOAD) {
      if (from.connectable!.connections === to.connectable!.connections) {
        // Peers of one group (brokers, cluster members): allowFrom(self) would add the ingress half only.
        to.connectable!.connections.allowInternally(port, portDescription);
      } else {
        to.connectable!.connections.allowFrom(from.connectable!, port, portDescription);
      }
    } else if (to.kind === FlowEndpointKind.WORKLOAD && from.kind === FlowEndpointKind.INTERNET) {
      for (const c of fromCidrs) to.connectable!.connections.allowFrom(ec2.Peer.ipv4(c), port, portDescription);
    } else if (from.kind === FlowEndpointKind.WORKLOAD && to.kind === FlowEndpointKind.INTERNET) {
      for (const c of toCidrs) from.connectable!.connections.allowTo(ec2.Peer.ipv4(c), port, portDescription);
    }

    this.declared.push({
      from: from.name,
      to: to.name,
      fromPath: from.path,
      toPath: to.path,
      fromTier: from.placedTier,
      toTier: to.placedTier,
      internetCidrs: from.cidrs ?? to.cidrs,
      protocol: spec.protocol,
      fromPort: spec.from,
      toPort: spec.to,
      ephemeralFromPort: client.fromPort,
      ephemeralToPort: client.toPort,
      description,
    });
  }

  /**
   * Lets `workload` in `tier` reach every interface endpoint of this VPC on 443 (SG referencing
   * SG, and the NACL entries between the tiers).
   */
  public allowInterfaceEndpoints(workload: ec2.IConnectable, tier: Tier): void {
    for (const endpoint of this.interfaceEndpoints) {
      this.addFlow(FlowEndpoint.workload(workload, tier), FlowEndpoint.workload(endpoint, Tier.APP), WellKnownPorts.HTTPS,
        { description: `${FlowEndpoint.workload(workload, tier).name} -> ${endpoint.node.path} tcp 443 (AWS API)` });
    }
  }

  /** The declared flows as recorded in the template: tier ends name their subnets by construct path. */
  private recordedFlows(): object[] {
    const subnets = (tier: string | undefined, path: string | undefined) => (tier !== undefined && path === undefined
      ? this.vpc.selectSubnets(this.selectSubnets(tier as Tier)).subnets.map((s) => s.node.path) : undefined);
    return this.declared.map((f) => ({
      description: f.description,
      from: f.from,
      to: f.to,
      fromPath: f.fromPath,
      toPath: f.toPath,
      fromTier: f.fromTier,
      toTier: f.toTier,
      fromSubnets: subnets(f.fromTier, f.fromPath),
      toSubnets: subnets(f.toTier, f.toPath),
      internetCidrs: f.internetCidrs,
      protocol: f.protocol,
      fromPort: f.fromPort,
      toPort: f.toPort,
    }));
  }

  private tierPlan(tier: Tier): TierPlan {
    return this.plan.find((p) => p.tier === tier)!;
  }

  private endpointCidrs(end: FlowEndpoint): string[] {
    return end.kind === FlowEndpointKind.INTERNET ? end.cidrs! : [this.tierCidr(end.placedTier!)];
  }

  private resolveAzs(props: TieredVpcProps): string[] {
    const stackAzs = Stack.of(this).availabilityZones;
    if (props.availabilityZones !== undefined) {
      if (props.availabilityZones.length < 2) {
        throw propError(this, 'availabilityZones', props.availabilityZones, 'must name at least 2 AZs',
          'A three-tier VPC needs two AZs for the NAT-per-AZ and RDS Proxy guarantees.');
      }
      if (new Set(props.availabilityZones).size !== props.availabilityZones.length) {
        throw propError(this, 'availabilityZones', props.availabilityZones, 'must not name an AZ twice', 'List each AZ once.');
      }
      return [...props.availabilityZones];
    }
    const maxAzs = props.maxAzs;
    if (maxAzs !== undefined) {
      if (!Number.isInteger(maxAzs) || maxAzs < 2) {
        throw propError(this, 'maxAzs', maxAzs, 'must be an integer of at least 2',
          'A three-tier VPC needs two AZs for the NAT-per-AZ and RDS Proxy guarantees.');
      }
      if (maxAzs > stackAzs.length) {
        throw propError(this, 'maxAzs', maxAzs, `must not exceed the stack's ${stackAzs.length} AZs (${stackAzs.filter((a) => !Token.isUnresolved(a)).join(', ') || 'environment-agnostic'})`,
          'Lower maxAzs, give the stack an env with a region that has more AZs, or pass availabilityZones explicitly.');
      }
    }
    return stackAzs.slice(0, maxAzs ?? Math.min(3, stackAzs.length));
  }

  private validateFlow(from: FlowEndpoint, to: FlowEndpoint, port: ec2.Port): PortSpec {
    const where = `addFlow(${from.name} -> ${to.name})`;
    const problem = portProblem(port);
    if (problem) {
      throw propError(this, `${where}: port`, port.toString(), problem, 'Use ec2.Port.tcp/tcpRange/udp/udpRange with ports 0-65535, lowest first.');
    }
    const spec = toPortSpec(port);
    for (const end of [from, to]) {
      for (const c of end.cidrs ?? []) {
        if (isIpv6Cidr(c)) {
          throw propError(this, `${where}: internet cidrs`, c, 'must be IPv4: this VPC has no IPv6 CIDR', 'Give IPv4 CIDRs, e.g. 0.0.0.0/0 or 203.0.113.0/24.');
        }
        if (!isIpv4Cidr(c)) {
          throw propError(this, `${where}: internet cidrs`, c, 'must be an IPv4 CIDR block whose address is its network address', 'Write it as a.b.c.d/n, e.g. 203.0.113.0/24.');
        }
      }
    }
    if (from.kind === FlowEndpointKind.INTERNET && spec.protocol === 'tcp') {
      const open = from.cidrs!.find((c) => c === '0.0.0.0/0');
      const admin = [22, 3389].find((p) => includesPort(spec, p));
      if (open && admin !== undefined) {
        throw propError(this, `${where}: port`, describePort(spec),
          `opens ${admin === 22 ? 'SSH 22' : 'RDP 3389'} to ${open}`,
          'Never open admin ports to the internet (AWS Config restricted-ssh): use Systems Manager Session Manager ' +
          '(sessionManagerEndpoints: true) or admit only an admin CIDR, e.g. FlowEndpoint.internet([\'203.0.113.0/24\']).');
      }
    }
    if (from.kind === FlowEndpointKind.INTERNET && to.kind === FlowEndpointKind.INTERNET) {
      throw propError(this, `${where}`, 'internet -> internet', 'must have at least one end inside the VPC', 'Name a tier or a workload as one end.');
    }
    if (from.kind === FlowEndpointKind.INTERNET && to.placedTier === Tier.DATA) {
      throw propError(this, `${where}: to`, to.name, 'is in the data tier, which the internet must never reach',
        'Put a load balancer in the public tier and a service in the app tier in front of the data tier (seed 004 "SG referencing for tiers").');
    }
    if (to.kind === FlowEndpointKind.INTERNET) {
      if (from.placedTier === Tier.DATA) {
        throw propError(this, `${where}: from`, from.name, 'is in the data tier, which has no route to the internet',
          'Reach AWS services from the data tier through the S3/DynamoDB gateway endpoints or interface endpoints, or move the workload to the app tier.');
      }
      if (from.placedTier === Tier.APP && this.natGatewayCount === 0) {
        throw propError(this, `${where}: from`, from.name, 'needs the internet, but the VPC has natGateways NatGatewayMode.NONE',
          'Use NatGatewayMode.PER_AZ (or SINGLE for non-production), or reach AWS services through endpoints.');
      }
    }
    const tierEnd = [from, to].find((e) => e.kind === FlowEndpointKind.TIER);
    const workloadEnd = [from, to].find((e) => e.kind === FlowEndpointKind.WORKLOAD);
    if (tierEnd && workloadEnd) {
      throw propError(this, where, `${from.kind} -> ${to.kind}`, 'pairs a whole tier with a workload',
        'A security group would then need a CIDR rule inside the VPC; declare workload -> workload (SG referencing SG), or tier -> tier for NACL-only openings.');
    }
    if (from.kind === FlowEndpointKind.TIER && to.kind === FlowEndpointKind.TIER && from.placedTier === to.placedTier) {
      throw propError(this, where, `tier ${from.placedTier} -> tier ${to.placedTier}`, 'opens a tier to itself',
        'That would admit every workload of the tier to every other; declare workload -> workload instead (its NACL entries for cross-AZ traffic come with it).');
    }
    return spec;
  }
}

/** Options of a declared flow. */
export interface FlowOptions {
  /**
   * What the flow is for; used in security group rule descriptions, reports and errors.
   * @default - `<from> -> <to> <protocol> <port>`
   */
  readonly description?: string;
}

/**
 * Hands aws-cdk-lib's VPC the exact per-AZ subnet CIDRs of the tier plan (its own allocator
 * would interleave tiers and break the one-CIDR-per-tier property).
 */
class TierPlanIpAddresses implements ec2.IIpAddresses {
  constructor(private readonly cidr: string, private readonly plan: TierPlan[]) {}

  public allocateVpcCidr(): ec2.VpcIpamOptions {
    return { cidrBlock: this.cidr };
  }

  public allocateSubnetsCidr(input: ec2.AllocateCidrRequest): ec2.SubnetIpamOptions {
    const next: Record<string, number> = {};
    return {
      allocatedSubnets: input.requestedSubnets.map((req) => {
        const tier = this.plan.find((p) => subnetGroupName(p.tier) === req.configuration.name)!;
        const i = next[tier.tier] ?? 0;
        next[tier.tier] = i + 1;
        return { cidr: tier.subnetCidrs[i] };
      }),
    };
  }
}
