import { Annotations, ContextProvider, Fn, Lazy, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import { Construct, IConstruct } from 'constructs';
import { DeclaredFlow, FlowProtocol } from './declared-flow';
import { FlowEndpoint, FlowEndpointKind } from './flow-endpoint';
import { IpPlanProps } from './ip-plan';
import { NaclCompiler } from './nacl-compiler';
import { undeclaredSecurityGroupRules } from './private/undeclared-rules';
import { ALL_TIERS, subnetGroupName, Tier } from './tier';
import { WellKnownPorts } from '../ports/well-known-ports';
import { contains, parseIpv4 } from '../private/cidr';
import { acknowledgeCompliance, acknowledgeControlTower, createLogEncryptionKey } from '../private/compliance';
import { ErrorCode, propError } from '../private/errors';
import { compileFlow, familyOf, FlowNetwork, FlowPeer, flowProblems, ResolvedEnd, SgRuleKind } from '../private/flow-compile';
import { FLOWS_METADATA_KEY } from '../private/flow-metadata';
import { computeIpPlan, RESERVED_ADDRESSES_PER_SUBNET, TierPlan } from '../private/ip-plan';
import { subnetIpv6Cidrs, TierPlanIpv6Addresses, tierIpv6Cidr } from '../private/ipv6-plan';
import { describePort, portProblem, PortSpec, toPortSpec } from '../private/port-spec';
import { isImmutableImport, securityGroupVpcId, WorkloadPlacement } from '../private/workload-placement';

/** The private IPv4 ranges of RFC 1918, and the shared address space of RFC 6598 (100.64.0.0/10), which is not public either. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'].map(parseIpv4);

/**
 * How many NAT gateways a `TieredVpc` gets.
 *
 * The NAT gateways a `TieredVpc` creates are zonal: each one lives in the public subnet of one
 * AZ (availability mode `zonal`, the default of `AWS::EC2::NatGateway`) and is redundant only
 * inside that AZ. AWS also offers regional NAT gateways (availability mode `regional`), a single
 * gateway that expands across the AZs where the VPC has workloads and needs no public subnet;
 * this construct does not create those.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateways-regional.html
 */
export enum NatGatewayMode {
  /**
   * One zonal NAT gateway in every AZ, each app subnet routing to the one in its own AZ: a zonal
   * NAT gateway is redundant only inside its AZ, and same-AZ routing avoids cross-AZ charges.
   * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html
   */
  PER_AZ = 'per-az',
  /**
   * One zonal NAT gateway, in one AZ, for every AZ: cheaper, for non-production. The app
   * subnets of every AZ route to that one gateway, so when its AZ fails the app tier of every
   * other AZ loses the internet too, and traffic from the other AZs pays cross-AZ data charges.
   * This is a property of a zonal gateway; a regional NAT gateway, which AWS runs across the AZs it
   * covers, is another resource that this construct does not create. Leaves a warning.
   * @see https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html
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
   * How many AZs to use, at least 2 (the NAT-per-AZ and RDS Proxy guarantees need two). With a
   * stack env, the CDK CLI first synthesizes on placeholder AZs, looks the Region's AZs up, and
   * synthesizes again: a value above the Region's AZ count is refused in that second pass.
   * @see https://docs.aws.amazon.com/cdk/v2/guide/context.html
   * @default 3, or the stack's AZ count when it has fewer (an environment-agnostic stack has 2, with a warning)
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
   * How the app tier reaches the internet over IPv4: a NAT gateway in every AZ, one for the
   * whole VPC, or none. A mode rather than aws-cdk-lib's `natGateways` count: the count follows
   * from the AZs (`natGatewayCount`), so the per-AZ default stays right whatever `maxAzs` is.
   * @see https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html
   * @default NatGatewayMode.PER_AZ
   */
  readonly natGatewayMode?: NatGatewayMode;
  /**
   * Retention of the VPC flow logs (CloudWatch Logs, all traffic). Flow logs are always on
   * (AwsSolutions-VPC7).
   * @see https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html
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
   * that traffic off the NAT gateway.
   * @see https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html
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
   * works without SSH and without the NAT gateway: no admin port is ever opened.
   * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/setup-create-vpc.html
   * @default false
   */
  readonly sessionManagerEndpoints?: boolean;
  /**
   * The address families of the VPC. `ec2.IpProtocol.DUAL_STACK` adds an Amazon-provided IPv6 /56
   * to the VPC (IPv4 stays: a VPC always has an IPv4 block) and a /64 to every subnet, each tier
   * owning one quarter of the /56 (a /58) as it owns one IPv4 block. The public tier routes
   * `::/0` to the internet gateway; the app tier routes `::/0` to an egress-only internet
   * gateway, which carries connections the app tier opens and admits none from the internet
   * (and, unlike a NAT gateway, costs nothing per hour or per GB); the data tier gets no IPv6
   * route out. With `NatGatewayMode.NONE` the app tier then reaches the internet over IPv6 only.
   *
   * Every IPv6 address is globally unique and routable: only the security groups and NACLs keep
   * the internet out, and an IPv4 NACL entry never matches IPv6 traffic. Flows whose ends both
   * have IPv6 addresses compile into entries of both families.
   * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-migrate-ipv6.html
   * @see https://docs.aws.amazon.com/vpc/latest/userguide/egress-only-internet-gateway.html
   * @default ec2.IpProtocol.IPV4_ONLY
   */
  readonly ipProtocol?: ec2.IpProtocol;
}

/**
 * A three-tier network that workload constructs are placed in and declare their flows on.
 * `TieredVpc` implements it; constructs take this interface, so they ask only for what they use.
 */
export interface ITieredVpc extends IConstruct {
  /** The VPC, for any construct that takes an `ec2.IVpc`. */
  readonly vpc: ec2.IVpc;
  /** The VPC's IPv4 CIDR. */
  readonly cidr: string;
  /** The AZs the tiers span. */
  readonly availabilityZones: string[];
  /** How many NAT gateways the VPC has (0 when the app tier has no IPv4 route to the internet). */
  readonly natGatewayCount: number;
  /** Whether the VPC and every subnet have an IPv6 block as well as an IPv4 one. */
  readonly dualStack: boolean;
  /** The flows declared so far, in declaration order. */
  readonly flows: DeclaredFlow[];
  /** The tier's whole IPv4 block. */
  tierCidr(tier: Tier): string;
  /** A subnet selection for the tier, for any aws-cdk-lib construct's `vpcSubnets`. */
  tierSubnets(tier: Tier): ec2.SubnetSelection;
  /** The tier's subnets, one per AZ in AZ order. */
  selectTierSubnets(tier: Tier): ec2.SelectedSubnets;
  /**
   * Declares a flow: `from` may open connections to `to` on `port` (a security group rule and
   * the NACL entries of every tier the traffic crosses, both directions).
   */
  addFlow(from: FlowEndpoint, to: FlowEndpoint, port: ec2.Port, options?: FlowOptions): void;
  /** Lets `workload` in `tier` reach every interface endpoint of the VPC on 443. */
  allowInterfaceEndpoints(workload: ec2.IConnectable, tier: Tier): void;
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
 * (NACLs are stateless: each direction needs its own entry). With `ipProtocol: ec2.IpProtocol.DUAL_STACK`
 * each tier also owns a quarter of the VPC's IPv6 /56, and flows compile for both families.
 *
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html
 *
 * @example
 * const net = new TieredVpc(this, 'Net');
 * net.addFlow(FlowEndpoint.internet(), FlowEndpoint.workload(alb, { tier: Tier.PUBLIC }), WellKnownPorts.HTTPS);
 * net.addFlow(FlowEndpoint.workload(alb, { tier: Tier.PUBLIC, ephemeralRange: EphemeralRange.ELB }),
 *   FlowEndpoint.workload(service, { tier: Tier.APP }), WellKnownPorts.HTTP_ALT);
 */
export class TieredVpc extends Construct implements ITieredVpc {
  /** The underlying aws-cdk-lib VPC, for any construct that takes an `ec2.IVpc`. */
  public readonly vpc: ec2.IVpc;
  /** The VPC's Amazon-provided IPv6 blocks (tokens; none unless dual stack). */
  private readonly vpcIpv6CidrBlocks: string[];
  /** The VPC's IPv4 CIDR. */
  public readonly cidr: string;
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
  /** Whether the VPC and every subnet have an IPv6 block as well as an IPv4 one (`ipProtocol: DUAL_STACK`). */
  public readonly dualStack: boolean;
  /**
   * The id of the egress-only internet gateway the app tier routes `::/0` to (a token).
   * @default - none: the VPC is IPv4 only
   */
  public readonly egressOnlyInternetGatewayId?: string;

  private readonly plan: TierPlan[];
  private readonly acls: Record<Tier, ec2.NetworkAcl>;
  private readonly compiler: NaclCompiler;
  private readonly declared: DeclaredFlow[] = [];
  private readonly flowKeys = new Set<string>();
  private readonly destinationGroups = new Map<DeclaredFlow, ec2.ISecurityGroup[]>();
  private readonly workloadEnds: Array<{ end: FlowEndpoint; tier: Tier }> = [];
  private readonly flowNetwork: FlowNetwork;
  private readonly placement: WorkloadPlacement;
  private synthesized = false;

  constructor(scope: Construct, id: string, props: TieredVpcProps = {}) {
    super(scope, id);
    this.node.addValidation({ validate: () => undeclaredSecurityGroupRules(this, this.flows, 'tieredVpc') });
    this.natGatewayMode = props.natGatewayMode ?? NatGatewayMode.PER_AZ;
    this.availabilityZones = this.resolveAzs(props);
    const azCount = this.availabilityZones.length;
    const cidr = props.cidr ?? '10.0.0.0/16';
    this.cidr = cidr;
    this.plan = computeIpPlan(this, cidr, azCount, props.ipPlan);
    if (!PRIVATE_RANGES.some((r) => contains(r, parseIpv4(cidr)))) {
      Annotations.of(this).addWarningV2('cdk-network-patterns:publicVpcCidr',
        `The VPC CIDR ${cidr} is not a private range (RFC 1918: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16): the VPC's addresses shadow ` +
        'those public addresses on the internet, which its workloads can then no longer reach. Use a private range unless you own this block. ' +
        'See https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html');
    }

    this.natGatewayCount = { [NatGatewayMode.PER_AZ]: azCount, [NatGatewayMode.SINGLE]: 1, [NatGatewayMode.NONE]: 0 }[this.natGatewayMode];
    if (this.natGatewayMode === NatGatewayMode.SINGLE) {
      Annotations.of(this).addWarningV2('cdk-network-patterns:singleNatGateway',
        'One NAT gateway serves every AZ: when its AZ fails, the app tier of every other AZ loses the internet, ' +
        'and traffic from other AZs pays cross-AZ data charges. Use NatGatewayMode.PER_AZ in production.');
    }

    const plan = this.plan;
    this.dualStack = (props.ipProtocol ?? ec2.IpProtocol.IPV4_ONLY) === ec2.IpProtocol.DUAL_STACK;
    // In a dual-stack VPC without NAT gateways the app tier still routes ::/0 to the egress-only
    // gateway: aws-cdk-lib gives that route to PRIVATE_WITH_EGRESS subnets only.
    const appEgress = this.natGatewayCount > 0 || this.dualStack;
    const vpc = new ec2.Vpc(this, 'Resource', {
      ipAddresses: new TierPlanIpAddresses(cidr, plan),
      ...(this.dualStack ? { ipProtocol: ec2.IpProtocol.DUAL_STACK, ipv6Addresses: new TierPlanIpv6Addresses(plan) } : {}),
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
          // Load balancers take their IPv6 addresses from the subnet themselves; an instance
          // launched here would otherwise get a globally routable address behind the internet gateway.
          ...(this.dualStack ? { ipv6AssignAddressOnCreation: false } : {}),
        },
        {
          name: subnetGroupName(Tier.APP),
          subnetType: appEgress ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED,
          cidrMask: this.tierPlan(Tier.APP).subnetPrefixLength,
          // The app tier's workloads need an IPv6 address to reach the internet through the egress-only gateway.
          ...(this.dualStack ? { ipv6AssignAddressOnCreation: true } : {}),
        },
        {
          name: subnetGroupName(Tier.DATA),
          subnetType: ec2.SubnetType.PRIVATE_ISOLATED,
          cidrMask: this.tierPlan(Tier.DATA).subnetPrefixLength,
          // Nothing in the data tier talks to the internet; a database that serves IPv6 clients asks for its address itself.
          ...(this.dualStack ? { ipv6AssignAddressOnCreation: false } : {}),
        },
      ],
    });
    this.vpc = vpc;
    this.vpcIpv6CidrBlocks = vpc.vpcIpv6CidrBlocks;
    // restrictDefaultSecurityGroup deploys aws-cdk-lib's custom resource (one Lambda function per
    // stack) that removes the default security group's rules once, at deploy time.
    const restrictProvider = Stack.of(this).node.children.find((c) => c.node.id.startsWith('Custom::VpcRestrictDefaultSG'));
    if (restrictProvider) {
      acknowledgeControlTower(restrictProvider, 'CT.LAMBDA.PR.3', 'lambda_inside_vpc_check',
        "aws-cdk-lib's handler for restrictDefaultSecurityGroup runs only while CloudFormation deploys the stack, to remove the " +
        "rules of the VPC's default security group through the EC2 API; it holds no data and serves no request. Inside the VPC it " +
        'would need a NAT gateway or an EC2 interface endpoint before the VPC it configures is complete. ' +
        'https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html');
    }
    if (this.dualStack) {
      for (const subnet of this.vpc.privateSubnets) {
        acknowledgeCompliance(subnet.node.defaultChild!, 'VPCSubnetAutoAssignPublicIpDisabled',
          'In a dual-stack VPC the app tier assigns each network interface an IPv6 address, which is globally unique, so that ' +
          'workloads reach the internet through the egress-only internet gateway. No connection from the internet can reach ' +
          'these addresses: the app tier routes ::/0 to the egress-only gateway only, which admits no inbound connection, ' +
          'and its NACL and security groups admit only declared flows. The public and data tiers assign no IPv6 address.');
      }
    }

    // The declared flows travel with the template (for the `emulate` command, which reads cdk.out).
    (this.vpc.node.defaultChild as ec2.CfnVPC).addMetadata(FLOWS_METADATA_KEY, Lazy.any({ produce: () => this.recordedFlows() }));

    if (this.natGatewayMode === NatGatewayMode.SINGLE) {
      // The choice is explicit and leaves the singleNatGateway warning: the library's own NAT rule
      // (which reports exactly this cross-AZ routing) is acknowledged on the NAT gateway and the routes to it.
      const reason = 'NatGatewayMode.SINGLE was chosen explicitly (non-production): one NAT gateway serves every AZ. ' +
        'The construct leaves the warning cdk-network-patterns:singleNatGateway; use NatGatewayMode.PER_AZ in production.';
      const natScopes = [
        ...this.vpc.publicSubnets.map((s) => s.node.tryFindChild('NATGateway')),
        ...this.vpc.privateSubnets.map((s) => s.node.tryFindChild('DefaultRoute')),
      ];
      for (const natScope of natScopes) {
        if (natScope) Validations.of(natScope).acknowledge({ id: 'NetworkPatterns-NAT1', reason });
      }
    }

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
      for (const routeId of ['DefaultRoute', 'DefaultRoute6']) {
        const route = subnet.node.tryFindChild(routeId);
        if (!route) continue;
        acknowledgeCompliance(route, 'VPCNoUnrestrictedRouteToIGW',
          'The public tier exists to hold internet-facing load balancers and NAT gateways, which need the route to the ' +
          'internet gateway; only the public tier has it, and what the internet reaches there is limited by declared flows.');
      }
    }
    const eigw = this.vpc.node.tryFindChild('EIGW6') as ec2.CfnEgressOnlyInternetGateway | undefined;
    this.egressOnlyInternetGatewayId = eigw?.ref;

    if (props.gatewayEndpoints ?? true) {
      const subnets = [this.tierSubnets(Tier.APP), this.tierSubnets(Tier.DATA)];
      this.vpc.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets });
      this.vpc.addGatewayEndpoint('DynamoDbEndpoint', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB, subnets });
    }

    this.acls = {} as Record<Tier, ec2.NetworkAcl>;
    for (const tier of ALL_TIERS) {
      const acl = new ec2.NetworkAcl(this, `${subnetGroupName(tier)}Acl`, {
        vpc: this.vpc,
        subnetSelection: this.tierSubnets(tier),
      });
      Validations.of(acl).acknowledge({
        id: 'AwsSolutions-VPC3',
        reason: 'The library compiles every NACL entry from declared flows (with the ephemeral return range both ways), ' +
          'so the NACL is a second, stateless layer that cannot drift from the security groups: the trade-off VPC3 warns about ' +
          '(hand-written NACLs breaking return traffic) is what the flow model removes.',
      });
      acknowledgeControlTower(acl, 'CT.EC2.PR.5', 'nacl_no_unrestricted_ssh_rdp_check',
        'The only inbound entries from 0.0.0.0/0 or ::/0 with a range covering 3389 are the return range 1024-65535 of a declared ' +
        'flow: a NACL is stateless, so the replies to connections the tier opens (through a NAT gateway, which picks source ports ' +
        'from 1024 to 65535) come back from anywhere to those ports. No flow declares 22 or 3389, and the security groups, which ' +
        'are stateful, admit no new connection on them (the reachability analyzer proves it for every template). ' +
        'https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html');
      this.acls[tier] = acl;
    }
    // IPv6 entries name the VPC's IPv6 block, which exists only once its association is made.
    this.compiler = new NaclCompiler(this, this.acls, this.vpc.node.tryFindChild('ipv6cidr') as ec2.CfnVPCCidrBlock | undefined);
    const ipv6 = this.dualStack ? Fn.select(0, this.vpcIpv6CidrBlocks) : undefined;
    this.flowNetwork = {
      tierBlocks: ALL_TIERS.flatMap((tier) => [
        { tier, family: 'ipv4' as const, cidr: this.tierCidr(tier) },
        ...(ipv6 ? [{ tier, family: 'ipv6' as const, cidr: tierIpv6Cidr(ipv6, tier) }] : []),
      ]),
      vpcBlocks: [{ family: 'ipv4', cidr }, ...(ipv6 ? [{ family: 'ipv6' as const, cidr: ipv6 }] : [])],
      natGateway: this.natGatewayCount > 0,
      dualStack: this.dualStack,
    };
    for (const block of this.flowNetwork.tierBlocks) {
      if (Token.isUnresolved(block.cidr)) this.compiler.nameBlock(block.cidr, `${block.tier}-tier-${block.family}`);
    }
    const subnetTiers = (): Array<[ec2.ISubnet, Tier]> =>
      ALL_TIERS.flatMap((tier) => this.selectTierSubnets(tier).subnets.map((subnet) => [subnet, tier] as [ec2.ISubnet, Tier]));
    this.placement = new WorkloadPlacement(
      new Map(subnetTiers().map(([subnet, tier]) => [subnet.subnetId, tier])),
      () => new Map(subnetTiers().map(([subnet, tier]) => [JSON.stringify(Stack.of(this).resolve(subnet.subnetId)), tier])),
    );
    this.node.addValidation({ validate: () => this.validatePlacement() });

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
        subnets: this.tierSubnets(Tier.APP),
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

  /**
   * The tier's whole IPv6 block in a dual-stack VPC: a /58, one quarter of the VPC's
   * Amazon-provided /56 (public, app, data in that order). A CloudFormation expression: the /56
   * is only known once deployed.
   */
  public tierIpv6Cidr(tier: Tier): string {
    return tierIpv6Cidr(this.vpcIpv6Cidr('tierIpv6Cidr'), tier);
  }

  /** The tier's per-AZ IPv6 /64s in a dual-stack VPC, in AZ order (CloudFormation expressions). */
  public subnetIpv6Cidrs(tier: Tier): string[] {
    return subnetIpv6Cidrs(this.vpcIpv6Cidr('subnetIpv6Cidrs'), tier, this.availabilityZones.length);
  }

  /**
   * A subnet selection for the tier, for any aws-cdk-lib construct's `vpcSubnets` (with
   * `vpc: net.vpc`). It names the tier's subnet group, so it selects the tier's subnet in every AZ.
   */
  public tierSubnets(tier: Tier): ec2.SubnetSelection {
    return { subnetGroupName: subnetGroupName(tier) };
  }

  /**
   * The tier's subnets themselves, one per AZ in AZ order: their ids (`subnetIds`) for L1
   * resources, subnet groups and anything that takes subnet ids rather than a selection.
   */
  public selectTierSubnets(tier: Tier): ec2.SelectedSubnets {
    return this.vpc.selectSubnets(this.tierSubnets(tier));
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
   * tier's NACL too, where the NAT gateway sits (IPv4 only: over IPv6 it leaves through the
   * egress-only internet gateway). In a dual-stack VPC every flow compiles for each family both
   * of its ends have: tiers and workloads have both, an internet end the families of its CIDRs.
   *
   * Declaring the same flow twice (same ends, same port) declares it once. A workload end's tier
   * is derived from the subnets it is placed in when `FlowEndpoint.workload` is given none, and
   * checked against them when it is.
   *
   * Refused with a synth-time error (the README's "Fail at synth" lists each with its code): port 0;
   * SSH 22 or RDP 3389 (TCP, or UDP for RDP) from peers that together cover every IPv4 address,
   * or from an IPv6 block covering the IPv6 internet (`::/0`, `2000::/3`); an internet end with no
   * CIDR, a CIDR inside the VPC, or an IPv6 CIDR in a VPC that is not dual stack; any flow from the
   * internet to the data tier, or to the app tier over IPv6; the data tier (or, over IPv4, an app
   * tier without NAT) to the internet; a tier to itself; a tier end
   * paired with a workload end; a workload with no security group, with a security group of
   * another VPC, or with an immutable imported one; a workload declared in a tier its subnets are
   * not in; a flow declared after the app was synthesized; ports that are not TCP/UDP within 0-65535.
   *
   * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html
   * @see https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
   */
  public addFlow(from: FlowEndpoint, to: FlowEndpoint, port: ec2.Port, options: FlowOptions = {}): void {
    const where = `addFlow(${from.name} -> ${to.name})`;
    if (this.synthesized) {
      throw propError(this, where, port.toString(), 'is declared after the app was synthesized, so it would be in no template',
        'Declare every flow before app.synth() (or before Template.fromStack in a test).', ErrorCode.FLOW_AFTER_SYNTHESIS);
    }
    const problem = portProblem(port);
    if (problem) {
      throw propError(this, `${where}: port`, port.toString(), problem, 'Use ec2.Port.tcp/tcpRange/udp/udpRange with ports 0-65535, lowest first.',
        ErrorCode.FLOW_PORT_INVALID);
    }
    const spec = toPortSpec(port);
    const fromEnd = this.resolveEnd(from, where, 'from');
    const toEnd = this.resolveEnd(to, where, 'to');
    const [first] = flowProblems(fromEnd, toEnd, spec, this.flowNetwork);
    if (first) {
      throw propError(this, `${where}: ${first.prop}`, first.value, first.problem, first.fix, first.code);
    }
    for (const end of [from, to]) {
      if (end.kind === FlowEndpointKind.WORKLOAD) this.checkWorkloadGroups(end, spec, end === to, where);
    }

    const key = [endKey(fromEnd, from), endKey(toEnd, to), describePort(spec)].join('|');
    if (this.flowKeys.has(key)) return;
    this.flowKeys.add(key);

    const compiled = compileFlow(fromEnd, toEnd, spec, this.flowNetwork);
    const description = options.description ?? `${from.name} -> ${to.name} ${describePort(spec)}`;
    for (const leg of compiled.naclLegs) this.compiler.add(leg, description);

    // Security group rules: SG referencing SG inside the VPC, CIDRs only for the internet.
    const portDescription = options.description ?? `${from.name} -> ${to.name}`;
    for (const rule of compiled.sgRules) {
      switch (rule.kind) {
        case SgRuleKind.SELF:
          // Peers of one group (brokers, cluster members): allowFrom(self) would add the ingress half only.
          to.connectable!.connections.allowInternally(port, portDescription);
          break;
        case SgRuleKind.REFERENCE:
          to.connectable!.connections.allowFrom(from.connectable!, port, portDescription);
          break;
        case SgRuleKind.INGRESS_FROM_PEER:
          to.connectable!.connections.allowFrom(peerOf(rule.peer!), port, portDescription);
          break;
        case SgRuleKind.EGRESS_TO_PEER:
          from.connectable!.connections.allowTo(peerOf(rule.peer!), port, portDescription);
          break;
      }
    }
    if (from.kind === FlowEndpointKind.WORKLOAD) this.workloadEnds.push({ end: from, tier: fromEnd.tier! });
    if (to.kind === FlowEndpointKind.WORKLOAD) this.workloadEnds.push({ end: to, tier: toEnd.tier! });

    const flow: DeclaredFlow = {
      from: from.name,
      to: to.name,
      fromPath: from.path,
      toPath: to.path,
      fromTier: fromEnd.tier,
      toTier: toEnd.tier,
      internetCidrs: from.cidrs ?? to.cidrs,
      protocol: spec.protocol === 'tcp' ? FlowProtocol.TCP : FlowProtocol.UDP,
      fromPort: spec.from,
      toPort: spec.to,
      ephemeralFromPort: compiled.ephemeral.from,
      ephemeralToPort: compiled.ephemeral.to,
      description,
    };
    this.declared.push(flow);
    this.destinationGroups.set(flow, to.kind === FlowEndpointKind.WORKLOAD ? [...to.connectable!.connections.securityGroups] : []);
  }

  /**
   * The declared flows from the internet whose destination shares a security group with
   * `workload` (declared on the workload itself, or on its security group).
   * @internal
   */
  public _internetFlowsTo(workload: ec2.IConnectable): DeclaredFlow[] {
    const groups = new Set(workload.connections.securityGroups);
    return this.declared.filter((f) => f.internetCidrs !== undefined && f.fromTier === undefined
      && (this.destinationGroups.get(f) ?? []).some((g) => groups.has(g)));
  }

  /**
   * Lets `workload` in `tier` reach every interface endpoint of this VPC on 443 (SG referencing
   * SG, and the NACL entries between the tiers).
   */
  public allowInterfaceEndpoints(workload: ec2.IConnectable, tier: Tier): void {
    for (const endpoint of this.interfaceEndpoints) {
      this.addFlow(FlowEndpoint.workload(workload, { tier }), FlowEndpoint.workload(endpoint, { tier: Tier.APP }), WellKnownPorts.HTTPS,
        { description: `${FlowEndpoint.workload(workload, { tier }).name} -> ${endpoint.node.path} tcp 443 (AWS API)` });
    }
  }

  private vpcIpv6Cidr(method: string): string {
    if (!this.dualStack) {
      throw propError(this, `${method}()`, 'ipProtocol IPV4_ONLY', 'asks for an IPv6 block of a VPC that has none',
        'Create the TieredVpc with ipProtocol: ec2.IpProtocol.DUAL_STACK.');
    }
    return Fn.select(0, this.vpcIpv6CidrBlocks);
  }

  /** The declared flows as recorded in the template: tier ends name their subnets by construct path. */
  private recordedFlows(): object[] {
    const subnets = (tier: string | undefined, path: string | undefined) => (tier !== undefined && path === undefined
      ? this.selectTierSubnets(tier as Tier).subnets.map((s) => s.node.path) : undefined);
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

  /** Resolves a flow end for the compiler: a workload's tier derived from its subnets, or checked against them. */
  private resolveEnd(end: FlowEndpoint, where: string, side: 'from' | 'to'): ResolvedEnd {
    const ephemeral = { from: end.ephemeralRange.fromPort, to: end.ephemeralRange.toPort };
    if (end.kind === FlowEndpointKind.INTERNET) {
      return { kind: end.kind, peers: end.cidrs!.map((cidr) => ({ family: familyOf(cidr), cidr })), ephemeral, name: end.name };
    }
    if (end.kind === FlowEndpointKind.TIER) return { kind: end.kind, tier: end.placedTier, ephemeral, name: end.name };

    if (!hasSecurityGroupRules(end.connectable!.connections)) {
      throw propError(this, `${where}: ${side}`, end.name, 'is a workload with no security group (and no address), so only the NACL half of the flow would be compiled',
        'Give the workload a security group (most aws-cdk-lib constructs take securityGroups), or declare the flow between tiers with FlowEndpoint.tier for NACL-only openings.',
        ErrorCode.FLOW_WORKLOAD_NO_SECURITY_GROUP);
    }
    const placed = this.placement.declaredTiers(end.connectable!);
    if (placed.size > 1) {
      throw propError(this, `${where}: ${side}`, end.name, `is placed in subnets of several tiers (${[...placed].join(', ')}), so the NACL entries of one tier would be missing`,
        'Place the workload in one tier (vpcSubnets: net.tierSubnets(tier)), or declare a flow for each of its parts.', ErrorCode.FLOW_WORKLOAD_TIER_MISMATCH);
    }
    const [derived] = [...placed];
    if (end.placedTier !== undefined && derived !== undefined && derived !== end.placedTier) {
      throw propError(this, `${where}: ${side}`, end.name, `is declared in the ${end.placedTier} tier, but its subnets are in the ${derived} tier (its NACL entries would land in the wrong tier)`,
        `Declare FlowEndpoint.workload(workload, { tier: Tier.${derived.toUpperCase()} }), or omit the tier to derive it from the subnets.`, ErrorCode.FLOW_WORKLOAD_TIER_MISMATCH);
    }
    const tier = end.placedTier ?? derived;
    if (tier === undefined) {
      throw propError(this, `${where}: ${side}`, end.name, 'has no tier, and none can be derived: its construct names none of this VPC\'s subnets (or subnets of several tiers, none with its security groups)',
        'Give the tier: FlowEndpoint.workload(workload, { tier: Tier.APP }) (a bare security group, or a workload whose subnets are chosen at synth, has none to derive from).',
        ErrorCode.FLOW_WORKLOAD_TIER_UNKNOWN);
    }
    return { kind: end.kind, tier, ephemeral, groupKey: identityOf(end.connectable!.connections), name: end.name };
  }

  /**
   * A workload's security groups must belong to this VPC and take the rule the flow writes on
   * them: the destination's ingress rule, and the source's egress rule when its outbound is
   * restricted. An immutable imported group silently drops both.
   */
  private checkWorkloadGroups(end: FlowEndpoint, port: PortSpec, isDestination: boolean, where: string): void {
    const side = isDestination ? 'to' : 'from';
    for (const sg of end.connectable!.connections.securityGroups) {
      const vpcId = securityGroupVpcId(sg);
      if (vpcId !== undefined && vpcId !== this.vpc.vpcId) {
        throw propError(this, `${where}: ${side}`, sg.node.path, 'has a security group of another VPC: a security group rule can only reference groups of its own VPC (or of a peered one), and this VPC\'s NACLs do not carry its traffic',
          'Declare the flow on the TieredVpc the workload is placed in, or create the workload in this VPC (vpc: net.vpc).', ErrorCode.FLOW_WORKLOAD_OTHER_VPC);
      }
      if (isImmutableImport(sg) && (isDestination || sg.allowAllOutbound === false)) {
        throw propError(this, `${where}: ${side}`, sg.node.path,
          `is an imported security group marked immutable (mutable: false), so the ${isDestination ? 'inbound' : 'outbound'} rule for ${describePort(port)} would silently not be written`,
          'Import it with ec2.SecurityGroup.fromSecurityGroupId(scope, id, sgId, { mutable: true }) so the flow can add its rule, or add the rule where the group is managed and declare a tier -> tier flow for the NACLs.',
          ErrorCode.FLOW_WORKLOAD_IMMUTABLE_SECURITY_GROUP);
      }
    }
  }

  /** The flow ends' placement, checked again at synth on the resolved template (lazy subnet choices are final then). */
  private validatePlacement(): string[] {
    this.synthesized = true;
    this.placement.resetResolved();
    const errors: string[] = [];
    const seen = new Set<string>();
    for (const { end, tier } of this.workloadEnds) {
      const id = `${identityOf(end.connectable!)}|${tier}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const placed = this.placement.resolvedTiers(end.connectable!);
      const other = [...placed].filter((t) => t !== tier);
      if (other.length > 0) {
        errors.push(`addFlow: workload ${end.name} is declared in the ${tier} tier, but its subnets are in the ${other.join(', ')} tier ` +
          `(its NACL entries are in the wrong tier). Declare FlowEndpoint.workload(workload, { tier: Tier.${other[0].toUpperCase()} }) or place it with vpcSubnets: net.tierSubnets(Tier.${tier.toUpperCase()}). [${ErrorCode.FLOW_WORKLOAD_TIER_MISMATCH}]`);
      }
    }
    return errors;
  }

  private resolveAzs(props: TieredVpcProps): string[] {
    const stack = Stack.of(this);
    if (props.availabilityZones !== undefined) {
      if (props.availabilityZones.length < 2) {
        throw propError(this, 'availabilityZones', props.availabilityZones, 'must name at least 2 AZs',
          'A three-tier VPC needs two AZs for the NAT-per-AZ and RDS Proxy guarantees.', ErrorCode.VPC_AVAILABILITY_ZONE_INVALID);
      }
      if (new Set(props.availabilityZones).size !== props.availabilityZones.length) {
        throw propError(this, 'availabilityZones', props.availabilityZones, 'must not name an AZ twice', 'List each AZ once.',
          ErrorCode.VPC_AVAILABILITY_ZONE_INVALID);
      }
      const problem = availabilityZoneProblem(props.availabilityZones, Token.isUnresolved(stack.region) ? undefined : stack.region);
      if (problem) {
        throw propError(this, 'availabilityZones', problem.value, problem.problem, problem.fix, ErrorCode.VPC_AVAILABILITY_ZONE_INVALID);
      }
      return [...props.availabilityZones];
    }
    const stackAzs = stack.availabilityZones;
    const agnostic = Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region);
    const maxAzs = props.maxAzs;
    if (maxAzs !== undefined) {
      if (!Number.isInteger(maxAzs) || maxAzs < 2) {
        throw propError(this, 'maxAzs', maxAzs, 'must be an integer of at least 2',
          'A three-tier VPC needs two AZs for the NAT-per-AZ and RDS Proxy guarantees.', ErrorCode.VPC_MAX_AZS_INVALID);
      }
      if (maxAzs > stackAzs.length) {
        if (!agnostic && azLookupPending(stack)) {
          // The CLI's first pass: aws-cdk-lib hands out 3 placeholders until the context lookup of
          // the Region's AZs has run; the CLI then synthesizes again with the real ones. Plan for
          // maxAzs placeholders, so this pass succeeds and the second pass decides.
          return Array.from({ length: maxAzs }, (_, i) => stackAzs[i] ?? `dummy1${String.fromCharCode(97 + i)}`);
        }
        throw propError(this, 'maxAzs', maxAzs, `must not exceed the stack's ${stackAzs.length} AZs (${stackAzs.filter((a) => !Token.isUnresolved(a)).join(', ') || 'environment-agnostic'})`,
          'Lower maxAzs, give the stack an env with a region that has more AZs, or pass availabilityZones explicitly.', ErrorCode.VPC_MAX_AZS_INVALID);
      }
    } else if (agnostic && stackAzs.length < 3) {
      Annotations.of(this).addWarningV2('cdk-network-patterns:twoAzsEnvironmentAgnostic',
        `The stack is environment-agnostic, so aws-cdk-lib knows only ${stackAzs.length} of the Region's AZs and the VPC spans ${stackAzs.length}, not 3. ` +
        'Give the stack an env (account and region: the CLI looks the AZs up), pass availabilityZones, or set maxAzs: 2 to choose two AZs explicitly. ' +
        'See https://docs.aws.amazon.com/cdk/v2/guide/configure-env.html');
    }
    return stackAzs.slice(0, maxAzs ?? Math.min(3, stackAzs.length));
  }
}

