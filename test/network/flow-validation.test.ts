import { Lazy } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { FlowEndpoint, FlowProtocol, Tier, TieredVpc, WellKnownPorts } from '../../src';
import { NetworkPatternsError } from '../../src/private/errors';
import { APP, naclRows, PUBLIC, TEST_AZS, testStack } from '../util';

// TieredVpc.addFlow as a new user calls it: each refusal, with its code, next to the valid neighbour.

function setup() {
  const stack = testStack();
  const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
  const sg = (id: string) => new ec2.SecurityGroup(stack, id, { vpc: net.vpc, allowAllOutbound: false });
  return { stack, net, lb: sg('Lb'), web: sg('Web'), db: sg('Db') };
}

/** The error thrown by `fn`, which must be the library's typed error. */
function errorOf(fn: () => void): NetworkPatternsError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NetworkPatternsError);
    return e as NetworkPatternsError;
  }
  throw new Error('expected an error');
}

/** A workload in its own construct, whose instance is placed in `subnets`. */
class Server extends Construct implements ec2.IConnectable {
  public readonly connections: ec2.Connections;
  constructor(scope: Construct, id: string, net: TieredVpc, subnets: ec2.SubnetSelection) {
    super(scope, id);
    const sg = new ec2.SecurityGroup(this, 'Sg', { vpc: net.vpc, allowAllOutbound: false });
    this.connections = new ec2.Connections({ securityGroups: [sg] });
    new ec2.CfnInstance(this, 'Resource', {
      imageId: 'ami-12345678',
      subnetId: net.vpc.selectSubnets(subnets).subnetIds[0],
      securityGroupIds: [sg.securityGroupId],
    });
  }
}

describe('ports', () => {
  test('fails on tcp 0, naming the path, the value and the dynamic-port fix', () => {
    const { net, lb, web } = setup();
    const e = errorOf(() => net.addFlow(FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }),
      FlowEndpoint.workload(web, { tier: Tier.APP }), ec2.Port.tcp(0)));
    expect(e.code).toBe('FlowPortZero');
    expect(e.message).toMatch(/^Test\/Net: addFlow\(Test\/Lb -> Test\/Web\): port is port 0, on which no service listens, got 'tcp 0'\. .*EcsDynamicPortService/);
  });

  test('accepts tcp 1 and a range from 0', () => {
    const { stack, net, lb, web } = setup();
    net.addFlow(FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), FlowEndpoint.workload(web, { tier: Tier.APP }), ec2.Port.tcp(1));
    net.addFlow(FlowEndpoint.tier(Tier.PUBLIC), FlowEndpoint.tier(Tier.APP), ec2.Port.tcpRange(0, 1023));
    expect(naclRows(stack, net)).toEqual(expect.arrayContaining([`app in tcp 1 ${PUBLIC}`, `app in tcp 0-1023 ${PUBLIC}`]));
  });

  test('fails on UDP 3389 (RDP\'s UDP transport) from the world', () => {
    const { net, lb } = setup();
    const e = errorOf(() => net.addFlow(FlowEndpoint.internet(), FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), ec2.Port.udp(3389)));
    expect(e.code).toBe('FlowAdminPortOpenToWorld');
    expect(e.message).toMatch(/port opens RDP 3389 over UDP to 0\.0\.0\.0\/0, got 'udp 3389'.*Session Manager/);
  });

  test('fails on SSH from CIDRs that together cover the world; accepts SSH from an admin CIDR', () => {
    const { stack, net, lb } = setup();
    const e = errorOf(() => net.addFlow(FlowEndpoint.internet({ cidrs: ['0.0.0.0/1', '128.0.0.0/1'] }), FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), WellKnownPorts.SSH));
    expect(e.code).toBe('FlowAdminPortOpenToWorld');
    expect(e.message).toMatch(/opens SSH 22 to 0\.0\.0\.0\/1, 128\.0\.0\.0\/1, which together cover every IPv4 address/);
    net.addFlow(FlowEndpoint.internet({ cidrs: ['203.0.113.0/24'] }), FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), WellKnownPorts.SSH);
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '203.0.113.0/24', FromPort: 22, ToPort: 22 })],
    });
  });
});

