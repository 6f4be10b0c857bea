import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { ITieredNetworkLoadBalancer } from './i-tiered-network-load-balancer';
import { NlbTarget } from './nlb-target';
import { validateClientCidrs, warnWorldClients, WorkloadClient } from './private/clients';
import { listenerHost, NlbListenerHost } from './private/listener-host';
import { ResolvedTargets, TargetEnd } from './private/resolve-targets';
import { FlowEndpoint } from '../network/flow-endpoint';
import { Tier } from '../network/tier';
import { EphemeralRange } from '../ports/ephemeral-range';
import { acknowledgeCompliance } from '../private/compliance';
import { propError } from '../private/errors';
import { isAnyAddress, parseIpv6Cidr } from '../private/ipv6-cidr';

/**
 * Health checks of a listener's targets. Every default is AWS's for Network Load Balancer
 * target groups (AWS ELB API reference, CreateTargetGroup; AWS ELB user guide, "Health checks
 * for Network Load Balancer target groups"); the construct leaves unset values to AWS.
 */
export interface NlbHealthCheck {
  /**
   * `Protocol.TCP` (a TCP connect), `Protocol.HTTP` or `Protocol.HTTPS` (a GET on `path`).
   * UDP, TCP_UDP and TLS health checks don't exist: a UDP service is checked over TCP or HTTP
   * on a port where it also listens for TCP.
   * @default elbv2.Protocol.TCP
   */
  readonly protocol?: elbv2.Protocol;
  /**
   * The port the checks go to, 1-65535. The flows open it from the load balancer to the targets.
   * @default - the traffic port (the port each target receives traffic on)
   */
  readonly port?: number;
  /**
   * The path of HTTP/HTTPS checks, starting with `/` (see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover.html).
   * @default '/'
   */
  readonly path?: string;
  /**
   * The HTTP codes of a healthy answer (HTTP/HTTPS checks), e.g. '200' or '200-299'.
   * @default '200-399'
   */
  readonly healthyHttpCodes?: string;
  /**
   * Time between checks of one target, 5-300 s.
   * @default Duration.seconds(30)
   */
  readonly interval?: Duration;
  /**
   * Time without an answer that fails a check, 2-120 s.
   * @default - 10 s for TCP and HTTPS checks, 6 s for HTTP checks
   */
  readonly timeout?: Duration;
  /**
   * Consecutive successes before an unhealthy target is healthy again, 2-10.
   * @default 5
   */
  readonly healthyThresholdCount?: number;
  /**
   * Consecutive failures before a target is unhealthy, 2-10. With the defaults a dead target is
   * out after about a minute (2 x 30 s); a client that must fail over within 10 s needs interval 5 s, threshold 2.
   * @default 2
   */
  readonly unhealthyThresholdCount?: number;
}