/** The identity of an object (a workload, its connections) for flow keys. */
const identities = new WeakMap<object, number>();
let nextIdentity = 1;
function identityOf(o: object): string {
  let id = identities.get(o);
  if (id === undefined) {
    id = nextIdentity++;
    identities.set(o, id);
  }
  return String(id);
}

/**
 * Whether a workload's connections can carry a security group rule: a security group, or at
 * least the addresses of a peer (`new ec2.Connections({ peer })`, e.g. IP targets whose own
 * groups are managed elsewhere: the other end's rule names those addresses).
 */
function hasSecurityGroupRules(connections: ec2.Connections): boolean {
  if (connections.securityGroups.length > 0) return true;
  const rules = (connections as unknown as { _securityGroupRules?: { asArray?: () => unknown[] } })._securityGroupRules;
  return typeof rules?.asArray === 'function' && rules.asArray().length > 0;
}

/** A key of a resolved end, so that declaring the same flow twice is declaring it once. */
function endKey(resolved: ResolvedEnd, end: FlowEndpoint): string {
  const ephemeral = `${resolved.ephemeral.from}-${resolved.ephemeral.to}`;
  switch (resolved.kind) {
    case FlowEndpointKind.INTERNET: return `internet:${[...end.cidrs!].sort().join(',')}:${ephemeral}`;
    case FlowEndpointKind.TIER: return `tier:${resolved.tier}:${ephemeral}`;
    default: return `workload:${identityOf(end.connectable!.connections)}:${resolved.tier}:${ephemeral}`;
  }
}

