import { Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { EphemeralRange, FlowEndpoint, NatGatewayMode, Tier, TieredVpc, TieredVpcProps, WellKnownPorts } from '../../src';
import { nagFindings, TEST_AZS, testStack } from '../util';

function build(props: TieredVpcProps = {}) {
  const stack = testStack();
  const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS, ipProtocol: ec2.IpProtocol.DUAL_STACK, ...props });
  const sg = (id: string) => new ec2.SecurityGroup(stack, id, { vpc: net.vpc, allowAllOutbound: false });
  return { stack, net, alb: sg('Alb'), app: sg('App'), db: sg('Db') };
}

/** Every NACL entry as `<tier> in|out tcp|udp <ports> <peer>`; IPv6 tier blocks named `<tier>/58`. */
function rows(stack: Stack, net: TieredVpc): string[] {
  const tiers = [Tier.PUBLIC, Tier.APP, Tier.DATA];
  const aclTier = new Map(tiers.map((t) => [JSON.stringify(stack.resolve(net.networkAcl(t).networkAclId)), t]));
  const names = new Map(net.dualStack ? tiers.map((t) => [JSON.stringify(stack.resolve(net.tierIpv6Cidr(t))), `${t}/58`]) : []);
  return Object.values<any>(Template.fromStack(stack).findResources('AWS::EC2::NetworkAclEntry')).map((r) => {
    const p = r.Properties;
    const ports = p.PortRange.From === p.PortRange.To ? `${p.PortRange.From}` : `${p.PortRange.From}-${p.PortRange.To}`;
    const peer = p.CidrBlock ?? (typeof p.Ipv6CidrBlock === 'string' ? p.Ipv6CidrBlock : names.get(JSON.stringify(p.Ipv6CidrBlock)));
    return `${aclTier.get(JSON.stringify(p.NetworkAclId))} ${p.Egress ? 'out' : 'in'} ${p.Protocol === 6 ? 'tcp' : 'udp'} ${ports} ${peer}`;
  }).sort();
}

/** The security group rules of the stack as `<group id> in|out <proto> <from>-<to> <peer>`. */
function sgRules(stack: Stack): string[] {
  const t = Template.fromStack(stack).toJSON().Resources;
  const out: string[] = [];
  const peer = (r: any) => r.CidrIp ?? r.CidrIpv6 ?? 'sg';
  for (const [id, r] of Object.entries<any>(t)) {
    if (r.Type === 'AWS::EC2::SecurityGroup') {
      for (const i of r.Properties.SecurityGroupIngress ?? []) out.push(`${id} in ${i.IpProtocol} ${i.FromPort}-${i.ToPort} ${peer(i)}`);
      for (const e of r.Properties.SecurityGroupEgress ?? []) if (e.CidrIp !== '255.255.255.255/32') out.push(`${id} out ${e.IpProtocol} ${e.FromPort}-${e.ToPort} ${e.CidrIp ?? e.CidrIpv6 ?? 'sg'}`);
    }
    if (r.Type === 'AWS::EC2::SecurityGroupIngress') out.push(`${r.Properties.GroupId['Fn::GetAtt'][0]} in ${r.Properties.IpProtocol} ${r.Properties.FromPort}-${r.Properties.ToPort} ${peer(r.Properties)}`);
    if (r.Type === 'AWS::EC2::SecurityGroupEgress') out.push(`${r.Properties.GroupId['Fn::GetAtt'][0]} out ${r.Properties.IpProtocol} ${r.Properties.FromPort}-${r.Properties.ToPort} ${r.Properties.CidrIp ?? r.Properties.CidrIpv6 ?? 'sg'}`);
  }
  return out.filter((r) => !r.startsWith('NetResource')).sort();
}

function logicalId(stack: Stack, sg: ec2.SecurityGroup): string {
  return stack.resolve((sg.node.defaultChild as ec2.CfnSecurityGroup).logicalId);
}