describe('internet ends', () => {
  test('fails on FlowEndpoint.internet({ cidrs: [] }), which would compile into nothing', () => {
    const { net, lb } = setup();
    const e = errorOf(() => net.addFlow(FlowEndpoint.internet({ cidrs: [] }),
      FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), WellKnownPorts.HTTPS));
    expect(e.code).toBe('FlowInternetNoCidrs');
    expect(e.message).toMatch(/internet cidrs must name at least one CIDR .*, got \[\]/);
  });

  test('fails on an internet CIDR inside the VPC, which would land in a security group rule', () => {
    const { stack, net, lb } = setup();
    const e = errorOf(() => net.addFlow(FlowEndpoint.internet({ cidrs: ['10.0.64.0/24'] }), FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), WellKnownPorts.HTTPS));
    expect(e.code).toBe('FlowInternetCidrInsideVpc');
    expect(e.message).toMatch(/lies inside the VPC \(10\.0\.0\.0\/16\).*got '10\.0\.64\.0\/24'\. Declare the flow from the workload/);
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::EC2::SecurityGroup', { SecurityGroupIngress: Match.anyValue() }, 0);
  });

  test('accepts a CIDR next to the VPC, and written into the security group rule', () => {
    const { stack, net, lb } = setup();
    net.addFlow(FlowEndpoint.internet({ cidrs: ['10.1.0.0/16'] }), FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), WellKnownPorts.HTTPS);
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.1.0.0/16', FromPort: 443 })],
    });
  });
});

