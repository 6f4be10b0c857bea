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
 * `subnetTiers` maps each subnet id token of the VPC (as aws-cdk-lib hands it out) to its tier.
 */
export class WorkloadPlacement {
  constructor(private readonly subnetTiers: ReadonlyMap<string, Tier>, private readonly resolvedSubnetTiers: () => ReadonlyMap<string, Tier>) {}

  /**
   * The tiers found without resolving anything (no lazy value is evaluated, so nothing is
   * frozen early): subnet ids written directly in the resources' properties.
   */
  public declaredTiers(workload: ec2.IConnectable): Set<Tier> {
    const tiers = new Set<Tier>();
    for (const cfn of cfnResourcesOf(workload)) {
      walk(rawProperties(cfn), (s) => {
        const tier = this.subnetTiers.get(s);
        if (tier) tiers.add(tier);
      });
    }
    return tiers;
  }

  /**
   * The tiers found in the resolved properties (at synth, when every lazy value is final).
   */
  public resolvedTiers(workload: ec2.IConnectable): Set<Tier> {
    const byRef = this.resolvedSubnetTiers();
    const tiers = new Set<Tier>();
    for (const cfn of cfnResourcesOf(workload)) {
      let props: unknown;
      try {
        props = Stack.of(cfn).resolve((cfn as unknown as { _toCloudFormation(): unknown })._toCloudFormation());
      } catch {
        continue; // a resource that can't be resolved here is checked by CloudFormation
      }
      walkJson(props, (json) => {
        const tier = byRef.get(json);
        if (tier) tiers.add(tier);
      });
    }
    return tiers;
  }
}

/** The CloudFormation resources under a workload's construct (none when it is not a construct). */
function cfnResourcesOf(workload: ec2.IConnectable): CfnResource[] {
  const construct = workload as unknown as IConstruct;
  if (!construct || typeof construct !== 'object' || !('node' in construct)) return [];
  return construct.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c)
    // A security group names no subnet; skipping them keeps the walk short.
    && c.cfnResourceType !== 'AWS::EC2::SecurityGroup');
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

/** Visits every `{ Ref: ... }` of a resolved tree, as JSON. */
function walkJson(value: unknown, visit: (json: string) => void, depth = 0): void {
  if (depth > 12 || value === undefined || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) walkJson(v, visit, depth + 1);
    return;
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'Ref') {
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