describe('flows in a dual-stack TieredVpc', () => {
  test('workload -> workload: one SG reference (it covers both families) and the NACL legs of both families', () => {
    const { stack, net, app, db } = build();
    net.addFlow(FlowEndpoint.workload(app, { tier: Tier.APP }), FlowEndpoint.workload(db, { tier: Tier.DATA }), WellKnownPorts.POSTGRES);
    expect(rows(stack, net)).toEqual([
      'app in tcp 1024-65535 10.0.128.0/18', 'app in tcp 1024-65535 data/58',
      'app out tcp 5432 10.0.128.0/18', 'app out tcp 5432 data/58',
      'data in tcp 5432 10.0.64.0/18', 'data in tcp 5432 app/58',
      'data out tcp 1024-65535 10.0.64.0/18', 'data out tcp 1024-65535 app/58',
    ].sort());
    expect(sgRules(stack)).toEqual([`${logicalId(stack, app)} out tcp 5432-5432 sg`, `${logicalId(stack, db)} in tcp 5432-5432 sg`].sort());
  });

  test('tier -> tier compiles both families', () => {
    const { stack, net } = build();
    net.addFlow(FlowEndpoint.tier(Tier.PUBLIC, { ephemeralRange: EphemeralRange.ELB }), FlowEndpoint.tier(Tier.APP), WellKnownPorts.HTTP_ALT);
    expect(rows(stack, net)).toEqual([
      'app in tcp 8080 10.0.0.0/18', 'app in tcp 8080 public/58',
      'app out tcp 1024-65535 10.0.0.0/18', 'app out tcp 1024-65535 public/58',
      'public in tcp 1024-65535 10.0.64.0/18', 'public in tcp 1024-65535 app/58',
      'public out tcp 8080 10.0.64.0/18', 'public out tcp 8080 app/58',
    ].sort());
  });

  test('internet 0.0.0.0/0 and ::/0 -> a public workload: SG rules and public-tier NACL entries of both families', () => {
    const { stack, net, alb } = build();
    net.addFlow(FlowEndpoint.internet({ cidrs: ['0.0.0.0/0', '::/0'] }), FlowEndpoint.workload(alb, { tier: Tier.PUBLIC }), WellKnownPorts.HTTPS);
    expect(rows(stack, net)).toEqual([
      'public in tcp 443 0.0.0.0/0', 'public in tcp 443 ::/0',
      'public out tcp 1024-65535 0.0.0.0/0', 'public out tcp 1024-65535 ::/0',
    ].sort());
    expect(sgRules(stack)).toEqual([`${logicalId(stack, alb)} in tcp 443-443 0.0.0.0/0`, `${logicalId(stack, alb)} in tcp 443-443 ::/0`].sort());
  });

  test('an IPv4-only internet end compiles IPv4 only, even in a dual-stack VPC', () => {
    const { stack, net, alb } = build();
    net.addFlow(FlowEndpoint.internet(), FlowEndpoint.workload(alb, { tier: Tier.PUBLIC }), WellKnownPorts.HTTPS);
    expect(rows(stack, net)).toEqual(['public in tcp 443 0.0.0.0/0', 'public out tcp 1024-65535 0.0.0.0/0']);
  });

  test('app -> internet over IPv6 leaves through the egress-only gateway: app-tier entries only, no NAT legs in the public tier', () => {
    const { stack, net, app } = build();
    net.addFlow(FlowEndpoint.workload(app, { tier: Tier.APP, ephemeralRange: EphemeralRange.LINUX }), FlowEndpoint.internet({ cidrs: ['::/0'] }), WellKnownPorts.HTTPS);
    expect(rows(stack, net)).toEqual(['app in tcp 32768-60999 ::/0', 'app out tcp 443 ::/0']);
    expect(sgRules(stack)).toEqual([`${logicalId(stack, app)} out tcp 443-443 ::/0`]);
  });

  test('app -> internet over both families: the IPv4 half crosses the NAT gateway\'s tier, the IPv6 half does not', () => {
    const { stack, net, app } = build();
    net.addFlow(FlowEndpoint.workload(app, { tier: Tier.APP }), FlowEndpoint.internet({ cidrs: ['0.0.0.0/0', '::/0'] }), WellKnownPorts.HTTPS);
    expect(rows(stack, net)).toEqual([
      'app in tcp 1024-65535 0.0.0.0/0', 'app in tcp 1024-65535 ::/0', 'app out tcp 443 0.0.0.0/0', 'app out tcp 443 ::/0',
      'public in tcp 1024-65535 0.0.0.0/0', 'public in tcp 443 10.0.64.0/18', 'public out tcp 1024-65535 10.0.64.0/18', 'public out tcp 443 0.0.0.0/0',
    ].sort());
  });

  test('without NAT gateways the app tier still reaches the internet over IPv6', () => {
    const { stack, net, app } = build({ natGatewayMode: NatGatewayMode.NONE });
    net.addFlow(FlowEndpoint.workload(app, { tier: Tier.APP }), FlowEndpoint.internet({ cidrs: ['::/0'] }), WellKnownPorts.HTTPS);
    expect(rows(stack, net)).toEqual(['app in tcp 1024-65535 ::/0', 'app out tcp 443 ::/0']);
  });

  test('IPv6 NACL entries wait for the VPC\'s IPv6 block', () => {
    const { stack, net, app, db } = build();
    net.addFlow(FlowEndpoint.workload(app, { tier: Tier.APP }), FlowEndpoint.workload(db, { tier: Tier.DATA }), WellKnownPorts.POSTGRES);
    const cidrBlock = Object.keys(Template.fromStack(stack).findResources('AWS::EC2::VPCCidrBlock'))[0];
    const v6 = Object.values<any>(Template.fromStack(stack).findResources('AWS::EC2::NetworkAclEntry')).filter((r) => r.Properties.Ipv6CidrBlock);
    expect(v6).toHaveLength(4);
    for (const entry of v6) expect(entry.DependsOn).toEqual(expect.arrayContaining([cidrBlock]));
  });

  test('a partner IPv6 range may reach SSH on a public workload (an admin range, not the internet)', () => {
    const { stack, net, alb } = build();
    net.addFlow(FlowEndpoint.internet({ cidrs: ['2001:db8:1234::/48'] }), FlowEndpoint.workload(alb, { tier: Tier.PUBLIC }), WellKnownPorts.SSH);
    expect(rows(stack, net)).toEqual(['public in tcp 22 2001:db8:1234::/48', 'public out tcp 1024-65535 2001:db8:1234::/48']);
  });

  test('clean under AwsSolutions and the library pack', () => {
    const { stack, net, alb, app, db } = build();
    net.addFlow(FlowEndpoint.internet({ cidrs: ['0.0.0.0/0', '::/0'] }), FlowEndpoint.workload(alb, { tier: Tier.PUBLIC }), WellKnownPorts.HTTPS);
    net.addFlow(FlowEndpoint.workload(alb, { tier: Tier.PUBLIC, ephemeralRange: EphemeralRange.ELB }), FlowEndpoint.workload(app, { tier: Tier.APP }),
      WellKnownPorts.HTTP_ALT);
    net.addFlow(FlowEndpoint.workload(app, { tier: Tier.APP }), FlowEndpoint.workload(db, { tier: Tier.DATA }), WellKnownPorts.POSTGRES);
    net.addFlow(FlowEndpoint.workload(app, { tier: Tier.APP }), FlowEndpoint.internet({ cidrs: ['0.0.0.0/0', '::/0'] }), WellKnownPorts.HTTPS);
    expect(nagFindings(stack).filter((f) => !f.startsWith('AwsSolutions-EC23'))).toEqual([]);
  });
});

