import { Duration } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';

/** How a Route 53 endpoint health check probes its endpoint. */
export enum FailoverHealthCheckProtocol {
  /** A TCP connection within 4 s, then an HTTP 2xx/3xx within 2 s (see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover.html). */
  HTTP = 'HTTP',
  /** As HTTP, over TLS. Route 53 doesn't validate the certificate; it sends the domain name as SNI. */
  HTTPS = 'HTTPS',
  /** A TCP connection only: for endpoints that don't speak HTTP. Needs an explicit port. */
  TCP = 'TCP',
}

/** Settings of a Route 53 endpoint health check. */
export interface FailoverEndpointHealthCheckOptions {
  /**
   * The protocol of the probe.
   * @default FailoverHealthCheckProtocol.HTTPS (see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover.html)
   */
  readonly protocol?: FailoverHealthCheckProtocol;
  /**
   * The port probed, 1-65535. When the endpoint is a load balancer in a `TieredVpc`, a declared
   * flow must admit it from the internet (checked at synth).
   * @default 443 for HTTPS, 80 for HTTP; required for TCP
   */
  readonly port?: number;
  /**
   * The path requested (HTTP and HTTPS only), at most 255 characters.
   * @default '/health' (see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover.html)
   */
  readonly path?: string;
  /**
   * A string the first 5,120 bytes of the response body must contain for the endpoint to be
   * healthy (HTTP and HTTPS only; at most 255 characters).
   * @default - no string matching: any 2xx or 3xx status is healthy
   */
  readonly searchString?: string;
  /**
   * Seconds between probes from each checker: 10 or 30. Fixed when the health check is created
   * (see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover.html); 10 s costs more.
   * @default Duration.seconds(30) (see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover.html)
   */
  readonly interval?: Duration;
  /**
   * Consecutive failed (or passed) probes before the status changes, 1-10.
   * @default 3 (see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover.html)
   */
  readonly failureThreshold?: number;
  /**
   * Route 53 checker regions to probe from: at least 3 of us-east-1, us-west-1, us-west-2,
   * eu-west-1, ap-southeast-1, ap-southeast-2, ap-northeast-1, sa-east-1.
   * @default - every checker region
   */
  readonly regions?: string[];
  /**
   * Measure the latency from the checkers to the endpoint (CloudWatch graphs). Fixed at creation.
   * @default false
   */
  readonly measureLatency?: boolean;
  /**
   * The domain name to probe: resolved (IPv4 only) at every interval unless `ipAddress` is set,
   * and sent as Host header and TLS SNI. Set it when the listener's rules or certificate expect
   * your own name rather than the load balancer's.
   * @default - the target's domain name: the load balancer's DNS name, or the domain name target
   */
  readonly domainName?: string;
  /**
   * A public IPv4 or IPv6 address to probe instead of resolving `domainName`. Route 53 can't
   * probe private, local or non-routable addresses.
   * @default - the target's address when it is a single IP address; otherwise the domain name is resolved
   */
  readonly ipAddress?: string;
}

/** Settings of a health check that follows a CloudWatch alarm. */
export interface FailoverAlarmHealthCheckOptions {
  /**
   * The health check's status while the alarm has insufficient data.
   * @default route53.InsufficientDataHealthStatusEnum.LAST_KNOWN_STATUS
   */
  readonly insufficientDataHealthStatus?: route53.InsufficientDataHealthStatusEnum;
}

/** Settings of a health check on a target group's healthy host count. */
export interface FailoverTargetGroupHealthOptions extends FailoverAlarmHealthCheckOptions {
  /**
   * The endpoint is unhealthy when the target group has fewer healthy targets than this.
   * @default 1
   */
  readonly minHealthyTargets?: number;
  /**
   * Consecutive one-minute periods below `minHealthyTargets` before the alarm (and so the
   * health check) turns unhealthy, 1-10.
   * @default 3 (as the endpoint check's failure threshold, Route 53's default)
   */
  readonly evaluationPeriods?: number;
}
