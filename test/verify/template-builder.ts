/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Builds small hand-written CloudFormation templates for the analyzer's tests.
 *
 * `standardVpc()` lays out VPC 10.0.0.0/16 in two AZs:
 *   public   10.0.0.0/24 (a), 10.0.1.0/24 (b)   route 0.0.0.0/0 -> Igw; NAT gateways NatA / NatB here
 *   private  10.0.10.0/24 (a), 10.0.11.0/24 (b) route 0.0.0.0/0 -> NatA / NatB (same AZ)
 *   isolated 10.0.20.0/24 (a), 10.0.21.0/24 (b) no route out
 * with no NACL associations (default NACL: allow all) until a test adds some.
 */
export type NaclRule = [ruleNumber: number, direction: 'in' | 'out', protocol: 'tcp' | 'udp' | 'all', from: number, to: number, cidr: string, action?: 'allow' | 'deny'];

export interface SgRule {
  readonly protocol?: string;
  readonly from?: number;
  readonly to?: number;
  readonly cidr?: string;
  readonly sg?: string;
  readonly prefixList?: string;
}

export class TemplateBuilder {
  public readonly resources: { [id: string]: any } = {};
  public readonly parameters: { [id: string]: any } = {};
  public readonly outputs: { [id: string]: any } = {};

  public add(id: string, type: string, props: any): this {
    this.resources[id] = { Type: type, Properties: props };
    return this;
  }

  /**
   * Makes the standard VPC dual-stack: an Amazon-provided IPv6 /56, a /64 per subnet from
   * `Fn::Cidr` over the VPC's `Ipv6CidrBlocks`, `::/0` to the internet gateway from the public
   * subnets and to an egress-only internet gateway from the private ones.
   */
  public dualStack(): this {
    this.add('VpcIpv6', 'AWS::EC2::VPCCidrBlock', { VpcId: ref('Vpc'), AmazonProvidedIpv6CidrBlock: true });
    this.add('Eigw', 'AWS::EC2::EgressOnlyInternetGateway', { VpcId: ref('Vpc') });
    const subnets = ['PublicA', 'PublicB', 'PrivateA', 'PrivateB', 'IsolatedA', 'IsolatedB'];
    subnets.forEach((s, i) => {
      this.resources[s].Properties.Ipv6CidrBlock = {
        'Fn::Select': [i, { 'Fn::Cidr': [{ 'Fn::Select': [0, getAtt('Vpc', 'Ipv6CidrBlocks')] }, 6, '64'] }],
      };
    });
    this.add('PublicRtRoute6', 'AWS::EC2::Route', { RouteTableId: ref('PublicRt'), DestinationIpv6CidrBlock: '::/0', GatewayId: ref('Igw') });
    for (const rt of ['PrivateRtA', 'PrivateRtB']) {
      this.add(`${rt}Route6`, 'AWS::EC2::Route', { RouteTableId: ref(rt), DestinationIpv6CidrBlock: '::/0', EgressOnlyInternetGatewayId: ref('Eigw') });
    }
    return this;
  }

