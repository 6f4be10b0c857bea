/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Small hand-made templates for the emulation tests: each reproduces one way traffic dies (or
 * passes) in AWS, with its declared flows recorded as a TieredVpc records them.
 */
import { getAtt, NaclRule, ref, TemplateBuilder } from '../verify/template-builder';

const FLOWS_KEY = 'cdk-network-patterns:flows';

export interface Flow {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol?: 'tcp' | 'udp';
  /** Tier ends: the subnets' logical ids (host in each subnet). */
  readonly fromSubnets?: string[];
  readonly toSubnets?: string[];
}

/** Records `flows` on the template's VPC as a TieredVpc does (`internet` or `internet/<cidr>` for the internet). */
export function withFlows(b: TemplateBuilder, flows: Flow[]): { [key: string]: any } {
  const t = b.toJSON();
  const cidr = (e: string) => (e === 'internet' ? ['0.0.0.0/0'] : e.startsWith('internet/') ? [e.slice(9)] : undefined);
  t.Resources.Vpc.Metadata = {
    [FLOWS_KEY]: flows.map((f) => ({
      description: `${f.from} -> ${f.to} ${f.protocol ?? 'tcp'} ${f.port}`,
      from: f.from,
      to: f.to,
      fromPath: cidr(f.from) || f.fromSubnets ? undefined : f.from,
      toPath: cidr(f.to) || f.toSubnets ? undefined : f.to,
      fromTier: cidr(f.from) ? undefined : f.fromSubnets ? 'app' : 'workload',
      toTier: cidr(f.to) ? undefined : f.toSubnets ? 'app' : 'workload',
      fromSubnets: f.fromSubnets,
      toSubnets: f.toSubnets,
      internetCidrs: cidr(f.from) ?? cidr(f.to),
      protocol: f.protocol ?? 'tcp',
      fromPort: f.port,
      toPort: f.port,
    })),
  };
  return t;
}

/** A public web server behind a NACL: inbound 443 from anywhere, and `outbound` as the return path. */
export function naclTrap(outbound: NaclRule[]): { [key: string]: any } {
  const b = new TemplateBuilder().standardVpc()
    .sg('WebSg', { ingress: [{ from: 443, cidr: '0.0.0.0/0' }] })
    .instance('Web', 'PublicA', ['WebSg'], true)
    .nacl('PublicAcl', ['PublicA', 'PublicB'], [[100, 'in', 'tcp', 443, 443, '0.0.0.0/0'], ...outbound]);
  return withFlows(b, [{ from: 'internet', to: 'Web', port: 443 }]);
}

/** App -> Db on 5432 by security group reference; Other (not in the reference) must not get in. */
export function sgReferencing(): { [key: string]: any } {
  const b = new TemplateBuilder().standardVpc()
    .sg('AppSg', { egress: [{ from: 5432, sg: 'DbSg' }] })
    .sg('OtherSg', { egress: [{ from: 5432, cidr: '10.0.0.0/16' }, { from: 443, cidr: '0.0.0.0/0' }] })
    .sg('DbSg', { ingress: [{ from: 5432, sg: 'AppSg' }] })
    .instance('App', 'PrivateA', ['AppSg'])
    .instance('Other', 'PrivateB', ['OtherSg'])
    .instance('Db', 'IsolatedA', ['DbSg']);
  return withFlows(b, [{ from: 'App', to: 'Db', port: 5432 }, { from: 'Other', to: 'internet', port: 443 }]);
}

/** App in a private subnet -> the internet on 443 through the NAT gateway; `publicInbound` is the public NACL's inbound side. */
export function natPath(publicInbound: NaclRule[]): { [key: string]: any } {
  const b = new TemplateBuilder().standardVpc()
    .sg('AppSg', { egress: [{ from: 443, cidr: '0.0.0.0/0' }] })
    .instance('App', 'PrivateA', ['AppSg'])
    .nacl('PublicAcl', ['PublicA', 'PublicB'], [...publicInbound, [100, 'out', 'all', 0, 65535, '0.0.0.0/0']]);
  return withFlows(b, [{ from: 'App', to: 'internet', port: 443 }]);
}

/**
 * A network load balancer with security groups, passing clients through to instance targets with
 * their own address (client IP preservation, on by default for instance targets). The targets'
 * subnets' NACL admits `clientCidr` (the relayed clients) on 9092 and answers them; the targets'
 * security group references the load balancer's group.
 */
export function nlbClientIp(clientCidr: string, targetNaclAdmits: string): { [key: string]: any } {
  const b = new TemplateBuilder().standardVpc()
    .sg('NlbSg', { ingress: [{ from: 9092, cidr: clientCidr }], egress: [{ from: 9092, sg: 'BrokerSg' }] })
    .sg('BrokerSg', { ingress: [{ from: 9092, sg: 'NlbSg' }] })
    .instance('Broker', 'PrivateA', ['BrokerSg'])
    .loadBalancer('Nlb', 'network', 'internet-facing', ['PublicA', 'PublicB'], ['NlbSg'], [])
    .add('Tg', 'AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 9092, Protocol: 'TCP', TargetType: 'instance', VpcId: ref('Vpc'), Targets: [{ Id: ref('Broker'), Port: 9092 }],
    })
    .add('Listener', 'AWS::ElasticLoadBalancingV2::Listener', {
      LoadBalancerArn: ref('Nlb'), Port: 9092, Protocol: 'TCP', DefaultActions: [{ Type: 'forward', TargetGroupArn: ref('Tg') }],
    })
    .nacl('PrivateAcl', ['PrivateA', 'PrivateB'], [
      [100, 'in', 'tcp', 9092, 9092, targetNaclAdmits],
      [110, 'in', 'tcp', 9092, 9092, '10.0.0.0/16'],
      [100, 'out', 'tcp', 1024, 65535, targetNaclAdmits],
      [110, 'out', 'tcp', 1024, 65535, '10.0.0.0/16'],
    ]);
  return withFlows(b, [
    { from: `internet/${clientCidr}`, to: 'Nlb', port: 9092 },
    { from: 'Nlb', to: 'Broker', port: 9092 },
  ]);
}

export { getAtt, ref };
