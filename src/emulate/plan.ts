/**
 * The emulation plan: which namespaces, interfaces, addresses, routes and nftables rule sets
 * rebuild an `EmuTopology` on one Linux host. Pure: it renders `ip -batch` and `nft -f` text and
 * never touches the host (`netns.ts` applies it).
 *
 * - one router namespace per VPC, holding a bridge per subnet with the VPC router's address
 *   (the subnet's first address + 1), the NACLs as stateless chains on its forward path, and the
 *   route tables as policy routing (one table per subnet, chosen by the incoming bridge);
 * - one namespace per ENI (a node in each of its subnets) with the next free address of the
 *   subnet (AWS reserves the first four) and its security groups as a stateful table;
 * - one namespace per NAT gateway, masquerading to source ports 1024-65535;
 * - one internet namespace behind each VPC's internet gateway link, where public addresses are
 *   mapped 1:1 to private ones, holding the internet clients' and servers' test addresses.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html
 */
import { naclChainRules, securityGroupTable } from './nft';
import { Cidr, EmuNode, EmuSubnet, EmuTopology } from './topology';

/** Public-looking test addresses: 198.18.0.0/15 (RFC 2544 benchmarking) never leaves the emulation's namespaces. */
const PUBLIC_POOL = ipToInt('198.18.0.1');

export interface Eni {
  readonly index: number;
  readonly node: EmuNode;
  readonly subnet: EmuSubnet;
  readonly ns: string;
  readonly addr: string;
  readonly mac: string;
  /** The 1:1 public address, for nodes with a public IP. */
  readonly publicAddr?: string;
}

export interface NatPlan {
  readonly id: string;
  readonly name: string;
  readonly ns: string;
  readonly addr: string;
  readonly publicAddr: string;
  readonly subnet: EmuSubnet;
  readonly mac: string;
}

export interface NamespacePlan {
  readonly name: string;
  readonly role: 'router' | 'eni' | 'nat' | 'internet';
  /** `ip -n <ns> -batch -` lines, applied after every namespace exists. */
  readonly ip: string[];
  /** sysctl settings (`key=value`, dotted keys naming no interface: the agent writes them under /proc/sys/, skipping keys this kernel lacks). */
  readonly sysctl: string[];
  /** `nft -f -` text. */
  readonly nft: string;
}

export interface EmulationPlan {
  readonly prefix: string;
  readonly namespaces: NamespacePlan[];
  readonly enis: Eni[];
  readonly nats: NatPlan[];
  readonly internetNs: string;
  /** Internet addresses used, by the CIDR they stand for. */
  readonly internetAddrs: Map<string, { client: string; server: string }>;
  /** What could not be emulated. */
  readonly skipped: string[];
}

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/**
 * Two addresses (client, server) standing for the internet peers of `cidr`: TEST-NET-2 for
 * `0.0.0.0/0`, else addresses inside the CIDR, outside every VPC.
 */
export function internetAddresses(cidr: Cidr, vpcCidrs: Cidr[]): { client: string; server: string } | undefined {
  const inside = (n: number) => vpcCidrs.some((v) => v.first <= n && n <= v.last);
  // Internet peers for 0.0.0.0/0: TEST-NET-2 (RFC 5737).
  const pool = cidr.prefix === 0 ? { first: ipToInt('198.51.100.0'), last: ipToInt('198.51.100.255') } : cidr;
  const picks: number[] = [];
  const size = pool.last - pool.first + 1;
  for (const off of size > 4 ? [10, 80, 1, 2, 3] : [0, 1, 2, 3]) {
    const n = pool.first + off;
    if (n <= pool.last && !inside(n) && !picks.includes(n)) picks.push(n);
    if (picks.length === 2) break;
  }
  if (picks.length === 0) return undefined;
  return { client: intToIp(picks[0]), server: intToIp(picks[picks.length - 1]) };
}

