import { Stack, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import { IConstruct } from 'constructs';
import { Tier } from '../../network/tier';
import { ITieredVpc } from '../../network/tiered-vpc';
import { parseIpv4 } from '../../private/cidr';
import { propError } from '../../private/errors';

const ALL_TIERS = [Tier.PUBLIC, Tier.APP, Tier.DATA];

/** One security-group end of the load balancer -> targets flows. */
export interface TargetEnd {
  /** The security groups that admit the load balancer (or a peer-only `Connections` for bare IPs). */
  readonly connectable: ec2.IConnectable;
  /** The tier the end runs in. */
  readonly tier: Tier;
  /** A name for flows and messages, when the connectable is not a construct. */
  readonly name?: string;
}

/** An `NlbTarget` bound to a VPC and a target port. */
export interface ResolvedTargets {
  /** What kind of targets these are (the `NlbTargetKind`), for messages. */
  readonly kind: string;
  readonly elbTargets: elbv2.INetworkLoadBalancerTarget[];
  readonly ends: TargetEnd[];
  readonly targetType: elbv2.TargetType;
  /** The ports the targets really receive traffic on, when not the listener's target port. */
  readonly trafficPort?: ec2.Port;
  /** True for IP targets whose security groups the construct doesn't know. */
  readonly unmanagedSecurityGroups: boolean;
}

/** What a target kind's binding works out; the target adds its kind. */
export type BoundTargets = Omit<ResolvedTargets, 'kind'>;

/** The options of an ECS service target (the fields of `EcsServiceTargetOptions`). */
export interface EcsBindOptions {
  readonly tier?: Tier;
  readonly containerName?: string;
  readonly containerPort?: number;
  readonly connectable?: ec2.IConnectable;
  readonly trafficPort?: ec2.Port;
}

/** The instances of an auto scaling group, registered by the group itself. */
export function bindAutoScalingGroup(scope: IConstruct, net: ITieredVpc, group: autoscaling.AutoScalingGroup,
  givenTier: Tier | undefined, where: string): BoundTargets {
  checkSameVpc(scope, net, group, where);
  const cfn = group.node.defaultChild as autoscaling.CfnAutoScalingGroup;
  const tier = pickTier(scope, net, group, derivedTier(net, group, cfn.vpcZoneIdentifier), givenTier, where);
  return {
    elbTargets: [group],
    targetType: elbv2.TargetType.INSTANCE,
    unmanagedSecurityGroups: false,
    ends: [{ connectable: group, tier }],
  };
}

/** EC2 instances, registered by instance id. */
export function bindInstances(scope: IConstruct, net: ITieredVpc, instances: ec2.Instance[],
  givenTier: Tier | undefined, where: string): BoundTargets {
  if (instances.length === 0) {
    throw propError(scope, `${where}: instances`, [], 'must name at least one instance', 'Pass the instances to register.');
  }
  const ends = instances.map((instance) => {
    checkSameVpc(scope, net, instance, where);
    const tier = pickTier(scope, net, instance, derivedTier(net, instance, [instance.instance.subnetId]), givenTier, where);
    return { connectable: instance, tier };
  });
  return {
    elbTargets: instances.map((i) => new targets.InstanceTarget(i)),
    targetType: elbv2.TargetType.INSTANCE,
    unmanagedSecurityGroups: false,
    ends,
  };
}

/** Any `INetworkLoadBalancerTarget`, with the security groups that must admit the load balancer. */
export function bindCustom(scope: IConstruct, net: ITieredVpc, target: elbv2.INetworkLoadBalancerTarget, connectable: ec2.IConnectable,
  options: { readonly tier?: Tier; readonly targetType?: elbv2.TargetType; readonly trafficPort?: ec2.Port }, where: string): BoundTargets {
  checkSameVpc(scope, net, connectable, where);
  return {
    elbTargets: [target],
    targetType: options.targetType ?? elbv2.TargetType.INSTANCE,
    trafficPort: options.trafficPort,
    unmanagedSecurityGroups: false,
    ends: [{ connectable, tier: options.tier ?? Tier.APP }],
  };
}

/** An ECS service: task IPs (`awsvpc`) or container instances and host ports (`bridge`, `host`). */
export function bindEcsService(scope: IConstruct, net: ITieredVpc, service: ecs.BaseService, opts: EcsBindOptions, where: string): BoundTargets {
  const taskDefinition = service.taskDefinition;
  const mode = taskDefinition.networkMode;
  if (mode === ecs.NetworkMode.NONE) {
    throw propError(scope, `${where}: service`, service.node.path, 'uses NetworkMode.NONE, which can\'t receive load-balanced traffic',
      'Use NetworkMode.AWS_VPC (recommended: each task gets its own network interface and security group), BRIDGE or HOST.');
  }
  if (!sameVpc(service.cluster.vpc, net)) {
    throw propError(scope, `${where}: service`, service.node.path, 'runs in a cluster outside the load balancer\'s VPC',
      `Create the cluster in ${net.node.path}'s VPC (ecs.Cluster vpc: net.vpc): a target group only registers targets of its own VPC.`);
  }
  const container = opts.containerName !== undefined ? taskDefinition.findContainer(opts.containerName) : taskDefinition.defaultContainer;
  if (!container) {
    throw propError(scope, `${where}: containerName`, opts.containerName,
      'names no container of the service\'s task definition', 'Give the name of the container that listens for the traffic.');
  }
  const mappings = container.portMappings ?? [];
  const mapping = opts.containerPort !== undefined ? mappings.find((m) => m.containerPort === opts.containerPort) : mappings[0];
  if (!mapping) {
    throw propError(scope, `${where}: containerPort`, opts.containerPort ?? 'undefined',
      `is not a port mapping of container ${container.containerName}`, 'Add the port mapping to the container, or name a mapped port.');
  }
  const udp = mapping.protocol === ecs.Protocol.UDP;
  let trafficPort: ec2.Port;
  if (opts.trafficPort !== undefined) {
    trafficPort = opts.trafficPort;
  } else if (mapping.hostPort !== undefined && mapping.hostPort !== 0) {
    trafficPort = udp ? ec2.Port.udp(mapping.hostPort) : ec2.Port.tcp(mapping.hostPort);
  } else if (mode === ecs.NetworkMode.BRIDGE || mode === ecs.NetworkMode.NAT) {
    // Dynamic host ports come from the instance's kernel range unless the ECS agent is pinned
    // (ECS_DYNAMIC_HOST_PORT_RANGE); any guess here either misses ports or opens the agent's
    // reserved ones (51678-51680) to the load balancer. The range must come from its one source.
    throw propError(scope, `${where}: trafficPort`, undefined,
      `must be given for ${service.node.path}'s ${mode} mode dynamic host ports (hostPort 0)`,
      'Pass the range the ECS agent is pinned to with ECS_DYNAMIC_HOST_PORT_RANGE, e.g. ' +
      'NlbTarget.ecsService(service, { trafficPort: ec2.Port.tcpRange(32768, 51677) }), or use EcsDynamicPortService, which pins ' +
      'the range and opens exactly it (see https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html).');
  } else {
    trafficPort = udp ? ec2.Port.udp(mapping.containerPort) : ec2.Port.tcp(mapping.containerPort);
  }
  const awsvpc = mode === ecs.NetworkMode.AWS_VPC;
  const connectable: ec2.IConnectable = opts.connectable ?? (awsvpc ? service : service.cluster);
  if (connectable.connections.securityGroups.length === 0) {
    throw propError(scope, `${where}: connectable`, awsvpc ? service.node.path : service.cluster.node.path,
      awsvpc ? 'has no security group' : 'carries no security group of the container instances (cluster.addAsgCapacityProvider doesn\'t add them to the cluster\'s connections)',
      awsvpc ? 'Give the service securityGroups.'
        : 'Pass connectable: the container instances\' auto scaling group (NlbTarget.ecsService(service, { connectable: capacityAsg })).');
  }
  checkSameVpc(scope, net, connectable, where);
  let derived: Tier | undefined;
  if (awsvpc) {
    const cfn = service.node.defaultChild as ecs.CfnService;
    const config = Stack.of(service).resolve(cfn.networkConfiguration) as any;
    const awsvpcConfig = config?.awsvpcConfiguration ?? config?.AwsvpcConfiguration;
    derived = derivedTier(net, service, awsvpcConfig?.subnets ?? awsvpcConfig?.Subnets);
  }
  const tier = pickTier(scope, net, service, derived, opts.tier, where);
  return {
    elbTargets: [service.loadBalancerTarget({ containerName: container.containerName, containerPort: mapping.containerPort })],
    targetType: awsvpc ? elbv2.TargetType.IP : elbv2.TargetType.INSTANCE,
    trafficPort,
    unmanagedSecurityGroups: false,
    ends: [{ connectable, tier }],
  };
}

/** IP addresses inside the VPC, with the security groups of their interfaces when known. */
export function bindIpAddresses(scope: IConstruct, net: ITieredVpc, addresses: string[], connectable: ec2.IConnectable | undefined,
  givenTier: Tier | undefined, where: string): BoundTargets {
  if (addresses.length === 0) {
    throw propError(scope, `${where}: addresses`, [], 'must name at least one IP address', 'Pass the targets\' private IPv4 addresses.');
  }
  const tiers = new Map<string, Tier>();
  for (const address of addresses) {
    if (Token.isUnresolved(address)) continue;
    if (!ec2.NetworkUtils.validIp(address)) {
      throw propError(scope, `${where}: addresses`, address, 'must be an IPv4 address', 'Write it as a.b.c.d, e.g. 10.0.64.10.');
    }
    const n = ec2.NetworkUtils.ipToNum(address);
    const tier = ALL_TIERS.find((t) => {
      const r = parseIpv4(net.tierCidr(t));
      return r.first <= n && n <= r.last;
    });
    if (!tier) {
      throw propError(scope, `${where}: addresses`, address,
        `is outside the VPC's subnets (${ALL_TIERS.map((t) => `${t} ${net.tierCidr(t)}`).join(', ')})`,
        'Register only addresses of this VPC: targets in a peered VPC or on premises are outside what the flow model can open and prove.');
    }
    if (givenTier !== undefined && givenTier !== tier) {
      throw propError(scope, `${where}: tier`, givenTier, `contradicts address ${address}, which is in the ${tier} tier`,
        'Omit tier (it is derived from the addresses), or fix it.');
    }
    tiers.set(address, tier);
  }
  const fallback = givenTier ?? Tier.APP;
  let ends: TargetEnd[];
  if (connectable) {
    checkSameVpc(scope, net, connectable, where);
    const distinct = [...new Set(addresses.map((a) => tiers.get(a) ?? fallback))];
    if (distinct.length > 1) {
      throw propError(scope, `${where}: addresses`, addresses, `span the ${distinct.join(' and ')} tiers while sharing one connectable`,
        'Register each tier\'s addresses as its own NlbTarget.ipAddresses with that tier\'s security groups.');
    }
    ends = [{ connectable, tier: distinct[0] }];
  } else {
    // No security group is known: a peer-only Connections makes the flow model write the load
    // balancer's egress to exactly this address (and nothing on the target side).
    ends = addresses.map((a) => ({
      connectable: { connections: new ec2.Connections({ peer: ec2.Peer.ipv4(`${a}/32`) }) },
      tier: tiers.get(a) ?? fallback,
      name: `ip ${a}`,
    }));
  }
  return {
    elbTargets: addresses.map((a) => new targets.IpTarget(a)),
    targetType: elbv2.TargetType.IP,
    unmanagedSecurityGroups: connectable === undefined,
    ends,
  };
}

/** True when `vpc` is the tiered VPC (same object, or the same VPC id once resolved). */
function sameVpc(vpc: ec2.IVpc, net: ITieredVpc): boolean {
  if (vpc === net.vpc) return true;
  const stack = Stack.of(net);
  return JSON.stringify(stack.resolve(vpc.vpcId)) === JSON.stringify(stack.resolve(net.vpc.vpcId));
}

/**
 * Refuses a connectable whose security groups belong to another VPC: a target group registers
 * only targets of its own VPC, and a security group can only reference groups of its VPC (or a
 * peered one).
 */
function checkSameVpc(scope: IConstruct, net: ITieredVpc, connectable: ec2.IConnectable, where: string): void {
  const stack = Stack.of(net);
  const vpcId = JSON.stringify(stack.resolve(net.vpc.vpcId));
  for (const sg of connectable.connections.securityGroups) {
    const cfn = sg.node.defaultChild;
    if (!(cfn instanceof ec2.CfnSecurityGroup) || cfn.vpcId === undefined) continue;
    if (JSON.stringify(stack.resolve(cfn.vpcId)) !== vpcId) {
      const owner = (connectable as unknown as IConstruct).node?.path ?? sg.node.path;
      throw propError(scope, `${where}: targets`, owner, `are outside the load balancer's VPC (security group ${sg.node.path} belongs to another VPC)`,
        `Place the targets in ${net.node.path}'s VPC (vpc: net.vpc, vpcSubnets: net.tierSubnets(Tier.APP)).`);
    }
  }
}

/**
 * The tier of the subnets `ids` (resolved against the VPC's tier subnets); undefined when they
 * can't be read (imported subnets, tokens of lists) or span tiers.
 */
function derivedTier(net: ITieredVpc, owner: IConstruct, ids: unknown): Tier | undefined {
  const stack = Stack.of(owner);
  const resolved = stack.resolve(ids);
  if (!Array.isArray(resolved) || resolved.length === 0) return undefined;
  const byId = new Map<string, Tier>();
  for (const tier of ALL_TIERS) {
    for (const id of net.selectTierSubnets(tier).subnetIds) byId.set(JSON.stringify(stack.resolve(id)), tier);
  }
  const found = resolved.map((id) => byId.get(JSON.stringify(id)));
  if (found.some((t) => t === undefined)) return undefined;
  const distinct = [...new Set(found)];
  return distinct.length === 1 ? distinct[0] : undefined;
}

function pickTier(scope: IConstruct, _net: ITieredVpc, owner: IConstruct, derived: Tier | undefined, given: Tier | undefined, where: string): Tier {
  if (derived !== undefined && given !== undefined && derived !== given) {
    throw propError(scope, `${where}: tier`, given, `contradicts ${owner.node.path}, whose subnets are in the ${derived} tier`,
      'Omit tier (it is derived from the subnets), or place the targets in the tier you meant.');
  }
  return derived ?? given ?? Tier.APP;
}
