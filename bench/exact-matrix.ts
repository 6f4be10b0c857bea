/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * How long the analyzer's exact open-port matrix takes over every ordered pair of ends of a
 * template of about 500 resources (issue 12's target: under 1 s on 2 cores).
 *
 *   npm run bench:matrix            # prints the resource count, the number of pairs and the time
 *   npm run bench:matrix -- --runs 5
 *
 * The template is generated, not synthesized, so that only the analyzer is timed: one VPC in
 * three AZs with public, app and data subnets (route tables, an internet gateway, a NAT gateway
 * per AZ, one NACL per tier with AWS's recommended entries), internet-facing load balancers with
 * listeners, and app and data workloads whose security groups reference each other.
 */
import { ReachabilityAnalyzer } from '../src';

const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const TIERS = ['Public', 'App', 'Data'] as const;

function template(workloads: number, balancers: number): { [key: string]: any } {
  const r: { [id: string]: any } = {};
  const ref = (id: string) => ({ Ref: id });
  const sgId = (id: string) => ({ 'Fn::GetAtt': [id, 'GroupId'] });
  const add = (id: string, type: string, props: any) => { r[id] = { Type: type, Properties: props }; };
  add('Vpc', 'AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
  add('Igw', 'AWS::EC2::InternetGateway', {});
  add('IgwAttach', 'AWS::EC2::VPCGatewayAttachment', { VpcId: ref('Vpc'), InternetGatewayId: ref('Igw') });
  TIERS.forEach((tier, t) => {
    add(`${tier}Acl`, 'AWS::EC2::NetworkAcl', { VpcId: ref('Vpc') });
    const entries: Array<[number, boolean, number, number, string]> = tier === 'Public'
      ? [[100, false, 443, 443, '0.0.0.0/0'], [110, false, 80, 80, '0.0.0.0/0'], [120, false, 1024, 65535, '0.0.0.0/0'],
        [100, true, 8080, 8080, '10.0.16.0/20'], [110, true, 443, 443, '0.0.0.0/0'], [120, true, 1024, 65535, '0.0.0.0/0']]
      : tier === 'App'
        ? [[100, false, 8080, 8080, '10.0.0.0/20'], [110, false, 1024, 65535, '0.0.0.0/0'], [100, true, 5432, 5432, '10.0.32.0/20'],
          [110, true, 443, 443, '0.0.0.0/0'], [120, true, 1024, 65535, '10.0.0.0/20'], [130, true, 6379, 6379, '10.0.32.0/20']]
        : [[100, false, 5432, 5432, '10.0.16.0/20'], [110, false, 6379, 6379, '10.0.16.0/20'], [100, true, 1024, 65535, '10.0.16.0/20']];
    entries.forEach(([n, egress, from, to, cidr]) => add(`${tier}Acl${egress ? 'Out' : 'In'}${n}`, 'AWS::EC2::NetworkAclEntry', {
      NetworkAclId: ref(`${tier}Acl`), RuleNumber: n, Egress: egress, Protocol: 6, PortRange: { From: from, To: to }, CidrBlock: cidr, RuleAction: 'allow',
    }));
    AZS.forEach((az, i) => {
      const s = `${tier}${i}`;
      add(s, 'AWS::EC2::Subnet', { VpcId: ref('Vpc'), CidrBlock: `10.0.${t * 16 + i * 4}.0/22`, AvailabilityZone: az, MapPublicIpOnLaunch: tier === 'Public' });
      add(`${s}Rt`, 'AWS::EC2::RouteTable', { VpcId: ref('Vpc') });
      add(`${s}RtAssoc`, 'AWS::EC2::SubnetRouteTableAssociation', { SubnetId: ref(s), RouteTableId: ref(`${s}Rt`) });
      add(`${s}AclAssoc`, 'AWS::EC2::SubnetNetworkAclAssociation', { SubnetId: ref(s), NetworkAclId: ref(`${tier}Acl`) });
      if (tier === 'Public') {
        add(`${s}Default`, 'AWS::EC2::Route', { RouteTableId: ref(`${s}Rt`), DestinationCidrBlock: '0.0.0.0/0', GatewayId: ref('Igw') });
        add(`Nat${i}Eip`, 'AWS::EC2::EIP', { Domain: 'vpc' });
        add(`Nat${i}`, 'AWS::EC2::NatGateway', { SubnetId: ref(s), AllocationId: { 'Fn::GetAtt': [`Nat${i}Eip`, 'AllocationId'] } });
      } else if (tier === 'App') {
        add(`${s}Default`, 'AWS::EC2::Route', { RouteTableId: ref(`${s}Rt`), DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: ref(`Nat${i}`) });
      }
    });
  });
  const subnets = (tier: string) => AZS.map((_, i) => ref(`${tier}${i}`));
  for (let b = 0; b < balancers; b++) {
    add(`Lb${b}Sg`, 'AWS::EC2::SecurityGroup', {
      GroupDescription: 'lb',
      VpcId: ref('Vpc'),
      SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }],
      SecurityGroupEgress: [{ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, CidrIp: '10.0.16.0/20' }],
    });
    add(`Lb${b}`, 'AWS::ElasticLoadBalancingV2::LoadBalancer', { Type: 'application', Scheme: 'internet-facing', Subnets: subnets('Public'), SecurityGroups: [sgId(`Lb${b}Sg`)] });
    add(`Lb${b}Listener`, 'AWS::ElasticLoadBalancingV2::Listener', { LoadBalancerArn: ref(`Lb${b}`), Port: 443, Protocol: 'HTTPS' });
  }
  for (let w = 0; w < workloads; w++) {
    const data = w % 3 === 2;
    const sg = `W${w}Sg`;
    add(sg, 'AWS::EC2::SecurityGroup', {
      GroupDescription: 'w',
      VpcId: ref('Vpc'),
      SecurityGroupEgress: data ? [{ IpProtocol: 'icmp', FromPort: 252, ToPort: 86, CidrIp: '255.255.255.255/32' }]
        : [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }],
    });
    add(`W${w}FromLb`, 'AWS::EC2::SecurityGroupIngress', {
      GroupId: sgId(sg),
      IpProtocol: 'tcp',
      FromPort: data ? 5432 : 8080,
      ToPort: data ? 5432 : 8080,
      SourceSecurityGroupId: data ? sgId(`W${w - 1}Sg`) : sgId(`Lb${w % balancers}Sg`),
    });
    if (data) {
      add(`W${w}ToDb`, 'AWS::EC2::SecurityGroupEgress', { GroupId: sgId(`W${w - 1}Sg`), IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, DestinationSecurityGroupId: sgId(sg) });
    }
    add(`W${w}`, 'AWS::EC2::Instance', { ImageId: 'ami-12345678', SubnetId: ref(`${data ? 'Data' : 'App'}${w % 3}`), SecurityGroupIds: [sgId(sg)] });
  }
  return { Resources: r };
}

function main(): void {
  const args = process.argv.slice(2);
  const runs = Number(args[args.indexOf('--runs') + 1] ?? 3) || 3;
  const t = template(120, 4);
  const resources = Object.keys(t.Resources).length;
  const times: number[] = [];
  let pairs = 0;
  let ranges = 0;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const analyzer = ReachabilityAnalyzer.fromTemplate(t);
    const matrix = analyzer.openPortsMatrix();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    pairs = matrix.length;
    ranges = matrix.reduce((n, e) => n + e.ranges.length, 0);
  }
  times.sort((a, b) => a - b);
  const nodes = ReachabilityAnalyzer.fromTemplate(t).listNodes().length;
  console.log(`template: ${resources} resources, ${nodes} nodes; exact matrix: ${pairs} ordered pairs (TCP and UDP, IPv4 and IPv6), ${ranges} open ranges`);
  console.log(`time (model + matrix), median of ${runs}: ${times[Math.floor(times.length / 2)].toFixed(0)} ms (min ${times[0].toFixed(0)} ms, max ${times[times.length - 1].toFixed(0)} ms)`);
}

main();