  /** The standard two-AZ layout described above. */
  public standardVpc(): this {
    this.add('Vpc', 'AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    this.add('Igw', 'AWS::EC2::InternetGateway', {});
    this.add('IgwAttach', 'AWS::EC2::VPCGatewayAttachment', { VpcId: ref('Vpc'), InternetGatewayId: ref('Igw') });
    this.routeTable('PublicRt', [['0.0.0.0/0', { GatewayId: ref('Igw') }]]);
    this.subnet('PublicA', '10.0.0.0/24', 'us-east-1a', 'PublicRt');
    this.subnet('PublicB', '10.0.1.0/24', 'us-east-1b', 'PublicRt');
    this.add('NatAEip', 'AWS::EC2::EIP', { Domain: 'vpc' });
    this.add('NatBEip', 'AWS::EC2::EIP', { Domain: 'vpc' });
    this.add('NatA', 'AWS::EC2::NatGateway', { SubnetId: ref('PublicA'), AllocationId: getAtt('NatAEip', 'AllocationId') });
    this.add('NatB', 'AWS::EC2::NatGateway', { SubnetId: ref('PublicB'), AllocationId: getAtt('NatBEip', 'AllocationId') });
    this.routeTable('PrivateRtA', [['0.0.0.0/0', { NatGatewayId: ref('NatA') }]]);
    this.routeTable('PrivateRtB', [['0.0.0.0/0', { NatGatewayId: ref('NatB') }]]);
    this.subnet('PrivateA', '10.0.10.0/24', 'us-east-1a', 'PrivateRtA');
    this.subnet('PrivateB', '10.0.11.0/24', 'us-east-1b', 'PrivateRtB');
    this.routeTable('IsolatedRt', []);
    this.subnet('IsolatedA', '10.0.20.0/24', 'us-east-1a', 'IsolatedRt');
    this.subnet('IsolatedB', '10.0.21.0/24', 'us-east-1b', 'IsolatedRt');
    return this;
  }

  public routeTable(id: string, routes: Array<[string, any]>): this {
    this.add(id, 'AWS::EC2::RouteTable', { VpcId: ref('Vpc') });
    routes.forEach(([dest, target], i) => this.add(`${id}Route${i}`, 'AWS::EC2::Route', { RouteTableId: ref(id), DestinationCidrBlock: dest, ...target }));
    return this;
  }

  public subnet(id: string, cidr: string, az: string, routeTable?: string, extra: any = {}): this {
    this.add(id, 'AWS::EC2::Subnet', { VpcId: ref('Vpc'), CidrBlock: cidr, AvailabilityZone: az, ...extra });
    if (routeTable) this.add(`${id}RtAssoc`, 'AWS::EC2::SubnetRouteTableAssociation', { SubnetId: ref(id), RouteTableId: ref(routeTable) });
    return this;
  }

  /** A NACL associated with `subnets`, with `rules` (rule number, in/out, protocol, ports, CIDR, action). */
  public nacl(id: string, subnets: string[], rules: NaclRule[]): this {
    this.add(id, 'AWS::EC2::NetworkAcl', { VpcId: ref('Vpc') });
    subnets.forEach((s) => this.add(`${id}Assoc${s}`, 'AWS::EC2::SubnetNetworkAclAssociation', { SubnetId: ref(s), NetworkAclId: ref(id) }));
    this.naclEntries(id, ref(id), rules);
    return this;
  }

  public naclEntries(prefix: string, aclId: any, rules: NaclRule[]): this {
    for (const [n, dir, proto, from, to, cidr, action] of rules) {
      this.add(`${prefix}${dir === 'in' ? 'In' : 'Out'}${n}`, 'AWS::EC2::NetworkAclEntry', {
        NetworkAclId: aclId,
        RuleNumber: n,
        Egress: dir === 'out',
        Protocol: proto === 'tcp' ? 6 : proto === 'udp' ? 17 : -1,
        ...(proto === 'all' ? {} : { PortRange: { From: from, To: to } }),
        ...(cidr.includes(':') ? { Ipv6CidrBlock: cidr } : { CidrBlock: cidr }),
        RuleAction: action ?? 'allow',
      });
    }
    return this;
  }

  /** A security group; `egress: undefined` leaves EC2's default allow-all outbound rule. */
  public sg(id: string, opts: { ingress?: SgRule[]; egress?: SgRule[] } = {}): this {
    return this.add(id, 'AWS::EC2::SecurityGroup', {
      GroupDescription: id,
      VpcId: ref('Vpc'),
      ...(opts.ingress ? { SecurityGroupIngress: opts.ingress.map((r) => sgRule(r, 'ingress')) } : {}),
      ...(opts.egress ? { SecurityGroupEgress: opts.egress.map((r) => sgRule(r, 'egress')) } : {}),
    });
  }

  /** A standalone AWS::EC2::SecurityGroupIngress / Egress rule on `group`. */
  public sgRuleResource(id: string, group: string, dir: 'ingress' | 'egress', rule: SgRule): this {
    return this.add(id, dir === 'ingress' ? 'AWS::EC2::SecurityGroupIngress' : 'AWS::EC2::SecurityGroupEgress',
      { GroupId: getAtt(group, 'GroupId'), ...sgRule(rule, dir) });
  }

  /** An EC2 instance in `subnet` with `sgs`, with a public IP when `publicIp`. */
  public instance(id: string, subnet: string, sgs: any[], publicIp = false): this {
    if (publicIp) {
      return this.add(id, 'AWS::EC2::Instance', {
        ImageId: 'ami-12345678',
        NetworkInterfaces: [{ DeviceIndex: '0', SubnetId: ref(subnet), GroupSet: sgs.map(sgRef), AssociatePublicIpAddress: true }],
      });
    }
    return this.add(id, 'AWS::EC2::Instance', { ImageId: 'ami-12345678', SubnetId: ref(subnet), SecurityGroupIds: sgs.map(sgRef) });
  }

  /** A Lambda function in `subnets` with `sgs`. */
  public lambda(id: string, subnets: string[], sgs: any[]): this {
    return this.add(id, 'AWS::Lambda::Function', {
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Code: { ZipFile: 'x' },
      Role: 'arn:aws:iam::123456789012:role/x',
      VpcConfig: { SubnetIds: subnets.map(ref), SecurityGroupIds: sgs.map(sgRef) },
    });
  }

  /** An RDS instance in a subnet group over `subnets`, with `sgs`. */
  public rds(id: string, subnets: string[], sgs: any[]): this {
    this.add(`${id}Subnets`, 'AWS::RDS::DBSubnetGroup', { DBSubnetGroupDescription: id, SubnetIds: subnets.map(ref) });
    return this.add(id, 'AWS::RDS::DBInstance', {
      Engine: 'postgres', DBInstanceClass: 'db.t3.micro', DBSubnetGroupName: ref(`${id}Subnets`), VPCSecurityGroups: sgs.map(sgRef),
    });
  }

  /** An ELBv2 load balancer with listeners on `ports`. */
  public loadBalancer(id: string, type: 'application' | 'network', scheme: 'internet-facing' | 'internal', subnets: string[], sgs: any[] | undefined, ports: number[]): this {
    this.add(id, 'AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: type, Scheme: scheme, Subnets: subnets.map(ref), ...(sgs ? { SecurityGroups: sgs.map(sgRef) } : {}),
    });
    for (const p of ports) {
      this.add(`${id}Listener${p}`, 'AWS::ElasticLoadBalancingV2::Listener', {
        LoadBalancerArn: ref(id),
        Port: p,
        Protocol: type === 'network' ? 'TCP' : 'HTTP',
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }],
      });
    }
    return this;
  }

  public toJSON(): { [key: string]: any } {
    return {
      Resources: this.resources,
      ...(Object.keys(this.parameters).length ? { Parameters: this.parameters } : {}),
      ...(Object.keys(this.outputs).length ? { Outputs: this.outputs } : {}),
    };
  }
}

