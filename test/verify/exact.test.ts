import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CDK_NO_OUTBOUND, TemplateBuilder, ref } from './template-builder';
import { NetworkEndpoint, OpenPortRange, ReachabilityAnalyzer } from '../../src';

/** `tcp 443 IPv4` (with ` ?` when not certain), for compact expectations. */
function show(ranges: OpenPortRange[]): string[] {
  return ranges.map((r) => `${r.protocol} ${r.fromPort === r.toPort ? r.fromPort : `${r.fromPort}-${r.toPort}`} ${r.family}${r.certain ? '' : ' ?'}`);
}

const inet = NetworkEndpoint.internet();
const node = (id: string) => NetworkEndpoint.path(id);

/** A public web instance behind a public NACL shaped like AWS's recommended one. */
function publicWeb(ingress: Array<{ from: number; to?: number; cidr: string; protocol?: string }>) {
  return new TemplateBuilder().standardVpc()
    .sg('WebSg', { ingress })
    .instance('Web', 'PublicA', ['WebSg'], true)
    .nacl('PublicAcl', ['PublicA', 'PublicB'], [
      [100, 'in', 'tcp', 443, 443, '0.0.0.0/0'],
      [200, 'in', 'tcp', 1024, 65535, '0.0.0.0/0'],
      [100, 'out', 'tcp', 1024, 65535, '0.0.0.0/0'],
    ]);
}

