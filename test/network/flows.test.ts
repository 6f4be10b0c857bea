import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { EphemeralRange, FlowEndpoint, NatGatewayMode, Tier, TieredVpc, TieredVpcProps, WellKnownPorts } from '../../src';
import { APP, DATA, naclRows, nagFindings, PUBLIC, TEST_AZS, testStack } from '../util';

const ANY = '0.0.0.0/0';

interface Entry { tier: string; dir: 'in' | 'out'; rule: number; proto: number; from: number; to: number; cidr: string }

/** The NACL entries of each tier with their rule numbers (naclRows has no numbers). */
function entries(stack: Stack, net: TieredVpc): Entry[] {
  const template = Template.fromStack(stack);
  const aclTier = new Map<string, string>();
  for (const tier of [Tier.PUBLIC, Tier.APP, Tier.DATA]) aclTier.set(JSON.stringify(stack.resolve(net.networkAcl(tier).networkAclId)), tier);
  return Object.values<any>(template.findResources('AWS::EC2::NetworkAclEntry')).map((r) => ({
    tier: aclTier.get(JSON.stringify(r.Properties.NetworkAclId))!,
    dir: r.Properties.Egress ? 'out' : 'in',
    rule: r.Properties.RuleNumber,
    proto: r.Properties.Protocol,
    from: r.Properties.PortRange.From,
    to: r.Properties.PortRange.To,
    cidr: r.Properties.CidrBlock,
  } as Entry));
}

function row(e: Entry): string {
  return `${e.tier} ${e.dir} ${e.proto === 6 ? 'tcp' : 'udp'} ${e.from === e.to ? e.from : `${e.from}-${e.to}`} ${e.cidr}`;
}

function setup(props: TieredVpcProps = {}) {
  const stack = testStack();
  const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS, ...props });
  const sg = (id: string) => new ec2.SecurityGroup(stack, id, { vpc: net.vpc, allowAllOutbound: false });
  return { stack, net, lb: sg('Lb'), web: sg('Web'), db: sg('Db') };
}