/** Options of a `TieredNetworkLoadBalancer` listener and its targets. */
export interface NlbListenerOptions {
  /** The port clients connect to, 1-65535: any TCP/UDP service (Kafka 9092, MySQL 3306, a custom protocol). */
  readonly port: number;
  /**
   * TCP, TLS (terminated at the load balancer with `certificates`), UDP, or TCP_UDP (both on one port).
   * @default - elbv2.Protocol.TLS when certificates are given, elbv2.Protocol.TCP otherwise
   */
  readonly protocol?: elbv2.Protocol;
  /**
   * The certificates of a TLS listener (e.g. `elbv2.ListenerCertificate.fromCertificateManager(cert)`);
   * required for TLS, refused otherwise. Several certificates are served by SNI (see https://docs.aws.amazon.com/elasticloadbalancing/latest/network/create-tls-listener.html).
   * @default - none
   */
  readonly certificates?: elbv2.IListenerCertificate[];
  /**
   * The TLS security policy of a TLS listener.
   * @default elbv2.SslPolicy.RECOMMENDED_TLS (ELBSecurityPolicy-TLS13-1-2-2021-06: TLS 1.3 and 1.2 only, AWS's recommended policy)
   */
  readonly sslPolicy?: elbv2.SslPolicy;
  /**
   * The targets terminate TLS themselves: this TCP listener passes the clients' encrypted bytes
   * through untouched (e.g. WebSocket servers on wss:// 443 that
   * end TLS themselves, or Kafka brokers with an SSL listener). A TCP listener can hold no certificate, so
   * the NIST 800-53, HIPAA and PCI DSS packs' ELBv2ACMCertificateRequired flags it; with this
   * set, the construct acknowledges that finding on the listener, citing your statement. Only for
   * TCP listeners; nothing checks that the targets really speak TLS.
   * @default false - a plaintext TCP listener keeps the ELBv2ACMCertificateRequired finding
   */
  readonly targetsTerminateTls?: boolean;
  /**
   * ALPN policy of a TLS listener.
   * @default - none
   */
  readonly alpnPolicy?: elbv2.AlpnPolicy;
  /**
   * TCP idle timeout of a TCP listener, 60-6000 s (a TLS listener's is fixed at 350 s: AWS ELB
   * user guide, "Update the TCP idle timeout"). Long-lived connections (Kafka, WebSockets) are why an NLB's is long; raise it above the clients' own idle timeout.
   * @default Duration.seconds(350) (AWS's NLB default)
   */
  readonly tcpIdleTimeout?: Duration;
  /**
   * The CIDR clients of this listener, instead of the load balancer's `clientCidrs` (e.g. a
   * different partner per port). Same rules: IPv4, outside the VPC.
   * @default - the load balancer's clientCidrs
   */
  readonly clientCidrs?: string[];
  /** The targets, all registered the same way (all instance targets, or all IP targets). */
  readonly targets: NlbTarget[];
  /**
   * The port the targets receive traffic on, 1-65535.
   * @default - the listener port
   */
  readonly targetPort?: number;
  /**
   * The protocol towards the targets. For a TLS listener: `Protocol.TCP` (TLS ends at the load
   * balancer) or `Protocol.TLS` (re-encrypted to the targets); for any other listener, its own protocol.
   * @default - TCP for a TLS listener, the listener's protocol otherwise
   */
  readonly targetProtocol?: elbv2.Protocol;
  /**
   * Health checks of the targets.
   * @default - AWS's defaults: TCP on the traffic port every 30 s, 5 successes / 2 failures
   */
  readonly healthCheck?: NlbHealthCheck;
  /**
   * How long a deregistering target keeps its connections (connection draining,
   * the target group's deregistration delay), 0-3600 s.
   * @default Duration.seconds(300) (AWS's default)
   */
  readonly deregistrationDelay?: Duration;
  /**
   * Client IP preservation: the targets see the clients' own addresses. Always on for UDP and
   * TCP_UDP target groups (AWS can't turn it off there). When on, the flows open the targets'
   * tier NACL to the client CIDRs (and back); the targets' security group still admits only the
   * load balancer's security group, which AWS honours for preserved-IP traffic. IPv6 clients of a
   * dual-stack load balancer reach IPv4 targets translated, from the load balancer's address: only
   * the IPv4 client CIDRs are opened in the targets' tier.
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#client-ip-preservation
   * @default - AWS's default: on for instance targets (auto scaling groups, instances, bridge/host
   * ECS services), off for IP targets (IP addresses, awsvpc ECS services) with TCP or TLS
   */
  readonly preserveClientIp?: boolean;
}

/** Properties of an `NlbListener`. */
export interface NlbListenerProps extends NlbListenerOptions {
  /** The load balancer to add the listener to (a `TieredNetworkLoadBalancer`). */
  readonly loadBalancer: ITieredNetworkLoadBalancer;
}

const LISTENER_PROTOCOLS = [elbv2.Protocol.TCP, elbv2.Protocol.TLS, elbv2.Protocol.UDP, elbv2.Protocol.TCP_UDP];
const HEALTH_CHECK_PROTOCOLS = [elbv2.Protocol.TCP, elbv2.Protocol.HTTP, elbv2.Protocol.HTTPS];

/**
 * A listener of a `TieredNetworkLoadBalancer` with its target group, and the flows that carry
 * its traffic. Usually created with `TieredNetworkLoadBalancer.addListener`.
 *
 * @example
 * const listener = nlb.addListener('Mysql', {
 *   port: 3306,
 *   targets: [NlbTarget.autoScalingGroup(databaseProxies)],
 *   healthCheck: { interval: Duration.seconds(10) },
 * });
 * listener.addTargets(NlbTarget.autoScalingGroup(moreProxies));
 */
