import { naclChainRules, protoMatch, securityGroupTable } from '../../src/emulate/nft';
import { EmuNacl } from '../../src/emulate/topology';

const cidr = (c: string, first: number, last: number, prefix: number) => ({ cidr: c, first, last, prefix });
const ANY = cidr('0.0.0.0/0', 0, 2 ** 32 - 1, 0);
const APP = cidr('10.0.64.0/18', 0x0a004000, 0x0a007fff, 18);

describe('protoMatch', () => {
  test.each([
    [6, 443, 443, 'meta l4proto tcp th dport 443'],
    [17, 1024, 65535, 'meta l4proto udp th dport 1024-65535'],
    [6, 0, 65535, 'meta l4proto tcp'],
    [-1, 0, 65535, ''],
    [1, 0, 65535, 'meta l4proto 1'],
  ])('protocol %d ports %d-%d', (p, a, b, expected) => {
    expect(protoMatch(p, a, b)).toBe(expected);
  });
});

describe('naclChainRules', () => {
  const acl: EmuNacl = {
    id: 'acl',
    name: 'Net/AppAcl',
    entries: [
      { ruleNumber: 100, egress: false, protocol: 6, p0: 8080, p1: 8080, cidr: APP, allow: true },
      { ruleNumber: 90, egress: true, protocol: 6, p0: 22, p1: 22, cidr: ANY, allow: false },
      { ruleNumber: 110, egress: true, protocol: 6, p0: 1024, p1: 65535, cidr: APP, allow: true },
    ],
  };

  test('inbound: the peer is the source, allow returns to the forward chain, and the implicit deny ends the chain', () => {
    expect(naclChainRules(acl, false)).toEqual([
      'ip saddr 10.0.64.0/18 meta l4proto tcp th dport 8080 return comment "rule 100"',
      'drop comment "rule * (implicit deny)"',
    ]);
  });

  test('outbound: the peer is the destination, a deny drops, entries stay in rule-number order', () => {
    expect(naclChainRules(acl, true)).toEqual([
      'meta l4proto tcp th dport 22 drop comment "rule 90"',
      'ip daddr 10.0.64.0/18 meta l4proto tcp th dport 1024-65535 return comment "rule 110"',
      'drop comment "rule * (implicit deny)"',
    ]);
  });
});

describe('securityGroupTable', () => {
  test('stateful: established traffic passes both ways, rules are a union, a group reference is its members\' addresses', () => {
    const text = securityGroupTable({
      ingress: [{ protocol: 6, p0: 5432, p1: 5432, group: 'AppSg' }, { protocol: 6, p0: 443, p1: 443, cidr: ANY }],
      egress: [{ protocol: 6, p0: 443, p1: 443, cidr: ANY }],
      members: new Map([['AppSg', ['10.0.64.4', '10.0.80.4']]]),
    });
    expect(text).toContain('ct state established,related accept');
    expect(text).toContain('ip saddr { 10.0.64.4, 10.0.80.4 } meta l4proto tcp th dport 5432 accept');
    expect(text).toContain('    meta l4proto tcp th dport 443 accept');
    expect(text).toMatch(/chain sg_in \{\n\s+type filter hook input priority 0; policy drop;/);
    expect(text).toMatch(/chain sg_out \{\n\s+type filter hook output priority 0; policy drop;/);
  });

  test('a group with no egress rule keeps EC2\'s default allow-all outbound rule', () => {
    expect(securityGroupTable({ ingress: [], egress: undefined, members: new Map() })).toMatch(/chain sg_out \{[^}]*\n\s+accept\n/);
  });

  test('a reference to a group no ENI carries admits nothing (no rule)', () => {
    const text = securityGroupTable({ ingress: [{ protocol: 6, p0: 5432, p1: 5432, group: 'Nobody' }], egress: [], members: new Map() });
    expect(text).not.toContain('5432');
  });

  test('a load balancer that passes clients through tags them, and targets referencing its group admit the tag', () => {
    const partner = cidr('203.0.113.0/24', 0xcb007100, 0xcb0071ff, 24);
    const lb = securityGroupTable({
      ingress: [{ protocol: 6, p0: 9092, p1: 9092, cidr: partner }], egress: [], members: new Map(), forward: true, tag: 3,
    });
    // The client's original address and the listener port (before DNAT) meet the ingress rules.
    expect(lb).toContain('ct original ip saddr 203.0.113.0/24 meta l4proto tcp ct original proto-dst 9092 jump sg_forward_egress');
    expect(lb).toContain('ct status dnat ip dscp set 3');
    const target = securityGroupTable({ ingress: [{ protocol: 6, p0: 9092, p1: 9092, group: 'NlbSg' }], egress: [], members: new Map(), tags: new Map([['NlbSg', [3]]]) });
    expect(target).toContain('ip dscp { 3 } meta l4proto tcp th dport 9092 accept');
  });
});
