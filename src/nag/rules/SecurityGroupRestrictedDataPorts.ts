import { parse } from 'path';
import { DATA_PORTS } from '../private/ports';
import { worldOpenPortsRule } from '../private/world-open';

/**
 * Security groups do not admit a well-known database, cache or search port from every address
 * (0.0.0.0/0, ::/0, or CIDRs that together cover them): MySQL 3306, PostgreSQL 5432, SQL Server
 * 1433, Oracle 1521, Redshift 5439, Redis 6379, Memcached 11211 (TCP and UDP), MongoDB 27017,
 * Cassandra 9042, OpenSearch 9200 and 9300. Ports read from a database's endpoint
 * (`Fn::GetAtt Db.Endpoint.Port`) resolve to the engine's port.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.Scenarios.html
 * @param node the CfnResource to check
 */
export default worldOpenPortsRule(parse(__filename).name, DATA_PORTS);