/** A MAC address that names an ENI (locally administered). */
function macOf(kind: number, i: number): string {
  const byte = (n: number) => (Math.floor(n) % 256).toString(16).padStart(2, '0');
  return ['02', 'cf', byte(kind), byte(i / 65536), byte(i / 256), byte(i)].join(':');
}

/**
 * Plans the emulation of `topo`. Namespace names start with `prefix` (which starts with `cnpe`);
 * every interface is named `cnpe...` (at most 15 characters).
 */
export function planEmulation(topo: EmuTopology, prefix: string): EmulationPlan {
  const skipped: string[] = [];
  const subnetIndex = new Map(topo.subnets.map((s, i) => [s.id, i]));
  const naclIndex = new Map(topo.nacls.map((n, i) => [n.id, i]));
  const vpcIndex = new Map(topo.vpcs.map((v, i) => [v.id, i]));
  const internetNs = `${prefix}-i`;
  const routerNs = (vpc: string) => `${prefix}-r${vpcIndex.get(vpc)}`;
  const nextHost = new Map<string, number>(topo.subnets.map((s) => [s.id, s.cidr.first + 4]));
  let nextPublic = PUBLIC_POOL;
  const take = (s: EmuSubnet): string | undefined => {
    const n = nextHost.get(s.id)!;
    if (n > s.cidr.last - 1) return undefined;
    nextHost.set(s.id, n + 1);
    return intToIp(n);
  };

  const bridgeMac = (s: EmuSubnet) => macOf(3, subnetIndex.get(s.id)!);
  const enis: Eni[] = [];
  for (const node of topo.nodes) {
    for (const sid of node.subnets) {
      const subnet = topo.subnets[subnetIndex.get(sid)!];
      const addr = take(subnet);
      if (!addr) {
        skipped.push(`${node.name} in ${subnet.name}: the subnet has no free address left for it`);
        continue;
      }
      const index = enis.length;
      enis.push({ index, node, subnet, ns: `${prefix}-e${index}`, addr, mac: macOf(1, index), publicAddr: node.publicIp ? intToIp(nextPublic++) : undefined });
    }
  }
  const nats: NatPlan[] = [];
  for (const nat of topo.nats) {
    const subnet = topo.subnets[subnetIndex.get(nat.subnet)!];
    const addr = take(subnet);
    if (!addr) continue;
    nats.push({ id: nat.id, name: nat.name, ns: `${prefix}-n${nats.length}`, addr, publicAddr: intToIp(nextPublic++), subnet, mac: macOf(2, nats.length) });
  }

  const allVpcCidrs = topo.vpcs.flatMap((v) => v.cidrs);
  const internetAddrs = new Map<string, { client: string; server: string }>();
  const cidrs: Cidr[] = [{ cidr: '0.0.0.0/0', first: 0, last: 2 ** 32 - 1, prefix: 0 }];
  for (const f of topo.flows) for (const e of [f.from, f.to]) if (e.kind === 'internet') cidrs.push(...e.cidrs);
  for (const c of cidrs) {
    if (internetAddrs.has(c.cidr)) continue;
    const a = internetAddresses(c, allVpcCidrs);
    if (a) internetAddrs.set(c.cidr, a);
    else skipped.push(`internet ${c.cidr}: no address of it lies outside the VPCs`);
  }

  const namespaces: NamespacePlan[] = [];
  // The internet.
  const inetIp: string[] = ['link set lo up'];
  const inetAddrs = new Set<string>();
  for (const a of internetAddrs.values()) for (const x of [a.client, a.server]) inetAddrs.add(x);
  for (const x of inetAddrs) inetIp.push(`addr add ${x}/32 dev lo`);

  for (const vpc of topo.vpcs) {
    const v = vpcIndex.get(vpc.id)!;
    const r = routerNs(vpc.id);
    const ip: string[] = ['link set lo up'];
    const subnets = topo.subnets.filter((s) => s.vpc === vpc.id);
    const igwLocal = `100.64.${v}.1`;
    const igwPeer = `100.64.${v}.2`;
    // Every MAC address is fixed and every neighbour entry static: no ARP, so a burst of first
    // packets is never dropped while a neighbour is being resolved.
    ip.push(`link add cnpeigw address ${macOf(4, v)} type veth peer name cnpev${v} address ${macOf(5, v)} netns ${internetNs}`,
      `addr add ${igwLocal}/30 dev cnpeigw`, 'link set cnpeigw up', `neigh replace ${igwPeer} lladdr ${macOf(5, v)} dev cnpeigw nud permanent`);
    inetIp.push(`addr add ${igwPeer}/30 dev cnpev${v}`, `link set cnpev${v} up`, `neigh replace ${igwLocal} lladdr ${macOf(4, v)} dev cnpev${v} nud permanent`);
    for (const s of subnets) {
      const b = `cnpeb${subnetIndex.get(s.id)}`;
      ip.push(`link add ${b} address ${bridgeMac(s)} type bridge`, `addr add ${intToIp(s.cidr.first + 1)}/${s.cidr.prefix} dev ${b}`, `link set ${b} up`);
    }
    const vpcEnis = enis.filter((e) => e.subnet.vpc === vpc.id);
    const vpcNats = nats.filter((n) => n.subnet.vpc === vpc.id);
    const ports: Array<{ ns: string; mac: string; subnet: EmuSubnet }> = [
      ...vpcEnis.map((e) => ({ ns: e.ns, mac: e.mac, subnet: e.subnet })),
      ...vpcNats.map((n) => ({ ns: n.ns, mac: n.mac, subnet: n.subnet })),
    ];
    for (const x of [...vpcEnis, ...vpcNats]) ip.push(`neigh replace ${x.addr} lladdr ${x.mac} dev cnpeb${subnetIndex.get(x.subnet.id)} nud permanent`);
    ports.forEach((p, i) => {
      const port = `cnpep${i}`;
      ip.push(`link add ${port} type veth peer name cnpe0 address ${p.mac} netns ${p.ns}`,
        `link set ${port} master cnpeb${subnetIndex.get(p.subnet.id)}`, `link set ${port} up`);
    });
    // Route tables: one routing table per subnet, chosen by the bridge the packet comes in on.
    for (const s of subnets) {
      const si = subnetIndex.get(s.id)!;
      const table = 100 + si;
      for (const o of subnets) ip.push(`route add ${o.cidr.cidr} dev cnpeb${subnetIndex.get(o.id)} table ${table}`);
      for (const route of s.routes) {
        if (route.target === 'igw') {ip.push(`route add ${route.dest.cidr} via ${igwPeer} dev cnpeigw table ${table}`);} else if (route.target === 'nat' && nats.find((n) => n.id === route.nat)) {
          const nat = nats.find((n) => n.id === route.nat)!;
          if (nat.subnet.vpc === vpc.id) ip.push(`route add ${route.dest.cidr} via ${nat.addr} dev cnpeb${subnetIndex.get(nat.subnet.id)} table ${table}`);
          else ip.push(`route add blackhole ${route.dest.cidr} table ${table}`);
        } else {
          ip.push(`route add blackhole ${route.dest.cidr} table ${table}`);
          skipped.push(`subnet ${s.name}: route ${route.text} is not emulated (dropped)`);
        }
      }
      ip.push(`rule add iif cnpeb${si} lookup ${table} pref ${1000 + si}`);
    }
    // Replies of connections a load balancer passed through by DNAT go back through it.
    const passThrough = vpcEnis.filter((e) => e.node.listeners?.some((l) => l.preserveClientIp));
    for (const e of passThrough) {
      const mark = e.index + 1;
      ip.push(`rule add fwmark ${mark} lookup ${5000 + e.index} pref 900`,
        `route add default via ${e.addr} dev cnpeb${subnetIndex.get(e.subnet.id)} table ${5000 + e.index}`);
    }
    // Public addresses seen from the internet.
    const publics = [...vpcEnis.filter((e) => e.publicAddr).map((e) => ({ priv: e.addr, pub: e.publicAddr! })),
      ...vpcNats.map((n) => ({ priv: n.addr, pub: n.publicAddr }))];
    for (const p of publics) inetIp.push(`route add ${p.pub}/32 via ${igwLocal} dev cnpev${v}`);

    const acls = new Set(subnets.map((s) => s.nacl));
    const nft: string[] = ['table inet cnpeacl {'];
    for (const id of acls) {
      const acl = topo.nacls[naclIndex.get(id)!];
      const n = naclIndex.get(id)!;
      nft.push(`  chain acl${n}in {`, `    comment "NACL ${esc(acl.name)} inbound"`, ...naclChainRules(acl, false).map((x) => `    ${x}`), '  }');
      nft.push(`  chain acl${n}out {`, `    comment "NACL ${esc(acl.name)} outbound"`, ...naclChainRules(acl, true).map((x) => `    ${x}`), '  }');
    }
    nft.push('  chain acl_forward {', '    type filter hook forward priority 0; policy accept;');
    for (const s of subnets) nft.push(`    iifname "cnpeb${subnetIndex.get(s.id)}" jump acl${naclIndex.get(s.nacl)}out`);
    for (const s of subnets) nft.push(`    oifname "cnpeb${subnetIndex.get(s.id)}" jump acl${naclIndex.get(s.nacl)}in`);
    // An internet gateway drops traffic from addresses that have no public IP.
    nft.push(publics.length > 0 ? `    oifname "cnpeigw" ip saddr != { ${publics.map((p) => p.priv).join(', ')} } drop` : '    oifname "cnpeigw" drop');
    nft.push('    iifname "cnpeigw" oifname "cnpeigw" drop', '  }');
    nft.push('  chain lb_return_mark {', '    type filter hook prerouting priority -150; policy accept;', '    ct direction reply meta mark set ct mark');
    for (const e of passThrough) nft.push(`    ct state new ether saddr ${e.mac} ct mark set ${e.index + 1}`);
    nft.push('  }', '}');
    if (publics.length > 0) {
      nft.push('table ip cnpenat {',
        '  chain pre {', '    type nat hook prerouting priority -100; policy accept;',
        `    iifname "cnpeigw" dnat to ip daddr map { ${publics.map((p) => `${p.pub} : ${p.priv}`).join(', ')} }`, '  }',
        '  chain post {', '    type nat hook postrouting priority 100; policy accept;',
        `    oifname "cnpeigw" snat to ip saddr map { ${publics.map((p) => `${p.priv} : ${p.pub}`).join(', ')} }`, '  }', '}');
    }
    namespaces.push({ name: r, role: 'router', ip, sysctl: [...ROUTER_SYSCTL], nft: nft.join('\n') + '\n' });
  }

  /** Static neighbour entries of an interface in `subnet`: its router and every other interface of the subnet. */
  const neighbours = (subnet: EmuSubnet, self: string, gw: string, gwMac: string) => [
    `neigh replace ${gw} lladdr ${gwMac} dev cnpe0 nud permanent`,
    ...[...enis, ...nats].filter((x) => x.subnet.id === subnet.id && x.addr !== self).map((x) => `neigh replace ${x.addr} lladdr ${x.mac} dev cnpe0 nud permanent`),
  ];
  // ENIs: the address, the default route via the VPC router, and the security groups.
  const members = new Map<string, string[]>();
  for (const e of enis) for (const g of e.node.securityGroups ?? []) members.set(g, [...(members.get(g) ?? []), e.addr]);
  const groups = new Map(topo.securityGroups.map((g) => [g.id, g]));
  // Load balancers with security groups that pass clients through: targets referencing their
  // groups admit what they pass (AWS evaluates the reference against the load balancer, not the client).
  const tagOf = new Map<string, number>();
  const tags = new Map<string, number[]>();
  for (const n of topo.nodes) {
    if (!n.listeners?.some((l) => l.preserveClientIp) || !n.securityGroups?.length) continue;
    const tag = (tagOf.size % 62) + 1;
    tagOf.set(n.id, tag);
    for (const g of n.securityGroups) tags.set(g, [...new Set([...(tags.get(g) ?? []), tag])]);
  }
  for (const e of enis) {
    const gw = intToIp(e.subnet.cidr.first + 1);
    const ip = ['link set lo up', `addr add ${e.addr}/${e.subnet.cidr.prefix} dev cnpe0`, 'link set cnpe0 up', `route add default via ${gw}`,
      ...neighbours(e.subnet, e.addr, gw, bridgeMac(e.subnet))];
    let nft = '';
    if (e.node.securityGroups !== undefined) {
      const gs = e.node.securityGroups.map((k) => groups.get(k)).filter((g) => g !== undefined);
      const anyAllOut = gs.length === 0 ? false : gs.some((g) => g!.egress === undefined);
      nft = securityGroupTable({
        ingress: gs.flatMap((g) => g!.ingress),
        egress: anyAllOut ? undefined : gs.flatMap((g) => g!.egress ?? []),
        members,
        tags,
        forward: e.node.listeners?.some((l) => l.preserveClientIp),
        tag: tagOf.get(e.node.id),
      });
    }
    const forwarding = e.node.listeners?.some((l) => l.preserveClientIp) ? [...ENI_SYSCTL, 'net.ipv4.ip_forward=1'] : [];
    namespaces.push({ name: e.ns, role: 'eni', ip, sysctl: forwarding, nft });
  }
  for (const n of nats) {
    const gw = intToIp(n.subnet.cidr.first + 1);
    namespaces.push({
      name: n.ns,
      role: 'nat',
      ip: ['link set lo up', `addr add ${n.addr}/${n.subnet.cidr.prefix} dev cnpe0`, 'link set cnpe0 up', `route add default via ${gw}`,
        ...neighbours(n.subnet, n.addr, gw, bridgeMac(n.subnet))],
      sysctl: [...ENI_SYSCTL, 'net.ipv4.ip_forward=1'],
      // A NAT gateway translates to its own address and to source ports 1024-65535.
      // The probes pick the translated port of each client address and port (tcpports, udpports).
      nft: ['table ip cnpenat {',
        '  map tcpports { type ipv4_addr . inet_service : ipv4_addr . inet_service; }',
        '  map udpports { type ipv4_addr . inet_service : ipv4_addr . inet_service; }',
        '  chain post {', '    type nat hook postrouting priority 100; policy accept;',
        `    oifname "cnpe0" ip saddr != ${n.addr} meta l4proto tcp snat ip to ip saddr . tcp sport map @tcpports`,
        `    oifname "cnpe0" ip saddr != ${n.addr} meta l4proto udp snat ip to ip saddr . udp sport map @udpports`,
        `    oifname "cnpe0" ip saddr != ${n.addr} meta l4proto tcp masquerade to :1024-65535`,
        `    oifname "cnpe0" ip saddr != ${n.addr} meta l4proto udp masquerade to :1024-65535`,
        `    oifname "cnpe0" ip saddr != ${n.addr} masquerade`, '  }', '}'].join('\n') + '\n',
    });
  }
  namespaces.push({ name: internetNs, role: 'internet', ip: inetIp, sysctl: [], nft: '' });
  return { prefix, namespaces, enis, nats, internetNs, internetAddrs, skipped };
}

/**
 * Settings of namespaces that forward. A new namespace starts from the kernel's defaults (no
 * reverse-path filter, no forwarding), which is what hosts that only send and receive need;
 * `netns.ts` applies these to every namespace when the host makes new namespaces inherit its own.
 */
export const ENI_SYSCTL = ['net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0', 'net.ipv4.conf.all.send_redirects=0',
  'net.ipv4.conf.default.send_redirects=0'];
// Bridged traffic inside one subnet never meets a NACL: keep it away from the IP hooks.
const ROUTER_SYSCTL = [...ENI_SYSCTL, 'net.ipv4.ip_forward=1', 'net.bridge.bridge-nf-call-iptables=0'];

function esc(s: string): string {
  return s.replace(/"/g, '\'');
}