export class NlbListener extends Construct {
  /** The underlying aws-cdk-lib listener. */
  public readonly listener: elbv2.NetworkListener;
  /** The listener's target group. */
  public readonly targetGroup: elbv2.NetworkTargetGroup;
  /** The listener port. */
  public readonly port: number;
  /** The listener protocol. */
  public readonly protocol: elbv2.Protocol;
  /** The port the targets receive traffic on. */
  public readonly targetPort: number;
  /** The protocol towards the targets. */
  public readonly targetProtocol: elbv2.Protocol;
  /** How the targets are registered (instance or IP). */
  public readonly targetType: elbv2.TargetType;
  /** Whether the targets see the clients' addresses (the flows are compiled for this value). */
  public readonly preserveClientIp: boolean;
  /** The CIDR clients of this listener. */
  public readonly clientCidrs: string[];

  private readonly nlb: NlbListenerHost;
  private readonly healthCheckSpec: NlbHealthCheck;
  private readonly ends: Array<{ end: TargetEnd; resolved: ResolvedTargets }> = [];
  private targetSets = 0;

  constructor(scope: Construct, id: string, props: NlbListenerProps) {
    super(scope, id);
    const nlb = listenerHost(this, props.loadBalancer);
    this.nlb = nlb;
    this.port = props.port;
    this.protocol = props.protocol ?? ((props.certificates?.length ?? 0) > 0 ? elbv2.Protocol.TLS : elbv2.Protocol.TCP);
    this.targetPort = props.targetPort ?? props.port;
    this.targetProtocol = props.targetProtocol ?? (this.protocol === elbv2.Protocol.TLS ? elbv2.Protocol.TCP : this.protocol);
    this.clientCidrs = [...(props.clientCidrs ?? nlb.clientCidrs)];
    this.healthCheckSpec = props.healthCheck ?? {};
    this.validateProps(props);

    const resolved = props.targets.map((t, i) => t._bind(this, nlb.network, `targets[${i}]`));
    const types = [...new Set(resolved.map((r) => r.targetType))];
    if (types.length > 1) {
      throw propError(this, 'targets', props.targets.map((t) => t.kind), `mix target types (${types.join(', ')})`,
        'A target group registers all its targets one way: put instance targets and IP targets behind separate listeners.');
    }
    this.targetType = types[0];
    const udp = this.targetProtocol === elbv2.Protocol.UDP || this.targetProtocol === elbv2.Protocol.TCP_UDP;
    this.preserveClientIp = udp ? true : props.preserveClientIp ?? this.targetType === elbv2.TargetType.INSTANCE;

    const hc = this.healthCheckSpec;
    this.targetGroup = new elbv2.NetworkTargetGroup(this, 'TargetGroup', {
      vpc: nlb.network.vpc,
      port: this.targetPort,
      protocol: this.targetProtocol,
      targetType: this.targetType,
      deregistrationDelay: props.deregistrationDelay,
      // UDP and TCP_UDP target groups always preserve client IPs; AWS refuses the attribute there.
      preserveClientIp: udp ? undefined : this.preserveClientIp,
      healthCheck: {
        protocol: hc.protocol,
        port: hc.port !== undefined ? String(hc.port) : undefined,
        path: hc.path,
        healthyHttpCodes: hc.healthyHttpCodes,
        interval: hc.interval,
        timeout: hc.timeout,
        healthyThresholdCount: hc.healthyThresholdCount,
        unhealthyThresholdCount: hc.unhealthyThresholdCount,
      },
    });

    const tls = this.protocol === elbv2.Protocol.TLS;
    this.listener = new elbv2.NetworkListener(this, 'Resource', {
      loadBalancer: nlb.loadBalancer,
      port: this.port,
      protocol: this.protocol,
      certificates: props.certificates,
      sslPolicy: tls ? props.sslPolicy ?? elbv2.SslPolicy.RECOMMENDED_TLS : undefined,
      alpnPolicy: props.alpnPolicy,
      tcpIdleTimeout: props.tcpIdleTimeout,
      defaultTargetGroups: [this.targetGroup],
    });

    if (props.targetsTerminateTls) {
      acknowledgeCompliance(this.listener, 'ELBv2ACMCertificateRequired',
        'TCP pass-through: the targets terminate TLS themselves (targetsTerminateTls), so clients are encrypted end to end ' +
        'and the load balancer never holds the keys; a TCP listener can hold no certificate. A TLS listener with an ACM ' +
        'certificate would end TLS at the load balancer instead.');
    }

    nlb._registerListener(this);
    if (this.clientCidrs.some(isAnyAddress)) nlb._acknowledgeOpenListeners();
    this.declareCidrClientFlows();
    for (const client of nlb._workloadClients()) this._admitWorkloadClient(client);
    this.bind(resolved);
  }

