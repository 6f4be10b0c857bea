import { WellKnownPorts } from '../ports/well-known-ports';

const port = (p: { toRuleJson(): any }): number => p.toRuleJson().fromPort;

/**
 * The port a database engine listens on when the template gives none (the RDS, DocumentDB and
 * Neptune user guides' defaults), from the engine name of an RDS instance or cluster.
 */
export function defaultDatabasePort(engine: unknown): number | undefined {
  if (typeof engine !== 'string') return undefined;
  const e = engine.toLowerCase();
  if (e.startsWith('aurora-postgresql') || e.startsWith('postgres')) return port(WellKnownPorts.POSTGRES);
  if (e === 'aurora' || e.startsWith('aurora-mysql') || e.startsWith('mysql') || e.startsWith('mariadb')) return port(WellKnownPorts.MYSQL);
  if (e.startsWith('sqlserver')) return port(WellKnownPorts.MSSQL);
  if (e.startsWith('oracle') || e.startsWith('custom-oracle')) return port(WellKnownPorts.ORACLE);
  if (e.startsWith('docdb')) return port(WellKnownPorts.MONGODB);
  if (e.startsWith('neptune')) return 8182;
  if (e.startsWith('db2')) return 50000;
  return undefined;
}
