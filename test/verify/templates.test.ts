import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CDK_NO_OUTBOUND, getAtt, NaclRule, ref, TemplateBuilder } from './template-builder';
import { EphemeralRange, NetworkEndpoint, ReachabilityAnalyzer, ReachabilityAnswer, Verdict } from '../../src';

const at = (p: string) => NetworkEndpoint.path(p);
const internet = NetworkEndpoint.internet();

function ask(b: TemplateBuilder, from: NetworkEndpoint, to: NetworkEndpoint, port: ec2.Port): ReachabilityAnswer {
  return ReachabilityAnalyzer.fromTemplate(b.toJSON()).canReach(from, to, port);
}

/** App (an instance in PrivateA) -> Db (RDS over IsolatedA+B) on 5432, security groups open for it. */
function appToDb(): TemplateBuilder {
  return new TemplateBuilder().standardVpc()
    .sg('AppSg', { egress: [{ from: 5432, sg: 'DbSg' }] })
    .sg('DbSg', { ingress: [{ from: 5432, sg: 'AppSg' }], egress: [CDK_NO_OUTBOUND] })
    .instance('App', 'PrivateA', ['AppSg'])
    .rds('Db', ['IsolatedA', 'IsolatedB'], ['DbSg']);
}

const APP_ACL_TO_DATA: NaclRule[] = [[100, 'out', 'tcp', 5432, 5432, '10.0.20.0/23'], [100, 'in', 'tcp', 1024, 65535, '10.0.20.0/23']];

