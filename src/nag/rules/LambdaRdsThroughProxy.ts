import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { containsRange } from '../../model/addresses';
import { NodeModel, SgRuleModel } from '../../model/template-model';
import { defaultDatabasePort } from '../../private/database-ports';
import { StackIndex } from '../private/stack-index';

/**
 * Lambda functions reach RDS through an RDS Proxy: each concurrent invocation may open its own
 * database connection, and a burst exhausts the database's connections; the proxy pools them
 * (see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html).
 *
 * Non-compliant: a function in a VPC whose security groups, or whose subnets' CIDRs, a security
 * group of an RDS DB instance or cluster of the same stack admits directly on the database port
 * (TCP rules and all-traffic rules; a self-referencing group counts; a function or database
 * without security groups has its VPC's default group). The port is the resource's `Port`, else
 * the engine's default; an unresolved port, of the database or of the rule, counts as any port.
 * Functions, databases and rules are read by the network model the reachability analyzer uses.
 * The database's admitting the proxy's security group instead is the compliant shape.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    if (node.cfnResourceType !== 'AWS::Lambda::Function') return NagRuleCompliance.NOT_APPLICABLE;
    const index = StackIndex.of(node);
    const res = index.get(node);
    if (!res || !res.props.VpcConfig) return NagRuleCompliance.NOT_APPLICABLE;
    const model = index.model;
    const fn = model.nodes.find((n) => n.id === index.modelId(res));
    const databases = model.nodes.filter((n) => n.kind === 'RDS DB instance' || n.kind === 'RDS DB cluster');
    if (!fn || fn.outsideVpc || databases.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
    const direct = databases.some((db) => {
      const port = databasePort(index, db);
      return db.sgs.some((key) => (model.sgs.get(key)?.ingress ?? []).some((rule) => admitsFunction(index, rule, port, fn)));
    });
    return direct ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: parse(__filename).name },
);

/** The database's port: its `Port`, else its engine's default; undefined when unresolved. */
function databasePort(index: StackIndex, db: NodeModel): number | undefined {
  const r = index.model.resources.get(db.id)!;
  const port = r.props.Port === undefined ? defaultDatabasePort(r.props.Engine) : index.model.resolvePort(r.stack, r.props.Port);
  return typeof port === 'number' ? port : undefined;
}

/** True when the rule admits the function on the port: by one of its security groups, or by a CIDR covering one of its subnets. */
function admitsFunction(index: StackIndex, rule: SgRuleModel, port: number | undefined, fn: NodeModel): boolean {
  if (rule.protocol !== 6 && rule.protocol !== -1) return false;
  // Unresolved ports count as admitting: the source is what this rule is about.
  if (port !== undefined && !rule.unknown && (port < rule.p0 || port > rule.p1)) return false;
  if (rule.peer.kind === 'sg') return fn.sgs.includes(rule.peer.key);
  if (rule.peer.kind !== 'cidr') return false;
  const range = rule.peer.range;
  return fn.subnets.some((s) => {
    const subnet = index.model.subnets.get(s);
    return subnet?.cidr !== undefined && containsRange(range, subnet.cidr);
  });
}