describe('workload ends', () => {
  test('fails on a workload whose security group belongs to another VPC', () => {
    const { stack, net, web } = setup();
    const other = new ec2.Vpc(stack, 'Other', { availabilityZones: TEST_AZS, natGateways: 0 });
    const foreign = new ec2.SecurityGroup(stack, 'Foreign', { vpc: other });
    const e = errorOf(() => net.addFlow(FlowEndpoint.workload(foreign, { tier: Tier.APP }),
      FlowEndpoint.workload(web, { tier: Tier.APP }), WellKnownPorts.HTTPS));
    expect(e.code).toBe('FlowWorkloadOtherVpc');
    expect(e.message).toMatch(/^Test\/Net: addFlow\(Test\/Foreign -> Test\/Web\): from has a security group of another VPC.*got 'Test\/Foreign'/);
  });

  test('fails on a workload with no security group; accepts one with addresses (the other end\'s rule names them)', () => {
    const { stack, net, lb } = setup();
    const bare = { connections: new ec2.Connections() };
    const e = errorOf(() => net.addFlow(FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }),
      FlowEndpoint.workload(bare, { tier: Tier.APP }), WellKnownPorts.HTTP_ALT));
    expect(e.code).toBe('FlowWorkloadNoSecurityGroup');
    expect(e.message).toMatch(/to is a workload with no security group \(and no address\), so only the NACL half/);
    const addresses = { connections: new ec2.Connections({ peer: ec2.Peer.ipv4('10.0.64.10/32') }) };
    net.addFlow(FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), FlowEndpoint.workload(addresses, { tier: Tier.APP }), WellKnownPorts.HTTP_ALT);
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: Match.arrayWith([Match.objectLike({ CidrIp: '10.0.64.10/32', FromPort: 8080 })]),
    });
  });

  test('fails on an imported immutable security group as destination: its inbound rule would not be written', () => {
    const { stack, net, lb } = setup();
    const imported = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Imported', 'sg-0123456789abcdef0', { mutable: false });
    const e = errorOf(() => net.addFlow(FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }),
      FlowEndpoint.workload(imported, { tier: Tier.APP }), WellKnownPorts.HTTP_ALT));
    expect(e.code).toBe('FlowWorkloadImmutableSecurityGroup');
    expect(e.message).toMatch(/to is an imported security group marked immutable \(mutable: false\), so the inbound rule for tcp 8080 would silently not be written, got 'Test\/Imported'/);
  });

  test('accepts the same group imported mutable: the inbound rule is written', () => {
    const { stack, net, lb } = setup();
    const imported = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Imported', 'sg-0123456789abcdef0', { mutable: true });
    net.addFlow(FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), FlowEndpoint.workload(imported, { tier: Tier.APP }), WellKnownPorts.HTTP_ALT);
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0123456789abcdef0', FromPort: 8080 });
  });

  test('an immutable imported source with open outbound needs no rule of its own: accepted; with restricted outbound: refused', () => {
    const { stack, net, web } = setup();
    const open = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Open', 'sg-0aaaaaaaaaaaaaaaa', { mutable: false, allowAllOutbound: true });
    net.addFlow(FlowEndpoint.workload(open, { tier: Tier.PUBLIC }), FlowEndpoint.workload(web, { tier: Tier.APP }), WellKnownPorts.HTTP_ALT);
    const closed = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Closed', 'sg-0bbbbbbbbbbbbbbbb', { mutable: false, allowAllOutbound: false });
    const e = errorOf(() => net.addFlow(FlowEndpoint.workload(closed, { tier: Tier.PUBLIC }),
      FlowEndpoint.workload(web, { tier: Tier.APP }), WellKnownPorts.HTTP_ALT));
    expect(e.code).toBe('FlowWorkloadImmutableSecurityGroup');
    expect(e.message).toMatch(/the outbound rule/);
  });

  test('fails on a workload declared in a tier its subnets are not in', () => {
    const { stack, net, lb } = setup();
    const server = new Server(stack, 'Server', net, net.tierSubnets(Tier.PUBLIC));
    const e = errorOf(() => net.addFlow(FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }),
      FlowEndpoint.workload(server, { tier: Tier.APP }), WellKnownPorts.HTTP_ALT));
    expect(e.code).toBe('FlowWorkloadTierMismatch');
    expect(e.message).toMatch(/to is declared in the app tier, but its subnets are in the public tier .*got 'Test\/Server'\. Declare FlowEndpoint\.workload\(workload, \{ tier: Tier\.PUBLIC \}\)/);
  });

  test('accepts the tier its subnets are in, and derives it when none is given', () => {
    const { stack, net, lb } = setup();
    const server = new Server(stack, 'Server', net, net.tierSubnets(Tier.APP));
    net.addFlow(FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), FlowEndpoint.workload(server, { tier: Tier.APP }), WellKnownPorts.HTTP_ALT);
    net.addFlow(FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), FlowEndpoint.workload(server), WellKnownPorts.HTTP);
    expect(net.flows.map((f) => f.toTier)).toEqual([Tier.APP, Tier.APP]);
    expect(naclRows(stack, net)).toEqual(expect.arrayContaining([`app in tcp 80 ${PUBLIC}`, `public out tcp 80 ${APP}`]));
  });

  test('fails when no tier is given and none can be derived (a bare security group)', () => {
    const { net, lb, web } = setup();
    const e = errorOf(() => net.addFlow(FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), FlowEndpoint.workload(web), WellKnownPorts.HTTP_ALT));
    expect(e.code).toBe('FlowWorkloadTierUnknown');
    expect(e.message).toMatch(/to has no tier, and none can be derived.*FlowEndpoint\.workload\(workload, \{ tier: Tier\.APP \}\)/);
  });

  test('fails on a workload whose own resources (those with its security group) are in several tiers', () => {
    const { stack, net, lb } = setup();
    const server = new Server(stack, 'Server', net, net.tierSubnets(Tier.APP));
    new ec2.CfnInstance(server, 'Second', {
      imageId: 'ami-12345678',
      subnetId: net.selectTierSubnets(Tier.DATA).subnetIds[0],
      securityGroupIds: server.connections.securityGroups.map((g) => g.securityGroupId),
    });
    const e = errorOf(() => net.addFlow(FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), FlowEndpoint.workload(server), WellKnownPorts.HTTP_ALT));
    expect(e.code).toBe('FlowWorkloadTierMismatch');
    expect(e.message).toMatch(/is placed in subnets of several tiers \(app, data\)/);
  });

  test('a construct holding another workload elsewhere (a service and its own load balancer): the resources with its security group decide', () => {
    const { stack, net, lb } = setup();
    const server = new Server(stack, 'Server', net, net.tierSubnets(Tier.APP));
    const frontSg = new ec2.SecurityGroup(server, 'FrontSg', { vpc: net.vpc });
    new ec2.CfnInstance(server, 'Front', {
      imageId: 'ami-12345678',
      subnetId: net.selectTierSubnets(Tier.PUBLIC).subnetIds[0],
      securityGroupIds: [frontSg.securityGroupId],
    });
    net.addFlow(FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), FlowEndpoint.workload(server), WellKnownPorts.HTTP_ALT);
    expect(net.flows[0].toTier).toBe(Tier.APP);
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('several tiers and none with the workload\'s security group: no tier can be derived', () => {
    const { stack, net, lb } = setup();
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc: net.vpc });
    const holder = new Construct(stack, 'Holder');
    for (const tier of [Tier.APP, Tier.DATA]) {
      new ec2.CfnInstance(holder, tier, { imageId: 'ami-12345678', subnetId: net.selectTierSubnets(tier).subnetIds[0] });
    }
    const workload = Object.assign(holder, { connections: new ec2.Connections({ securityGroups: [sg] }) });
    const e = errorOf(() => net.addFlow(FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), FlowEndpoint.workload(workload), WellKnownPorts.HTTP_ALT));
    expect(e.code).toBe('FlowWorkloadTierUnknown');
  });

  test('a placement that only resolves at synth is checked at synth', () => {
    const { stack, net, lb } = setup();
    const server = new Server(stack, 'Server', net, net.tierSubnets(Tier.APP));
    const publicSubnet = net.vpc.publicSubnets[0];
    (server.node.findChild('Resource') as ec2.CfnInstance).subnetId = Lazy.string({ produce: () => publicSubnet.subnetId });
    net.addFlow(FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), FlowEndpoint.workload(server, { tier: Tier.APP }), WellKnownPorts.HTTP_ALT);
    expect(() => Template.fromStack(stack)).toThrow(/workload Test\/Server is declared in the app tier, but its subnets are in the public tier.*\[FlowWorkloadTierMismatch\]/);
  });

  test('the same lazy placement in the declared tier synthesizes', () => {
    const { stack, net, lb } = setup();
    const server = new Server(stack, 'Server', net, net.tierSubnets(Tier.APP));
    const appSubnet = net.vpc.privateSubnets[0];
    (server.node.findChild('Resource') as ec2.CfnInstance).subnetId = Lazy.string({ produce: () => appSubnet.subnetId });
    net.addFlow(FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), FlowEndpoint.workload(server, { tier: Tier.APP }), WellKnownPorts.HTTP_ALT);
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});