/** Whether the stack's AZs are aws-cdk-lib's placeholders, pending the CLI's context lookup. */
function azLookupPending(stack: Stack): boolean {
  const { key } = ContextProvider.getKey(stack, { provider: cxschema.ContextProvider.AVAILABILITY_ZONE_PROVIDER });
  return stack.node.tryGetContext(key) === undefined;
}

const REGION_NAME = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/;
const AZ_NAME = /^([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+)(?:[a-z]|-[a-z0-9-]*[a-z0-9])$/;
const AZ_ID = /^[a-z]{3,5}\d+-(az|lz|wl)\d+/;

/**
 * What is wrong with a list of AZ names, or undefined. An AZ name is its Region's name followed by
 * a letter (us-east-1a), or, for a Local Zone or Wavelength Zone, a suffix after a dash
 * (us-west-2-lax-1a). An AZ ID (use1-az1) is not a name.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-regions-availability-zones.html
 */
function availabilityZoneProblem(azs: readonly string[], region: string | undefined): { value: string; problem: string; fix: string } | undefined {
  const regions = new Set<string>();
  for (const az of azs) {
    if (Token.isUnresolved(az)) continue;
    if (REGION_NAME.test(az)) {
      return { value: az, problem: 'names a Region, not an availability zone', fix: `Name the Region's AZs, e.g. ${az}a, ${az}b.` };
    }
    if (AZ_ID.test(az)) {
      return { value: az, problem: 'is an AZ ID, not an AZ name', fix: 'Give AZ names (e.g. us-east-1a): aws-cdk-lib places subnets by name. The console\'s "AZ ID" column maps IDs to your account\'s names.' };
    }
    const m = AZ_NAME.exec(az);
    if (!m) {
      return { value: az, problem: 'is not an availability zone name', fix: 'Give names like us-east-1a (the Region name followed by a letter).' };
    }
    if (region !== undefined && m[1] !== region) {
      return { value: az, problem: `is in Region ${m[1]}, but the stack deploys to ${region}`, fix: `Name AZs of ${region}, e.g. ${region}a, ${region}b, or deploy the stack to ${m[1]}.` };
    }
    regions.add(m[1]);
  }
  if (regions.size > 1) {
    return { value: azs.join(', '), problem: `mixes the Regions ${[...regions].join(', ')}, and a VPC lives in one Region`, fix: 'Name AZs of one Region.' };
  }
  return undefined;
}

/** A security group peer for an internet CIDR, in its family. */
function peerOf(peer: FlowPeer): ec2.IPeer {
  return peer.family === 'ipv6' ? ec2.Peer.ipv6(peer.cidr) : ec2.Peer.ipv4(peer.cidr);
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