export function ref(id: string): any {
  return { Ref: id };
}

export function getAtt(id: string, attr: string): any {
  return { 'Fn::GetAtt': [id, attr] };
}

function sgRef(sg: any): any {
  return typeof sg === 'string' && !sg.startsWith('sg-') ? getAtt(sg, 'GroupId') : sg;
}

function sgRule(r: SgRule, dir: 'ingress' | 'egress'): any {
  const out: any = { IpProtocol: r.protocol ?? 'tcp' };
  if (r.from !== undefined) out.FromPort = r.from;
  if (r.to !== undefined || r.from !== undefined) out.ToPort = r.to ?? r.from;
  if (r.cidr && r.cidr.includes(':')) out.CidrIpv6 = r.cidr;
  else if (r.cidr) out.CidrIp = r.cidr;
  if (r.sg) out[dir === 'ingress' ? 'SourceSecurityGroupId' : 'DestinationSecurityGroupId'] = sgRef(r.sg);
  if (r.prefixList) out[dir === 'ingress' ? 'SourcePrefixListId' : 'DestinationPrefixListId'] = r.prefixList;
  return out;
}

/** CDK's "no outbound" placeholder egress rule (aws-cdk-lib SecurityGroup with allowAllOutbound: false). */
export const CDK_NO_OUTBOUND: SgRule = { protocol: 'icmp', from: 252, to: 86, cidr: '255.255.255.255/32' };
