import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { AddressRange, containsRange, parseCidr } from '../../model/addresses';
import { defaultDatabasePort } from '../../private/database-ports';
import { admitsPort, IngressRule, ingressRules } from '../private/security-groups';
import { IndexedResource, StackIndex } from '../private/stack-index';

/**
 * Lambda functions reach RDS through an RDS Proxy: each concurrent invocation may open its own
 * database connection, and a burst exhausts the database's connections; the proxy pools them
 * (see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html).
 *
 * Non-compliant: a function in a VPC whose security groups, or whose subnets' CIDRs, a security
 * group of an RDS DB instance or cluster of the same stack admits directly on the database port
 * (TCP rules and all-traffic rules; a self-referencing group counts). The port is the
 * resource's `Port`, else the engine's default; an unresolved port counts as any port. The
 * database's admitting the proxy's security group instead is the compliant shape.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    if (node.cfnResourceType !== 'AWS::Lambda::Function') return NagRuleCompliance.NOT_APPLICABLE;
    const index = StackIndex.of(node);
    const res = index.get(node);
    const vpcConfig = res?.props.VpcConfig;
    if (!res || !vpcConfig) return NagRuleCompliance.NOT_APPLICABLE;
    const databases = rdsDatabases(index);
    if (databases.length === 0) return NagRuleCompliance.NOT_APPLICABLE;

    const fnGroups = new Set<string>((Array.isArray(vpcConfig.SecurityGroupIds) ? vpcConfig.SecurityGroupIds : []).map((g: unknown) => index.key(g)));
    const fn: FunctionPlacement = { groups: fnGroups, subnets: [], vpcs: new Set() };
    for (const s of Array.isArray(vpcConfig.SubnetIds) ? vpcConfig.SubnetIds : []) {
      const subnet = index.target(s);
      if (!subnet || subnet.type !== 'AWS::EC2::Subnet') continue;
      const range = parseCidr(subnet.props.CidrBlock);
      if (range) fn.subnets.push(range);
      const vpc = index.target(subnet.props.VpcId);
      if (vpc) fn.vpcs.add(vpc);
    }
    const byGroup = ingressRules(index).byGroup;
    const direct = databases.some((db) => db.groupKeys.some((g) =>
      (byGroup.get(g) ?? []).some((rule) => admitsFunction(rule, db.port, fn))));
    return direct ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: parse(__filename).name },
);

interface Database {
  readonly res: IndexedResource;
  readonly groupKeys: string[];
  /** The port; undefined when unresolved (any port then counts). */
  readonly port?: number;
}

function rdsDatabases(index: StackIndex): Database[] {
  return index.memo('rds-databases', () => {
    const out: Database[] = [];
    const add = (res: IndexedResource, groups: unknown) => {
      if (!Array.isArray(groups) || groups.length === 0) return;
      const port = Number(res.props.Port ?? defaultDatabasePort(res.props.Engine));
      out.push({ res, groupKeys: groups.map((g) => index.key(g)), port: Number.isInteger(port) ? port : undefined });
    };
    for (const db of index.ofType('AWS::RDS::DBCluster')) add(db, db.props.VpcSecurityGroupIds);
    // Cluster members take the cluster's groups; only stand-alone instances carry their own.
    for (const db of index.ofType('AWS::RDS::DBInstance')) if (db.props.DBClusterIdentifier === undefined) add(db, db.props.VPCSecurityGroups);
    return out;
  });
}

/** Where a function sits: its security groups (as `StackIndex.key`s), its subnets' CIDRs and VPCs. */
interface FunctionPlacement {
  readonly groups: Set<string>;
  readonly subnets: AddressRange[];
  readonly vpcs: Set<IndexedResource>;
}

/** True when the rule admits the function on the port: by its security group, or by a CIDR covering one of its subnets. */
function admitsFunction(rule: IngressRule, port: number | undefined, fn: FunctionPlacement): boolean {
  // Unresolved rule ports count as admitting: the source is what this rule is about.
  const onPort = port === undefined ? rule.protocol === 'tcp' || rule.protocol === 'all' : admitsPort(rule, 'tcp', port) !== false;
  if (!onPort) return false;
  if (rule.sourceGroupKey !== undefined && fn.groups.has(rule.sourceGroupKey)) return true;
  const cidr = rule.cidrIp;
  if (cidr?.kind === 'vpc') return fn.vpcs.has(cidr.vpc);
  return cidr?.kind === 'literal' && fn.subnets.some((s) => containsRange(cidr.range, s));
}