describe('flow compilation', () => {
  test('internet -> public tier: the service port in, the whole client ephemeral range back', () => {
    const { stack, net } = setup();
    net.addFlow(FlowEndpoint.internet(), FlowEndpoint.tier(Tier.PUBLIC), WellKnownPorts.HTTPS);
    expect(naclRows(stack, net)).toEqual([
      `public in tcp 443 ${ANY}`,
      `public out tcp 1024-65535 ${ANY}`,
    ]);
  });

  test('tier -> tier: both tiers, both directions', () => {
    const { stack, net } = setup();
    net.addFlow(FlowEndpoint.tier(Tier.APP), FlowEndpoint.tier(Tier.DATA), WellKnownPorts.POSTGRES);
    expect(naclRows(stack, net)).toEqual([
      `app in tcp 1024-65535 ${DATA}`,
      `app out tcp 5432 ${DATA}`,
      `data in tcp 5432 ${APP}`,
      `data out tcp 1024-65535 ${APP}`,
    ]);
    // tier flows open NACLs only: no SG rule
    Template.fromStack(stack).resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('declared client range for instance clients is what the return entries admit', () => {
    const { stack, net } = setup();
    net.addFlow(FlowEndpoint.tier(Tier.APP, { ephemeralRange: EphemeralRange.LINUX }), FlowEndpoint.tier(Tier.DATA), WellKnownPorts.REDIS);
    expect(naclRows(stack, net)).toEqual([
      `app in tcp 32768-60999 ${DATA}`,
      `app out tcp 6379 ${DATA}`,
      `data in tcp 6379 ${APP}`,
      `data out tcp 32768-60999 ${APP}`,
    ]);
  });

  test('app -> internet crosses the NAT gateway\'s public subnet NACL too', () => {
    const { stack, net, web } = setup();
    net.addFlow(FlowEndpoint.workload(web, { tier: Tier.APP }), FlowEndpoint.internet(), WellKnownPorts.HTTPS);
    expect(naclRows(stack, net)).toEqual([
      `app in tcp 1024-65535 ${ANY}`,
      `app out tcp 443 ${ANY}`,
      `public in tcp 1024-65535 ${ANY}`, // the NAT gateway's own ephemeral ports
      `public in tcp 443 ${APP}`,
      `public out tcp 1024-65535 ${APP}`,
      `public out tcp 443 ${ANY}`,
    ]);
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Test/Web',
      SecurityGroupEgress: [Match.objectLike({ CidrIp: ANY, IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })],
    });
  });

  test('workload -> workload: SG referencing SG, never a CIDR inside the VPC', () => {
    const { stack, net, web, db } = setup();
    net.addFlow(FlowEndpoint.workload(web, { tier: Tier.APP }), FlowEndpoint.workload(db, { tier: Tier.DATA }), WellKnownPorts.POSTGRES);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: stack.resolve(db.securityGroupId),
      SourceSecurityGroupId: stack.resolve(web.securityGroupId),
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: stack.resolve(web.securityGroupId),
      DestinationSecurityGroupId: stack.resolve(db.securityGroupId),
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
    });
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', { CidrIp: Match.anyValue() }, 0);
    expect(naclRows(stack, net)).toEqual([
      `app in tcp 1024-65535 ${DATA}`, `app out tcp 5432 ${DATA}`, `data in tcp 5432 ${APP}`, `data out tcp 1024-65535 ${APP}`,
    ]);
  });

  test('workload -> workload in the same tier opens that tier\'s NACL for cross-AZ traffic', () => {
    const { stack, net, web, db } = setup();
    net.addFlow(FlowEndpoint.workload(web, { tier: Tier.DATA }), FlowEndpoint.workload(db, { tier: Tier.DATA }), WellKnownPorts.POSTGRES);
    expect(naclRows(stack, net)).toEqual([
      `data in tcp 1024-65535 ${DATA}`, `data in tcp 5432 ${DATA}`, `data out tcp 1024-65535 ${DATA}`, `data out tcp 5432 ${DATA}`,
    ]);
  });

  test('a workload to itself (cluster peers): both the ingress and the egress self-reference', () => {
    const { stack, net, db } = setup();
    net.addFlow(FlowEndpoint.workload(db, { tier: Tier.DATA }), FlowEndpoint.workload(db, { tier: Tier.DATA }), ec2.Port.tcp(9093));
    const template = Template.fromStack(stack);
    const self = stack.resolve(db.securityGroupId);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: self, SourceSecurityGroupId: self, FromPort: 9093, ToPort: 9093 });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { GroupId: self, DestinationSecurityGroupId: self, FromPort: 9093, ToPort: 9093 });
  });

  test('internet CIDRs -> workload: the SG admits exactly those CIDRs', () => {
    const { stack, net, lb } = setup();
    net.addFlow(FlowEndpoint.internet({ cidrs: ['203.0.113.0/24', '198.51.100.0/24'] }), FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), WellKnownPorts.KAFKA);
    const template = Template.fromStack(stack);
    const rules = template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: 'Test/Lb' } });
    const ingress = (Object.values<any>(rules)[0].Properties.SecurityGroupIngress as any[]).map((r) => `${r.CidrIp} ${r.FromPort}`).sort();
    expect(ingress).toEqual(['198.51.100.0/24 9092', '203.0.113.0/24 9092']);
    expect(naclRows(stack, net)).toEqual([
      'public in tcp 9092 198.51.100.0/24', 'public in tcp 9092 203.0.113.0/24',
      'public out tcp 1024-65535 198.51.100.0/24', 'public out tcp 1024-65535 203.0.113.0/24',
    ]);
  });

  test('UDP flows return over UDP', () => {
    const { stack, net } = setup();
    net.addFlow(FlowEndpoint.tier(Tier.APP), FlowEndpoint.internet(), WellKnownPorts.NTP);
    expect(naclRows(stack, net).filter((r) => r.startsWith('app '))).toEqual([`app in udp 1024-65535 ${ANY}`, `app out udp 123 ${ANY}`]);
  });

  test('port ranges compile to NACL port ranges', () => {
    const { stack, net } = setup();
    net.addFlow(FlowEndpoint.tier(Tier.PUBLIC), FlowEndpoint.tier(Tier.APP), ec2.Port.tcpRange(32768, 61000));
    expect(naclRows(stack, net)).toContain(`app in tcp 32768-61000 ${PUBLIC}`);
  });

  test('identical entries are merged; numbers go in steps of 100 in declaration order', () => {
    const { stack, net, lb, web, db } = setup();
    net.addFlow(FlowEndpoint.internet(), FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), WellKnownPorts.HTTPS);
    net.addFlow(FlowEndpoint.workload(lb, { tier: Tier.PUBLIC, ephemeralRange: EphemeralRange.ELB }),
      FlowEndpoint.workload(web, { tier: Tier.APP }), WellKnownPorts.HTTP_ALT);
    net.addFlow(FlowEndpoint.workload(web, { tier: Tier.APP }), FlowEndpoint.workload(db, { tier: Tier.DATA }), WellKnownPorts.POSTGRES);
    net.addFlow(FlowEndpoint.workload(web, { tier: Tier.APP }), FlowEndpoint.workload(db, { tier: Tier.DATA }), WellKnownPorts.REDIS);
    const all = entries(stack, net);
    const appOut = all.filter((e) => e.tier === 'app' && e.dir === 'out').sort((a, b) => a.rule - b.rule);
    expect(appOut.map((e) => `${e.rule} ${row(e)}`)).toEqual([
      `100 app out tcp 1024-65535 ${PUBLIC}`,
      `200 app out tcp 5432 ${DATA}`,
      `300 app out tcp 6379 ${DATA}`,
    ]);
    // the data tier's return entry to the app tier serves both flows once
    expect(all.filter((e) => e.tier === 'data' && e.dir === 'out').map(row)).toEqual([`data out tcp 1024-65535 ${APP}`]);
    for (const e of all) expect(e.rule % 100).toBe(0);
  });

  test('adding a flow does not renumber existing entries', () => {
    const declare = (extra: boolean) => {
      const { stack, net, web, db } = setup();
      net.addFlow(FlowEndpoint.workload(web, { tier: Tier.APP }), FlowEndpoint.workload(db, { tier: Tier.DATA }), WellKnownPorts.POSTGRES);
      if (extra) net.addFlow(FlowEndpoint.workload(web, { tier: Tier.APP }), FlowEndpoint.workload(db, { tier: Tier.DATA }), WellKnownPorts.MYSQL);
      return entries(stack, net).map((e) => `${e.rule} ${row(e)}`);
    };
    const before = declare(false);
    const after = declare(true);
    for (const e of before) expect(after).toContain(e);
    expect(after.length).toBe(before.length + 2);
  });

  test('declared flows are recorded for reports and the analyzer', () => {
    const { net, web, db } = setup();
    net.addFlow(FlowEndpoint.workload(web, { tier: Tier.APP }), FlowEndpoint.workload(db, { tier: Tier.DATA }), WellKnownPorts.POSTGRES, { description: 'orders db' });
    expect(net.flows).toEqual([{
      from: 'Test/Web',
      to: 'Test/Db',
      fromPath: 'Test/Web',
      toPath: 'Test/Db',
      fromTier: 'app',
      toTier: 'data',
      internetCidrs: undefined,
      protocol: 'tcp',
      fromPort: 5432,
      toPort: 5432,
      ephemeralFromPort: 1024,
      ephemeralToPort: 65535,
      description: 'orders db',
    }]);
  });

  test('a VPC with typical flows: under AwsSolutions and NetworkPatterns only the load balancer\'s intended EC23', () => {
    const { stack, net, lb, web, db } = setup();
    net.addFlow(FlowEndpoint.internet(), FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), WellKnownPorts.HTTPS);
    net.addFlow(FlowEndpoint.workload(lb, { tier: Tier.PUBLIC, ephemeralRange: EphemeralRange.ELB }),
      FlowEndpoint.workload(web, { tier: Tier.APP }), WellKnownPorts.HTTP_ALT);
    net.addFlow(FlowEndpoint.workload(web, { tier: Tier.APP }), FlowEndpoint.workload(db, { tier: Tier.DATA }), WellKnownPorts.POSTGRES);
    net.addFlow(FlowEndpoint.workload(web, { tier: Tier.APP }), FlowEndpoint.internet(), WellKnownPorts.HTTPS);
    // The load balancer's SG admits the internet on 443 by design (it is the entry point).
    expect(nagFindings(stack)).toEqual(['AwsSolutions-EC23 @ Test/Lb/Resource']);
  });
});

