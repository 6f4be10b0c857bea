import { FlowEndpointKind, Tier } from '../../src';
import { parseIpv4 } from '../../src/private/cidr';
import { ErrorCode } from '../../src/private/errors';
import {
  compileFlow, coversEveryIpv4Address, familyOf, FlowNetwork, flowProblems, peerCidrProblem, ResolvedEnd, SgRuleKind,
} from '../../src/private/flow-compile';
import { PortSpec } from '../../src/private/port-spec';
import { APP, DATA, PUBLIC } from '../util';

// The pure flow compiler, without any construct or synthesis.

const NET: FlowNetwork = {
  tierBlocks: [
    { tier: Tier.PUBLIC, family: 'ipv4', cidr: PUBLIC },
    { tier: Tier.APP, family: 'ipv4', cidr: APP },
    { tier: Tier.DATA, family: 'ipv4', cidr: DATA },
  ],
  vpcBlocks: [{ family: 'ipv4', cidr: '10.0.0.0/16' }],
  natGateway: true,
  dualStack: false,
};
const ANY = { from: 1024, to: 65535 };
const tcp = (from: number, to = from): PortSpec => ({ protocol: 'tcp', from, to });
const udp = (from: number, to = from): PortSpec => ({ protocol: 'udp', from, to });
const internet = (...cidrs: string[]): ResolvedEnd => ({
  kind: FlowEndpointKind.INTERNET,
  peers: (cidrs.length ? cidrs : ['0.0.0.0/0']).map((cidr) => ({ family: 'ipv4' as const, cidr })),
  ephemeral: ANY,
  name: 'internet',
});
const noPeers: ResolvedEnd = { kind: FlowEndpointKind.INTERNET, peers: [], ephemeral: ANY, name: 'internet' };
const tier = (t: Tier, ephemeral = ANY): ResolvedEnd => ({ kind: FlowEndpointKind.TIER, tier: t, ephemeral, name: `tier ${t}` });
const workload = (t: Tier, groupKey: string, ephemeral = ANY): ResolvedEnd =>
  ({ kind: FlowEndpointKind.WORKLOAD, tier: t, groupKey, ephemeral, name: groupKey });

const legs = (from: ResolvedEnd, to: ResolvedEnd, port: PortSpec, net = NET) =>
  compileFlow(from, to, port, net).naclLegs.map((l) => `${l.tier} ${l.direction} ${l.port.protocol} ${l.port.from}-${l.port.to} ${l.cidr} ${l.role}`);
const codes = (from: ResolvedEnd, to: ResolvedEnd, port: PortSpec, net = NET) => flowProblems(from, to, port, net).map((p) => p.code);

describe('compileFlow: legs', () => {
  test('workload -> workload across tiers: request and return legs in both tiers, the client range back', () => {
    expect(legs(workload(Tier.APP, 'a', { from: 32768, to: 60999 }), workload(Tier.DATA, 'd'), tcp(5432))).toEqual([
      `app egress tcp 5432-5432 ${DATA} request`,
      `app ingress tcp 32768-60999 ${DATA} return`,
      `data ingress tcp 5432-5432 ${APP} request`,
      `data egress tcp 32768-60999 ${APP} return`,
    ]);
  });

  test('internet -> public tier: only the public tier, the peers named', () => {
    expect(legs(internet('203.0.113.0/24'), tier(Tier.PUBLIC), tcp(443))).toEqual([
      'public ingress tcp 443-443 203.0.113.0/24 request',
      'public egress tcp 1024-65535 203.0.113.0/24 return',
    ]);
  });

  test('app -> internet crosses the NAT gateway\'s public tier, whose own return range is 1024-65535', () => {
    expect(legs(workload(Tier.APP, 'a', { from: 32768, to: 60999 }), internet(), tcp(443))).toEqual([
      'app egress tcp 443-443 0.0.0.0/0 request',
      'app ingress tcp 32768-60999 0.0.0.0/0 return',
      `public ingress tcp 443-443 ${APP} request`,
      `public egress tcp 32768-60999 ${APP} return`,
      'public egress tcp 443-443 0.0.0.0/0 request',
      'public ingress tcp 1024-65535 0.0.0.0/0 return',
    ]);
  });

  test('public -> internet does not add NAT legs (the public tier routes to the internet gateway itself)', () => {
    expect(legs(workload(Tier.PUBLIC, 'p'), internet(), tcp(443))).toEqual([
      'public egress tcp 443-443 0.0.0.0/0 request',
      'public ingress tcp 1024-65535 0.0.0.0/0 return',
    ]);
  });

  test('UDP returns over UDP', () => {
    expect(legs(tier(Tier.APP), tier(Tier.DATA), udp(53))).toContain(`data egress udp 1024-65535 ${APP} return`);
  });

  test('every leg carries its address family', () => {
    expect(compileFlow(tier(Tier.APP), tier(Tier.DATA), tcp(5432), NET).naclLegs.every((l) => l.family === 'ipv4')).toBe(true);
  });

  test('a family without tier blocks compiles no legs', () => {
    expect(legs(tier(Tier.APP), tier(Tier.DATA), tcp(5432), { ...NET, tierBlocks: [] })).toEqual([]);
  });
});

