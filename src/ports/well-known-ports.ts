import { Port } from 'aws-cdk-lib/aws-ec2';

/**
 * The usual well-known and registered service ports (see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html), as `ec2.Port` values that any
 * aws-cdk-lib API and this library's flow model accept.
 *
 * @example
 * vpc.addFlow(FlowEndpoint.workload(api, { tier: Tier.APP }), FlowEndpoint.workload(db, { tier: Tier.DATA }), WellKnownPorts.POSTGRES);
 */
export class WellKnownPorts {
  /** SSH, TCP 22. Never open to 0.0.0.0/0: use Session Manager (see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html). */
  public static readonly SSH = Port.tcp(22);
  /** RDP, TCP 3389. Never open to 0.0.0.0/0: use Session Manager (see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html). */
  public static readonly RDP = Port.tcp(3389);
  /** SMTP, TCP 25. */
  public static readonly SMTP = Port.tcp(25);
  /** DNS over TCP, TCP 53 (zone transfers, large answers). */
  public static readonly DNS_TCP = Port.tcp(53);
  /** DNS, UDP 53. */
  public static readonly DNS_UDP = Port.udp(53);
  /** HTTP, TCP 80. */
  public static readonly HTTP = Port.tcp(80);
  /** NTP, UDP 123 (e.g. to the Amazon Time Sync Service). */
  public static readonly NTP = Port.udp(123);
  /** HTTPS, TCP 443; also wss:// WebSockets (see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html). */
  public static readonly HTTPS = Port.tcp(443);
  /** Microsoft SQL Server, TCP 1433. */
  public static readonly MSSQL = Port.tcp(1433);
  /** Oracle listener, TCP 1521. */
  public static readonly ORACLE = Port.tcp(1521);
  /** NFS / Amazon EFS, TCP 2049. */
  public static readonly NFS = Port.tcp(2049);
  /** MySQL / Aurora MySQL / MariaDB, TCP 3306. */
  public static readonly MYSQL = Port.tcp(3306);
  /** PostgreSQL / Aurora PostgreSQL, TCP 5432. */
  public static readonly POSTGRES = Port.tcp(5432);
  /** Redis / ElastiCache (Redis OSS, Valkey), TCP 6379. */
  public static readonly REDIS = Port.tcp(6379);
  /** Alternative HTTP, TCP 8080 (typical container port). */
  public static readonly HTTP_ALT = Port.tcp(8080);
  /** Alternative HTTPS, TCP 8443. */
  public static readonly HTTPS_ALT = Port.tcp(8443);
  /** Kafka plaintext broker, TCP 9092. */
  public static readonly KAFKA = Port.tcp(9092);
  /** Kafka TLS broker (Amazon MSK), TCP 9094. */
  public static readonly KAFKA_TLS = Port.tcp(9094);
  /** OpenSearch / Elasticsearch HTTP, TCP 9200. */
  public static readonly OPENSEARCH = Port.tcp(9200);
  /** Memcached, TCP 11211. */
  public static readonly MEMCACHED = Port.tcp(11211);
  /** MongoDB / Amazon DocumentDB, TCP 27017. */
  public static readonly MONGODB = Port.tcp(27017);

  private constructor() {}
}
