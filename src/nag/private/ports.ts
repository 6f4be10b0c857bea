import { Port } from 'aws-cdk-lib/aws-ec2';
import { WellKnownPorts } from '../../ports/well-known-ports';

const num = (p: Port): number => p.toRuleJson().fromPort;

/**
 * SSH (22) and RDP (3389, whose RDP 8 transport also uses UDP), on TCP and UDP: never open to
 * every address (AWS Config restricted-ssh and nacl-no-unrestricted-ssh-rdp, which counts TCP and UDP).
 */
export const ADMIN_PORTS: ReadonlyArray<{ readonly protocol: 'tcp' | 'udp'; readonly port: number; readonly name: string }> = [
  { protocol: 'tcp', port: num(WellKnownPorts.SSH), name: 'SSH' },
  { protocol: 'udp', port: num(WellKnownPorts.SSH), name: 'SSH' },
  { protocol: 'tcp', port: num(WellKnownPorts.RDP), name: 'RDP' },
  { protocol: 'udp', port: num(WellKnownPorts.RDP), name: 'RDP' },
];

/** Well-known database, cache and search ports: never open to every address. */
export const DATA_PORTS: ReadonlyArray<{ readonly protocol: 'tcp' | 'udp'; readonly port: number; readonly name: string }> = [
  { protocol: 'tcp', port: num(WellKnownPorts.MSSQL), name: 'SQL Server' },
  { protocol: 'tcp', port: num(WellKnownPorts.ORACLE), name: 'Oracle' },
  { protocol: 'tcp', port: num(WellKnownPorts.MYSQL), name: 'MySQL' },
  { protocol: 'tcp', port: num(WellKnownPorts.POSTGRES), name: 'PostgreSQL' },
  { protocol: 'tcp', port: 5439, name: 'Redshift' },
  { protocol: 'tcp', port: num(WellKnownPorts.REDIS), name: 'Redis' },
  { protocol: 'tcp', port: 9042, name: 'Cassandra' },
  { protocol: 'tcp', port: num(WellKnownPorts.OPENSEARCH), name: 'OpenSearch' },
  { protocol: 'tcp', port: 9300, name: 'OpenSearch transport' },
  { protocol: 'tcp', port: num(WellKnownPorts.MEMCACHED), name: 'Memcached' },
  { protocol: 'udp', port: num(WellKnownPorts.MEMCACHED), name: 'Memcached' },
  { protocol: 'tcp', port: num(WellKnownPorts.MONGODB), name: 'MongoDB' },
];

/**
 * Well-known ports of protocols that are not HTTP: an Application Load Balancer, which speaks
 * only HTTP and HTTPS, cannot carry them.
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html
 */
export const NON_HTTP_PORTS: ReadonlyMap<number, string> = new Map([
  [num(WellKnownPorts.SSH), 'SSH'],
  [num(WellKnownPorts.SMTP), 'SMTP'],
  [num(WellKnownPorts.DNS_TCP), 'DNS'],
  [num(WellKnownPorts.MSSQL), 'SQL Server'],
  [num(WellKnownPorts.ORACLE), 'Oracle'],
  [num(WellKnownPorts.NFS), 'NFS'],
  [num(WellKnownPorts.MYSQL), 'MySQL'],
  [num(WellKnownPorts.RDP), 'RDP'],
  [num(WellKnownPorts.POSTGRES), 'PostgreSQL'],
  [num(WellKnownPorts.REDIS), 'Redis'],
  [num(WellKnownPorts.KAFKA), 'Kafka'],
  [num(WellKnownPorts.KAFKA_TLS), 'Kafka TLS'],
  [num(WellKnownPorts.MEMCACHED), 'Memcached'],
  [num(WellKnownPorts.MONGODB), 'MongoDB'],
]);

/** The range every kind of client may use for its end of a connection: NAT gateways, load balancers and Lambda use all of it. */
export const CLIENT_EPHEMERAL = { from: 1024, to: 65535 } as const;

/** Return ranges span at least this many ports (see isReturnRange). */
export const RETURN_RANGE_MIN_SPAN = 1000;

/**
 * True for a TCP/UDP port range that is a return (ephemeral) range rather than a service: it lies
 * within 1024-65535 and spans 1000 ports or more (every client kind's ephemeral range does:
 * AWS's recommended public-subnet rule set: https://docs.aws.amazon.com/vpc/latest/userguide/nacl-examples.html).
 */
export function isReturnRange(p0: number, p1: number): boolean {
  return p0 >= CLIENT_EPHEMERAL.from && p1 <= CLIENT_EPHEMERAL.to && p1 - p0 + 1 >= RETURN_RANGE_MIN_SPAN;
}
