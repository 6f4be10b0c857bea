import { Port } from 'aws-cdk-lib/aws-ec2';
import { WellKnownPorts } from '../../ports/well-known-ports';

const num = (p: Port): number => p.toRuleJson().fromPort;

/**
 * SSH (TCP 22) and RDP (TCP 3389, and UDP 3389 for RDP 8's UDP transport): never open to
 * 0.0.0.0/0 or ::/0 (see https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html).
 */
export const ADMIN_PORTS: ReadonlyArray<{ readonly protocol: 'tcp' | 'udp'; readonly port: number; readonly name: string }> = [
  { protocol: 'tcp', port: num(WellKnownPorts.SSH), name: 'SSH' },
  { protocol: 'tcp', port: num(WellKnownPorts.RDP), name: 'RDP' },
  { protocol: 'udp', port: num(WellKnownPorts.RDP), name: 'RDP' },
];

/**
 * Well-known ports of protocols that are not HTTP (see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html): an ALB, which speaks only
 * HTTP/HTTPS, cannot carry them (see https://docs.aws.amazon.com/elasticloadbalancing/latest/network/introduction.html).
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