describe('compileFlow: security group rules', () => {
  test('workload -> workload: a reference; one group on both ends: self', () => {
    expect(compileFlow(workload(Tier.APP, 'a'), workload(Tier.DATA, 'd'), tcp(5432), NET).sgRules).toEqual([{ kind: SgRuleKind.REFERENCE }]);
    expect(compileFlow(workload(Tier.APP, 'a'), workload(Tier.APP, 'a'), tcp(9092), NET).sgRules).toEqual([{ kind: SgRuleKind.SELF }]);
  });

  test('internet <-> workload: one CIDR rule per peer, on the workload\'s side', () => {
    expect(compileFlow(internet('203.0.113.0/24', '198.51.100.0/24'), workload(Tier.PUBLIC, 'lb'), tcp(443), NET).sgRules.map((r) => `${r.kind} ${r.peer?.cidr}`))
      .toEqual(['ingress-from-peer 203.0.113.0/24', 'ingress-from-peer 198.51.100.0/24']);
    expect(compileFlow(workload(Tier.APP, 'a'), internet(), tcp(443), NET).sgRules.map((r) => `${r.kind} ${r.peer?.cidr}`))
      .toEqual(['egress-to-peer 0.0.0.0/0']);
  });

  test('tier flows write no security group rule', () => {
    expect(compileFlow(tier(Tier.APP), tier(Tier.DATA), tcp(5432), NET).sgRules).toEqual([]);
    expect(compileFlow(internet(), tier(Tier.PUBLIC), tcp(443), NET).sgRules).toEqual([]);
  });
});

