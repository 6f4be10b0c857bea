/* eslint-disable @typescript-eslint/no-explicit-any */
import * as fc from 'fast-check';
import { NetworkEndpoint, OpenPortRange, ReachabilityAnalyzer } from '../../src';
import { parseCidr } from '../../src/model/addresses';

/**
 * Property: on random small templates (two subnets with random NACLs, two instances with random
 * security groups, random public addresses and routes), the analyzer's exact open ports agree,
 * port by port, with a brute-force evaluator written here from the AWS rules alone: first-match
 * NACL entries by rule number (then deny), security groups as a union of allow rules (no egress
 * rule: allow all), stateless return traffic that must pass for EVERY port of the client's
 * ephemeral range, the internet reaching only a public address in a subnet routed to an internet
 * gateway.
 */

const CIDRS = ['0.0.0.0/0', '0.0.0.0/1', '128.0.0.0/1', '10.0.0.0/16', '10.0.1.0/24', '10.0.2.0/24', '203.0.113.0/24'];
const PORTS: Array<[number, number]> = [
  [22, 22], [80, 80], [443, 443], [0, 1023], [1024, 65535], [32768, 60999], [0, 65535], [443, 1100], [40000, 65535],
];
/** Ports compared (the exact answer covers 0-65535; these hit every boundary the generator can write). */
const PROBES = [0, 21, 22, 23, 79, 80, 81, 442, 443, 444, 1023, 1024, 1100, 1101, 32767, 32768, 39999, 40000, 60999, 61000, 65535];
/** One internet address per class of the CIDRs above, outside the VPC. */
const INTERNET_POINTS = ['1.0.0.0', '10.1.0.0', '200.0.0.0', '203.0.113.7'];
const INSTANCE_EPHEMERAL: [number, number] = [32768, 60999];
const INTERNET_EPHEMERAL: [number, number] = [1024, 65535];

interface Entry {
  readonly n: number;
  readonly egress: boolean;
  readonly all: boolean;
  readonly ports: [number, number];
  readonly cidr: string;
  readonly allow: boolean;
}
interface Rule { readonly ports: [number, number]; readonly peer: string }
interface Side { readonly nacl?: Entry[]; readonly ingress: Rule[]; readonly egress?: Rule[]; readonly publicIp: boolean; readonly igw: boolean }

const entryArb = fc.record({
  n: fc.integer({ min: 1, max: 40 }).map((x) => x * 10),
  egress: fc.boolean(),
  all: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
  ports: fc.constantFrom(...PORTS),
  cidr: fc.constantFrom(...CIDRS),
  allow: fc.integer({ min: 0, max: 3 }).map((x) => x !== 0),
});
const ruleArb = fc.record({ ports: fc.constantFrom(...PORTS), peer: fc.constantFrom(...CIDRS, 'other') });
/** Random entries, often in front of allow-all entries numbered last (so that denies and partial ranges matter). */
const naclArb = fc.tuple(fc.array(entryArb, { maxLength: 6 }), fc.boolean()).map(([entries, permissive]) => permissive
  ? [...entries, { n: 500, egress: false, all: true, ports: [0, 65535], cidr: '0.0.0.0/0', allow: true } as Entry,
    { n: 500, egress: true, all: true, ports: [0, 65535], cidr: '0.0.0.0/0', allow: true } as Entry]
  : entries);
const sideArb = fc.record({
  nacl: fc.option(naclArb, { nil: undefined, freq: 3 }),
  ingress: fc.array(ruleArb, { minLength: 1, maxLength: 3 }),
  egress: fc.option(fc.array(ruleArb, { maxLength: 3 }), { nil: undefined, freq: 2 }),
  publicIp: fc.boolean(),
  igw: fc.boolean(),
});