  /**
   * Adds more targets to this listener's target group (registered the same way as the first),
   * with their flows.
   */
  public addTargets(...targets: NlbTarget[]): void {
    const offset = this.targetSets;
    const resolved = targets.map((t, i) => t._bind(this, this.nlb.network, `targets[${offset + i}]`));
    for (const r of resolved) {
      if (r.targetType !== this.targetType) {
        throw propError(this, 'addTargets', r.kind, `registers ${r.targetType} targets in a target group of ${this.targetType} targets`,
          'Put instance targets and IP targets behind separate listeners.');
      }
    }
    this.bind(resolved);
  }

  /**
   * Declares the flows of a workload client of the load balancer on this listener.
   * @internal
   */
  public _admitWorkloadClient(client: WorkloadClient): void {
    const to = FlowEndpoint.workload(this.nlb, { tier: this.nlb.tier });
    for (const port of this.listenerPorts()) {
      this.nlb._declare(this.clientEnd(client), to, port,
        { description: `${this.clientName(client)} -> ${this.nlb.node.path} listener ${describe(port)}` });
    }
    if (this.preserveClientIp) {
      for (const { end, resolved } of this.ends) this.declarePreservedWorkloadClient(client, end, resolved);
    }
  }

  private bind(resolved: ResolvedTargets[]): void {
    const nlb = this.nlb;
    this.targetSets += resolved.length;
    for (const r of resolved) {
      for (const end of r.ends) this.checkTargetTier(end);
    }
    for (const r of resolved) {
      this.targetGroup.addTarget(...r.elbTargets);
      if (r.unmanagedSecurityGroups) {
        Annotations.of(this).addWarningV2('cdk-network-patterns:nlbIpTargetsUnmanaged',
          `IP targets ${r.ends.map((e) => e.name).join(', ')} have no known security group: the load balancer reaches exactly these addresses ` +
          `and the tier NACLs carry the flows, but the targets' own security groups must admit ${nlb.node.path}'s security group ` +
          `(${nlb.securityGroup.node.path}) on the target port yourself. Pass connectable to NlbTarget.ipAddresses to let the flows do it.`);
      }
      for (const end of r.ends) {
        this.ends.push({ end, resolved: r });
        const from = FlowEndpoint.workload(nlb, { tier: nlb.tier, ephemeralRange: EphemeralRange.ELB });
        const to = FlowEndpoint.workload(end.connectable, { tier: end.tier, name: end.name });
        const toName = end.name ?? to.name;
        for (const port of this.trafficPorts(r)) {
          nlb._declare(from, to, port, { description: `${nlb.node.path} -> ${toName} ${describe(port)} (listener ${this.port})` });
        }
        const hcPort = this.healthCheckPort(r);
        if (hcPort) {
          nlb._declare(from, to, hcPort, { description: `${nlb.node.path} -> ${toName} ${describe(hcPort)} (health checks)` });
        }
        if (this.preserveClientIp) {
          this.declarePreservedCidrClients(end, r);
          for (const client of nlb._workloadClients()) this.declarePreservedWorkloadClient(client, end, r);
        }
      }
    }
  }

  private declareCidrClientFlows(): void {
    if (this.clientCidrs.length === 0) return;
    const to = FlowEndpoint.workload(this.nlb, { tier: this.nlb.tier });
    for (const port of this.listenerPorts()) {
      this.nlb._declare(FlowEndpoint.internet({ cidrs: this.clientCidrs }), to, port,
        { description: `clients ${this.clientCidrs.join(',')} -> ${this.nlb.node.path} listener ${describe(port)}` });
    }
  }