describe('flow bad input', () => {
  test.each([[WellKnownPorts.SSH], [WellKnownPorts.RDP], [ec2.Port.tcpRange(20, 25)], [ec2.Port.allTcp()]])(
    'fails on admin ports from 0.0.0.0/0: %s', (port) => {
      const { net, lb } = setup();
      expect(() => net.addFlow(FlowEndpoint.internet(), FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), port))
        .toThrow(/Test\/Net: addFlow\(internet 0.0.0.0\/0 -> Test\/Lb\): port opens (SSH 22|RDP 3389) to 0.0.0.0\/0, got .*Session Manager/);
    });

  test('admits SSH from an admin CIDR', () => {
    const { net, lb } = setup();
    expect(() => net.addFlow(FlowEndpoint.internet({ cidrs: ['203.0.113.0/24'] }), FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), WellKnownPorts.SSH)).not.toThrow();
  });

  test('fails on IPv6 peers', () => {
    const { net, lb } = setup();
    expect(() => net.addFlow(FlowEndpoint.internet({ cidrs: ['::/0'] }), FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), WellKnownPorts.HTTPS))
      .toThrow(/internet cidrs is IPv6, but this VPC is not dual stack, got '::\/0'\. Create the TieredVpc with ipProtocol: ec2\.IpProtocol\.DUAL_STACK/);
  });

  test('fails on a malformed peer CIDR', () => {
    const { net, lb } = setup();
    expect(() => net.addFlow(FlowEndpoint.internet({ cidrs: ['203.0.113.7/24'] }), FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), WellKnownPorts.HTTPS))
      .toThrow(/internet cidrs must be an IPv4 CIDR block whose address is its network address, got '203.0.113.7\/24'/);
  });

  test.each([[Tier.DATA]])('fails on internet -> %s tier', (tier) => {
    const { net, db } = setup();
    expect(() => net.addFlow(FlowEndpoint.internet(), FlowEndpoint.workload(db, { tier }), WellKnownPorts.POSTGRES))
      .toThrow(/addFlow\(internet 0.0.0.0\/0 -> Test\/Db\): to is in the data tier, which the internet must never reach/);
    expect(() => net.addFlow(FlowEndpoint.internet(), FlowEndpoint.tier(tier), WellKnownPorts.POSTGRES)).toThrow(/data tier/);
  });

  test('fails on data tier -> internet', () => {
    const { net, db } = setup();
    expect(() => net.addFlow(FlowEndpoint.workload(db, { tier: Tier.DATA }), FlowEndpoint.internet(), WellKnownPorts.HTTPS))
      .toThrow(/from is in the data tier, which has no route to the internet.*gateway endpoints/);
  });

  test('fails on app tier -> internet with no NAT', () => {
    const { net, web } = setup({ natGatewayMode: NatGatewayMode.NONE });
    expect(() => net.addFlow(FlowEndpoint.workload(web, { tier: Tier.APP }), FlowEndpoint.internet(), WellKnownPorts.HTTPS))
      .toThrow(/from needs the internet, but the VPC has natGatewayMode NatGatewayMode.NONE.*NatGatewayMode.PER_AZ/);
  });

  test('fails on internet -> internet', () => {
    const { net } = setup();
    expect(() => net.addFlow(FlowEndpoint.internet(), FlowEndpoint.internet(), WellKnownPorts.HTTPS)).toThrow(/must have at least one end inside the VPC/);
  });

  test('fails on a tier to itself', () => {
    const { net } = setup();
    expect(() => net.addFlow(FlowEndpoint.tier(Tier.APP), FlowEndpoint.tier(Tier.APP), WellKnownPorts.HTTPS))
      .toThrow(/opens a tier to itself.*declare workload -> workload instead/);
  });

  test('fails on a tier paired with a workload', () => {
    const { net, db } = setup();
    expect(() => net.addFlow(FlowEndpoint.tier(Tier.APP), FlowEndpoint.workload(db, { tier: Tier.DATA }), WellKnownPorts.POSTGRES))
      .toThrow(/pairs a whole tier with a workload.*CIDR rule inside the VPC/);
  });

  test.each([
    [ec2.Port.tcpRange(2000, 1000), /is an inverted range \(2000 > 1000\)/],
    [ec2.Port.tcp(70000), /must lie within 0-65535/],
    [ec2.Port.allTraffic(), /must be a TCP or UDP port or range \(protocol -1/],
    [ec2.Port.icmpPing(), /must be a TCP or UDP port or range \(protocol icmp/],
  ])('fails on port %s', (port, message) => {
    const { net } = setup();
    expect(() => net.addFlow(FlowEndpoint.tier(Tier.APP), FlowEndpoint.tier(Tier.DATA), port)).toThrow(message);
  });

  test('fails when a NACL direction would exceed 19 entries (AWS\'s 20 rules, the default deny rule included), listing the flows', () => {
    const { net } = setup();
    for (let i = 0; i < 19; i++) net.addFlow(FlowEndpoint.tier(Tier.APP), FlowEndpoint.tier(Tier.DATA), ec2.Port.tcp(7000 + i), { description: `svc${i}` });
    expect(() => net.addFlow(FlowEndpoint.tier(Tier.APP), FlowEndpoint.tier(Tier.DATA), ec2.Port.tcp(8000), { description: 'one too many' }))
      .toThrow(/Test\/Net: addFlow\(one too many\) would be IPv4 entry 20 in the outbound side of the app tier's NACL, over the quota of 19, got 'egress tcp 8000 10.0.128.0\/18'\. Merge these flows.*20 rules per direction and address family, the family's default deny rule included.*Flows involved: svc0; svc1;.*svc18; one too many\./);
  });
});