describe('declaring', () => {
  test('addFlow is idempotent: the same flow twice is one flow, one rule, the same NACL entries as once', () => {
    const once = setup();
    const twice = setup();
    for (const [t, times] of [[once, 1], [twice, 2]] as const) {
      for (let i = 0; i < times; i++) {
        t.net.addFlow(FlowEndpoint.workload(t.lb, { tier: Tier.PUBLIC }), FlowEndpoint.workload(t.web, { tier: Tier.APP }), WellKnownPorts.HTTP_ALT);
      }
    }
    expect(twice.net.flows).toHaveLength(1);
    const t = Template.fromStack(twice.stack);
    expect(naclRows(twice.stack, twice.net, t)).toEqual(naclRows(once.stack, once.net));
    expect(naclRows(twice.stack, twice.net, t)).toHaveLength(4);
    t.resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
  });

  test('a different port or client range is another flow', () => {
    const { net, lb, web } = setup();
    net.addFlow(FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), FlowEndpoint.workload(web, { tier: Tier.APP }), WellKnownPorts.HTTP_ALT);
    net.addFlow(FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), FlowEndpoint.workload(web, { tier: Tier.APP }), WellKnownPorts.HTTP);
    expect(net.flows).toHaveLength(2);
  });

  test('fails on a flow declared after the app was synthesized (it would be in no template)', () => {
    const { stack, net, lb, web } = setup();
    net.addFlow(FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), FlowEndpoint.workload(web, { tier: Tier.APP }), WellKnownPorts.HTTP_ALT);
    Template.fromStack(stack);
    const e = errorOf(() => net.addFlow(FlowEndpoint.workload(web, { tier: Tier.APP }),
      FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), WellKnownPorts.HTTP));
    expect(e.code).toBe('FlowAfterSynthesis');
    expect(e.message).toMatch(/^Test\/Net: addFlow\(Test\/Web -> Test\/Lb\) is declared after the app was synthesized/);
  });

  test('declared flows carry typed tiers and protocols', () => {
    const { net, web, db } = setup();
    net.addFlow(FlowEndpoint.workload(web, { tier: Tier.APP }), FlowEndpoint.workload(db, { tier: Tier.DATA }), WellKnownPorts.POSTGRES);
    net.addFlow(FlowEndpoint.workload(web, { tier: Tier.APP }), FlowEndpoint.internet(), WellKnownPorts.NTP);
    const [pg, ntp] = net.flows;
    expect([pg.fromTier, pg.toTier, pg.protocol]).toEqual([Tier.APP, Tier.DATA, FlowProtocol.TCP]);
    expect([ntp.toTier, ntp.protocol]).toEqual([undefined, FlowProtocol.UDP]);
  });

  test('no refusal leaves a warning behind', () => {
    const { stack, net, lb, web } = setup();
    net.addFlow(FlowEndpoint.workload(lb, { tier: Tier.PUBLIC }), FlowEndpoint.workload(web, { tier: Tier.APP }), WellKnownPorts.HTTP_ALT);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});