  /**
   * Client IP preservation: the targets see the clients' addresses, so their tier's NACL must
   * admit the client CIDRs on the traffic port and return to them. NACL only (internet -> tier):
   * the targets' security group references the load balancer's, which admits this traffic.
   */
  private declarePreservedCidrClients(end: TargetEnd, r: ResolvedTargets): void {
    // IPv6 clients of a dual-stack load balancer reach IPv4 targets translated, from the load
    // balancer's own address: only IPv4 clients keep their address up to the targets.
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#client-ip-preservation
    const cidrs = this.clientCidrs.filter((c) => parseIpv6Cidr(c) === undefined);
    if (cidrs.length === 0) return;
    for (const port of this.trafficPorts(r)) {
      this.nlb._declare(FlowEndpoint.internet({ cidrs: cidrs }), FlowEndpoint.tier(end.tier), port,
        { description: `clients ${cidrs.join(',')} -> tier ${end.tier} ${describe(port)} (client IP preserved through ${this.nlb.node.path})` });
    }
  }

  /**
   * Client IP preservation for a workload client: the targets' tier NACL must admit the client's
   * tier. Nothing to add when the client shares the load balancer's tier (the load balancer ->
   * targets entries name that tier already); tier -> tier NACL entries when the tiers differ; and
   * when the client shares the targets' tier (a tier can't be opened to itself), workload ->
   * workload, whose security group rule lets the client reach the targets directly as well.
   */
  private declarePreservedWorkloadClient(client: WorkloadClient, end: TargetEnd, r: ResolvedTargets): void {
    if (client.tier === this.nlb.tier) return;
    for (const port of this.trafficPorts(r)) {
      const description = `${this.clientName(client)} -> ${end.name ?? FlowEndpoint.workload(end.connectable, { tier: end.tier }).name} ${describe(port)} (client IP preserved through ${this.nlb.node.path})`;
      if (client.tier !== end.tier) {
        this.nlb._declare(FlowEndpoint.tier(client.tier, { ephemeralRange: client.ephemeralRange }),
          FlowEndpoint.tier(end.tier), port, { description });
      } else {
        this.nlb._declare(this.clientEnd(client), FlowEndpoint.workload(end.connectable, { tier: end.tier, name: end.name }), port, { description });
      }
    }
  }

  private clientEnd(client: WorkloadClient): FlowEndpoint {
    return FlowEndpoint.workload(client.connectable, { tier: client.tier, ephemeralRange: client.ephemeralRange, name: client.name });
  }

  private clientName(client: WorkloadClient): string {
    return this.clientEnd(client).name;
  }

  private checkTargetTier(end: TargetEnd): void {
    const name = end.name ?? FlowEndpoint.workload(end.connectable, { tier: end.tier }).name;
    if (end.tier === Tier.DATA && this.nlb.internetFacing) {
      throw propError(this, 'targets', name, 'are in the data tier behind an internet-facing load balancer',
        'The internet must never reach the data tier, even through a load balancer: put a service in the app tier in front of the data.');
    }
    if (end.tier === Tier.DATA && this.preserveClientIp && this.clientCidrs.length > 0) {
      throw propError(this, 'preserveClientIp', true, `would make the data-tier targets ${name} see the client CIDRs ${this.clientCidrs.join(', ')} (their NACL would have to admit them)`,
        'Turn preserveClientIp off (IP targets), or put a service in the app tier in front of the data tier.');
    }
  }

  /** The ports clients reach the listener on (TCP_UDP: both). */
  private listenerPorts(): ec2.Port[] {
    return portsFor(this.protocol, this.port);
  }

  /** The ports the targets really receive traffic on. */
  private trafficPorts(r: ResolvedTargets): ec2.Port[] {
    return r.trafficPort ? [r.trafficPort] : portsFor(this.targetProtocol, this.targetPort);
  }

  /** The health-check port when the traffic flows don't already open it (health checks are always TCP). */
  private healthCheckPort(r: ResolvedTargets): ec2.Port | undefined {
    const traffic = this.trafficPorts(r);
    const tcpTraffic = traffic.find((p) => p.toRuleJson().ipProtocol === 'tcp');
    if (this.healthCheckSpec.port === undefined) {
      if (tcpTraffic) return undefined;
      const json = traffic[0].toRuleJson();
      return json.fromPort === json.toPort ? ec2.Port.tcp(json.fromPort) : ec2.Port.tcpRange(json.fromPort, json.toPort);
    }
    const port = this.healthCheckSpec.port;
    if (tcpTraffic) {
      const json = tcpTraffic.toRuleJson();
      if (json.fromPort <= port && port <= json.toPort) return undefined;
    }
    return ec2.Port.tcp(port);
  }

