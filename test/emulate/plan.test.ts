import { naclTrap, natPath, nlbClientIp, sgReferencing } from './hand-made';
import { internetAddresses, planEmulation } from '../../src/emulate/plan';
import { topologyFromTemplates } from '../../src/emulate/topology-from-templates';

describe('topologyFromTemplates', () => {
  test('a regional NAT gateway (no subnet) is not built: the routes to it are dropped with the reason', () => {
    const t = natPath([[100, 'in', 'tcp', 1024, 65535, '0.0.0.0/0']]);
    for (const id of ['NatA', 'NatB']) t.Resources[id].Properties = { AvailabilityMode: 'regional', VpcId: { Ref: 'Vpc' } };
    const topo = topologyFromTemplates({ S: t });
    expect(topo.nats).toEqual([]);
    expect(topo.subnets.find((s) => s.name === 'PrivateA')!.routes).toEqual([expect.objectContaining({
      target: 'other',
      notEmulated: expect.stringMatching(/is a regional NAT gateway \(in no subnet\), which the emulation does not build/),
    })]);
  });

  test('reads subnets, routes, NACLs, nodes and the flows recorded on the VPC', () => {
    const topo = topologyFromTemplates({ S: natPath([[100, 'in', 'tcp', 1024, 65535, '0.0.0.0/0']]) });
    expect(topo.vpcs.map((v) => v.cidrs.map((c) => c.cidr))).toEqual([['10.0.0.0/16']]);
    const privateA = topo.subnets.find((s) => s.name === 'PrivateA')!;
    expect(privateA.routes).toEqual([expect.objectContaining({ target: 'nat', dest: expect.objectContaining({ cidr: '0.0.0.0/0' }) })]);
    expect(topo.nats.map((n) => n.name).sort()).toEqual(['NatA', 'NatB']);
    expect(topo.nodes.map((n) => [n.name, n.kind, n.clientRange.from])).toEqual([['App', 'EC2 instance', 32768]]);
    expect(topo.flows).toEqual([expect.objectContaining({
      from: expect.objectContaining({ kind: 'nodes', nodes: [topo.nodes[0].id] }),
      to: expect.objectContaining({ kind: 'internet' }),
      protocol: 6,
      fromPort: 443,
      toPort: 443,
      relayed: false,
    })]);
  });

  test('a subnet without an association uses the VPC\'s default NACL (allow all both ways)', () => {
    const topo = topologyFromTemplates({ S: sgReferencing() });
    const isolated = topo.subnets.find((s) => s.name === 'IsolatedA')!;
    const acl = topo.nacls.find((n) => n.id === isolated.nacl)!;
    expect(acl.entries.map((e) => [e.ruleNumber, e.egress, e.allow, e.cidr.cidr])).toEqual([[100, true, true, '0.0.0.0/0'], [100, false, true, '0.0.0.0/0']]);
  });

  test('a network load balancer\'s listener, its targets, and client IP preservation (on for instance targets)', () => {
    const topo = topologyFromTemplates({ S: nlbClientIp('203.0.113.0/24', '203.0.113.0/24') });
    const nlb = topo.nodes.find((n) => n.name === 'Nlb')!;
    const broker = topo.nodes.find((n) => n.name === 'Broker')!;
    expect(nlb.listeners).toEqual([{ protocol: 6, port: 9092, targets: [{ node: broker.id, port: 9092 }], preserveClientIp: true }]);
  });

  test('client IP preservation off: an explicit target group attribute wins over the default', () => {
    const t = nlbClientIp('203.0.113.0/24', '203.0.113.0/24');
    t.Resources.Tg.Properties.TargetGroupAttributes = [{ Key: 'preserve_client_ip.enabled', Value: 'false' }];
    const nlb = topologyFromTemplates({ S: t }).nodes.find((n) => n.name === 'Nlb')!;
    expect(nlb.listeners![0].preserveClientIp).toBe(false);
  });

  test('a flow end the templates don\'t hold is kept as unknown with the reason, not guessed', () => {
    const t = naclTrap([]);
    t.Resources.Vpc.Metadata['cdk-network-patterns:flows'][0].toPath = 'Nowhere';
    const topo = topologyFromTemplates({ S: t });
    expect(topo.flows[0].to).toEqual(expect.objectContaining({ kind: 'unknown', reason: expect.stringMatching(/Nowhere/) }));
  });

  test('a dual-stack internet end is probed over its IPv4 CIDRs; an IPv6-only one is reported as not emulated', () => {
    const dual = natPath([[100, 'in', 'tcp', 1024, 65535, '0.0.0.0/0']]);
    dual.Resources.Vpc.Metadata['cdk-network-patterns:flows'][0].internetCidrs = ['0.0.0.0/0', '::/0'];
    expect(topologyFromTemplates({ S: dual }).flows[0].to).toEqual(expect.objectContaining({
      kind: 'internet', cidrs: [expect.objectContaining({ cidr: '0.0.0.0/0' })],
    }));
    const v6 = natPath([[100, 'in', 'tcp', 1024, 65535, '0.0.0.0/0']]);
    v6.Resources.Vpc.Metadata['cdk-network-patterns:flows'][0].internetCidrs = ['::/0'];
    expect(topologyFromTemplates({ S: v6 }).flows[0].to).toEqual(expect.objectContaining({
      kind: 'unknown', reason: expect.stringMatching(/IPv6 only \(::\/0\), and the emulation carries IPv4 only/),
    }));
  });
});

