import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import {
  EphemeralRange, FlowEndpoint, NatGatewayMode, OpeningStatus, ReachabilityAnalyzer, Tier, TieredVpc, Verdict,
} from '../../src';
import { testStack } from '../util';

const CASES_PER_STACK = 4;
/** Apps built for speed: no construct stack traces, tree metadata, asset staging or version reporting (none matter to the analyzer). */
const FAST_APP = {
  analyticsReporting: false,
  treeMetadata: false,
  context: {
    'aws:cdk:disable-stack-trace': true, 'aws:cdk:disable-creation-stack-traces': true, 'aws:cdk:disable-asset-staging': true,
  },
};

/**
 * Property: for random flow declarations made through the real flow API of a TieredVpc, the
 * analyzer finds every declared flow reachable and no live undeclared opening between any two
 * ends (every node, every tier, the internet).
 *
 * Workloads are small L1 fixtures, cheap to synthesize, each with its own security group
 * (allowAllOutbound: false):
 *   - eni:    one ENI in every subnet of its tier (multi-AZ: every subnet pair must pass)
 *   - lambda: a Lambda function in the app tier (client only, LAMBDA ephemeral range)
 *   - nlb:    an internet-facing NLB with a security group in the public tier, with a
 *             listener for each internet flow to it (client of its targets, ELB range)
 */
type Kind = 'public-eni' | 'app-eni' | 'data-eni' | 'lambda' | 'nlb';

class Workload extends Construct implements ec2.IConnectable {
  public readonly connections: ec2.Connections;
  public readonly tier: Tier;
  private readonly lb?: elbv2.CfnLoadBalancer;

  constructor(scope: Construct, id: string, net: TieredVpc, public readonly kind: Kind) {
    super(scope, id);
    this.tier = kind === 'nlb' || kind === 'public-eni' ? Tier.PUBLIC : kind === 'data-eni' ? Tier.DATA : Tier.APP;
    const sg = new ec2.SecurityGroup(this, 'Sg', { vpc: net.vpc, allowAllOutbound: false });
    this.connections = new ec2.Connections({ securityGroups: [sg] });
    const subnets = net.selectTierSubnets(this.tier).subnetIds;
    if (kind === 'lambda') {
      new lambda.CfnFunction(this, 'Fn', {
        code: { zipFile: 'x' },
        handler: 'index.handler',
        runtime: 'nodejs20.x',
        role: 'arn:aws:iam::123456789012:role/fn',
        vpcConfig: { subnetIds: subnets, securityGroupIds: [sg.securityGroupId] },
      });
    } else if (kind === 'nlb') {
      this.lb = new elbv2.CfnLoadBalancer(this, 'Nlb', { type: 'network', scheme: 'internet-facing', subnets, securityGroups: [sg.securityGroupId] });
    } else {
      subnets.forEach((subnetId, i) => new ec2.CfnNetworkInterface(this, `Eni${i}`, { subnetId, groupSet: [sg.securityGroupId] }));
    }
  }

  /** The ephemeral range this workload uses as a client. */
  public get ephemeralRange(): EphemeralRange {
    return this.kind === 'lambda' ? EphemeralRange.LAMBDA : this.kind === 'nlb' ? EphemeralRange.ELB : EphemeralRange.ANY_CLIENT;
  }