describe('flows in a dual-stack TieredVpc: refused', () => {
  test.each(['::/0', '::0/0', '2000::/3', '::/1'])('fails on SSH from %s (every IPv6 address on the internet)', (cidr) => {
    const { net, alb } = build();
    expect(() => net.addFlow(FlowEndpoint.internet({ cidrs: [cidr] }),
      FlowEndpoint.workload(alb, { tier: Tier.PUBLIC }), WellKnownPorts.SSH)).toThrow(
      new RegExp(`^Test/Net: addFlow\\(internet ${cidr.replace(/[/]/g, '\\/')} -> Test/Alb\\): port opens SSH 22 to ${cidr.replace(/[/]/g, '\\/')}, i\\.e\\. to every IPv6 address on the internet, got 'tcp 22'\\. Never open admin ports`));
  });

  test('fails on RDP from ::/0 inside a range', () => {
    const { net, alb } = build();
    expect(() => net.addFlow(FlowEndpoint.internet({ cidrs: ['0.0.0.0/0', '::/0'] }), FlowEndpoint.workload(alb, { tier: Tier.PUBLIC }), ec2.Port.tcpRange(3000, 4000)))
      .toThrow(/opens RDP 3389 to /);
  });

  test('fails on internet -> app tier over IPv6 (the egress-only gateway admits nothing in)', () => {
    const { net, app } = build();
    expect(() => net.addFlow(FlowEndpoint.internet({ cidrs: ['::/0'] }), FlowEndpoint.workload(app, { tier: Tier.APP }), WellKnownPorts.HTTPS)).toThrow(
      /^Test\/Net: addFlow\(internet ::\/0 -> Test\/App\): to is in the app tier, which the internet cannot reach over IPv6 \(::\/0\): its ::\/0 route goes to an egress-only internet gateway, which admits no connection from the internet, got 'Test\/App'\. Put a load balancer in the public tier/);
    expect(() => net.addFlow(FlowEndpoint.internet({ cidrs: ['2001:db8::/32'] }), FlowEndpoint.tier(Tier.APP), WellKnownPorts.HTTPS)).toThrow(/is in the app tier, which the internet cannot reach over IPv6/);
  });

  test('fails on internet -> data tier over IPv6', () => {
    const { net, db } = build();
    expect(() => net.addFlow(FlowEndpoint.internet({ cidrs: ['::/0'] }), FlowEndpoint.workload(db, { tier: Tier.DATA }), WellKnownPorts.POSTGRES)).toThrow(/is in the data tier, which the internet must never reach/);
  });

  test('fails on app -> internet over IPv4 without NAT gateways, naming IPv6 as the way out', () => {
    const { net, app } = build({ natGatewayMode: NatGatewayMode.NONE });
    expect(() => net.addFlow(FlowEndpoint.workload(app, { tier: Tier.APP }), FlowEndpoint.internet({ cidrs: ['0.0.0.0/0', '::/0'] }), WellKnownPorts.HTTPS))
      .toThrow(/needs the internet over IPv4, but the VPC has natGatewayMode NatGatewayMode\.NONE.*FlowEndpoint\.internet\(\{ cidrs: \['::\/0'\] \}\)/);
  });

  test.each(['2001:db8::1/32', '2001:db8:::/48', '2001:db8::/129'])('fails on a malformed IPv6 CIDR: %s', (cidr) => {
    const { net, alb } = build();
    expect(() => net.addFlow(FlowEndpoint.internet({ cidrs: [cidr] }), FlowEndpoint.workload(alb, { tier: Tier.PUBLIC }), WellKnownPorts.HTTPS))
      .toThrow(/internet cidrs must be an IPv6 CIDR block whose address is its network address/);
  });
});