function template(a: Side, b: Side): { [key: string]: any } {
  const r: { [id: string]: any } = {};
  const add = (id: string, type: string, props: any) => { r[id] = { Type: type, Properties: props }; };
  add('Vpc', 'AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
  add('Igw', 'AWS::EC2::InternetGateway', {});
  [a, b].forEach((side, i) => {
    const s = i === 0 ? 'A' : 'B';
    add(`Subnet${s}`, 'AWS::EC2::Subnet', { VpcId: { Ref: 'Vpc' }, CidrBlock: `10.0.${i + 1}.0/24`, AvailabilityZone: 'us-east-1a' });
    add(`Rt${s}`, 'AWS::EC2::RouteTable', { VpcId: { Ref: 'Vpc' } });
    add(`Rt${s}Assoc`, 'AWS::EC2::SubnetRouteTableAssociation', { SubnetId: { Ref: `Subnet${s}` }, RouteTableId: { Ref: `Rt${s}` } });
    if (side.igw) add(`Rt${s}Default`, 'AWS::EC2::Route', { RouteTableId: { Ref: `Rt${s}` }, DestinationCidrBlock: '0.0.0.0/0', GatewayId: { Ref: 'Igw' } });
    if (side.nacl) {
      add(`Acl${s}`, 'AWS::EC2::NetworkAcl', { VpcId: { Ref: 'Vpc' } });
      add(`Acl${s}Assoc`, 'AWS::EC2::SubnetNetworkAclAssociation', { SubnetId: { Ref: `Subnet${s}` }, NetworkAclId: { Ref: `Acl${s}` } });
      uniqueEntries(side.nacl).forEach((e) => add(`Acl${s}${e.egress ? 'Out' : 'In'}${e.n}`, 'AWS::EC2::NetworkAclEntry', {
        NetworkAclId: { Ref: `Acl${s}` },
        RuleNumber: e.n,
        Egress: e.egress,
        Protocol: e.all ? -1 : 6,
        ...(e.all ? {} : { PortRange: { From: e.ports[0], To: e.ports[1] } }),
        CidrBlock: e.cidr,
        RuleAction: e.allow ? 'allow' : 'deny',
      }));
    }
    const other = i === 0 ? 'SgB' : 'SgA';
    const rule = (x: Rule, dir: 'in' | 'out') => ({
      IpProtocol: 'tcp',
      FromPort: x.ports[0],
      ToPort: x.ports[1],
      ...(x.peer === 'other' ? { [dir === 'in' ? 'SourceSecurityGroupId' : 'DestinationSecurityGroupId']: { 'Fn::GetAtt': [other, 'GroupId'] } } : { CidrIp: x.peer }),
    });
    add(`Sg${s}`, 'AWS::EC2::SecurityGroup', {
      GroupDescription: s,
      VpcId: { Ref: 'Vpc' },
      SecurityGroupIngress: side.ingress.map((x) => rule(x, 'in')),
      ...(side.egress ? { SecurityGroupEgress: side.egress.length ? side.egress.map((x) => rule(x, 'out')) : [NO_OUTBOUND] } : {}),
    });
    add(`Node${s}`, 'AWS::EC2::Instance', {
      ImageId: 'ami-12345678',
      NetworkInterfaces: [{ DeviceIndex: '0', SubnetId: { Ref: `Subnet${s}` }, GroupSet: [{ 'Fn::GetAtt': [`Sg${s}`, 'GroupId'] }], AssociatePublicIpAddress: side.publicIp }],
    });
  });
  return { Resources: r };
}

const NO_OUTBOUND = { IpProtocol: 'icmp', FromPort: 252, ToPort: 86, CidrIp: '255.255.255.255/32' };

/** One entry per (direction, rule number), as EC2 requires. */
function uniqueEntries(entries: Entry[]): Entry[] {
  const seen = new Set<string>();
  return entries.filter((e) => !seen.has(`${e.egress}${e.n}`) && seen.add(`${e.egress}${e.n}`));
}

// ---------------------------------------------------------------------------------------------
// The brute-force evaluator: one address and one port at a time.
// ---------------------------------------------------------------------------------------------

const inCidr = (addr: string, cidr: string) => {
  const r = parseCidr(cidr)!;
  const a = parseCidr(`${addr}/32`)!.lo;
  return r.lo <= a && a <= r.hi;
};

function naclAllows(side: Side, egress: boolean, addr: string, port: number): boolean {
  if (!side.nacl) return true; // the VPC's default NACL allows everything
  for (const e of uniqueEntries(side.nacl).filter((x) => x.egress === egress).sort((x, y) => x.n - y.n)) {
    if (!inCidr(addr, e.cidr)) continue;
    if (!e.all && (port < e.ports[0] || port > e.ports[1])) continue;
    return e.allow;
  }
  return false;
}

/** Every port of `range` passes (checked at every boundary the entries can make: the answer is constant between them). */
function naclAllowsAll(side: Side, egress: boolean, addr: string, range: [number, number]): boolean {
  const points = new Set<number>([range[0]]);
  for (const e of side.nacl ?? []) for (const p of [e.ports[0], e.ports[1] + 1]) if (p > range[0] && p <= range[1]) points.add(p);
  return [...points].every((p) => naclAllows(side, egress, addr, p));
}

function sgAllows(rules: Rule[] | undefined, addr: string, port: number, peerIsOther: boolean, isEgress: boolean): boolean {
  if (rules === undefined) return isEgress; // no egress rule at all: EC2's default allows all outbound
  return rules.some((r) => port >= r.ports[0] && port <= r.ports[1] && (r.peer === 'other' ? peerIsOther : inCidr(addr, r.peer)));
}

function bruteNodeToNode(a: Side, b: Side, port: number): boolean {
  const addrA = '10.0.1.9';
  const addrB = '10.0.2.9';
  return sgAllows(a.egress, addrB, port, true, true) && sgAllows(b.ingress, addrA, port, true, false) &&
    naclAllows(a, true, addrB, port) && naclAllows(b, false, addrA, port) &&
    naclAllowsAll(b, true, addrA, INSTANCE_EPHEMERAL) && naclAllowsAll(a, false, addrB, INSTANCE_EPHEMERAL);
}

function bruteInternetToNode(a: Side, port: number): boolean {
  if (!a.publicIp || !a.igw) return false;
  return INTERNET_POINTS.some((x) => naclAllows(a, false, x, port) && sgAllows(a.ingress, x, port, false, false) &&
    naclAllowsAll(a, true, x, INTERNET_EPHEMERAL));
}

function bruteNodeToInternet(a: Side, port: number, ephemeral = INSTANCE_EPHEMERAL): boolean {
  if (!a.publicIp || !a.igw) return false;
  return INTERNET_POINTS.some((x) => sgAllows(a.egress, x, port, false, true) && naclAllows(a, true, x, port) &&
    naclAllowsAll(a, false, x, ephemeral));
}

const openAt = (ranges: OpenPortRange[], port: number) =>
  ranges.some((r) => r.protocol === 'tcp' && r.family === 'IPv4' && r.fromPort <= port && port <= r.toPort);

function agree(a: Side, b: Side, ephemeral = INSTANCE_EPHEMERAL): void {
  const analyzer = ReachabilityAnalyzer.fromTemplate(template(a, b));
  const na = NetworkEndpoint.path('NodeA');
  const nb = NetworkEndpoint.path('NodeB');
  const inet = NetworkEndpoint.internet();
  const exact = { ab: analyzer.openPorts(na, nb), ia: analyzer.openPorts(inet, na), ai: analyzer.openPorts(na, inet) };
  for (const port of PROBES) {
    const cases: Array<[string, boolean, boolean]> = [
      ['NodeA -> NodeB', openAt(exact.ab, port), bruteNodeToNode(a, b, port)],
      ['internet -> NodeA', openAt(exact.ia, port), bruteInternetToNode(a, port)],
      ['NodeA -> internet', openAt(exact.ai, port), bruteNodeToInternet(a, port, ephemeral)],
    ];
    for (const [what, got, want] of cases) {
      if (got !== want) throw new Error(`${what} tcp ${port}: exact says ${got ? 'open' : 'closed'}, brute force says ${want ? 'open' : 'closed'}`);
    }
  }
}

describe('the exact evaluator against a brute-force per-port evaluator', () => {
  test('they agree on 300 random templates', () => {
    let open = 0;
    fc.assert(fc.property(sideArb, sideArb, (a, b) => {
      agree(a, b);
      if (PROBES.some((p) => bruteNodeToNode(a, b, p) || bruteInternetToNode(a, p))) open++;
    }), { numRuns: 300, seed: 1212 });
    // The generator must produce open and closed answers both.
    expect(open).toBeGreaterThan(30);
    expect(open).toBeLessThan(290);
  });

  test('the comparison can fail: a brute force that takes the wrong return range is caught', () => {
    // Instances with the whole 1024-65535 range instead of 32768-60999: some templates must disagree.
    const result = fc.check(fc.property(sideArb, sideArb, (a, b) => agree(a, b, [1024, 65535])), { numRuns: 300, seed: 1212 });
    expect(result.failed).toBe(true);
    expect(String(result.errorInstance)).toMatch(/NodeA -> internet tcp \d+: exact says (open|closed), brute force says/);
  });
});