describe('missing return rule', () => {
  test('a NACL that admits the service port but has no outbound rule for the return range blocks, naming it', () => {
    // GIVEN the data NACL admits 5432 from the private subnets but has no outbound entry at all
    const b = appToDb()
      .nacl('AppAcl', ['PrivateA', 'PrivateB'], APP_ACL_TO_DATA)
      .nacl('DataAcl', ['IsolatedA', 'IsolatedB'], [[100, 'in', 'tcp', 5432, 5432, '10.0.10.0/23']]);
    // WHEN
    const a = ask(b, at('App'), at('Db'), ec2.Port.tcp(5432));
    // THEN
    expect(a.verdict).toBe(Verdict.BLOCKED);
    expect(a.partiallyOpen).toBe(false);
    expect(a.reasons[0]).toMatch(
      /^blocked: NACL DataAcl outbound has no allow for tcp 32768-60999 to 10\.0\.10\.0\/24 \(App in PrivateA\) \(return traffic of App -> Db on tcp 5432, to App's ephemeral ports \(instances, Linux kernel\)\)/);
  });

  test('the same NACL with the return rule is reachable', () => {
    const b = appToDb()
      .nacl('AppAcl', ['PrivateA', 'PrivateB'], APP_ACL_TO_DATA)
      .nacl('DataAcl', ['IsolatedA', 'IsolatedB'], [[100, 'in', 'tcp', 5432, 5432, '10.0.10.0/23'], [100, 'out', 'tcp', 1024, 65535, '10.0.10.0/23']]);
    const a = ask(b, at('App'), at('Db'), ec2.Port.tcp(5432));
    expect(a.verdict).toBe(Verdict.REACHABLE);
    expect(a.reasons[0]).toMatch(/^reachable: all 2 subnet path\(s\) pass/);
  });

  test('the mirror: an outbound service rule without the inbound return range on the client side blocks', () => {
    const b = appToDb()
      .nacl('AppAcl', ['PrivateA', 'PrivateB'], [[100, 'out', 'tcp', 5432, 5432, '10.0.20.0/23']])
      .nacl('DataAcl', ['IsolatedA', 'IsolatedB'], [[100, 'in', 'tcp', 5432, 5432, '10.0.10.0/23'], [100, 'out', 'tcp', 1024, 65535, '10.0.10.0/23']]);
    const a = ask(b, at('App'), at('Db'), ec2.Port.tcp(5432));
    expect(a.verdict).toBe(Verdict.BLOCKED);
    expect(a.reasons.join('\n')).toMatch(/NACL AppAcl inbound has no allow for tcp 32768-60999 from 10\.0\.20\.0\/24 \(Db in IsolatedA\) \(return traffic of App -> Db/);
  });
});

describe('partial return range', () => {
  /** App in PrivateA -> internet through NatA; the public (NAT) subnets' NACL admits only 32768-65535 back from the internet. */
  function throughNat(publicReturnFrom: number, privateReturnFrom = 1024): TemplateBuilder {
    return new TemplateBuilder().standardVpc()
      .sg('AppSg', { egress: [{ from: 443, cidr: '0.0.0.0/0' }] })
      .instance('App', 'PrivateA', ['AppSg'])
      .lambda('Fn', ['PrivateA'], ['AppSg'])
      .nacl('PrivateAcl', ['PrivateA', 'PrivateB'], [[100, 'out', 'tcp', 443, 443, '0.0.0.0/0'], [100, 'in', 'tcp', privateReturnFrom, 65535, '0.0.0.0/0']])
      .nacl('PublicAcl', ['PublicA', 'PublicB'], [
        [100, 'in', 'tcp', 443, 443, '10.0.10.0/23'], [200, 'out', 'tcp', 443, 443, '0.0.0.0/0'],
        [300, 'in', 'tcp', publicReturnFrom, 65535, '0.0.0.0/0'], [400, 'out', 'tcp', 1024, 65535, '10.0.10.0/23'],
      ]);
  }

  test('32768-65535 against a NAT gateway client (1024-65535) blocks, naming the missing part', () => {
    const a = ask(throughNat(32768), at('App'), internet, ec2.Port.tcp(443));
    expect(a.verdict).toBe(Verdict.BLOCKED);
    expect(a.partiallyOpen).toBe(true);
    expect(a.reasons[0]).toMatch(
      /^blocked: NACL PublicAcl inbound allows only part of tcp 1024-65535 from 0\.0\.0\.0\/0: nothing allows tcp 1024-32767 \(return traffic of App -> internet 0\.0\.0\.0\/0 on tcp 443, to the NAT gateway's ephemeral ports\)/);
  });

  test('the whole range through the NAT gateway is reachable', () => {
    expect(ask(throughNat(1024), at('App'), internet, ec2.Port.tcp(443)).verdict).toBe(Verdict.REACHABLE);
  });

  test('a regional NAT gateway (no subnet) crosses no public subnet NACL: the same public NACL no longer blocks', () => {
    // GIVEN the app subnets route to one regional NAT gateway instead of the zonal ones
    const b = throughNat(32768);
    for (const id of ['NatA', 'NatB']) b.resources[id].Properties = { AvailabilityMode: 'regional', VpcId: ref('Vpc') };
    // WHEN / THEN only the private NACL is on the way, and it admits the whole return range
    const analyzer = ReachabilityAnalyzer.fromTemplate(b.toJSON());
    const a = analyzer.canReach(at('App'), internet, ec2.Port.tcp(443));
    expect(a.verdict).toBe(Verdict.REACHABLE);
    expect(a.reasons.join('\n')).not.toMatch(/PublicAcl/);
    expect(analyzer.openPorts(at('App'), internet).map((p) => `${p.protocol} ${p.fromPort}-${p.toPort}`)).toEqual(['tcp 443-443']);
    // and the private NACL still decides: without its return entry the flow is blocked
    const noReturn = JSON.parse(JSON.stringify(b.toJSON()));
    delete noReturn.Resources.PrivateAclIn100;
    expect(ReachabilityAnalyzer.fromTemplate(noReturn).canReach(at('App'), internet, ec2.Port.tcp(443)).verdict).toBe(Verdict.BLOCKED);
    // and it needs the VPC's internet gateway
    delete b.resources.IgwAttach;
    const detached = ReachabilityAnalyzer.fromTemplate(b.toJSON());
    const d = detached.canReach(at('App'), internet, ec2.Port.tcp(443));
    expect(d.verdict).toBe(Verdict.BLOCKED);
    expect(d.reasons.join('\n')).toMatch(/regional NAT gateway NatA has no internet gateway attached to its VPC/);
    expect(detached.openPorts(at('App'), internet)).toEqual([]);
  });

  test('a client-side return range that fits Linux instances but not Lambda blocks the Lambda only', () => {
    const b = throughNat(1024, 32768);
    expect(ask(b, at('App'), internet, ec2.Port.tcp(443)).verdict).toBe(Verdict.REACHABLE);
    const fn = ask(b, at('Fn'), internet, ec2.Port.tcp(443));
    expect(fn.verdict).toBe(Verdict.BLOCKED);
    expect(fn.reasons[0]).toMatch(/NACL PrivateAcl inbound allows only part of tcp 1024-65535 from 0\.0\.0\.0\/0: nothing allows tcp 1024-32767 .*AWS Lambda/);
  });

  test('the instance range is configurable (Windows 49152-65535 against a 32768-60999 rule blocks)', () => {
    const b = throughNat(1024);
    b.resources.PrivateAclIn100.Properties.PortRange = { From: 32768, To: 60999 };
    const analyzer = ReachabilityAnalyzer.fromTemplate(b.toJSON(), { instanceEphemeralRange: EphemeralRange.WINDOWS });
    const a = analyzer.canReach(at('App'), internet, ec2.Port.tcp(443));
    expect(a.verdict).toBe(Verdict.BLOCKED);
    expect(a.reasons[0]).toMatch(/nothing allows tcp 61000-65535/);
  });
});

describe('deny-before-allow ordering', () => {
  const allowAll: NaclRule[] = [[100, 'in', 'all', 0, 0, '0.0.0.0/0'], [100, 'out', 'all', 0, 0, '0.0.0.0/0']];

  test('a deny numbered before the allow wins (first match)', () => {
    const b = appToDb().nacl('DataAcl', ['IsolatedA', 'IsolatedB'], [[50, 'in', 'tcp', 5432, 5432, '10.0.10.0/24', 'deny'], ...allowAll]);
    const a = ask(b, at('App'), at('Db'), ec2.Port.tcp(5432));
    expect(a.verdict).toBe(Verdict.BLOCKED);
    expect(a.reasons[0]).toMatch(/^blocked: NACL DataAcl inbound blocks tcp 5432 from 10\.0\.10\.0\/24 \(App in PrivateA\): rule 50 denies tcp 5432 before any allow/);
  });

  test('the same deny numbered after the allow never matches', () => {
    const b = appToDb().nacl('DataAcl', ['IsolatedA', 'IsolatedB'], [[200, 'in', 'tcp', 5432, 5432, '10.0.10.0/24', 'deny'], ...allowAll]);
    expect(ask(b, at('App'), at('Db'), ec2.Port.tcp(5432)).verdict).toBe(Verdict.REACHABLE);
  });

  test('a deny of part of the return range before the allow blocks that part', () => {
    const b = appToDb().nacl('DataAcl', ['IsolatedA', 'IsolatedB'], [[90, 'out', 'tcp', 40000, 40010, '0.0.0.0/0', 'deny'], ...allowAll]);
    const a = ask(b, at('App'), at('Db'), ec2.Port.tcp(5432));
    expect(a.verdict).toBe(Verdict.BLOCKED);
    expect(a.partiallyOpen).toBe(true);
    expect(a.reasons[0]).toMatch(/NACL DataAcl outbound allows only part of tcp 32768-60999 .*rule 90 denies tcp 40000-40010 before any allow/);
  });
});

describe('default NACL', () => {
  test('subnets with no NACL association use the default NACL, which allows all', () => {
    expect(ask(appToDb(), at('App'), at('Db'), ec2.Port.tcp(5432)).verdict).toBe(Verdict.REACHABLE);
  });

  test('entries added to the default NACL (Fn::GetAtt Vpc.DefaultNetworkAcl) are evaluated before its allow-all rule 100', () => {
    const b = appToDb().naclEntries('Def', getAtt('Vpc', 'DefaultNetworkAcl'), [[50, 'in', 'tcp', 5432, 5432, '10.0.10.0/24', 'deny']]);
    const a = ask(b, at('App'), at('Db'), ec2.Port.tcp(5432));
    expect(a.verdict).toBe(Verdict.BLOCKED);
    expect(a.reasons[0]).toMatch(/NACL Vpc default NACL inbound blocks tcp 5432 .*rule 50 denies/);
  });
});

describe('NAT gateway in another AZ', () => {
  test('is reachable, with a warning in the answer', () => {
    const b = new TemplateBuilder().standardVpc()
      .sg('AppSg', {})
      .instance('App', 'PrivateB', ['AppSg']);
    b.resources.PrivateRtBRoute0.Properties = { RouteTableId: ref('PrivateRtB'), DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: ref('NatA') };
    const a = ask(b, at('App'), internet, ec2.Port.tcp(443));
    expect(a.verdict).toBe(Verdict.REACHABLE);
    expect(a.warnings).toEqual([expect.stringMatching(/^NAT gateway NatA is in us-east-1a but serves subnet PrivateB in us-east-1b/)]);
    expect(a.reasons).toContainEqual(expect.stringMatching(/^warning: NAT gateway NatA is in us-east-1a/));
  });

  test('a NAT gateway in the same AZ gives no warning', () => {
    const b = new TemplateBuilder().standardVpc().sg('AppSg', {}).instance('App', 'PrivateB', ['AppSg']);
    expect(ask(b, at('App'), internet, ec2.Port.tcp(443)).warnings).toEqual([]);
  });
});

describe('security group chains', () => {
  function chain(): TemplateBuilder {
    return new TemplateBuilder().standardVpc()
      .sg('WebSg', { ingress: [{ from: 443, cidr: '0.0.0.0/0' }], egress: [{ from: 8080, sg: 'AppSg' }] })
      .sg('AppSg', { egress: [{ from: 5432, sg: 'DbSg' }] })
      .sgRuleResource('AppFromWeb', 'AppSg', 'ingress', { from: 8080, sg: 'WebSg' })
      .sg('DbSg', { ingress: [{ from: 5432, sg: 'AppSg' }], egress: [CDK_NO_OUTBOUND] })
      .instance('Web', 'PublicA', ['WebSg'], true)
      .instance('App', 'PrivateA', ['AppSg'])
      .rds('Db', ['IsolatedA', 'IsolatedB'], ['DbSg']);
  }

  test.each([
    ['internet', 'Web', 443, Verdict.REACHABLE],
    ['Web', 'App', 8080, Verdict.REACHABLE],
    ['App', 'Db', 5432, Verdict.REACHABLE],
    ['Web', 'Db', 5432, Verdict.BLOCKED],
    ['internet', 'App', 8080, Verdict.BLOCKED],
    ['internet', 'Db', 5432, Verdict.BLOCKED],
    ['Db', 'App', 8080, Verdict.BLOCKED],
  ])('%s -> %s:%d is %s', (from, to, port, verdict) => {
    const e = (x: string) => (x === 'internet' ? internet : at(x));
    expect(ask(chain(), e(from), e(to), ec2.Port.tcp(port)).verdict).toBe(verdict);
  });

  test('skipping a link of the chain names both security group layers', () => {
    const a = ask(chain(), at('Web'), at('Db'), ec2.Port.tcp(5432));
    const text = a.reasons.join('\n');
    expect(text).toMatch(/blocked: security group egress of Web \(WebSg\) has no rule allowing tcp 5432 to 10\.0\.20\.0\/24 \(Db in IsolatedA\)/);
    expect(text).toMatch(/blocked: security group ingress of Db \(DbSg\) has no rule allowing tcp 5432 from 10\.0\.0\.0\/24 \(Web in PublicA\)/);
  });

  test('a security group end stands for every node that uses the group', () => {
    expect(ask(chain(), at('AppSg'), at('DbSg'), ec2.Port.tcp(5432)).verdict).toBe(Verdict.REACHABLE);
  });

  test('a CIDR rule that covers one AZ only makes the answer blocked and partially open, naming the failing pair', () => {
    const b = new TemplateBuilder().standardVpc()
      .sg('FnSg', {})
      .sg('DbSg', { ingress: [{ from: 5432, cidr: '10.0.10.0/24' }] })
      .lambda('Fn', ['PrivateA', 'PrivateB'], ['FnSg'])
      .rds('Db', ['IsolatedA', 'IsolatedB'], ['DbSg']);
    const a = ask(b, at('Fn'), at('Db'), ec2.Port.tcp(5432));
    expect(a.verdict).toBe(Verdict.BLOCKED);
    expect(a.partiallyOpen).toBe(true);
    expect(a.reasons[0]).toMatch(/^blocked: security group ingress of Db \(DbSg\) has no rule allowing tcp 5432 from 10\.0\.11\.0\/24 \(Fn in PrivateB\).*\[Fn in PrivateB \(10\.0\.11\.0\/24, us-east-1b\) -> Db in IsolatedA/);
    expect(a.reasons).toContainEqual(expect.stringMatching(/^partial: 2 of 4 subnet path\(s\) pass and 2 are blocked/));
  });
});

describe('CDK no-outbound placeholder and default egress', () => {
  const withEgress = (egress: Parameters<TemplateBuilder['sg']>[1]) =>
    new TemplateBuilder().standardVpc().sg('AppSg', egress).instance('App', 'PrivateA', ['AppSg']);

  test('the placeholder rule 255.255.255.255/32 icmp 252-86 means no outbound at all', () => {
    const a = ask(withEgress({ egress: [CDK_NO_OUTBOUND] }), at('App'), internet, ec2.Port.tcp(443));
    expect(a.verdict).toBe(Verdict.BLOCKED);
    expect(a.reasons[0]).toMatch(/^blocked: security group egress of App \(AppSg\) has no rule allowing tcp 443 to 0\.0\.0\.0\/0/);
  });

  test('a group with no egress rule at all allows all outbound', () => {
    expect(ask(withEgress({}), at('App'), internet, ec2.Port.tcp(443)).verdict).toBe(Verdict.REACHABLE);
  });

  test('a standalone egress rule replaces the default: only that traffic leaves', () => {
    const b = withEgress({}).sgRuleResource('AppTo443', 'AppSg', 'egress', { from: 443, cidr: '0.0.0.0/0' });
    expect(ask(b, at('App'), internet, ec2.Port.tcp(443)).verdict).toBe(Verdict.REACHABLE);
    expect(ask(b, at('App'), internet, ec2.Port.tcp(80)).verdict).toBe(Verdict.BLOCKED);
  });
});

describe('routing', () => {
  test('an isolated subnet cannot reach the internet', () => {
    const b = new TemplateBuilder().standardVpc().sg('Sg', {}).instance('Batch', 'IsolatedA', ['Sg']);
    const a = ask(b, at('Batch'), internet, ec2.Port.tcp(443));
    expect(a.verdict).toBe(Verdict.BLOCKED);
    expect(a.reasons[0]).toMatch(/^blocked: routing: subnet IsolatedA has no route to 0\.0\.0\.0\/0 in IsolatedRt \(an isolated subnet\)/);
  });

  test('a subnet without a route table association uses the main route table, taken as local-only', () => {
    const b = new TemplateBuilder().standardVpc().subnet('Orphan', '10.0.30.0/24', 'us-east-1a').sg('Sg', {}).instance('Box', 'Orphan', ['Sg']);
    const a = ask(b, at('Box'), internet, ec2.Port.tcp(443));
    expect(a.verdict).toBe(Verdict.BLOCKED);
    expect(a.reasons[0]).toMatch(/main route table, taken as local-only/);
  });

  test('an instance without a public IP in a public subnet cannot use the internet gateway', () => {
    const b = new TemplateBuilder().standardVpc().sg('Sg', {}).instance('Box', 'PublicA', ['Sg']);
    const a = ask(b, at('Box'), internet, ec2.Port.tcp(443));
    expect(a.verdict).toBe(Verdict.BLOCKED);
    expect(a.reasons[0]).toMatch(/sends 0\.0\.0\.0\/0 to internet gateway Igw .* but Box has no public address there/);
  });

  test('an instance with a public IP in a public subnet reaches the internet and is reached from it', () => {
    const b = new TemplateBuilder().standardVpc().sg('Sg', { ingress: [{ from: 443, cidr: '0.0.0.0/0' }] }).instance('Box', 'PublicA', ['Sg'], true);
    expect(ask(b, at('Box'), internet, ec2.Port.tcp(443)).verdict).toBe(Verdict.REACHABLE);
    expect(ask(b, internet, at('Box'), ec2.Port.tcp(443)).verdict).toBe(Verdict.REACHABLE);
  });

  test('a public IP does not help in a subnet routed to a NAT gateway', () => {
    const b = new TemplateBuilder().standardVpc().sg('Sg', { ingress: [{ from: 443, cidr: '0.0.0.0/0' }] }).instance('Box', 'PrivateA', ['Sg'], true);
    const a = ask(b, internet, at('Box'), ec2.Port.tcp(443));
    expect(a.verdict).toBe(Verdict.BLOCKED);
    expect(a.reasons[0]).toMatch(/PrivateRtA of subnet PrivateA sends 0\.0\.0\.0\/0 to NatA .*not to an internet gateway/);
  });

  test('an internet CIDR narrower than a security group rule is reachable, a wider one only partly', () => {
    const b = new TemplateBuilder().standardVpc().sg('Sg', { ingress: [{ from: 22, cidr: '203.0.113.0/24' }] }).instance('Bastion', 'PublicA', ['Sg'], true);
    expect(ask(b, NetworkEndpoint.internet('203.0.113.0/25'), at('Bastion'), ec2.Port.tcp(22)).verdict).toBe(Verdict.REACHABLE);
    const wide = ask(b, internet, at('Bastion'), ec2.Port.tcp(22));
    expect(wide.verdict).toBe(Verdict.BLOCKED);
    expect(wide.partiallyOpen).toBe(true);
  });
});

describe('load balancers and other nodes', () => {
  function lbs(): TemplateBuilder {
    return new TemplateBuilder().standardVpc()
      .sg('AlbSg', { ingress: [{ from: 443, cidr: '0.0.0.0/0' }], egress: [{ from: 8080, sg: 'AppSg' }] })
      .sg('AppSg', { ingress: [{ from: 8080, sg: 'AlbSg' }, { from: 9092, cidr: '10.0.0.0/23' }], egress: [CDK_NO_OUTBOUND] })
      .loadBalancer('Alb', 'application', 'internet-facing', ['PublicA', 'PublicB'], ['AlbSg'], [443])
      .loadBalancer('Internal', 'application', 'internal', ['PrivateA', 'PrivateB'], ['AlbSg'], [443])
      .loadBalancer('Nlb', 'network', 'internet-facing', ['PublicA', 'PublicB'], undefined, [9092])
      .instance('App', 'PrivateA', ['AppSg'])
      .lambda('Fn', ['PrivateA'], ['AppSg']);
  }

  test.each([
    ['internet', 'Alb', 443, Verdict.REACHABLE],
    ['Alb', 'App', 8080, Verdict.REACHABLE],
    ['internet', 'App', 8080, Verdict.BLOCKED],
    ['internet', 'Internal', 443, Verdict.BLOCKED],
    ['internet', 'Nlb', 9092, Verdict.REACHABLE],
    ['Nlb', 'App', 9092, Verdict.REACHABLE],
  ])('%s -> %s:%d is %s', (from, to, port, verdict) => {
    const e = (x: string) => (x === 'internet' ? internet : at(x));
    expect(ask(lbs(), e(from), e(to), ec2.Port.tcp(port)).verdict).toBe(verdict);
  });

  test('a load balancer without a listener on the port blocks, listing its listeners', () => {
    const a = ask(lbs(), internet, at('Alb'), ec2.Port.tcp(8443));
    expect(a.reasons[0]).toMatch(/^blocked: load balancer Alb has no listener on tcp 8443 \(its listeners: tcp 443\)/);
  });

  test('an internal load balancer has no public address', () => {
    expect(ask(lbs(), internet, at('Internal'), ec2.Port.tcp(443)).reasons[0]).toMatch(/Internal has an internal load balancer \(Scheme internal\)/);
  });

  test('an NLB without security groups admits everything at the security group layer, and says so', () => {
    const a = ask(lbs(), internet, at('Nlb'), ec2.Port.tcp(9092));
    expect(a.reasons).toContainEqual(expect.stringMatching(/note: Nlb is a network load balancer without security groups/));
  });

  test('a Lambda function accepts no inbound connections', () => {
    const a = ask(lbs(), at('Alb'), at('Fn'), ec2.Port.tcp(8080));
    expect(a.verdict).toBe(Verdict.BLOCKED);
    expect(a.reasons[0]).toMatch(/Fn is a Lambda function: it accepts no inbound connections/);
  });

  test('a Lambda function outside any VPC reaches the internet', () => {
    const b = new TemplateBuilder().standardVpc().add('Fn', 'AWS::Lambda::Function', { Runtime: 'nodejs20.x', Handler: 'i.h', Code: { ZipFile: 'x' }, Role: 'r' });
    expect(ask(b, at('Fn'), internet, ec2.Port.tcp(443)).verdict).toBe(Verdict.REACHABLE);
  });

  test('UDP is evaluated on its own protocol', () => {
    const b = new TemplateBuilder().standardVpc()
      .sg('Sg', { ingress: [{ protocol: 'udp', from: 53, cidr: '10.0.0.0/16' }] })
      .instance('Dns', 'PrivateA', ['Sg']).instance('Client', 'PrivateB', ['Sg']);
    expect(ask(b, at('Client'), at('Dns'), ec2.Port.udp(53)).verdict).toBe(Verdict.REACHABLE);
    expect(ask(b, at('Client'), at('Dns'), ec2.Port.tcp(53)).verdict).toBe(Verdict.BLOCKED);
  });
});

describe('more placements', () => {
  test('an NLB placed with SubnetMappings', () => {
    const b = new TemplateBuilder().standardVpc().sg('NlbSg', { ingress: [{ from: 9092, cidr: '0.0.0.0/0' }] });
    b.add('Nlb', 'AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      Scheme: 'internet-facing',
      SecurityGroups: [getAtt('NlbSg', 'GroupId')],
      SubnetMappings: [{ SubnetId: ref('PublicA'), AllocationId: getAtt('NatAEip', 'AllocationId') }, { SubnetId: ref('PublicB') }],
    });
    b.add('NlbListener', 'AWS::ElasticLoadBalancingV2::Listener', { LoadBalancerArn: ref('Nlb'), Port: 9092, Protocol: 'TCP', DefaultActions: [] });
    const analyzer = ReachabilityAnalyzer.fromTemplate(b.toJSON());
    expect(analyzer.listNodes()[0]).toEqual(expect.objectContaining({ path: 'Nlb', subnets: ['PublicA', 'PublicB'], publicAddress: true }));
    expect(analyzer.canReach(internet, at('Nlb'), ec2.Port.tcp(9092)).verdict).toBe(Verdict.REACHABLE);
  });

  test('an ElastiCache cluster in its subnet group, named by its literal name', () => {
    const b = new TemplateBuilder().standardVpc()
      .sg('AppSg', {}).sg('CacheSg', { ingress: [{ from: 6379, sg: 'AppSg' }] })
      .instance('App', 'PrivateA', ['AppSg'])
      .add('CacheSubnets', 'AWS::ElastiCache::SubnetGroup', { Description: 'x', CacheSubnetGroupName: 'cache-subnets', SubnetIds: [ref('IsolatedA'), ref('IsolatedB')] })
      .add('Cache', 'AWS::ElastiCache::CacheCluster', {
        Engine: 'redis', CacheNodeType: 'cache.t3.micro', NumCacheNodes: 1, CacheSubnetGroupName: 'cache-subnets', VpcSecurityGroupIds: [getAtt('CacheSg', 'GroupId')],
      });
    expect(ask(b, at('App'), at('Cache'), ec2.Port.tcp(6379)).verdict).toBe(Verdict.REACHABLE);
  });

  test('MapPublicIpOnLaunch gives an instance a public IP', () => {
    const b = new TemplateBuilder().standardVpc().subnet('Dmz', '10.0.40.0/24', 'us-east-1a', 'PublicRt', { MapPublicIpOnLaunch: true })
      .sg('Sg', { ingress: [{ from: 80, cidr: '0.0.0.0/0' }] }).instance('Web', 'Dmz', ['Sg']);
    expect(ask(b, internet, at('Web'), ec2.Port.tcp(80)).verdict).toBe(Verdict.REACHABLE);
  });

  test('a group imported by id matches a rule that references the same id', () => {
    const b = new TemplateBuilder().standardVpc()
      .sg('DbSg', { ingress: [{ from: 5432, sg: 'sg-0aaaaaaaaaaaaaaaa' }] })
      .rds('Db', ['IsolatedA', 'IsolatedB'], ['DbSg'])
      .instance('Legacy', 'PrivateA', ['sg-0aaaaaaaaaaaaaaaa']);
    const a = ask(b, at('Legacy'), at('Db'), ec2.Port.tcp(5432));
    // The ingress side is known (the reference matches); the imported group's own egress rules are not.
    expect(a.verdict).toBe(Verdict.UNKNOWN);
    expect(a.reasons).toEqual([expect.stringMatching(/^unknown: security groups of Legacy: security group sg-0aaaaaaaaaaaaaaaa is not defined/)]);
  });
});

describe('unknown, never a guess', () => {
  test('a security group id outside the template', () => {
    const b = new TemplateBuilder().standardVpc().instance('App', 'PrivateA', ['sg-0123456789abcdef0']);
    const a = ask(b, at('App'), internet, ec2.Port.tcp(443));
    expect(a.verdict).toBe(Verdict.UNKNOWN);
    expect(a.reasons[0]).toMatch(/security group sg-0123456789abcdef0 is not defined in the analyzed template\(s\), so its rules are unknown/);
  });

  test('a subnet given as a parameter', () => {
    const b = new TemplateBuilder().standardVpc().sg('Sg', {});
    b.parameters.SubnetParam = { Type: 'AWS::EC2::Subnet::Id' };
    b.add('App', 'AWS::EC2::Instance', { SubnetId: ref('SubnetParam'), SecurityGroupIds: [getAtt('Sg', 'GroupId')] });
    const a = ask(b, at('App'), internet, ec2.Port.tcp(443));
    expect(a.verdict).toBe(Verdict.UNKNOWN);
    expect(a.reasons[0]).toMatch(/parameter SubnetParam \(its value is known only at deploy time\)/);
  });

  test('a prefix list peer', () => {
    const b = appToDb();
    b.resources.DbSg.Properties.SecurityGroupIngress = [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, SourcePrefixListId: 'pl-12345678' }];
    const a = ask(b, at('App'), at('Db'), ec2.Port.tcp(5432));
    expect(a.verdict).toBe(Verdict.UNKNOWN);
    expect(a.reasons[0]).toMatch(/prefix list pl-12345678 \(its CIDRs are not in the template\)/);
  });

  test('a definite block wins over an unknown layer', () => {
    const b = new TemplateBuilder().standardVpc().instance('Batch', 'IsolatedA', ['sg-0123456789abcdef0']);
    expect(ask(b, at('Batch'), internet, ec2.Port.tcp(443)).verdict).toBe(Verdict.BLOCKED);
  });

  test('a path that matches nothing', () => {
    const a = ask(appToDb(), at('Nope'), at('Db'), ec2.Port.tcp(5432));
    expect(a.verdict).toBe(Verdict.UNKNOWN);
    expect(a.reasons[0]).toMatch(/nothing in the analyzed template\(s\) matches Nope/);
  });

  test('a non-TCP/UDP port', () => {
    expect(ask(appToDb(), at('App'), at('Db'), ec2.Port.allTraffic()).reasons[0]).toMatch(/only TCP and UDP ports are analyzed/);
  });

  describe('Fn::ImportValue', () => {
    function split(): { network: TemplateBuilder; app: TemplateBuilder } {
      const network = new TemplateBuilder().standardVpc();
      network.outputs.PrivateAOut = { Value: ref('PrivateA'), Export: { Name: 'Network:PrivateA' } };
      const app = new TemplateBuilder()
        .add('AppSg', 'AWS::EC2::SecurityGroup', { GroupDescription: 'x', VpcId: { 'Fn::ImportValue': 'Network:Vpc' } })
        .add('App', 'AWS::EC2::Instance', { SubnetId: { 'Fn::ImportValue': 'Network:PrivateA' }, SecurityGroupIds: [getAtt('AppSg', 'GroupId')] });
      return { network, app };
    }

    test('without the exporting stack the answer is unknown and says what to pass', () => {
      const a = ReachabilityAnalyzer.fromTemplate(split().app.toJSON()).canReach(at('App'), internet, ec2.Port.tcp(443));
      expect(a.verdict).toBe(Verdict.UNKNOWN);
      expect(a.reasons[0]).toMatch(/Fn::ImportValue Network:PrivateA: no stack given to the analyzer exports it/);
    });

    test('with the exporting stack the import resolves to its subnet', () => {
      const { network, app } = split();
      const analyzer = ReachabilityAnalyzer.fromTemplates({ Network: network.toJSON(), App: app.toJSON() });
      expect(analyzer.canReach(at('App'), internet, ec2.Port.tcp(443)).verdict).toBe(Verdict.REACHABLE);
    });
  });
});

describe('construct paths from metadata', () => {
  test('aws:cdk:path metadata names resources; prefixes match whole segments only', () => {
    const b = appToDb();
    b.resources.App.Metadata = { 'aws:cdk:path': 'Stack/App/Resource' };
    b.resources.Db.Metadata = { 'aws:cdk:path': 'Stack/Db/Resource' };
    const analyzer = ReachabilityAnalyzer.fromTemplate(b.toJSON());
    expect(analyzer.canReach(at('Stack/App'), at('Stack/Db'), ec2.Port.tcp(5432)).verdict).toBe(Verdict.REACHABLE);
    expect(analyzer.canReach(at('Stack/Ap'), at('Stack/Db'), ec2.Port.tcp(5432)).verdict).toBe(Verdict.UNKNOWN);
  });

  test('fails on an invalid internet CIDR', () => {
    expect(() => NetworkEndpoint.internet('10.0.0.1/16')).toThrow(/NetworkEndpoint.internet: cidr must be an IPv4 or IPv6 CIDR block whose address is its network address, got '10.0.0.1\/16'/);
  });
});