describe('IPv6 flows in an IPv4-only TieredVpc', () => {
  test('fail, naming the option that adds IPv6', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const alb = new ec2.SecurityGroup(stack, 'Alb', { vpc: net.vpc, allowAllOutbound: false });
    expect(() => net.addFlow(FlowEndpoint.internet({ cidrs: ['::/0'] }), FlowEndpoint.workload(alb, { tier: Tier.PUBLIC }), WellKnownPorts.HTTPS)).toThrow(
      /^Test\/Net: addFlow\(internet ::\/0 -> Test\/Alb\): internet cidrs is IPv6, but this VPC is not dual stack, got '::\/0'\. Create the TieredVpc with ipProtocol: ec2\.IpProtocol\.DUAL_STACK/);
  });

  test('tier and workload flows compile IPv4 only', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    net.addFlow(FlowEndpoint.tier(Tier.APP), FlowEndpoint.tier(Tier.DATA), WellKnownPorts.POSTGRES);
    expect(rows(stack, net)).toEqual([
      'app in tcp 1024-65535 10.0.128.0/18', 'app out tcp 5432 10.0.128.0/18', 'data in tcp 5432 10.0.64.0/18', 'data out tcp 1024-65535 10.0.64.0/18',
    ]);
  });
});

describe('the NACL quota in a dual-stack TieredVpc', () => {
  // AWS counts 20 rules per direction and per family, the family's default deny rule included: 19 of each are ours.
  const flows = (net: TieredVpc, n: number, cidr: (i: number) => string) => {
    for (let i = 0; i < n; i++) {
      net.addFlow(FlowEndpoint.internet({ cidrs: [cidr(i)] }), FlowEndpoint.tier(Tier.PUBLIC), WellKnownPorts.HTTPS, { description: `peer${i}` });
    }
  };
  const v4 = (i: number) => `198.51.${i}.0/24`;
  const v6 = (i: number) => `2001:db8:${i.toString(16)}::/48`;

  test('19 IPv4 and 19 IPv6 entries fit in one direction: each family has its own quota', () => {
    const { stack, net } = build();
    flows(net, 19, v4);
    flows(net, 19, v6);
    const inbound = rows(stack, net).filter((r) => r.startsWith('public in'));
    expect(inbound).toHaveLength(38);
    // One sequence of rule numbers for both families: a rule number is unique in a direction of a NACL.
    const numbers = Object.values<any>(Template.fromStack(stack).findResources('AWS::EC2::NetworkAclEntry'))
      .filter((r) => !r.Properties.Egress).map((r) => r.Properties.RuleNumber);
    expect(new Set(numbers).size).toBe(38);
  });

  test('fails on the 20th IPv6 entry of a direction, naming the family', () => {
    const { net } = build();
    flows(net, 19, v6);
    expect(() => net.addFlow(FlowEndpoint.internet({ cidrs: ['2001:db8:ff::/48'] }), FlowEndpoint.tier(Tier.PUBLIC), WellKnownPorts.HTTPS, { description: 'one too many' }))
      .toThrow(/addFlow\(one too many\) would be IPv6 entry 20 in the inbound side of the public tier's NACL, over the quota of 19, got 'ingress tcp 443 2001:db8:ff::\/48'.*\[FlowNaclQuota\]/);
  });
});

describe('construct ids of IPv6 NACL entries', () => {
  /** The logical ids of the stack's NACL entries, with the tokens the process created before it as a parameter. */
  function entryIds(tokensBefore: number): string[] {
    for (let i = 0; i < tokensBefore; i++) Lazy.string({ produce: () => 'x' });
    const { stack, net, app, db } = build();
    net.addFlow(FlowEndpoint.workload(app, { tier: Tier.APP }), FlowEndpoint.workload(db, { tier: Tier.DATA }), WellKnownPorts.POSTGRES);
    return Object.keys(Template.fromStack(stack).findResources('AWS::EC2::NetworkAclEntry')).sort();
  }

  test('name the tier block, not the token text, so they do not change with the order tokens are created in', () => {
    const ids = entryIds(0);
    expect(ids.some((id) => /ipv6tcp54325432datatieripv6/.test(id))).toBe(true);
    expect(ids.some((id) => /Token/.test(id))).toBe(false);
    expect(entryIds(7)).toEqual(ids);
  });
});
