import { Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Options of the internet-facing Application Load Balancer in front of an ECS service.
 */
export interface AlbServiceLoadBalancerOptions {
  /**
   * Internet-facing in the public tier, or internal in the app tier. An internal load balancer
   * has private addresses only: it serves clients inside the VPC, admitted by security group
   * reference with the service's `allowLoadBalancerClient`, and networks reached privately (peering,
   * VPN, AWS Direct Connect) named in `clientCidrs`.
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-scheme
   * @default true
   */
  readonly internetFacing?: boolean;
  /**
   * The ACM certificate of the HTTPS 443 listener. With a certificate, HTTP 80 only redirects to
   * HTTPS 443 (see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/create-https-listener.html). Without one, the load
   * balancer listens on HTTP 80 only, and the construct leaves the warning
   * `cdk-network-patterns:httpOnlyLoadBalancer` (and the NIST 800-53, HIPAA and PCI DSS packs'
   * ALBHttpToHttpsRedirection and ELBv2ACMCertificateRequired findings stay, unacknowledged).
   * @default - no certificate: HTTP 80 only, with a warning
   */
  readonly certificate?: acm.ICertificate;
  /**
   * The TLS policy of the HTTPS listener.
   * @default elbv2.SslPolicy.RECOMMENDED_TLS
   */
  readonly sslPolicy?: elbv2.SslPolicy;
  /**
   * The CIDRs admitted to the listeners (80 and 443); IPv6 CIDRs only in a dual-stack VPC, where
   * the load balancer is dual stack too. Each is a declared flow from the internet to the load balancer.
   * @default ['0.0.0.0/0'], or ['0.0.0.0/0', '::/0'] in a dual-stack VPC, when internet-facing; none when internal
   */
  readonly clientCidrs?: string[];
  /**
   * The path of the target group's HTTP health check. The check always goes to the traffic port,
   * i.e. to the host port ECS registered for each task (see https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html).
   * @default '/'
   */
  readonly healthCheckPath?: string;
  /**
   * How long the load balancer keeps serving in-flight requests of a deregistering task
   * (connection draining).
   * @default Duration.seconds(30) - ELB's own 300 s default slows every deployment of a web service
   */
  readonly deregistrationDelay?: Duration;
  /**
   * Write access logs to S3 (AwsSolutions-ELB2). ELB log delivery is granted per Region, so the
   * stack needs a concrete `env.region` when logs are on.
   * @default true
   */
  readonly accessLogs?: boolean;
  /**
   * The bucket for access logs (SSE-S3 encrypted: an Application Load Balancer's access logs
   * support no other encryption, AWS ELB user guide "Enable access logs for your Application Load
   * Balancer").
   * @default - a bucket created by the construct: SSE-S3, versioned, TLS enforced, public access
   * blocked, retained on stack deletion
   */
  readonly accessLogBucket?: s3.IBucket;
  /**
   * Deletion protection on the load balancer (NIST 800-53 and HIPAA packs:
   * ELBDeletionProtectionEnabled). Its DNS name is what clients and alias records point at, and a
   * new load balancer gets a new one: deleting it by accident (a stack deletion, a replacement)
   * takes the service off the internet until DNS follows. The price: `cdk destroy` fails on it
   * until you turn it off (`aws elbv2 modify-load-balancer-attributes --load-balancer-arn <arn>
   * --attributes Key=deletion_protection.enabled,Value=false`, or deploy with `false` first).
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * The ARN of a regional AWS WAF web ACL to associate with the load balancer (NIST 800-53 and
   * PCI DSS packs: ALBWAFEnabled), e.g. `webAcl.attrArn` of a `wafv2.CfnWebACL` with scope
   * REGIONAL. A web ACL's rules belong to the application (a managed rule set that suits a form
   * application blocks a file-upload API), and each web ACL and rule is billed monthly, so the
   * construct creates none: without one, it acknowledges ALBWAFEnabled with that reason.
   * @default - no web ACL
   */
  readonly webAclArn?: string;
}

/**
 * Options of the internet-facing Network Load Balancer in front of an ECS service, for TCP
 * services an ALB can't front (see https://docs.aws.amazon.com/elasticloadbalancing/latest/network/introduction.html). Built on the
 * library's `TieredNetworkLoadBalancer`.
 */
export interface NlbServiceLoadBalancerOptions {
  /**
   * Internet-facing in the public tier, or internal in the app tier. An internal load balancer
   * has private addresses only: it serves clients inside the VPC, admitted by security group
   * reference with the service's `allowLoadBalancerClient`, and networks reached privately (peering,
   * VPN, AWS Direct Connect) named in `clientCidrs`.
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/network/network-load-balancers.html#load-balancer-scheme
   * @default true
   */
  readonly internetFacing?: boolean;
  /**
   * The listener port, 1-65535.
   * @default - the container port
   */
  readonly port?: number;
  /**
   * An ACM certificate: the listener then terminates TLS and forwards TCP to the tasks.
   * @default - a TCP listener (TLS, if any, passes through to the tasks)
   */
  readonly certificate?: acm.ICertificate;
  /**
   * Without a certificate: the tasks terminate TLS themselves, and the TCP listener passes it
   * through (see https://docs.aws.amazon.com/elasticloadbalancing/latest/network/create-tls-listener.html). The construct then
   * acknowledges the compliance packs' ELBv2ACMCertificateRequired on the listener
   * (`NlbListenerOptions.targetsTerminateTls`).
   * @default false
   */
  readonly targetsTerminateTls?: boolean;
  /**
   * The CIDRs admitted to the listener (declared flows from the internet to the load balancer);
   * IPv6 CIDRs only in a dual-stack VPC, where the load balancer is dual stack too.
   * @default ['0.0.0.0/0'], or ['0.0.0.0/0', '::/0'] in a dual-stack VPC, when internet-facing; none when internal
   */
  readonly clientCidrs?: string[];
  /**
   * One Elastic IP per AZ (subnet mappings), for clients that allowlist addresses. Each counts
   * against the Regional Elastic IP quota of 5, with the NAT gateways.
   * @default false
   */
  readonly staticIps?: boolean;
  /**
   * Let the tasks see the clients' own addresses. The app tier's NACL then admits the client
   * CIDRs on the host ports as well (the instances' security group still admits only the load
   * balancer's security group, which covers preserved-IP traffic).
   * @default false - the tasks see the load balancer's address, and only the public tier reaches the host ports
   */
  readonly preserveClientIp?: boolean;
  /**
   * An HTTP health check path on the traffic port.
   * @default - a TCP health check on the traffic port (the host port ECS registered for each task)
   */
  readonly healthCheckPath?: string;
  /**
   * How long the load balancer keeps a deregistering task's connections open.
   * @default Duration.seconds(30)
   */
  readonly deregistrationDelay?: Duration;
  /**
   * A bucket for access logs (an NLB logs TLS listeners only). The stack then needs a concrete
   * `env.region`.
   * @default - no access logs
   */
  readonly accessLogBucket?: s3.IBucket;
  /**
   * Deletion protection on the load balancer (NIST 800-53 and HIPAA packs:
   * ELBDeletionProtectionEnabled), as `TieredNetworkLoadBalancerProps.deletionProtection`: its DNS
   * name and static IPs are what clients point at and allowlist. `cdk destroy` fails on it until
   * you turn it off.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/** The kind of load balancer in front of a service. */
export enum ServiceLoadBalancerType {
  /** Application Load Balancer: HTTP and HTTPS (layer 7). */
  APPLICATION = 'application',
  /** Network Load Balancer: any TCP port, optionally TLS (layer 4). */
  NETWORK = 'network',
}

/**
 * The load balancer in front of an `EcsDynamicPortService` or an `EcsFargateService`.
 *
 * The load balancer sits in the public tier; the construct declares the flows internet ->
 * load balancer on the listener ports and load balancer -> tasks on the ports the tasks
 * actually receive traffic on (the dynamic host port range in bridge mode, the container port
 * with awsvpc).
 *
 * @example
 * ServiceLoadBalancer.alb({ certificate });
 * ServiceLoadBalancer.nlb({ port: 9092, clientCidrs: ['203.0.113.0/24'] });
 */
export class ServiceLoadBalancer {
  /**
   * An internet-facing Application Load Balancer in the public tier, for HTTP services.
   */
  public static alb(options: AlbServiceLoadBalancerOptions = {}): ServiceLoadBalancer {
    return new ServiceLoadBalancer(ServiceLoadBalancerType.APPLICATION, options, {});
  }

  /**
   * An internet-facing Network Load Balancer in the public tier (the library's
   * `TieredNetworkLoadBalancer`), for TCP services.
   */
  public static nlb(options: NlbServiceLoadBalancerOptions = {}): ServiceLoadBalancer {
    return new ServiceLoadBalancer(ServiceLoadBalancerType.NETWORK, {}, options);
  }

  private constructor(
    /** The kind of load balancer. */
    public readonly loadBalancerType: ServiceLoadBalancerType,
    /** @internal */
    public readonly _albOptions: AlbServiceLoadBalancerOptions,
    /** @internal */
    public readonly _nlbOptions: NlbServiceLoadBalancerOptions,
  ) {}
}