  public listen(protocol: string, port: number): void {
    new elbv2.CfnListener(this, `Listener${protocol}${port}`, {
      loadBalancerArn: this.lb!.ref,
      port,
      protocol: protocol.toUpperCase(),
      defaultActions: [{ type: 'forward', targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/0123456789abcdef' }],
    });
  }
}

interface FlowSpec {
  readonly kind: 'w2w' | 'inet2w' | 'w2inet' | 't2t';
  readonly a: number;
  readonly b: number;
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
  readonly width: number;
  readonly cidr: string;
}

const kinds: Kind[] = ['public-eni', 'app-eni', 'data-eni', 'lambda', 'nlb'];
const tiers: Tier[] = [Tier.PUBLIC, Tier.APP, Tier.DATA];

const caseArb = fc.record({
  nat: fc.constantFrom(NatGatewayMode.PER_AZ, NatGatewayMode.SINGLE),
  workloads: fc.array(fc.constantFrom(...kinds), { minLength: 2, maxLength: 4 }),
  flows: fc.array(fc.record({
    kind: fc.constantFrom('w2w', 'w2w', 'inet2w', 'w2inet', 't2t') as fc.Arbitrary<FlowSpec['kind']>,
    a: fc.nat({ max: 15 }),
    b: fc.nat({ max: 15 }),
    protocol: fc.constantFrom('tcp', 'tcp', 'udp') as fc.Arbitrary<'tcp' | 'udp'>,
    port: fc.integer({ min: 1, max: 65535 }),
    width: fc.constantFrom(0, 0, 0, 1, 20),
    cidr: fc.constantFrom('0.0.0.0/0', '203.0.113.0/24'),
  }), { minLength: 1, maxLength: 5 }),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

/** Declares the valid, routable flows of `c` on a fresh TieredVpc in `stack`. */
function build(stack: Stack, id: string, c: Case) {
  const net = new TieredVpc(stack, `Net${id}`, { availabilityZones: ['us-east-1a', 'us-east-1b'], natGatewayMode: c.nat, gatewayEndpoints: false });
  const ws = c.workloads.map((k, i) => new Workload(stack, `W${id}x${i}`, net, k));
  const listening = new Set<string>();
  for (const f of c.flows) {
    const a = ws[f.a % ws.length];
    const b = ws[f.b % ws.length];
    const to = Math.min(65535, f.port + f.width);
    const port = f.protocol === 'tcp' ? ec2.Port.tcpRange(f.port, to) : ec2.Port.udpRange(f.port, to);
    const single = f.protocol === 'tcp' ? ec2.Port.tcp(f.port) : ec2.Port.udp(f.port);
    const wl = (w: Workload) => FlowEndpoint.workload(w, { tier: w.tier, ephemeralRange: w.ephemeralRange });
    switch (f.kind) {
      case 'w2w':
        // Destinations that accept connections on any port: ENIs (an NLB needs listeners; a Lambda accepts none).
        if (a === b || !b.kind.endsWith('eni')) continue;
        net.addFlow(wl(a), wl(b), port);
        break;
      case 'inet2w': {
        // The internet reaches only a node with a public address in a public subnet: the NLB, on a listener port.
        if (b.kind !== 'nlb' || listening.has(`${f.port}`)) continue;
        const admin = f.protocol === 'tcp' && (f.port === 22 || f.port === 3389) && f.cidr === '0.0.0.0/0';
        if (admin) continue;
        b.listen(f.protocol, f.port);
        listening.add(`${f.port}`);
        net.addFlow(FlowEndpoint.internet({ cidrs: [f.cidr] }), wl(b), single);
        break;
      }
      case 'w2inet':
        // Out to the internet through the NAT gateways: app-tier clients only.
        if (a.kind !== 'app-eni' && a.kind !== 'lambda') continue;
        net.addFlow(wl(a), FlowEndpoint.internet({ cidrs: [f.cidr] }), port);
        break;
      case 't2t': {
        const ta = tiers[f.a % 3];
        const tb = tiers[f.b % 3];
        if (ta === tb) continue;
        net.addFlow(FlowEndpoint.tier(ta), FlowEndpoint.tier(tb), port);
        break;
      }
    }
  }
  return net;
}

describe('random flow declarations on a TieredVpc', () => {
  test('every declared flow is reachable and no undeclared opening is live (200 cases)', () => {
    let cases = 0;
    let flows = 0;
    let latent = 0;
    // Each run synthesizes one stack holding CASES_PER_STACK independent cases (one TieredVpc each):
    // 50 runs x 4 = 200 generated cases, for a quarter of the synthesis cost.
    fc.assert(fc.property(fc.array(caseArb, { minLength: CASES_PER_STACK, maxLength: CASES_PER_STACK }), (batch) => {
      const stack = new Stack(new App(FAST_APP), 'Test');
      const nets = batch.map((c, i) => build(stack, `${i}`, c));
      const analyzer = ReachabilityAnalyzer.fromStack(stack);
      batch.forEach((_c, i) => {
        cases++;
        for (const v of analyzer.checkDeclaredFlows(nets[i])) {
          flows++;
          if (v.answer.verdict !== Verdict.REACHABLE) {
            throw new Error(`declared flow ${v.flow.description} is ${v.answer.verdict}:\n${v.answer.reasons.join('\n')}`);
          }
        }
        for (const o of analyzer.undeclaredOpenings(nets[i])) {
          if (o.status === OpeningStatus.LATENT) latent++;
          else throw new Error(`undeclared ${o.from} -> ${o.to} ${o.protocol} ${o.fromPort}-${o.toPort} (${o.family}) is ${o.status}: ${o.admittedBy.join('; ')}`);
        }
      });
    }), { numRuns: 200 / CASES_PER_STACK, seed: 20240601 });
    expect(cases).toBe(200);
    // The generator must actually exercise the analyzer.
    expect(flows).toBeGreaterThan(200);
    // The exact search looks at every pair: the stateless return ranges leave latent openings that only security groups stop.
    expect(latent).toBeGreaterThan(200);
  });

  test('the property catches a wrong ephemeral range: a Lambda client declared with the Linux range', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: ['us-east-1a', 'us-east-1b'], gatewayEndpoints: false });
    const fn = new Workload(stack, 'Fn', net, 'lambda');
    const db = new Workload(stack, 'Db', net, 'data-eni');
    net.addFlow(FlowEndpoint.workload(fn, { tier: Tier.APP, ephemeralRange: EphemeralRange.LINUX }), FlowEndpoint.workload(db, { tier: Tier.DATA }),
      ec2.Port.tcp(5432));
    const [v] = ReachabilityAnalyzer.fromStack(stack).checkDeclaredFlows(net);
    expect(v.answer.verdict).toBe(Verdict.BLOCKED);
    expect(v.answer.reasons[0]).toMatch(/NACL Test\/Net\/DataAcl outbound allows only part of tcp 1024-65535 .*nothing allows tcp 1024-32767, 61000-65535/);
  });
});
