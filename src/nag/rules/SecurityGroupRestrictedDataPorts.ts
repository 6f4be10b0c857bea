import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { DATA_PORTS } from '../private/ports';
import { StackIndex } from '../private/stack-index';
import { opensToWorld } from '../private/world-open';

/**
 * Security groups do not admit a well-known database, cache or search port from every address
 * (0.0.0.0/0, ::/0, or CIDRs that together cover them): MySQL 3306, PostgreSQL 5432, SQL Server
 * 1433, Oracle 1521, Redshift 5439, Redis 6379, Memcached 11211 (TCP and UDP), MongoDB 27017,
 * Cassandra 9042, OpenSearch 9200 and 9300. Ports read from a database's endpoint
 * (`Fn::GetAtt Db.Endpoint.Port`) resolve to the engine's port.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.Scenarios.html
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    if (node.cfnResourceType !== 'AWS::EC2::SecurityGroup' && node.cfnResourceType !== 'AWS::EC2::SecurityGroupIngress') {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const index = StackIndex.of(node);
    const res = index.get(node);
    if (!res) return NagRuleCompliance.NOT_APPLICABLE;
    return opensToWorld(index, index.modelId(res), DATA_PORTS) ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: parse(__filename).name },
);
