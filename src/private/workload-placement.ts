import { CfnResource, IResolvable, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { Tier } from '../network/tier';

/**
 * Where a workload is placed: the tiers of the VPC's subnets that the CloudFormation resources
 * under the workload's construct name (an instance's SubnetId, an auto scaling group's
 * VPCZoneIdentifier, a function's VpcConfig, a service's awsvpc subnets, a DB subnet group, a
 * proxy's or a load balancer's subnets, an interface endpoint's subnets...).
 *
 * A construct may hold several workloads (a service with its own load balancer): the resources
 * that also name one of the workload's security groups are the workload itself, and decide. When
 * none does (an auto scaling group names its subnets, its launch template the groups), the
 * subnets named anywhere under the construct decide, if they are all in one tier.
 */
export class WorkloadPlacement {
  private resolved = new WeakMap<CfnResource, Set<string>>();

  constructor(private readonly subnetTiers: ReadonlyMap<string, Tier>, private readonly resolvedSubnetTiers: () => ReadonlyMap<string, Tier>) {}

  /**
   * The tiers found without resolving anything (no lazy value is evaluated, so nothing is
   * frozen early): subnet ids written directly in the resources' properties. Values chosen
   * lazily are invisible here; `resolvedTiers` sees them at synth.
   */
  public declaredTiers(workload: ec2.IConnectable): Set<Tier> {
    const groups = new Set(workload.connections.securityGroups.map((g) => g.securityGroupId));
    return decide(cfnResourcesOf(workload).map((cfn) => {
      const tiers = new Set<Tier>();
      let namesGroup = false;
      walk(rawProperties(cfn), (str) => {
        const tier = this.subnetTiers.get(str);
        if (tier) tiers.add(tier);
        if (groups.has(str)) namesGroup = true;
      });
      return { tiers, namesGroup };
    }));
  }

  /** The tiers found in the resolved properties (at synth, when every lazy value is final). */
  public resolvedTiers(workload: ec2.IConnectable): Set<Tier> {
    const byRef = this.resolvedSubnetTiers();
    const groups = new Set(workload.connections.securityGroups.map((g) => JSON.stringify(Stack.of(g).resolve(g.securityGroupId))));
    return decide(cfnResourcesOf(workload).map((cfn) => {
      const refs = this.resolvedRefs(cfn);
      const tiers = new Set([...refs].map((r) => byRef.get(r)).filter((t): t is Tier => t !== undefined));
      return { tiers, namesGroup: [...groups].some((g) => refs.has(g)) };
    }));
  }

  /** Forgets the resolved references, so that the next synthesis reads the resources anew. */
  public resetResolved(): void {
    this.resolved = new WeakMap();
  }

  /** The references and strings of a resource's resolved properties, as JSON (read once per synthesis). */
  private resolvedRefs(cfn: CfnResource): Set<string> {
    let refs = this.resolved.get(cfn);
    if (!refs) {
      refs = new Set<string>();
      try {
        const props = Stack.of(cfn).resolve((cfn as unknown as { _toCloudFormation(): unknown })._toCloudFormation());
        walkJson(props, (json) => refs!.add(json));
      } catch {
        // a resource that can't be resolved here is checked by CloudFormation
      }
      this.resolved.set(cfn, refs);
    }
    return refs;
  }
}

/** The tiers of the resources naming the workload's groups; else those of all, when they are one tier. */
function decide(resources: Array<{ tiers: Set<Tier>; namesGroup: boolean }>): Set<Tier> {
  const own = resources.filter((r) => r.namesGroup && r.tiers.size > 0);
  if (own.length > 0) return new Set(own.flatMap((r) => [...r.tiers]));
  const all = new Set(resources.flatMap((r) => [...r.tiers]));
  return all.size === 1 ? all : new Set();
}

/** The CloudFormation resources under a workload's construct (none when it is not a construct). */
function cfnResourcesOf(workload: ec2.IConnectable): CfnResource[] {
  const construct = workload as unknown as IConstruct;
  if (!construct || typeof construct !== 'object' || !('node' in construct)) return [];
  return construct.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c) && !namesNoSubnet(c.cfnResourceType));
}

/**
 * Resource types that never name a subnet: skipping them keeps the walk short (a type missing
 * here is only read for nothing).
 */
const NO_SUBNET_PREFIXES = [
  'AWS::EC2::SecurityGroup', 'AWS::IAM::', 'AWS::KMS::', 'AWS::Logs::', 'AWS::SNS::', 'AWS::SQS::', 'AWS::S3::',
  'AWS::SecretsManager::', 'AWS::CloudWatch::', 'AWS::Route53::', 'AWS::ElasticLoadBalancingV2::Listener',
  'AWS::ElasticLoadBalancingV2::TargetGroup', 'AWS::ECS::Cluster', 'AWS::ECS::TaskDefinition', 'AWS::ECS::CapacityProvider',
  'AWS::Lambda::Permission', 'AWS::Lambda::EventInvokeConfig', 'AWS::EC2::EIP',
];
function namesNoSubnet(type: string): boolean {
  return NO_SUBNET_PREFIXES.some((p) => type.startsWith(p));
}

function rawProperties(cfn: CfnResource): unknown {
  return (cfn as unknown as { cfnProperties: unknown }).cfnProperties;
}

/** Visits every string of a raw property tree, without resolving lazy values. */
function walk(value: unknown, visit: (s: string) => void, depth = 0): void {
  if (depth > 8 || value === undefined || value === null) return;
  if (typeof value === 'string') {
    visit(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) walk(v, visit, depth + 1);
    return;
  }
  if (typeof value === 'object') {
    if (Token.isUnresolved(value) || typeof (value as IResolvable).resolve === 'function') return;
    for (const v of Object.values(value as Record<string, unknown>)) walk(v, visit, depth + 1);
  }
}

/** Visits every reference (`{ Ref }`, `{ Fn::GetAtt }`) and string of a resolved tree, as JSON. */
function walkJson(value: unknown, visit: (json: string) => void, depth = 0): void {
  if (depth > 12 || value === undefined || value === null) return;
  if (typeof value === 'string') {
    visit(JSON.stringify(value));
    return;
  }
  if (typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) walkJson(v, visit, depth + 1);
    return;
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Fn::GetAtt')) {
    visit(JSON.stringify(value));
    return;
  }
  for (const v of Object.values(value as Record<string, unknown>)) walkJson(v, visit, depth + 1);
}

/** What kind of security group an imported one is (aws-cdk-lib's `fromSecurityGroupId` classes). */
export function isImmutableImport(sg: ec2.ISecurityGroup): boolean {
  return Object.getPrototypeOf(sg)?.constructor?.name === 'ImmutableImport';
}

/** The VPC id token of a security group created in this app, or undefined (imported, or unknown). */
export function securityGroupVpcId(sg: ec2.ISecurityGroup): string | undefined {
  const cfn = sg.node.defaultChild;
  if (cfn && CfnResource.isCfnResource(cfn) && cfn.cfnResourceType === 'AWS::EC2::SecurityGroup') {
    const vpcId = (cfn as ec2.CfnSecurityGroup).vpcId;
    return typeof vpcId === 'string' ? vpcId : undefined;
  }
  return undefined;
}
