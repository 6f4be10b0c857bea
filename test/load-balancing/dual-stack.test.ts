import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NlbTarget, Tier, TieredNetworkLoadBalancer, TieredNetworkLoadBalancerProps, TieredVpc } from '../../src';
import { nagFindings, TEST_AZS, testStack } from '../util';
import { tierGroup } from './fixtures';

/** A dual-stack tiered VPC, servers in the app tier and an NLB with one listener on 9092 in front of them. */
function world(nlbProps: Partial<TieredNetworkLoadBalancerProps> = {}, preserveClientIp?: boolean, ipProtocol = ec2.IpProtocol.DUAL_STACK) {
  const stack = testStack();
  // Two AZs: two NAT gateways and two static IPs stay within the default quota of 5 Elastic IPs.
  const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS.slice(0, 2), ipProtocol });
  const servers = tierGroup(stack, 'Servers', net);
  const nlb = new TieredNetworkLoadBalancer(stack, 'Nlb', { network: net, internetFacing: true, ...nlbProps });
  nlb.addListener('Kafka', { port: 9092, targets: [NlbTarget.autoScalingGroup(servers)], preserveClientIp });
  return { stack, net, nlb, template: Template.fromStack(stack) };
}

/** The NACL entries of `tier` that name an IPv6 block, as `in|out tcp <ports> <cidr>` rows (tier blocks as `<tier>/58`). */
function ipv6Rows(w: ReturnType<typeof world>, tier: Tier): string[] {
  const { stack, net, template } = w;
  const acl = JSON.stringify(stack.resolve(net.networkAcl(tier).networkAclId));
  const names = new Map([Tier.PUBLIC, Tier.APP, Tier.DATA].map((t) => [JSON.stringify(stack.resolve(net.tierIpv6Cidr(t))), `${t}/58`]));
  return Object.values<any>(template.findResources('AWS::EC2::NetworkAclEntry'))
    .filter((r) => JSON.stringify(r.Properties.NetworkAclId) === acl && r.Properties.Ipv6CidrBlock !== undefined)
    .map((r) => {
      const p = r.Properties;
      const ports = p.PortRange.From === p.PortRange.To ? `${p.PortRange.From}` : `${p.PortRange.From}-${p.PortRange.To}`;
      const cidr = typeof p.Ipv6CidrBlock === 'string' ? p.Ipv6CidrBlock : names.get(JSON.stringify(p.Ipv6CidrBlock)) ?? JSON.stringify(p.Ipv6CidrBlock);
      return `${p.Egress ? 'out' : 'in'} ${p.Protocol === 6 ? 'tcp' : 'udp'} ${ports} ${cidr}`;
    }).sort();
}

describe('TieredNetworkLoadBalancer in a dual-stack VPC', () => {
  const w = world();

  test('the load balancer is dual stack and admits 0.0.0.0/0 and ::/0 by default', () => {
    expect(w.nlb.clientCidrs).toEqual(['0.0.0.0/0', '::/0']);
    w.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Type: 'network', IpAddressType: 'dualstack' });
    const sg = w.stack.resolve(w.nlb.securityGroup.securityGroupId);
    const sgLogicalId = w.stack.resolve((w.nlb.securityGroup.node.defaultChild as ec2.CfnSecurityGroup).logicalId);
    const ingress = [
      ...(w.template.toJSON().Resources[sgLogicalId].Properties.SecurityGroupIngress ?? []),
      ...Object.values<any>(w.template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties)
        .filter((p) => JSON.stringify(p.GroupId) === JSON.stringify(sg)),
    ];
    expect(ingress).toEqual(expect.arrayContaining([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 9092, ToPort: 9092, CidrIp: '0.0.0.0/0' }),
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 9092, ToPort: 9092, CidrIpv6: '::/0' }),
    ]));
  });

  test('the public tier NACL carries the IPv6 clients both ways', () => {
    expect(ipv6Rows(w, Tier.PUBLIC)).toEqual(expect.arrayContaining(['in tcp 9092 ::/0', 'out tcp 1024-65535 ::/0']));
  });

  test('clean under AwsSolutions and the library pack', () => {
    expect(nagFindings(w.stack)).toEqual([]);
  });
});

describe('TieredNetworkLoadBalancer dual stack: client IP preservation', () => {
  test('only the IPv4 clients reach the targets\' tier with their own address: no IPv6 internet entry in the app tier', () => {
    const w = world({}, true);
    const app = ipv6Rows(w, Tier.APP);
    expect(app.filter((r) => r.endsWith('::/0'))).toEqual([]);
  });
});

describe('TieredNetworkLoadBalancer in an IPv4-only VPC', () => {
  test('no IpAddressType is written (AWS\'s default, ipv4) and the clients are 0.0.0.0/0', () => {
    const w = world({}, undefined, ec2.IpProtocol.IPV4_ONLY);
    expect(w.nlb.clientCidrs).toEqual(['0.0.0.0/0']);
    const lb = Object.values<any>(w.template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))[0];
    expect(lb.Properties.IpAddressType).toBeUndefined();
  });
});

describe('TieredNetworkLoadBalancer dual stack: bad input', () => {
  test.each(['2001:db8::1/32', '2001:db8::/129', '2001:db8:::/48'])('fails when an IPv6 client CIDR is malformed: %s', (cidr) => {
    expect(() => world({ clientCidrs: [cidr] })).toThrow(
      new RegExp(`^Test/Nlb: clientCidrs must be an IPv6 CIDR block whose address is its network address, got '${cidr.replace(/[/]/g, '\\/')}'`));
  });

  test('accepts a partner IPv6 range', () => {
    const w = world({ clientCidrs: ['2001:db8::/32'] });
    expect(ipv6Rows(w, Tier.PUBLIC)).toEqual(expect.arrayContaining(['in tcp 9092 2001:db8::/32', 'out tcp 1024-65535 2001:db8::/32']));
  });
});
