import { Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as rds from 'aws-cdk-lib/aws-rds';
import {
  EphemeralRange, OpeningStatus, FlowEndpoint, NetworkAssertions, NetworkEndpoint, ReachabilityAnalyzer, Tier, TieredVpc, Verdict, WellKnownPorts,
} from '../../src';
import { TEST_AZS, testStack } from '../util';

interface Typical {
  readonly stack: Stack;
  readonly net: TieredVpc;
  readonly alb: elbv2.ApplicationLoadBalancer;
  readonly app: autoscaling.AutoScalingGroup;
  readonly db: rds.DatabaseInstance;
}

/**
 * The typical three-tier flows: internet -> ALB 443 (public), ALB -> app 8080 (ELB client),
 * app -> data 5432, app -> internet 443 (through the NAT gateways). `mutate` adds a mistake.
 */
function typical(mutate?: (t: Typical) => void): Typical {
  const stack = testStack();
  const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
  const albSg = new ec2.SecurityGroup(stack, 'AlbSg', { vpc: net.vpc, allowAllOutbound: false });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc: net.vpc, internetFacing: true, vpcSubnets: net.tierSubnets(Tier.PUBLIC), securityGroup: albSg });
  const appSg = new ec2.SecurityGroup(stack, 'AppSg', { vpc: net.vpc, allowAllOutbound: false });
  const app = new autoscaling.AutoScalingGroup(stack, 'App', {
    vpc: net.vpc,
    vpcSubnets: net.tierSubnets(Tier.APP),
    launchTemplate: new ec2.LaunchTemplate(stack, 'AppLt', {
      securityGroup: appSg, machineImage: ec2.MachineImage.latestAmazonLinux2023(), instanceType: new ec2.InstanceType('t3.micro'),
    }),
  });
  const dbSg = new ec2.SecurityGroup(stack, 'DbSg', { vpc: net.vpc, allowAllOutbound: false });
  const db = new rds.DatabaseInstance(stack, 'Db', {
    vpc: net.vpc, vpcSubnets: net.tierSubnets(Tier.DATA), engine: rds.DatabaseInstanceEngine.POSTGRES, securityGroups: [dbSg],
  });
  alb.addListener('Https', { port: 443, open: false, certificates: [elbv2.ListenerCertificate.fromArn('arn:aws:acm:us-east-1:123456789012:certificate/abc')] })
    .addTargets('App', { port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targets: [app] });
  net.addFlow(FlowEndpoint.internet(), FlowEndpoint.workload(alb, { tier: Tier.PUBLIC }), WellKnownPorts.HTTPS);
  net.addFlow(FlowEndpoint.workload(alb, { tier: Tier.PUBLIC, ephemeralRange: EphemeralRange.ELB }), FlowEndpoint.workload(app, { tier: Tier.APP }),
    WellKnownPorts.HTTP_ALT);
  net.addFlow(FlowEndpoint.workload(app, { tier: Tier.APP }), FlowEndpoint.workload(db, { tier: Tier.DATA }), WellKnownPorts.POSTGRES);
  net.addFlow(FlowEndpoint.workload(app, { tier: Tier.APP }), FlowEndpoint.internet(), WellKnownPorts.HTTPS);
  const t = { stack, net, alb, app, db };
  mutate?.(t);
  return t;
}