describe('flowProblems: each refusal next to the valid neighbour', () => {
  test('port 0 is refused; port 1 and a range starting at 0 are not', () => {
    expect(codes(workload(Tier.PUBLIC, 'lb'), workload(Tier.APP, 's'), tcp(0))).toEqual([ErrorCode.FLOW_PORT_ZERO]);
    expect(codes(workload(Tier.PUBLIC, 'lb'), workload(Tier.APP, 's'), udp(0))).toEqual([ErrorCode.FLOW_PORT_ZERO]);
    expect(codes(workload(Tier.PUBLIC, 'lb'), workload(Tier.APP, 's'), tcp(1))).toEqual([]);
    expect(codes(tier(Tier.PUBLIC), tier(Tier.APP), tcp(0, 1023))).toEqual([]);
  });

  test.each([
    ['TCP 22 from 0.0.0.0/0', tcp(22), ['0.0.0.0/0']],
    ['TCP 3389 from 0.0.0.0/0', tcp(3389), ['0.0.0.0/0']],
    ['UDP 3389 (RDP\'s UDP transport) from 0.0.0.0/0', udp(3389), ['0.0.0.0/0']],
    ['TCP 22 from two halves of the world', tcp(22), ['0.0.0.0/1', '128.0.0.0/1']],
    ['TCP 20-25 from four quarters', tcp(20, 25), ['0.0.0.0/2', '64.0.0.0/2', '128.0.0.0/2', '192.0.0.0/2']],
    ['UDP 3000-4000 from 0.0.0.0/0', udp(3000, 4000), ['0.0.0.0/0']],
  ])('refuses %s', (_, port, cidrs) => {
    expect(codes(internet(...cidrs), workload(Tier.PUBLIC, 'bastion'), port)).toEqual([ErrorCode.FLOW_ADMIN_PORT_OPEN_TO_WORLD]);
  });

  test.each([
    ['TCP 22 from an admin CIDR', tcp(22), ['203.0.113.0/24']],
    ['TCP 22 from half of the world (not all of it)', tcp(22), ['0.0.0.0/1']],
    ['TCP 22 from two CIDRs with a gap', tcp(22), ['0.0.0.0/1', '192.0.0.0/2']],
    ['UDP 22 from 0.0.0.0/0 (SSH has no UDP transport)', udp(22), ['0.0.0.0/0']],
    ['TCP 443 from 0.0.0.0/0', tcp(443), ['0.0.0.0/0']],
  ])('accepts %s', (_, port, cidrs) => {
    expect(codes(internet(...cidrs), workload(Tier.PUBLIC, 'bastion'), port)).toEqual([]);
  });

  test('an internet end with no CIDR is refused; one CIDR is enough', () => {
    expect(codes(noPeers, workload(Tier.PUBLIC, 'lb'), tcp(443))).toEqual([ErrorCode.FLOW_INTERNET_NO_CIDRS]);
    expect(codes(workload(Tier.APP, 'a'), noPeers, tcp(443))).toEqual([ErrorCode.FLOW_INTERNET_NO_CIDRS]);
    expect(codes(internet('203.0.113.0/24'), workload(Tier.PUBLIC, 'lb'), tcp(443))).toEqual([]);
  });

  test.each([['10.0.64.0/24'], ['10.0.0.0/17'], ['10.0.255.255/32'], ['10.0.200.0/24']])('an internet CIDR inside the VPC is refused: %s', (cidr) => {
    expect(codes(internet(cidr), workload(Tier.PUBLIC, 'lb'), tcp(443))).toEqual([ErrorCode.FLOW_INTERNET_CIDR_INSIDE_VPC]);
  });

  test.each([['10.1.0.0/16'], ['10.0.0.0/8'], ['0.0.0.0/0'], ['9.255.255.255/32']])('an internet CIDR outside the VPC, or containing it whole, is accepted: %s', (cidr) => {
    expect(codes(internet(cidr), workload(Tier.PUBLIC, 'lb'), tcp(443))).toEqual([]);
  });

  test('malformed and IPv6 peers are refused', () => {
    expect(codes(internet('203.0.113.7/24'), workload(Tier.PUBLIC, 'lb'), tcp(443))).toEqual([ErrorCode.FLOW_INTERNET_CIDR_INVALID]);
    expect(codes(internet('::/0'), workload(Tier.PUBLIC, 'lb'), tcp(443))).toEqual([ErrorCode.FLOW_INTERNET_CIDR_INVALID]);
  });

  test('tier and direction rules', () => {
    expect(codes(internet(), tier(Tier.DATA), tcp(5432))).toEqual([ErrorCode.FLOW_INTERNET_TO_DATA_TIER]);
    expect(codes(internet(), tier(Tier.APP), tcp(8080))).toEqual([]);
    expect(codes(workload(Tier.DATA, 'd'), internet(), tcp(443))).toEqual([ErrorCode.FLOW_DATA_TIER_TO_INTERNET]);
    expect(codes(workload(Tier.APP, 'a'), internet(), tcp(443), { ...NET, natGateway: false })).toEqual([ErrorCode.FLOW_NO_NAT_GATEWAY]);
    expect(codes(workload(Tier.APP, 'a'), internet(), tcp(443))).toEqual([]);
    expect(codes(internet(), internet('203.0.113.0/24'), tcp(443))).toEqual([ErrorCode.FLOW_NO_END_INSIDE_VPC]);
    expect(codes(tier(Tier.APP), workload(Tier.DATA, 'd'), tcp(5432))).toEqual([ErrorCode.FLOW_TIER_WITH_WORKLOAD]);
    expect(codes(tier(Tier.APP), tier(Tier.APP), tcp(5432))).toEqual([ErrorCode.FLOW_TIER_TO_ITSELF]);
    expect(codes(tier(Tier.APP), tier(Tier.DATA), tcp(5432))).toEqual([]);
  });
});