describe('openPorts: exact port ranges, each with the rules that admit it', () => {
  test('a security group opening inside the public NACL\'s return range is open from the internet', () => {
    const a = ReachabilityAnalyzer.fromTemplate(publicWeb([{ from: 443, cidr: '0.0.0.0/0' }, { from: 9200, cidr: '0.0.0.0/0' }]).toJSON());
    const open = a.openPorts(inet, node('Web'));
    expect(show(open)).toEqual(['tcp 443 IPv4', 'tcp 9200 IPv4']);
    expect(open[1].admittedBy).toEqual(expect.arrayContaining([
      'NACL PublicAcl inbound rule 200',
      'security group WebSg ingress tcp 9200 from 0.0.0.0/0',
      'NACL PublicAcl outbound rule 100 (return traffic)',
      'route 0.0.0.0/0 -> Igw (AWS::EC2::InternetGateway) in PublicRt',
    ]));
  });

  test('a deny numbered before the allow splits a range exactly', () => {
    const b = publicWeb([{ from: 1000, to: 2000, cidr: '0.0.0.0/0' }]);
    b.naclEntries('Extra', ref('PublicAcl'), [[10, 'in', 'tcp', 1500, 1500, '0.0.0.0/0', 'deny'], [20, 'in', 'tcp', 0, 65535, '0.0.0.0/0']]);
    expect(show(ReachabilityAnalyzer.fromTemplate(b.toJSON()).openPorts(inet, node('Web')))).toEqual(['tcp 1000-1499 IPv4', 'tcp 1501-2000 IPv4']);
  });

  test('a return range short of the clients\' whole ephemeral range opens nothing', () => {
    const b = new TemplateBuilder().standardVpc()
      .sg('WebSg', { ingress: [{ from: 443, cidr: '0.0.0.0/0' }] })
      .instance('Web', 'PublicA', ['WebSg'], true)
      .nacl('PublicAcl', ['PublicA'], [[100, 'in', 'tcp', 443, 443, '0.0.0.0/0'], [100, 'out', 'tcp', 1024, 65534, '0.0.0.0/0']]);
    expect(ReachabilityAnalyzer.fromTemplate(b.toJSON()).openPorts(inet, node('Web'))).toEqual([]);
  });

  test('a return rule for part of the internet opens the port to that part only', () => {
    const b = new TemplateBuilder().standardVpc()
      .sg('WebSg', { ingress: [{ from: 443, cidr: '0.0.0.0/0' }] })
      .instance('Web', 'PublicA', ['WebSg'], true)
      .nacl('PublicAcl', ['PublicA'], [[100, 'in', 'tcp', 443, 443, '0.0.0.0/0'], [100, 'out', 'tcp', 1024, 65535, '203.0.113.0/24']]);
    const a = ReachabilityAnalyzer.fromTemplate(b.toJSON());
    expect(show(a.openPorts(inet, node('Web')))).toEqual(['tcp 443 IPv4']);
    expect(show(a.openPorts(NetworkEndpoint.internet('203.0.113.0/25'), node('Web')))).toEqual(['tcp 443 IPv4']);
    expect(a.openPorts(NetworkEndpoint.internet('198.51.100.0/24'), node('Web'))).toEqual([]);
  });

  test('a group without egress rules keeps EC2\'s default: every IPv4 port out, no IPv6', () => {
    const b = new TemplateBuilder().standardVpc().dualStack().sg('AppSg').instance('App', 'PublicA', ['AppSg'], true);
    expect(show(ReachabilityAnalyzer.fromTemplate(b.toJSON()).openPorts(node('App'), inet))).toEqual(['tcp 0-65535 IPv4', 'udp 0-65535 IPv4']);
  });

  test('a CDK "no outbound" group opens nothing out', () => {
    const b = new TemplateBuilder().standardVpc().sg('AppSg', { egress: [CDK_NO_OUTBOUND] }).instance('App', 'PublicA', ['AppSg'], true);
    expect(ReachabilityAnalyzer.fromTemplate(b.toJSON()).openPorts(node('App'), inet)).toEqual([]);
  });

  test('through a NAT gateway, the NAT subnet\'s NACL limits what leaves', () => {
    const b = new TemplateBuilder().standardVpc()
      .sg('AppSg')
      .instance('App', 'PrivateA', ['AppSg'])
      .nacl('PublicAcl', ['PublicA', 'PublicB'], [
        [100, 'in', 'tcp', 443, 443, '10.0.0.0/16'], [100, 'out', 'tcp', 443, 443, '0.0.0.0/0'],
        [200, 'in', 'tcp', 1024, 65535, '0.0.0.0/0'], [200, 'out', 'tcp', 1024, 65535, '10.0.0.0/16'],
      ]);
    const open = ReachabilityAnalyzer.fromTemplate(b.toJSON()).openPorts(node('App'), inet);
    expect(show(open)).toEqual(['tcp 443 IPv4']);
    expect(open[0].admittedBy).toContain('through NAT gateway NatA');
  });

  test('the local route wins: a private address of another VPC behind a NAT default route is not reached', () => {
    const b = new TemplateBuilder().standardVpc().sg('AppSg').instance('App', 'PrivateA', ['AppSg']);
    b.add('Vpc2', 'AWS::EC2::VPC', { CidrBlock: '10.1.0.0/16' });
    b.add('Other', 'AWS::EC2::Subnet', { VpcId: ref('Vpc2'), CidrBlock: '10.1.0.0/24', AvailabilityZone: 'us-east-1a' });
    b.add('OtherSg', 'AWS::EC2::SecurityGroup', { GroupDescription: 'x', VpcId: ref('Vpc2'), SecurityGroupIngress: [{ IpProtocol: '-1', CidrIp: '0.0.0.0/0' }] });
    b.add('Db', 'AWS::EC2::Instance', { SubnetId: ref('Other'), SecurityGroupIds: [{ 'Fn::GetAtt': ['OtherSg', 'GroupId'] }] });
    const a = ReachabilityAnalyzer.fromTemplate(b.toJSON());
    expect(a.openPorts(node('App'), node('Db'))).toEqual([]);
  });

  test('a CIDR like 192.168.1.0/0 (host bits set) means every address', () => {
    const b = publicWeb([{ from: 443, cidr: '192.168.1.0/0' }]);
    expect(show(ReachabilityAnalyzer.fromTemplate(b.toJSON()).openPorts(inet, node('Web')))).toEqual(['tcp 443 IPv4']);
  });

  test('a CIDR rule over subnets whose CIDRs are parameters is unknown, never closed', () => {
    const b = new TemplateBuilder().standardVpc();
    b.parameters.AppCidr = { Type: 'String' };
    b.resources.PrivateA.Properties.CidrBlock = ref('AppCidr');
    b.sg('DbSg', { ingress: [{ from: 5432, cidr: '10.0.0.0/16' }] }).sg('AppSg').instance('App', 'PrivateA', ['AppSg']).instance('Db', 'IsolatedA', ['DbSg']);
    const open = ReachabilityAnalyzer.fromTemplate(b.toJSON()).openPorts(node('App'), node('Db'));
    expect(show(open)).toContain('tcp 5432 IPv4 ?');
    expect(open.every((r) => !r.certain)).toBe(true);
    expect(open[0].admittedBy).toContainEqual(expect.stringMatching(/^unknown: the CIDR of subnet PrivateA is not a literal IPv4 block \(parameter AppCidr/));
  });

  test('a load balancer is open on its listeners only', () => {
    const b = new TemplateBuilder().standardVpc()
      .sg('LbSg', { ingress: [{ protocol: '-1', cidr: '0.0.0.0/0' }] })
      .loadBalancer('Lb', 'application', 'internet-facing', ['PublicA', 'PublicB'], ['LbSg'], [80, 443]);
    expect(show(ReachabilityAnalyzer.fromTemplate(b.toJSON()).openPorts(inet, node('Lb')))).toEqual(['tcp 80 IPv4', 'tcp 443 IPv4']);
  });
});

describe('IPv6, evaluated like IPv4', () => {
  const dual = () => new TemplateBuilder().standardVpc().dualStack()
    .sg('WebSg', { ingress: [{ from: 443, cidr: '::/0' }, { from: 443, cidr: '0.0.0.0/0' }] });

  test('the internet over ::/0 reaches an instance in a public dual-stack subnet, without a public IPv4 address', () => {
    const a = ReachabilityAnalyzer.fromTemplate(dual().instance('Web', 'PublicA', ['WebSg']).toJSON());
    expect(show(a.openPorts(inet, node('Web')))).toEqual(['tcp 443 IPv6']);
    expect(a.exposure().map((e) => `${e.node} ${e.protocol} ${e.fromPort} ${e.family}`)).toEqual(['Web tcp 443 IPv6']);
  });

  test('an egress-only internet gateway admits nothing in, and lets IPv6 out', () => {
    const a = ReachabilityAnalyzer.fromTemplate(dual().sg('AppSg', { egress: [{ protocol: '-1', cidr: '::/0' }] })
      .instance('Web', 'PrivateA', ['WebSg', 'AppSg']).toJSON());
    expect(a.openPorts(inet, node('Web'))).toEqual([]);
    // IPv4 leaves through the NAT gateway (WebSg's default egress), IPv6 through the egress-only gateway (AppSg's ::/0).
    expect(show(a.openPorts(node('Web'), inet))).toEqual(['tcp 0-65535 IPv4', 'tcp 0-65535 IPv6', 'udp 0-65535 IPv4', 'udp 0-65535 IPv6']);
  });

  test('an IPv4-only NACL entry never matches IPv6 traffic', () => {
    const b = dual().instance('Web', 'PublicA', ['WebSg'], true).nacl('PublicAcl', ['PublicA'], [
      [100, 'in', 'tcp', 443, 443, '0.0.0.0/0'], [100, 'out', 'tcp', 1024, 65535, '0.0.0.0/0'],
    ]);
    expect(show(ReachabilityAnalyzer.fromTemplate(b.toJSON()).openPorts(inet, node('Web')))).toEqual(['tcp 443 IPv4']);
    b.naclEntries('V6', ref('PublicAcl'), [[101, 'in', 'tcp', 443, 443, '::/0'], [101, 'out', 'tcp', 1024, 65535, '::/0']]);
    expect(show(ReachabilityAnalyzer.fromTemplate(b.toJSON()).openPorts(inet, node('Web')))).toEqual(['tcp 443 IPv4', 'tcp 443 IPv6']);
  });

  test('subnets get distinct /64s inside the VPC\'s block, so IPv6 NACL entries for a subnet match only it', () => {
    // EC2's default egress rule is IPv4 only: the client's group says ::/0 itself.
    const b = dual().sg('AppSg', { egress: [{ protocol: '-1', cidr: '::/0' }] }).instance('App', 'PrivateA', ['AppSg']).instance('Web', 'PublicA', ['WebSg'])
      .nacl('PublicAcl', ['PublicA'], []);
    const sub = (i: number) => ({ 'Fn::Select': [i, { 'Fn::Cidr': [{ 'Fn::Select': [0, { 'Fn::GetAtt': ['Vpc', 'Ipv6CidrBlocks'] }] }, 6, '64'] }] });
    b.add('In6', 'AWS::EC2::NetworkAclEntry', { NetworkAclId: ref('PublicAcl'), RuleNumber: 10, Egress: false, Protocol: 6, PortRange: { From: 443, To: 443 }, Ipv6CidrBlock: sub(2), RuleAction: 'allow' });
    b.add('Out6', 'AWS::EC2::NetworkAclEntry', { NetworkAclId: ref('PublicAcl'), RuleNumber: 10, Egress: true, Protocol: 6, PortRange: { From: 1024, To: 65535 }, Ipv6CidrBlock: sub(2), RuleAction: 'allow' });
    const a = ReachabilityAnalyzer.fromTemplate(b.toJSON());
    // PrivateA is the third subnet (index 2): its /64 is admitted, the internet is not.
    expect(show(a.openPorts(node('App'), node('Web')))).toEqual(['tcp 443 IPv6']);
    expect(a.openPorts(inet, node('Web'))).toEqual([]);
  });
});

describe('canReach with an IPv6 internet end (the exact model answers)', () => {
  const dual = () => new TemplateBuilder().standardVpc().dualStack()
    .sg('WebSg', { ingress: [{ from: 443, cidr: '::/0' }] });
  const inet6 = NetworkEndpoint.internet('::/0');

  test('reachable over ::/0 to a public instance; blocked to another port, with the reason', () => {
    const a = ReachabilityAnalyzer.fromTemplate(dual().instance('Web', 'PublicA', ['WebSg']).toJSON());
    expect(a.canReach(inet6, node('Web'), ec2.Port.tcp(443)).verdict).toBe('reachable');
    const closed = a.canReach(inet6, node('Web'), ec2.Port.tcp(22));
    expect(closed.verdict).toBe('blocked');
    expect(closed.reasons.join(' ')).toMatch(/blocked over IPv6: .*tcp 22/);
    // A range is reachable only when every port of it is.
    expect(a.canReach(inet6, node('Web'), ec2.Port.tcpRange(443, 444))).toEqual(expect.objectContaining({ verdict: 'blocked', partiallyOpen: true }));
  });

  test('an IPv6 peer outside the rule\'s block is blocked; one inside it is reachable', () => {
    const a = ReachabilityAnalyzer.fromTemplate(new TemplateBuilder().standardVpc().dualStack()
      .sg('WebSg', { ingress: [{ from: 443, cidr: '2001:db8::/32' }] }).instance('Web', 'PublicA', ['WebSg']).toJSON());
    expect(a.canReach(NetworkEndpoint.internet('2001:db8:1::/48'), node('Web'), ec2.Port.tcp(443)).verdict).toBe('reachable');
    expect(a.canReach(NetworkEndpoint.internet('2001:db9::/32'), node('Web'), ec2.Port.tcp(443)).verdict).toBe('blocked');
  });

  test('behind an egress-only internet gateway: out over IPv6, never in', () => {
    const a = ReachabilityAnalyzer.fromTemplate(dual().sg('AppSg', { egress: [{ protocol: '-1', cidr: '::/0' }] })
      .instance('App', 'PrivateA', ['WebSg', 'AppSg']).toJSON());
    expect(a.canReach(node('App'), inet6, ec2.Port.tcp(443)).verdict).toBe('reachable');
    expect(a.canReach(inet6, node('App'), ec2.Port.tcp(443)).verdict).toBe('blocked');
  });

  test('an IPv4-only NACL entry blocks IPv6; its IPv6 twin opens it', () => {
    const b = dual().instance('Web', 'PublicA', ['WebSg']).nacl('PublicAcl', ['PublicA'], [
      [100, 'in', 'tcp', 443, 443, '0.0.0.0/0'], [100, 'out', 'tcp', 1024, 65535, '0.0.0.0/0'],
    ]);
    expect(ReachabilityAnalyzer.fromTemplate(b.toJSON()).canReach(inet6, node('Web'), ec2.Port.tcp(443)).verdict).toBe('blocked');
    b.naclEntries('V6', ref('PublicAcl'), [[101, 'in', 'tcp', 443, 443, '::/0'], [101, 'out', 'tcp', 1024, 65535, '::/0']]);
    expect(ReachabilityAnalyzer.fromTemplate(b.toJSON()).canReach(inet6, node('Web'), ec2.Port.tcp(443)).verdict).toBe('reachable');
  });

  test.each(['2001:db8::1/32', 'fe80::/129', 'not-a-cidr'])('NetworkEndpoint.internet refuses %s', (cidr) => {
    expect(() => NetworkEndpoint.internet(cidr)).toThrow(/cidr must be an IPv4 or IPv6 CIDR block whose address is its network address/);
  });
});

describe('exposure: what the internet reaches', () => {
  test('SSH open to 0.0.0.0/1 and 128.0.0.0/1 is open to the whole internet', () => {
    const b = new TemplateBuilder().standardVpc()
      .sg('BastionSg', { ingress: [{ from: 22, cidr: '0.0.0.0/1' }, { from: 22, cidr: '128.0.0.0/1' }] })
      .instance('Bastion', 'PublicA', ['BastionSg'], true);
    const exposure = ReachabilityAnalyzer.fromTemplate(b.toJSON()).exposure();
    expect(exposure.map((e) => `${e.node} ${e.kind} ${e.protocol} ${e.fromPort}-${e.toPort} ${e.family}`)).toEqual(['Bastion EC2 instance tcp 22-22 IPv4']);
    expect(exposure[0].admittedBy).toEqual(expect.arrayContaining(['security group BastionSg ingress tcp 22 from 0.0.0.0/1', 'security group BastionSg ingress tcp 22 from 128.0.0.0/1']));
  });

  test('private nodes and nodes without a public address are not exposed', () => {
    const b = new TemplateBuilder().standardVpc()
      .sg('OpenSg', { ingress: [{ protocol: '-1', cidr: '0.0.0.0/0' }] })
      .instance('Private', 'PrivateA', ['OpenSg'])
      .instance('NoIp', 'PublicA', ['OpenSg']);
    expect(ReachabilityAnalyzer.fromTemplate(b.toJSON()).exposure()).toEqual([]);
  });

  test('serialises to JSON as plain data', () => {
    const a = ReachabilityAnalyzer.fromTemplate(publicWeb([{ from: 443, cidr: '0.0.0.0/0' }]).toJSON());
    expect(JSON.parse(JSON.stringify(a.exposure()))).toEqual(a.exposure());
    expect(JSON.parse(JSON.stringify(a.openPortsMatrix([inet, node('Web')])))).toEqual([
      { from: 'internet 0.0.0.0/0', to: 'Web', ranges: a.openPorts(inet, node('Web')) },
      { from: 'Web', to: 'internet 0.0.0.0/0', ranges: a.openPorts(node('Web'), inet) },
    ]);
  });
});

test('canReach still answers a single port the same way', () => {
  const a = ReachabilityAnalyzer.fromTemplate(publicWeb([{ from: 9200, cidr: '0.0.0.0/0' }]).toJSON());
  expect(a.canReach(inet, node('Web'), ec2.Port.tcp(9200)).verdict).toBe('reachable');
});
