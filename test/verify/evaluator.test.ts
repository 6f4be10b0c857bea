import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { SgRule, TemplateBuilder, ref } from './template-builder';
import { NetworkEndpoint, ReachabilityAnalyzer, Verdict } from '../../src';

const inet = NetworkEndpoint.internet();
const inet6 = NetworkEndpoint.internet('::/0');
const node = (id: string) => NetworkEndpoint.path(id);

describe('canReach over IPv6: the same layers as IPv4, each named', () => {
  const dual = () => new TemplateBuilder().standardVpc().dualStack().sg('WebSg', { ingress: [{ from: 443, cidr: '::/0' }] });

  test('a port the security group does not admit is blocked by the security group layer, named', () => {
    const a = ReachabilityAnalyzer.fromTemplate(dual().instance('Web', 'PublicA', ['WebSg']).toJSON());
    const closed = a.canReach(inet6, node('Web'), ec2.Port.tcp(22));
    expect(closed.verdict).toBe(Verdict.BLOCKED);
    expect(closed.reasons[0]).toMatch(/^blocked over IPv6: security group ingress of Web \(WebSg\) has no rule allowing tcp 22 from ::\/0 \(internet ::\/0 -> Web on tcp 22\)/);
  });

  test('an IPv6 NACL deny before the allow is named by its rule number', () => {
    const b = dual().instance('Web', 'PublicA', ['WebSg']).nacl('PublicAcl', ['PublicA'], [
      [50, 'in', 'tcp', 443, 443, '2001:db8::/32', 'deny'],
      [100, 'in', 'tcp', 443, 443, '::/0'], [100, 'out', 'tcp', 1024, 65535, '::/0'],
    ]);
    const a = ReachabilityAnalyzer.fromTemplate(b.toJSON());
    const answer = a.canReach(inet6, node('Web'), ec2.Port.tcp(443));
    expect(answer.verdict).toBe(Verdict.BLOCKED);
    expect(answer.partiallyOpen).toBe(true);
    expect(answer.reasons[0]).toMatch(/^blocked over IPv6: NACL PublicAcl inbound allows only part of tcp 443 from ::\/0: rule 50 denies tcp 443 for 2001:db8::\/32 before any allow/);
    // The peers outside the denied block get through.
    expect(a.canReach(NetworkEndpoint.internet('2001:db9::/32'), node('Web'), ec2.Port.tcp(443)).verdict).toBe(Verdict.REACHABLE);
  });

  test('an instance in a subnet without an IPv6 block has no IPv6 address', () => {
    const b = new TemplateBuilder().standardVpc().sg('WebSg', { ingress: [{ from: 443, cidr: '::/0' }] }).instance('Web', 'PublicA', ['WebSg'], true);
    const answer = ReachabilityAnalyzer.fromTemplate(b.toJSON()).canReach(inet6, node('Web'), ec2.Port.tcp(443));
    expect(answer.verdict).toBe(Verdict.BLOCKED);
    expect(answer.reasons[0]).toMatch(/subnet PublicA has no IPv6 CIDR block, so Web has no IPv6 address there/);
  });

  test('behind an egress-only internet gateway, the route that refuses inbound connections is named', () => {
    const a = ReachabilityAnalyzer.fromTemplate(dual().instance('App', 'PrivateA', ['WebSg']).toJSON());
    const answer = a.canReach(inet6, node('App'), ec2.Port.tcp(443));
    expect(answer.verdict).toBe(Verdict.BLOCKED);
    expect(answer.reasons[0]).toMatch(/sends ::\/0 to egress-only internet gateway Eigw .*which lets connections out but none in/);
  });
});

