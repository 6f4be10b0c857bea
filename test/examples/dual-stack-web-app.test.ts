import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { normalizedTemplate } from './normalize';
import { build, DualStackWebAppStack } from '../../examples/dual-stack-web-app';
import { NetworkAssertions, NetworkEndpoint, Tier, WellKnownPorts } from '../../src';
import { nagFindings } from '../util';

// GIVEN the example app WHEN synthesized once
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = build(app)[0] as DualStackWebAppStack;
const template = Template.fromStack(stack);
const net = NetworkAssertions.fromStack(stack);
const internet = NetworkEndpoint.internet();
const alb = NetworkEndpoint.of(stack.web.loadBalancer);
const tasks = NetworkEndpoint.of(stack.web.service);
const proxy = NetworkEndpoint.of(stack.database.proxy);
const database = NetworkEndpoint.of(stack.database.instance);

/** Every NACL entry of the stack as `<tier> in|out tcp <ports> <peer>`, IPv6 tier blocks named `<tier>/58`. */
function naclRows(): string[] {
  const network = stack.network;
  const tiers = [Tier.PUBLIC, Tier.APP, Tier.DATA];
  const aclTier = new Map(tiers.map((t) => [JSON.stringify(stack.resolve(network.networkAcl(t).networkAclId)), t]));
  const names = new Map<string, string>([
    ...tiers.map((t): [string, string] => [JSON.stringify(stack.resolve(network.tierIpv6Cidr(t))), `${t}/58`]),
    ...tiers.map((t): [string, string] => [JSON.stringify(network.tierCidr(t)), network.tierCidr(t)]),
  ]);
  return Object.values<any>(template.findResources('AWS::EC2::NetworkAclEntry')).map((r) => {
    const p = r.Properties;
    const ports = p.PortRange.From === p.PortRange.To ? `${p.PortRange.From}` : `${p.PortRange.From}-${p.PortRange.To}`;
    const peer = p.CidrBlock ?? p.Ipv6CidrBlock;
    return `${aclTier.get(JSON.stringify(p.NetworkAclId))} ${p.Egress ? 'out' : 'in'} ${p.Protocol === 6 ? 'tcp' : 'udp'} ${ports} ${names.get(JSON.stringify(peer)) ?? peer}`;
  }).sort();
}

test('snapshot', () => {
  expect(normalizedTemplate(template)).toMatchSnapshot();
});

test('the VPC is dual stack: an Amazon-provided IPv6 block, ::/0 to the IGW from the public tier and to the egress-only gateway from the app tier', () => {
  template.hasResourceProperties('AWS::EC2::VPCCidrBlock', { AmazonProvidedIpv6CidrBlock: true });
  template.resourceCountIs('AWS::EC2::EgressOnlyInternetGateway', 1);
  template.resourcePropertiesCountIs('AWS::EC2::Route', { DestinationIpv6CidrBlock: '::/0', GatewayId: Match.anyValue() }, 3);
  template.resourcePropertiesCountIs('AWS::EC2::Route', {
    DestinationIpv6CidrBlock: '::/0', EgressOnlyInternetGatewayId: stack.resolve(stack.network.egressOnlyInternetGatewayId),
  }, 3);
  template.resourcePropertiesCountIs('AWS::EC2::Route', { DestinationIpv6CidrBlock: Match.anyValue() }, 6);
});

test('the ALB is dual stack and admits 80 and 443 from 0.0.0.0/0 and ::/0', () => {
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Type: 'application', Scheme: 'internet-facing', IpAddressType: 'dualstack' });
  const albSg = stack.resolve(stack.web.loadBalancerConnections.securityGroups[0].securityGroupId);
  const sg = Object.entries<any>(template.findResources('AWS::EC2::SecurityGroup')).find(([id]) => JSON.stringify({ 'Fn::GetAtt': [id, 'GroupId'] }) === JSON.stringify(albSg))![1];
  const ingress = sg.Properties.SecurityGroupIngress.map((r: any) => `${r.FromPort} ${r.CidrIp ?? r.CidrIpv6}`).sort();
  expect(ingress).toEqual(['443 0.0.0.0/0', '443 ::/0', '80 0.0.0.0/0', '80 ::/0']);
});