describe('TieredVpc with typical flows', () => {
  // Synthesized once for the tests that don't mutate it.
  const t = typical();
  const assertions = NetworkAssertions.fromStack(t.stack);

  test('every declared flow is reachable', () => {
    const verdicts = assertions.declaredFlowVerdicts(t.net);
    expect(verdicts.map((v) => [v.flow.description, v.answer.verdict])).toEqual([
      ['internet 0.0.0.0/0 -> Test/Alb tcp 443', Verdict.REACHABLE],
      ['Test/Alb -> Test/App tcp 8080', Verdict.REACHABLE],
      ['Test/App -> Test/Db tcp 5432', Verdict.REACHABLE],
      ['Test/App -> internet 0.0.0.0/0 tcp 443', Verdict.REACHABLE],
    ]);
  });

  test('each declared flow\'s NACL entries admit the whole 1024-65535 return range, whatever the client kind', () => {
    // Instances taken as the widest client kind (1024-65535): every return leg must still pass.
    const widest = ReachabilityAnalyzer.fromStack(t.stack, { instanceEphemeralRange: EphemeralRange.ANY_CLIENT });
    const answers = widest.checkDeclaredFlows(t.net).map((v) => v.answer);
    expect(answers.map((a) => a.verdict)).toEqual([Verdict.REACHABLE, Verdict.REACHABLE, Verdict.REACHABLE, Verdict.REACHABLE]);
    expect(answers.map((a) => a.reasons[0])).toEqual([
      expect.stringMatching(/return traffic tcp 1024-65535 for internet clients/),
      expect.stringMatching(/return traffic tcp 1024-65535 for Elastic Load Balancing/),
      expect.stringMatching(/return traffic tcp 1024-65535 for instances, any client/),
      expect.stringMatching(/return traffic tcp 1024-65535 for instances, any client/),
    ]);
  });

  test('nothing else is open among the workloads and the internet', () => {
    expect(() => assertions.expectOnlyDeclaredFlows(t.net)).not.toThrow();
    expect(assertions.analyzer.undeclaredOpenings(t.net).filter((o) => o.status !== OpeningStatus.LATENT)).toEqual([]);
  });

  test.each([
    ['internet', 'Db', 5432],
    ['internet', 'App', 8080],
    ['internet', 'App', 22],
    ['Alb', 'Db', 5432],
    ['Db', 'internet', 443],
    ['Alb', 'App', 22],
  ])('%s -> %s:%d is unreachable', (from, to, port) => {
    const e = (x: string) => (x === 'internet' ? NetworkEndpoint.internet() : NetworkEndpoint.path(`Test/${x}`));
    expect(() => assertions.expectUnreachable(e(from), e(to), ec2.Port.tcp(port))).not.toThrow();
  });

  test('the app reaches the internet-facing ALB too: the internet includes the app (implied, not probed)', () => {
    expect(assertions.answer(NetworkEndpoint.of(t.app), NetworkEndpoint.of(t.alb), WellKnownPorts.HTTPS).verdict).toBe(Verdict.REACHABLE);
  });

  test('the matrix lists exactly the declared openings', () => {
    const matrix = assertions.analyzer.matrix([WellKnownPorts.HTTPS, WellKnownPorts.HTTP_ALT, WellKnownPorts.POSTGRES]);
    expect(matrix.reachable.map((e) => `${e.from} -> ${e.to} ${e.port}`).sort()).toEqual([
      'Test/Alb -> Test/App 8080',
      'Test/App -> Test/Alb 443',
      'Test/App -> Test/Db 5432',
      'Test/App -> internet 0.0.0.0/0 443',
      'internet 0.0.0.0/0 -> Test/Alb 443',
    ]);
    expect(matrix.toMarkdown()).toContain('| internet 0.0.0.0/0 | Test/Alb | yes | no | no |');
  });
});