describe('canReach through a NAT instance', () => {
  /** A private subnet routed to a NAT instance in a public subnet; the app's group allows all outbound. */
  function natInstance(natIngress: SgRule[], extra: { [key: string]: unknown } = { SourceDestCheck: false }) {
    const b = new TemplateBuilder().standardVpc()
      .sg('NatSg', { ingress: natIngress, egress: [{ protocol: '-1', cidr: '0.0.0.0/0' }] })
      .sg('AppSg')
      .instance('App', 'PrivateA', ['AppSg']);
    b.add('Nat', 'AWS::EC2::Instance', {
      ImageId: 'ami-12345678',
      ...extra,
      NetworkInterfaces: [{ DeviceIndex: '0', SubnetId: ref('PublicA'), GroupSet: [{ 'Fn::GetAtt': ['NatSg', 'GroupId'] }], AssociatePublicIpAddress: true }],
    });
    b.resources.PrivateRtARoute0.Properties = { RouteTableId: ref('PrivateRtA'), DestinationCidrBlock: '0.0.0.0/0', InstanceId: ref('Nat') };
    return ReachabilityAnalyzer.fromTemplate(b.toJSON());
  }

  test('is reachable where the NAT instance\'s group admits the client, as the exact model says', () => {
    const a = natInstance([{ from: 443, sg: 'AppSg' }]);
    expect(a.canReach(node('App'), inet, ec2.Port.tcp(443)).verdict).toBe(Verdict.REACHABLE);
    expect(a.openPorts(node('App'), inet).filter((r) => r.family === 'IPv4').map((r) => `${r.protocol} ${r.fromPort}-${r.toPort}`)).toEqual(['tcp 443-443']);
  });

  test('is blocked where its group does not, naming the group', () => {
    const answer = natInstance([{ from: 443, sg: 'AppSg' }]).canReach(node('App'), inet, ec2.Port.tcp(80));
    expect(answer.verdict).toBe(Verdict.BLOCKED);
    expect(answer.reasons[0]).toMatch(/^blocked: security group ingress of Nat \(NatSg\) has no rule allowing tcp 80 from 10\.0\.10\.0\/24 \(App in PrivateA\) \(App -> internet 0\.0\.0\.0\/0 on tcp 80, through NAT instance Nat\)/);
  });

  test('an instance that checks source and destination forwards nothing', () => {
    const answer = natInstance([{ from: 443, sg: 'AppSg' }], {}).canReach(node('App'), inet, ec2.Port.tcp(443));
    expect(answer.verdict).toBe(Verdict.BLOCKED);
    expect(answer.reasons[0]).toMatch(/to instance Nat, which drops traffic that is not its own/);
  });
});

describe('canReach and openPorts read the same layers', () => {
  // One node per end, one subnet each: canReach on a single port is REACHABLE exactly when the
  // exact model opens that port.
  const b = new TemplateBuilder().standardVpc().dualStack()
    .sg('WebSg', { ingress: [{ from: 443, cidr: '0.0.0.0/0' }, { from: 8000, to: 8100, cidr: '::/0' }, { from: 22, cidr: '0.0.0.0/1' }] })
    .instance('Web', 'PublicA', ['WebSg'], true)
    .nacl('PublicAcl', ['PublicA'], [
      [90, 'in', 'tcp', 8050, 8060, '::/0', 'deny'],
      [100, 'in', 'tcp', 0, 65535, '0.0.0.0/0'], [100, 'out', 'tcp', 1024, 65535, '0.0.0.0/0'],
      [110, 'in', 'tcp', 0, 65535, '::/0'], [110, 'out', 'tcp', 1024, 65535, '::/0'],
    ]);
  const a = ReachabilityAnalyzer.fromTemplate(b.toJSON());

  test.each([
    ['0.0.0.0/0', 443], ['0.0.0.0/0', 22], ['0.0.0.0/1', 22], ['0.0.0.0/0', 8000],
    ['::/0', 8000], ['::/0', 8055], ['::/0', 8100], ['::/0', 443],
  ])('from %s on tcp %d', (cidr, port) => {
    const from = NetworkEndpoint.internet(cidr);
    const reachable = a.canReach(from, node('Web'), ec2.Port.tcp(port)).verdict === Verdict.REACHABLE;
    const family = cidr.includes(':') ? 'IPv6' : 'IPv4';
    const open = a.openPorts(from, node('Web')).some((r) => r.certain && r.family === family && r.protocol === 'tcp' && r.fromPort <= port && port <= r.toPort);
    // canReach asks for EVERY address of the CIDR, openPorts for SOME: 22 is open from part of 0.0.0.0/0 only.
    expect(reachable).toBe(open && !(cidr === '0.0.0.0/0' && port === 22));
  });
});