test('every leg has its NACL entries in both families: the IPv6 rows mirror the IPv4 ones', () => {
  const rows = naclRows();
  const v4 = rows.filter((r) => /\d+\.\d+\.\d+\.\d+\/\d+$/.test(r));
  const v6 = rows.filter((r) => !/\d+\.\d+\.\d+\.\d+\/\d+$/.test(r));
  const asV6 = (r: string) => r
    .replace(stack.network.tierCidr(Tier.PUBLIC), 'public/58')
    .replace(stack.network.tierCidr(Tier.APP), 'app/58')
    .replace(stack.network.tierCidr(Tier.DATA), 'data/58')
    .replace('0.0.0.0/0', '::/0');
  // IPv4 to the internet crosses the NAT gateway in the public tier; IPv6 leaves the app tier
  // straight through the egress-only gateway, so those four public-tier legs have no IPv6 twin.
  const natLegs = [
    `public in tcp 443 ${stack.network.tierCidr(Tier.APP)}`, `public out tcp 1024-65535 ${stack.network.tierCidr(Tier.APP)}`,
    'public out tcp 443 0.0.0.0/0', 'public in tcp 1024-65535 0.0.0.0/0',
  ];
  expect(v4).toEqual(expect.arrayContaining(natLegs));
  expect(v6.sort()).toEqual(v4.filter((r) => !natLegs.includes(r)).map(asV6).sort());
  // The legs of the example, IPv6 side: clients -> ALB, ALB -> tasks, tasks -> proxy, tasks -> internet (egress-only gateway).
  expect(v6).toEqual(expect.arrayContaining([
    'public in tcp 443 ::/0', 'public out tcp 1024-65535 ::/0',
    'public out tcp 8080 app/58', 'app in tcp 8080 public/58', 'app out tcp 1024-65535 public/58', 'public in tcp 1024-65535 app/58',
    'app out tcp 5432 data/58', 'data in tcp 5432 app/58', 'data out tcp 1024-65535 app/58', 'app in tcp 1024-65535 data/58',
    'app out tcp 443 ::/0', 'app in tcp 1024-65535 ::/0',
  ]));
  // The egress-only gateway admits nothing in: no IPv6 entry admits the internet to the app or data tier on a service port.
  expect(v6.filter((r) => /^(app|data) in tcp (?!1024-65535)\S+ ::\/0$/.test(r))).toEqual([]);
});

test('the chain internet -> ALB -> tasks -> proxy -> database is open, return traffic included', () => {
  net.expectReachable(internet, alb, WellKnownPorts.HTTPS);
  net.expectReachable(internet, alb, WellKnownPorts.HTTP);
  net.expectReachable(alb, tasks, WellKnownPorts.HTTP_ALT);
  net.expectReachable(tasks, proxy, WellKnownPorts.POSTGRES);
  net.expectReachable(proxy, database, WellKnownPorts.POSTGRES);
  net.expectReachable(tasks, internet, WellKnownPorts.HTTPS);
  expect(net.declaredFlowVerdicts(stack.network).filter((v) => v.answer.verdict !== 'reachable')).toEqual([]);
});

test('over IPv6: the internet reaches the ALB on 80 and 443, the tasks reach the internet on 443 through the egress-only gateway', () => {
  const internet6 = NetworkEndpoint.internet('::/0');
  net.expectReachable(internet6, alb, WellKnownPorts.HTTPS);
  net.expectReachable(internet6, alb, WellKnownPorts.HTTP);
  net.expectReachable(tasks, internet6, WellKnownPorts.HTTPS);
  // Only what was declared: no other port out, nothing in past the ALB, no SSH.
  net.expectUnreachable(tasks, internet6, WellKnownPorts.HTTP);
  for (const to of [tasks, proxy, database]) net.expectUnreachable(internet6, to, WellKnownPorts.HTTP_ALT);
  net.expectUnreachable(internet6, database, WellKnownPorts.POSTGRES);
  for (const to of [alb, tasks, proxy, database]) net.expectUnreachable(internet6, to, WellKnownPorts.SSH);
});

test('the exact exposure: the internet reaches the ALB on 80 and 443 in each family, and nothing else', () => {
  const exposed = net.analyzer.exposure().map((e) => `${e.node} ${e.family} ${e.protocol} ${e.fromPort}-${e.toPort}`).sort();
  const albPath = stack.web.loadBalancer.node.path;
  expect(exposed).toEqual([
    `${albPath} IPv4 tcp 443-443`, `${albPath} IPv4 tcp 80-80`, `${albPath} IPv6 tcp 443-443`, `${albPath} IPv6 tcp 80-80`,
  ].sort());
});

test('nothing but the ALB faces the internet, and no SSH anywhere', () => {
  for (const to of [tasks, proxy, database]) net.expectUnreachable(internet, to, WellKnownPorts.HTTP_ALT);
  net.expectUnreachable(internet, database, WellKnownPorts.POSTGRES);
  for (const to of [alb, tasks, proxy, database]) net.expectUnreachable(internet, to, WellKnownPorts.SSH);
});

test('only the declared flows are open', () => {
  net.expectOnlyDeclaredFlows(stack.network);
});

test('no findings from AwsSolutions and the library\'s pack', () => {
  expect(nagFindings(stack)).toEqual([]);
});

test.each([
  ['NIST 800-53 R5', new NIST80053R5Checks()],
  ['HIPAA Security', new HIPAASecurityChecks()],
  ['PCI DSS 3.2.1', new PCIDSS321Checks()],
])('no findings from the %s pack', (_name, pack) => {
  expect(nagFindings(stack, [pack])).toEqual([]);
});
