import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { isIpv4Cidr } from '../private/cidr';
import { parseIpv6Cidr } from '../private/ipv6-cidr';

/** What a `NetworkEndpoint` names. */
export enum NetworkEndpointKind {
  /** Addresses outside the VPC (a CIDR of the internet). */
  INTERNET = 'internet',
  /** The nodes (instances, services, functions, databases, load balancers, ...) under a construct path. */
  CONSTRUCT = 'construct',
  /** Subnets: a host anywhere in them, with no security group of its own (routing and NACLs only). */
  SUBNETS = 'subnets',
}

/**
 * One end of a reachability question: a construct (or construct path), subnets, or the internet.
 *
 * A construct or path names every node under it: EC2 instances, auto scaling groups, ECS
 * services, Lambda functions, RDS instances, clusters and proxies, load balancers, ElastiCache,
 * interface endpoints, ENIs, EFS mount targets. A node that is the construct's own child
 * (`Db/Resource` for `Db`) wins over nodes deeper below it (`Db/Proxy`). When the path holds no
 * node but holds security groups (e.g. `NetworkEndpoint.of(securityGroup)`), the end is every
 * node that uses those groups; when it holds only subnets, it is a host in those subnets.
 *
 * @example
 * const db = NetworkEndpoint.of(database);
 * analyzer.canReach(NetworkEndpoint.internet(), db, ec2.Port.tcp(5432));
 */
export class NetworkEndpoint {
  /** The nodes under a construct (matched by construct path). */
  public static of(construct: IConstruct): NetworkEndpoint {
    return new NetworkEndpoint(NetworkEndpointKind.CONSTRUCT, [construct.node.path], undefined, construct.node.path);
  }

  /**
   * The nodes under a construct path (e.g. `MyStack/Service`), matched on whole path segments.
   * For a template without `aws:cdk:path` metadata, a logical id works too.
   */
  public static path(path: string): NetworkEndpoint {
    if (!path) throw new Error('NetworkEndpoint.path: the path must not be empty, got \'\'. Give a construct path such as \'MyStack/Service\'.');
    return new NetworkEndpoint(NetworkEndpointKind.CONSTRUCT, [path], undefined, path);
  }

  /**
   * The internet, or part of it.
   * @param cidr the IPv4 or IPv6 CIDR of the peers (`::/0` for the whole IPv6 internet)
   * @default '0.0.0.0/0'
   */
  public static internet(cidr?: string): NetworkEndpoint {
    const c = cidr ?? '0.0.0.0/0';
    if (!isIpv4Cidr(c) && !parseIpv6Cidr(c)) {
      throw new Error(`NetworkEndpoint.internet: cidr must be an IPv4 or IPv6 CIDR block whose address is its network address, got '${c}'. ` +
        'Write it as a.b.c.d/n or as an IPv6 network address and prefix, e.g. 203.0.113.0/24 or 2001:db8::/32.');
    }
    return new NetworkEndpoint(NetworkEndpointKind.INTERNET, [], c, `internet ${c}`);
  }

  /** A host anywhere in these subnets, with no security group (only routing and NACLs are checked). */
  public static subnets(subnets: ec2.ISubnet[]): NetworkEndpoint {
    if (subnets.length === 0) throw new Error('NetworkEndpoint.subnets: give at least one subnet, got []. Select them with vpc.selectSubnets(...).subnets.');
    const paths = subnets.map((s) => s.node.path);
    return new NetworkEndpoint(NetworkEndpointKind.SUBNETS, paths, undefined, `subnets ${paths.join(', ')}`);
  }

  private constructor(
    /** What this end names. */
    public readonly kind: NetworkEndpointKind,
    /** The construct paths, for construct and subnet ends. */
    public readonly paths: string[],
    /** The peers' CIDR, for internet ends. */
    public readonly cidr: string | undefined,
    /** A name for answers and failure messages. */
    public readonly name: string,
  ) {}
}