  private validateProps(props: NlbListenerProps): void {
    checkPort(this, 'port', props.port);
    if (!LISTENER_PROTOCOLS.includes(this.protocol)) {
      throw propError(this, 'protocol', this.protocol, `must be one of ${LISTENER_PROTOCOLS.join(', ')}`,
        'An NLB listens for TCP, TLS, UDP or TCP_UDP; HTTP and HTTPS services belong on an Application Load Balancer.');
    }
    const tls = this.protocol === elbv2.Protocol.TLS;
    if (tls && (props.certificates?.length ?? 0) === 0) {
      throw propError(this, 'certificates', props.certificates ?? [], 'must name at least one certificate for a TLS listener',
        'Give certificates: [elbv2.ListenerCertificate.fromCertificateManager(cert)], or use Protocol.TCP to pass TLS through to the targets.');
    }
    if (props.targetsTerminateTls && this.protocol !== elbv2.Protocol.TCP) {
      throw propError(this, 'targetsTerminateTls', true, `is only for TCP listeners, not ${this.protocol}`,
        tls ? 'Drop it: this TLS listener terminates TLS at the load balancer (set targetProtocol: elbv2.Protocol.TLS to re-encrypt to the targets).'
          : 'Drop it, or use a TCP listener for TLS that the targets terminate.');
    }
    if (!tls) {
      if ((props.certificates?.length ?? 0) > 0) {
        throw propError(this, 'certificates', `${props.certificates!.length} certificate(s)`, `are only for TLS listeners, not ${this.protocol}`,
          'Set protocol: elbv2.Protocol.TLS to terminate TLS at the load balancer, or drop the certificates.');
      }
      if (props.sslPolicy !== undefined || props.alpnPolicy !== undefined) {
        throw propError(this, props.sslPolicy !== undefined ? 'sslPolicy' : 'alpnPolicy', props.sslPolicy ?? props.alpnPolicy,
          `is only for TLS listeners, not ${this.protocol}`, 'Set protocol: elbv2.Protocol.TLS, or drop it.');
      }
    }
    checkPort(this, 'targetPort', this.targetPort);
    const allowedTarget = tls ? [elbv2.Protocol.TCP, elbv2.Protocol.TLS] : [this.protocol];
    if (!allowedTarget.includes(this.targetProtocol)) {
      throw propError(this, 'targetProtocol', this.targetProtocol, `must be ${allowedTarget.join(' or ')} for a ${this.protocol} listener`,
        tls ? 'Use TCP to end TLS at the load balancer, or TLS to re-encrypt to the targets.' : 'Omit targetProtocol: it follows the listener.');
    }
    if (props.tcpIdleTimeout !== undefined && !Token.isUnresolved(props.tcpIdleTimeout.toSeconds())) {
      const s = props.tcpIdleTimeout.toSeconds();
      if (this.protocol !== elbv2.Protocol.TCP) {
        throw propError(this, 'tcpIdleTimeout', `${s} s`, `is only for TCP listeners, not ${this.protocol}`,
          'Drop tcpIdleTimeout: a TLS listener\'s idle timeout is fixed at 350 s and UDP flows time out after 120 s (AWS ELB user guide, "Update the TCP idle timeout").');
      }
      if (s < 60 || s > 6000) {
        throw propError(this, 'tcpIdleTimeout', `${s} s`, 'must be between 60 and 6000 seconds', 'AWS accepts 60-6000 s; the default is 350 s.');
      }
    }
    if (props.clientCidrs !== undefined) {
      validateClientCidrs(this, 'clientCidrs', props.clientCidrs, this.nlb.network);
      if (!this.nlb.internetFacing) warnWorldClients(this, props.clientCidrs);
      if (this.nlb.internetFacing && props.clientCidrs.length === 0) {
        throw propError(this, 'clientCidrs', [], 'must name at least one CIDR for an internet-facing load balancer',
          'Give the clients\' ranges, or omit clientCidrs to use the load balancer\'s.');
      }
    }
    if (props.targets.length === 0) {
      throw propError(this, 'targets', [], 'must name at least one target set', 'Give e.g. [NlbTarget.autoScalingGroup(asg)].');
    }
    const udp = this.targetProtocol === elbv2.Protocol.UDP || this.targetProtocol === elbv2.Protocol.TCP_UDP;
    if (udp && props.preserveClientIp === false) {
      throw propError(this, 'preserveClientIp', false, `can't be turned off for ${this.targetProtocol} target groups (AWS always preserves client IPs there)`,
        'Drop preserveClientIp: the flows open the targets\' tier NACL to the clients.');
    }
    if (props.deregistrationDelay !== undefined && !Token.isUnresolved(props.deregistrationDelay.toSeconds())) {
      const s = props.deregistrationDelay.toSeconds();
      if (s < 0 || s > 3600) {
        throw propError(this, 'deregistrationDelay', `${s} s`, 'must be between 0 and 3600 seconds', 'AWS accepts 0-3600 s; the default is 300 s.');
      }
    }
    this.validateHealthCheck(this.healthCheckSpec);
  }