describe('TieredVpc mistakes that expectOnlyDeclaredFlows catches', () => {
  test('fails naming the NACL when a hand-written deny narrows a return range', () => {
    const t = typical(({ net }) => {
      net.networkAcl(Tier.DATA).addEntry('NarrowReturn', {
        ruleNumber: 50,
        cidr: ec2.AclCidr.ipv4(net.tierCidr(Tier.APP)),
        traffic: ec2.AclTraffic.tcpPortRange(1024, 40000),
        direction: ec2.TrafficDirection.EGRESS,
        ruleAction: ec2.Action.DENY,
      });
    });
    expect(() => NetworkAssertions.fromStack(t.stack).expectOnlyDeclaredFlows(t.net)).toThrow(
      /1 declared flow\(s\) are not reachable:\n  - Test\/App -> Test\/Db tcp 5432 \(blocked\):\n      blocked: NACL Test\/Net\/DataAcl outbound allows only part of tcp 32768-60999 to 10\.0\.64\.0\/20 \(Test\/App in Test\/Net\/Resource\/AppSubnet1\): rule 50 denies tcp 32768-40000 before any allow/);
  });

  test('fails naming the undeclared opening when a port is opened by hand in the SG and the NACL', () => {
    const t = typical(({ net, alb }) => {
      // An L1 rule written by hand (aws-cdk-lib's own rules on declared workloads fail at synth, see below).
      new ec2.CfnSecurityGroupIngress(alb, 'Http80', {
        groupId: alb.connections.securityGroups[0].securityGroupId, ipProtocol: 'tcp', fromPort: 80, toPort: 80, cidrIp: '0.0.0.0/0',
      });
      alb.addListener('Http', { port: 80, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(200) });
      net.networkAcl(Tier.PUBLIC).addEntry('Http', {
        ruleNumber: 5000, cidr: ec2.AclCidr.anyIpv4(), traffic: ec2.AclTraffic.tcpPort(80), direction: ec2.TrafficDirection.INGRESS,
      });
    });
    expect(() => NetworkAssertions.fromStack(t.stack).expectOnlyDeclaredFlows(t.net)).toThrow(
      /1 undeclared opening\(s\) are open \(live or unknown\):\n  - internet -> Test\/Alb on tcp 80 \(IPv4\): live\n      admitted by: .*NACL Test\/Net\/PublicAcl inbound rule 5000; security group Test\/AlbSg ingress tcp 80 from 0\.0\.0\.0\/0.*listener tcp 80 of Test\/Alb/);
  });

  test('fails at synth when aws-cdk-lib opens a declared workload\'s security group without a flow, naming the rule and the addFlow call', () => {
    const listenerOpen = typical(({ alb }) => {
      alb.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(200) }); // open: true by default
    });
    expect(() => NetworkAssertions.fromStack(listenerOpen.stack)).toThrow(
      /Test\/Net: the security group rule Test\/AlbSg\/Resource \(tcp 80 from 0\.0\.0\.0\/0\) opens Test\/AlbSg of Test\/Alb, but no flow declares it.*Declare it with tieredVpc\.addFlow\(FlowEndpoint\.internet\(\{ cidrs: \['0\.0\.0\.0\/0'\] \}\), FlowEndpoint\.workload\(<Test\/Alb>, \{ tier: <its tier> \}\), ec2\.Port\.tcp\(80\)\)/);
    const byHand = typical(({ db, alb }) => db.connections.allowFrom(alb, WellKnownPorts.POSTGRES));
    expect(() => NetworkAssertions.fromStack(byHand.stack)).toThrow(
      /the security group rule Test\/DbSg\/from TestAlbSg[0-9A-F]+:5432 \(tcp 5432 from Test\/AlbSg\) opens Test\/DbSg of Test\/Db, but no flow declares it/);
  });

  test('fails on a public-tier instance opened to the world on a port inside the public NACL\'s return range', () => {
    const t = typical(({ stack, net }) => {
      const search = new ec2.Instance(stack, 'Search', {
        vpc: net.vpc,
        vpcSubnets: net.tierSubnets(Tier.PUBLIC),
        associatePublicIpAddress: true,
        machineImage: ec2.MachineImage.latestAmazonLinux2023(),
        instanceType: new ec2.InstanceType('t3.micro'),
      });
      search.connections.allowFromAnyIpv4(ec2.Port.tcp(9200));
    });
    const openings = NetworkAssertions.fromStack(t.stack).analyzer.undeclaredOpenings(t.net);
    const live = openings.filter((o) => o.status === OpeningStatus.LIVE && o.from === 'internet');
    expect(live.map((o) => `${o.to} ${o.protocol} ${o.fromPort}-${o.toPort} ${o.family}`)).toEqual(['Test/Search tcp 9200-9200 IPv4']);
    // The public NACL's inbound return-traffic rule (1024-65535 from anywhere) admits the request.
    expect(live[0].admittedBy).toEqual([
      'route 0.0.0.0/0 -> Test/Net/Resource/IGW (AWS::EC2::InternetGateway) in Test/Net/Resource/PublicSubnet1/RouteTable',
      'NACL Test/Net/PublicAcl inbound rule 400',
      'security group Test/Search/InstanceSecurityGroup ingress tcp 9200 from 0.0.0.0/0',
      'NACL Test/Net/PublicAcl outbound rule 100 (return traffic)',
    ]);
    expect(() => NetworkAssertions.fromStack(t.stack).expectOnlyDeclaredFlows(t.net)).toThrow(/internet -> Test\/Search on tcp 9200 \(IPv4\): live/);
  });

  test('SSH opened to 0.0.0.0/1 and 128.0.0.0/1 is a latent opening that only the public NACL stops', () => {
    const t = typical(({ stack, net }) => {
      const bastion = new ec2.Instance(stack, 'Bastion', {
        vpc: net.vpc,
        vpcSubnets: net.tierSubnets(Tier.PUBLIC),
        associatePublicIpAddress: true,
        securityGroup: new ec2.SecurityGroup(stack, 'BastionSg', { vpc: net.vpc, allowAllOutbound: false }),
        machineImage: ec2.MachineImage.latestAmazonLinux2023(),
        instanceType: new ec2.InstanceType('t3.micro'),
      });
      bastion.connections.allowFrom(ec2.Peer.ipv4('0.0.0.0/1'), ec2.Port.tcp(22));
      bastion.connections.allowFrom(ec2.Peer.ipv4('128.0.0.0/1'), ec2.Port.tcp(22));
    });
    const a = NetworkAssertions.fromStack(t.stack);
    const ssh = a.analyzer.undeclaredOpenings(t.net).filter((o) => o.from === 'internet' && o.to === 'Test/Bastion');
    // 22 passes the security group (its two /1 rules cover every address) and only the NACL stops it;
    // 443 and 1024-65535 pass the public NACL and only the bastion's security group stops them.
    expect(ssh.map((o) => `${o.status} ${o.stoppedBy} ${o.protocol} ${o.fromPort}-${o.toPort}`)).toEqual([
      'latent security groups tcp 443-443', 'latent security groups tcp 1024-65535', 'latent NACLs tcp 22-22',
    ]);
    expect(() => a.expectOnlyDeclaredFlows(t.net)).not.toThrow();
    expect(() => a.expectOnlyDeclaredFlows(t.net, { failOnLatent: true })).toThrow(/internet -> Test\/Bastion on tcp 22 \(IPv4\): latent, stopped only by NACLs/);
  });

  test('a security group rule opened by hand alone stays blocked by the tier NACLs (defense in depth)', () => {
    const t = typical(({ stack, db, alb }) => {
      const [dbSg, albSg] = [db.connections.securityGroups[0].securityGroupId, alb.connections.securityGroups[0].securityGroupId];
      new ec2.CfnSecurityGroupIngress(stack, 'ByHandIn', { groupId: dbSg, ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, sourceSecurityGroupId: albSg });
      new ec2.CfnSecurityGroupEgress(stack, 'ByHandOut', { groupId: albSg, ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, destinationSecurityGroupId: dbSg });
    });
    const a = NetworkAssertions.fromStack(t.stack);
    expect(() => a.expectOnlyDeclaredFlows(t.net)).not.toThrow();
    // The opening is LATENT: the data tier's NACL alone stops it, and the strict mode says so.
    expect(() => a.expectOnlyDeclaredFlows(t.net, { failOnLatent: true })).toThrow(
      /  - Test\/Alb -> Test\/Db on tcp 5432 \(IPv4\): latent, stopped only by NACLs\n      admitted by: security group Test\/AlbSg egress tcp 5432 to Test\/DbSg; security group Test\/DbSg ingress tcp 5432 from Test\/AlbSg/);
    expect(a.answer(NetworkEndpoint.of(t.alb), NetworkEndpoint.of(t.db), WellKnownPorts.POSTGRES).reasons[0])
      .toMatch(/^blocked: NACL Test\/Net\/DataAcl inbound has no allow for tcp 5432 from 10\.0\.0\.0\/20 \(Test\/Alb in Test\/Net\/Resource\/PublicSubnet1\)/);
  });
});