describe('planEmulation', () => {
  const topo = topologyFromTemplates({ S: nlbClientIp('203.0.113.0/24', '203.0.113.0/24') });
  const plan = planEmulation(topo, 'cnpetest');

  test('every namespace carries the prefix, every interface name starts with cnpe and fits 15 characters', () => {
    expect(plan.namespaces.every((n) => n.name.startsWith('cnpetest-'))).toBe(true);
    const names = plan.namespaces.flatMap((n) => n.ip).flatMap((l) => [...l.matchAll(/(?:link add|name|dev|master) (\S+)/g)].map((m) => m[1]));
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) {
      expect(n).toMatch(/^(cnpe|lo$)/);
      expect(n.length).toBeLessThanOrEqual(15);
    }
  });

  test('ENIs take addresses after the four AWS reserves; the VPC router is the subnet\'s first address + 1', () => {
    const broker = plan.enis.find((e) => e.node.name === 'Broker')!;
    expect(broker.addr).toBe('10.0.10.4');
    const ns = plan.namespaces.find((n) => n.name === broker.ns)!;
    expect(ns.ip).toContain('route add default via 10.0.10.1');
  });

  test('public nodes get a test address that lives only in the namespaces, mapped 1:1 at the internet gateway', () => {
    const nlb = plan.enis.filter((e) => e.node.name === 'Nlb');
    expect(nlb.map((e) => e.publicAddr)).toEqual(['198.18.0.1', '198.18.0.2']);
    const router = plan.namespaces.find((n) => n.role === 'router')!;
    expect(router.nft).toContain(`198.18.0.1 : ${nlb[0].addr}`);
    expect(router.nft).toMatch(/oifname "cnpeigw" ip saddr != \{ [^}]*\} drop/);
  });

  test('route tables become one routing table per subnet, chosen by the bridge the packet comes from', () => {
    const router = plan.namespaces.find((n) => n.role === 'router')!;
    expect(router.ip.filter((l) => l.startsWith('rule add iif'))).toHaveLength(topo.subnets.length);
    expect(router.ip.some((l) => /^route add 0\.0\.0\.0\/0 via 100\.64\.0\.2 dev cnpeigw table \d+$/.test(l))).toBe(true);
  });

  test('NACLs are jumped to on the router\'s forward path, both ways, for every subnet', () => {
    const router = plan.namespaces.find((n) => n.role === 'router')!;
    for (let i = 0; i < topo.subnets.length; i++) {
      expect(router.nft).toMatch(new RegExp(`iifname "cnpeb${i}" jump acl\\d+out`));
      expect(router.nft).toMatch(new RegExp(`oifname "cnpeb${i}" jump acl\\d+in`));
    }
  });

  test('the load balancer that passes clients through forwards, and its replies are routed back to it', () => {
    const nlb = plan.enis.find((e) => e.node.name === 'Nlb')!;
    expect(plan.namespaces.find((n) => n.name === nlb.ns)!.sysctl).toContain('net.ipv4.ip_forward=1');
    const router = plan.namespaces.find((n) => n.role === 'router')!;
    expect(router.ip).toContain(`route add default via ${nlb.addr} dev cnpeb${topo.subnets.findIndex((s) => s.id === nlb.subnet.id)} table ${5000 + nlb.index}`);
    expect(router.nft).toContain(`ct state new ether saddr ${nlb.mac} ct mark set ${nlb.index + 1}`);
  });
});

describe('internetAddresses', () => {
  const vpc = [{ cidr: '10.0.0.0/16', first: 0x0a000000, last: 0x0a00ffff, prefix: 16 }];
  test('the whole internet: TEST-NET-2 addresses', () => {
    expect(internetAddresses({ cidr: '0.0.0.0/0', first: 0, last: 2 ** 32 - 1, prefix: 0 }, vpc)).toEqual({ client: '198.51.100.10', server: '198.51.100.80' });
  });
  test('a partner CIDR: addresses inside it', () => {
    expect(internetAddresses({ cidr: '203.0.113.0/24', first: 0xcb007100, last: 0xcb0071ff, prefix: 24 }, vpc)).toEqual({ client: '203.0.113.10', server: '203.0.113.80' });
  });
  test('a CIDR inside the VPC has no internet address', () => {
    expect(internetAddresses({ cidr: '10.0.1.0/24', first: 0x0a000100, last: 0x0a0001ff, prefix: 24 }, vpc)).toBeUndefined();
  });
});