  private validateHealthCheck(hc: NlbHealthCheck): void {
    const protocol = hc.protocol ?? elbv2.Protocol.TCP;
    if (!HEALTH_CHECK_PROTOCOLS.includes(protocol)) {
      throw propError(this, 'healthCheck.protocol', protocol, `must be one of ${HEALTH_CHECK_PROTOCOLS.join(', ')} (there are no ${protocol} health checks)`,
        'Check a UDP service over TCP or HTTP on a port where it also listens for TCP (healthCheck: { protocol: elbv2.Protocol.TCP, port: ... }).');
    }
    if (hc.port !== undefined) checkPort(this, 'healthCheck.port', hc.port);
    const http = protocol === elbv2.Protocol.HTTP || protocol === elbv2.Protocol.HTTPS;
    if (hc.path !== undefined) {
      if (!http) {
        throw propError(this, 'healthCheck.path', hc.path, `is only for HTTP and HTTPS health checks, not ${protocol}`,
          'Set healthCheck.protocol to HTTP or HTTPS, or drop the path.');
      }
      if (!hc.path.startsWith('/')) {
        throw propError(this, 'healthCheck.path', hc.path, 'must start with /', 'Write it as an absolute path, e.g. /health.');
      }
    }
    if (hc.healthyHttpCodes !== undefined && !http) {
      throw propError(this, 'healthCheck.healthyHttpCodes', hc.healthyHttpCodes, `is only for HTTP and HTTPS health checks, not ${protocol}`,
        'Set healthCheck.protocol to HTTP or HTTPS, or drop healthyHttpCodes.');
    }
    checkSeconds(this, 'healthCheck.interval', hc.interval, 5, 300);
    checkSeconds(this, 'healthCheck.timeout', hc.timeout, 2, 120);
    checkCount(this, 'healthCheck.healthyThresholdCount', hc.healthyThresholdCount);
    checkCount(this, 'healthCheck.unhealthyThresholdCount', hc.unhealthyThresholdCount);
  }
}

function portsFor(protocol: elbv2.Protocol, port: number): ec2.Port[] {
  switch (protocol) {
    case elbv2.Protocol.UDP: return [ec2.Port.udp(port)];
    case elbv2.Protocol.TCP_UDP: return [ec2.Port.tcp(port), ec2.Port.udp(port)];
    default: return [ec2.Port.tcp(port)];
  }
}

function describe(port: ec2.Port): string {
  const json = port.toRuleJson();
  return `${json.ipProtocol} ${json.fromPort === json.toPort ? json.fromPort : `${json.fromPort}-${json.toPort}`}`;
}

function checkPort(scope: Construct, prop: string, port: number): void {
  if (Token.isUnresolved(port)) {
    throw propError(scope, prop, 'a token', 'must be a concrete port number', 'The flows compile NACL entries at synth: give a number.');
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw propError(scope, prop, port, 'must be an integer between 1 and 65535', 'Give a TCP/UDP port number, e.g. 9092.');
  }
}

function checkSeconds(scope: Construct, prop: string, d: Duration | undefined, min: number, max: number): void {
  if (d === undefined || Token.isUnresolved(d.toSeconds())) return;
  const s = d.toSeconds();
  if (!Number.isInteger(s) || s < min || s > max) {
    throw propError(scope, prop, `${s} s`, `must be a whole number of seconds between ${min} and ${max}`, `AWS accepts ${min}-${max} s.`);
  }
}

function checkCount(scope: Construct, prop: string, n: number | undefined): void {
  if (n === undefined || Token.isUnresolved(n)) return;
  if (!Number.isInteger(n) || n < 2 || n > 10) {
    throw propError(scope, prop, n, 'must be an integer between 2 and 10', 'AWS accepts 2-10 consecutive checks.');
  }
}
