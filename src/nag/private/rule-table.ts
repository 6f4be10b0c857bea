import { IApplyRule, NagMessageLevel } from 'cdk-nag';
import {
  AlbHttpPortsOnly,
  ElasticIpWithinDefaultQuota,
  LambdaRdsThroughProxy,
  NaclRestrictedAdminPorts,
  NaclReturnTrafficAllowed,
  NaclRuleNumbersSpaced,
  NatGatewayPerAz,
  NlbSecurityGroupsAtCreation,
  SecurityGroupPeerByReference,
  SecurityGroupRestrictedAdminPorts,
  SecurityGroupRestrictedDataPorts,
} from '../rules';

/** The pack's name and rule id prefix. */
export const PACK_NAME = 'NetworkPatterns';

/** The pack's rules: id suffix, level, cause (`info`) and explanation; RULES.md (shipped as lib/nag/RULES.md) lists the same (a test checks). */
export const RULES: ReadonlyArray<Omit<IApplyRule, 'node'>> = [
  {
    ruleSuffixOverride: 'SG1',
    info: 'The security group admits SSH (22) or RDP (3389), TCP or UDP, from every address (0.0.0.0/0, ::/0, or CIDRs that together cover them).',
    explanation: 'Admin ports open to the internet are scanned and brute-forced within minutes. Use AWS Systems Manager Session Manager ' +
      '(no inbound port at all; in a private VPC through the ssm, ssmmessages and ec2messages interface endpoints) or admit only an ' +
      'admin or VPN CIDR (see https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html). Port ranges and all-traffic rules that cover 22 or 3389 count.',
    level: NagMessageLevel.ERROR,
    rule: SecurityGroupRestrictedAdminPorts,
  },
  {
    ruleSuffixOverride: 'SG3',
    info: 'The security group admits a well-known database, cache or search port (MySQL 3306, PostgreSQL 5432, SQL Server 1433, Oracle 1521, Redis 6379, Memcached 11211, MongoDB 27017, OpenSearch 9200/9300, ...) from every address.',
    explanation: 'Data stores belong in private subnets, reached only from the application tier\'s security group. A data port open to ' +
      '0.0.0.0/0 or ::/0 (or CIDRs that together cover them) is found by scanners within minutes, and Memcached over UDP is a known ' +
      'amplification vector. Admit the clients\' security group instead (connections.allowDefaultPortFrom(appSecurityGroup)).',
    level: NagMessageLevel.ERROR,
    rule: SecurityGroupRestrictedDataPorts,
  },
  {
    ruleSuffixOverride: 'SG2',
    info: 'The security group admits a CIDR inside its own VPC where a security group reference would do.',
    explanation: 'Inside a VPC, a rule referencing the peer\'s security group admits exactly the peer\'s network interfaces, whatever IPs ' +
      'they get as they scale; a CIDR admits everything that is or will be in that range, other tiers included ' +
      '(https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html). Reference the peer\'s security group instead; for targets of a Network Load Balancer, give the NLB security groups ' +
      '(NetworkPatterns-ELB2) and reference them. 0.0.0.0/0 and CIDRs outside the VPC are out of this rule\'s scope.',
    level: NagMessageLevel.WARN,
    rule: SecurityGroupPeerByReference,
  },
  {
    ruleSuffixOverride: 'NACL1',
    info: 'The NACL entry admits SSH (22) or RDP (3389) inbound from 0.0.0.0/0 or ::/0, alone or with other entries that together admit every address.',
    explanation: 'The subnet-wide layer must not admit admin ports from anywhere either (AWS Config nacl-no-unrestricted-ssh-rdp).' +
      ' Entries are evaluated in rule-number order, first match wins: put a deny for 22/3389 before the broad allow, narrow ' +
      'the allow to an admin CIDR, or use Session Manager. Return ranges (within 1024-65535, spanning 1000 ports or more) are exempt: ' +
      'AWS\'s recommended public-subnet rule set admits 1024-65535 from 0.0.0.0/0, and a deny for 3389 inside it would drop return traffic.',
    level: NagMessageLevel.ERROR,
    rule: NaclRestrictedAdminPorts,
  },
  {
    ruleSuffixOverride: 'NACL2',
    info: 'The NACL entry admits a service port, but the NACL does not allow the whole client ephemeral range 1024-65535 back to (or from) that peer in the other direction.',
    explanation: 'NACLs are stateless: the answer to a request admitted inbound leaves towards the client\'s ephemeral port, and the answer ' +
      'to a request sent outbound comes back to one. NAT gateways, load balancers and Lambda use all of 1024-65535, so without an allow ' +
      'for the whole range in the other direction (first match wins) connections time out one way ' +
      '(https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html). Add the return entry before any deny that cuts into it, or declare the flow with ' +
      'TieredVpc.addFlow, which compiles both. TCP/UDP entries within 1024-65535 spanning 1000 ports or more count as return entries.',
    level: NagMessageLevel.ERROR,
    rule: NaclReturnTrafficAllowed,
  },
  {
    ruleSuffixOverride: 'NACL3',
    info: 'The NACL entry\'s rule number directly follows another entry\'s number in the same NACL and direction: no rule can be inserted between them.',
    explanation: 'Entries are evaluated in rule-number order, first match wins, so an urgent deny (a malicious range, a port to close) must ' +
      'go below the allow it overrides. Number entries in steps of 100 (see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html) so that one can be inserted without ' +
      'renumbering, which replaces entries.',
    level: NagMessageLevel.WARN,
    rule: NaclRuleNumbersSpaced,
  },
  {
    ruleSuffixOverride: 'NAT1',
    info: 'A private subnet routes to a zonal NAT gateway in another AZ, or one zonal NAT gateway serves subnets in several AZs (a regional NAT gateway, which spans the AZs, complies).',
    explanation: 'A zonal NAT gateway is redundant only inside its AZ: when that AZ fails, the subnets of other AZs routing to it lose the ' +
      'internet, and until then their traffic pays cross-AZ charges. Create a NAT gateway per AZ and route each private subnet to the ' +
      'one in its own AZ (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html; TieredVpc ' +
      'NatGatewayMode.PER_AZ). A single NAT gateway for non-production is a cost choice to acknowledge with that reason.',
    level: NagMessageLevel.ERROR,
    rule: NatGatewayPerAz,
  },
  {
    ruleSuffixOverride: 'ELB1',
    info: 'The Application Load Balancer listener or target group is on the well-known port of a non-HTTP protocol (e.g. MySQL 3306, PostgreSQL 5432, Redis 6379, Kafka 9092, MongoDB 27017).',
    explanation: 'An ALB works at layer 7 and speaks only HTTP and HTTPS: it cannot front a database, cache, broker or admin protocol. Use ' +
      'a Network Load Balancer: layer 4, any TCP/UDP/TLS port, a static IP per AZ (' +
      'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/introduction.html). An HTTP service on such a port misleads every reader of the rules: move it to an HTTP port.',
    level: NagMessageLevel.ERROR,
    rule: AlbHttpPortsOnly,
  },
  {
    ruleSuffixOverride: 'ELB2',
    info: 'The Network Load Balancer has no security groups.',
    explanation: 'Security groups can only be attached to an NLB when it is created: one created without them can never get them, short of ' +
      'replacing it (a new DNS name, new static IPs). Its targets must then admit clients and health checks by CIDR instead of by ' +
      'referencing the NLB\'s group. Create the NLB with a security group (see https://docs.aws.amazon.com/elasticloadbalancing/latest/network/introduction.html).',
    level: NagMessageLevel.ERROR,
    rule: NlbSecurityGroupsAtCreation,
  },
  {
    ruleSuffixOverride: 'LAMBDA1',
    info: 'The Lambda function reaches an RDS database port directly: the database\'s security group admits the function\'s security group or subnets, with no RDS Proxy between them.',
    explanation: 'Each concurrent invocation may open its own database connection; a burst exhausts the database\'s connection limit. Put an ' +
      'RDS Proxy between them: the function\'s group reaches the proxy\'s group on the database port, and only the proxy\'s group reaches ' +
      'the database (see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html).',
    level: NagMessageLevel.ERROR,
    rule: LambdaRdsThroughProxy,
  },
  {
    ruleSuffixOverride: 'EIP1',
    info: 'The stack uses more Elastic IP addresses than the default Regional quota of 5.',
    explanation: 'An account has 5 Elastic IPs per Region by default, shared by all its stacks: a NAT gateway takes one, an internet-facing ' +
      'NLB with static IPs one per AZ, so 3 NAT gateways and a 3-AZ NLB already need 6, and the deployment fails midway ' +
      '(https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html). The quota is adjustable: request the increase before deploying and acknowledge this warning at ' +
      'the stack, naming the approved quota; or use fewer static IPs.',
    level: NagMessageLevel.WARN,
    rule: ElasticIpWithinDefaultQuota,
  },
];