describe('helpers', () => {
  test('coversEveryIpv4Address', () => {
    expect(coversEveryIpv4Address([parseIpv4('0.0.0.0/0')])).toBe(true);
    expect(coversEveryIpv4Address(['128.0.0.0/1', '0.0.0.0/1'].map(parseIpv4))).toBe(true);
    expect(coversEveryIpv4Address(['0.0.0.0/1', '128.0.0.0/2', '192.0.0.0/2'].map(parseIpv4))).toBe(true);
    expect(coversEveryIpv4Address(['0.0.0.0/1', '128.0.0.0/2'].map(parseIpv4))).toBe(false);
    expect(coversEveryIpv4Address(['0.0.0.1/32', '0.0.0.0/1', '128.0.0.0/1'].map(parseIpv4))).toBe(true);
    expect(coversEveryIpv4Address([])).toBe(false);
  });

  test('peerCidrProblem names the property and the fix it is given', () => {
    const p = peerCidrProblem(['10.0.1.0/24'], NET.vpcBlocks, 'clientCidrs', 'Use allowFrom.');
    expect(p).toEqual(expect.objectContaining({ code: ErrorCode.FLOW_INTERNET_CIDR_INSIDE_VPC, prop: 'clientCidrs', value: '10.0.1.0/24', fix: 'Use allowFrom.' }));
  });
});