describe('TieredVpc with Session Manager endpoints', () => {
  test('the app reaches every endpoint on 443, and nothing else is open', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS, sessionManagerEndpoints: true });
    const appSg = new ec2.SecurityGroup(stack, 'AppSg', { vpc: net.vpc, allowAllOutbound: false });
    const app = new autoscaling.AutoScalingGroup(stack, 'App', {
      vpc: net.vpc,
      vpcSubnets: net.tierSubnets(Tier.APP),
      launchTemplate: new ec2.LaunchTemplate(stack, 'AppLt', {
        securityGroup: appSg, machineImage: ec2.MachineImage.latestAmazonLinux2023(), instanceType: new ec2.InstanceType('t3.micro'),
      }),
    });
    net.allowInterfaceEndpoints(app, Tier.APP);
    const assertions = NetworkAssertions.fromStack(stack);
    expect(assertions.declaredFlowVerdicts(net).map((v) => v.answer.verdict)).toEqual([Verdict.REACHABLE, Verdict.REACHABLE, Verdict.REACHABLE]);
    expect(() => assertions.expectOnlyDeclaredFlows(net)).not.toThrow();
    const endpoint = NetworkEndpoint.of(net.interfaceEndpoints[0]);
    expect(assertions.answer(endpoint, NetworkEndpoint.internet(), WellKnownPorts.HTTPS).reasons[0])
      .toMatch(/is an interface VPC endpoint: it only accepts connections, it never opens one/);
  });
});