describe('both address families (a dual-stack VPC)', () => {
  // Concrete IPv6 tier blocks stand for the deployed /56's quarters.
  const V6 = { public: '2600:1f18:aa:bb00::/58', app: '2600:1f18:aa:bb40::/58', data: '2600:1f18:aa:bb80::/58' };
  const DUAL: FlowNetwork = {
    tierBlocks: [
      ...NET.tierBlocks,
      { tier: Tier.PUBLIC, family: 'ipv6', cidr: V6.public },
      { tier: Tier.APP, family: 'ipv6', cidr: V6.app },
      { tier: Tier.DATA, family: 'ipv6', cidr: V6.data },
    ],
    vpcBlocks: [...NET.vpcBlocks, { family: 'ipv6', cidr: '2600:1f18:aa:bb00::/56' }],
    natGateway: true,
    dualStack: true,
  };
  const peers = (...cidrs: string[]): ResolvedEnd => ({
    kind: FlowEndpointKind.INTERNET, peers: cidrs.map((cidr) => ({ family: familyOf(cidr), cidr })), ephemeral: ANY, name: 'internet',
  });
  const families = (from: ResolvedEnd, to: ResolvedEnd, port: PortSpec) =>
    compileFlow(from, to, port, DUAL).naclLegs.map((l) => `${l.family} ${l.tier} ${l.direction} ${l.port.from}-${l.port.to} ${l.cidr}`);

  test('tier and workload ends have both families: every leg twice', () => {
    expect(families(workload(Tier.APP, 'a'), workload(Tier.DATA, 'd'), tcp(5432))).toEqual([
      `ipv4 app egress 5432-5432 ${DATA}`, `ipv4 app ingress 1024-65535 ${DATA}`, `ipv4 data ingress 5432-5432 ${APP}`, `ipv4 data egress 1024-65535 ${APP}`,
      `ipv6 app egress 5432-5432 ${V6.data}`, `ipv6 app ingress 1024-65535 ${V6.data}`, `ipv6 data ingress 5432-5432 ${V6.app}`, `ipv6 data egress 1024-65535 ${V6.app}`,
    ]);
  });

  test('an internet end compiles the families of its CIDRs only', () => {
    expect(families(peers('0.0.0.0/0'), tier(Tier.PUBLIC), tcp(443))).toEqual(['ipv4 public ingress 443-443 0.0.0.0/0', 'ipv4 public egress 1024-65535 0.0.0.0/0']);
    expect(families(peers('::/0'), tier(Tier.PUBLIC), tcp(443))).toEqual(['ipv6 public ingress 443-443 ::/0', 'ipv6 public egress 1024-65535 ::/0']);
  });

  test('app -> internet over IPv6 has no NAT legs in the public tier (the egress-only gateway is in no subnet)', () => {
    expect(families(workload(Tier.APP, 'a'), peers('0.0.0.0/0', '::/0'), tcp(443))).toEqual([
      'ipv4 app egress 443-443 0.0.0.0/0', 'ipv4 app ingress 1024-65535 0.0.0.0/0',
      `ipv4 public ingress 443-443 ${APP}`, `ipv4 public egress 1024-65535 ${APP}`, 'ipv4 public egress 443-443 0.0.0.0/0', 'ipv4 public ingress 1024-65535 0.0.0.0/0',
      'ipv6 app egress 443-443 ::/0', 'ipv6 app ingress 1024-65535 ::/0',
    ]);
  });

  test('security group rules name each peer in its family', () => {
    expect(compileFlow(peers('0.0.0.0/0', '::/0'), workload(Tier.PUBLIC, 'lb'), tcp(443), DUAL).sgRules).toEqual([
      { kind: SgRuleKind.INGRESS_FROM_PEER, peer: { family: 'ipv4', cidr: '0.0.0.0/0' } },
      { kind: SgRuleKind.INGRESS_FROM_PEER, peer: { family: 'ipv6', cidr: '::/0' } },
    ]);
  });

  test.each(['::/0', '2000::/3', '::/1'])('refuses SSH and RDP from %s, accepts an admin range', (cidr) => {
    expect(codes(peers(cidr), workload(Tier.PUBLIC, 'bastion'), tcp(22), DUAL)).toEqual([ErrorCode.FLOW_ADMIN_PORT_OPEN_TO_WORLD]);
    expect(codes(peers(cidr), workload(Tier.PUBLIC, 'bastion'), udp(3389), DUAL)).toEqual([ErrorCode.FLOW_ADMIN_PORT_OPEN_TO_WORLD]);
    expect(codes(peers('2001:db8:1234::/48'), workload(Tier.PUBLIC, 'bastion'), tcp(22), DUAL)).toEqual([]);
  });

  test('refuses SSH from IPv6 blocks that together cover the IPv6 internet, accepts one half of it', () => {
    expect(codes(peers('2000::/4', '3000::/4'), workload(Tier.PUBLIC, 'bastion'), tcp(22), DUAL)).toEqual([ErrorCode.FLOW_ADMIN_PORT_OPEN_TO_WORLD]);
    expect(codes(peers('2000::/4'), workload(Tier.PUBLIC, 'bastion'), tcp(22), DUAL)).toEqual([]);
  });

  test('refuses the internet -> app tier over IPv6, accepts it to the public tier', () => {
    expect(codes(peers('::/0'), workload(Tier.APP, 'a'), tcp(443), DUAL)).toEqual([ErrorCode.FLOW_INTERNET_TO_APP_TIER_OVER_IPV6]);
    expect(codes(peers('2001:db8::/32'), tier(Tier.APP), tcp(443), DUAL)).toEqual([ErrorCode.FLOW_INTERNET_TO_APP_TIER_OVER_IPV6]);
    expect(codes(peers('::/0'), workload(Tier.DATA, 'd'), tcp(5432), DUAL)).toEqual([ErrorCode.FLOW_INTERNET_TO_DATA_TIER]);
    expect(codes(peers('::/0'), workload(Tier.PUBLIC, 'lb'), tcp(443), DUAL)).toEqual([]);
  });

  test('without NAT gateways only the IPv4 half of app -> internet is refused', () => {
    const noNat = { ...DUAL, natGateway: false };
    expect(flowProblems(workload(Tier.APP, 'a'), peers('0.0.0.0/0', '::/0'), tcp(443), noNat).map((p) => p.code)).toEqual([ErrorCode.FLOW_NO_NAT_GATEWAY]);
    expect(flowProblems(workload(Tier.APP, 'a'), peers('::/0'), tcp(443), noNat)).toEqual([]);
  });

  test('IPv6 peers: refused in an IPv4-only VPC and when malformed', () => {
    expect(peerCidrProblem(['::/0'], NET.vpcBlocks, 'cidrs')?.problem).toBe('is IPv6, but this VPC is not dual stack');
    expect(peerCidrProblem(['::/0'], DUAL.vpcBlocks, 'cidrs')).toBeUndefined();
    for (const bad of ['2001:db8::1/32', '2001:db8:::/48', '2001:db8::/129']) {
      expect(peerCidrProblem([bad], DUAL.vpcBlocks, 'cidrs')?.problem).toBe('must be an IPv6 CIDR block whose address is its network address');
    }
  });
});
