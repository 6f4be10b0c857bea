/* eslint-disable @typescript-eslint/no-explicit-any */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A security group rule of a hand-made template. */
export interface Rule { readonly protocol: string; readonly from: number; readonly to: number; readonly cidr: string }
/** A NACL entry of a hand-made template. */
export interface Entry {
  readonly n: number;
  readonly egress: boolean;
  readonly protocol: number;
  readonly from: number;
  readonly to: number;
  readonly cidr: string;
}

/**
 * A hand-written template (no CDK): a VPC 10.0.0.0/16 with an internet gateway, one public subnet
 * (public IPs on launch, default route to the gateway) and an EC2 instance `Web` in it whose
 * security group `WebSg` (construct path `Hand/WebSg/Resource`) admits `ingress` and allows all
 * outbound. With `nacl`, the subnet gets its own NACL with those entries.
 */
export function handTemplate(ingress: Rule[], nacl?: Entry[]): any {
  const resources: { [id: string]: any } = {
    Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
    Igw: { Type: 'AWS::EC2::InternetGateway' },
    IgwAttachment: { Type: 'AWS::EC2::VPCGatewayAttachment', Properties: { VpcId: { Ref: 'Vpc' }, InternetGatewayId: { Ref: 'Igw' } } },
    PublicSubnet: {
      Type: 'AWS::EC2::Subnet',
      Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.0.0/24', AvailabilityZone: 'us-east-1a', MapPublicIpOnLaunch: true },
    },
    PublicRt: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: { Ref: 'Vpc' } } },
    PublicRtAssoc: { Type: 'AWS::EC2::SubnetRouteTableAssociation', Properties: { SubnetId: { Ref: 'PublicSubnet' }, RouteTableId: { Ref: 'PublicRt' } } },
    DefaultRoute: {
      Type: 'AWS::EC2::Route',
      Properties: { RouteTableId: { Ref: 'PublicRt' }, DestinationCidrBlock: '0.0.0.0/0', GatewayId: { Ref: 'Igw' } },
      DependsOn: ['IgwAttachment'],
    },
    WebSg: {
      Type: 'AWS::EC2::SecurityGroup',
      Metadata: { 'aws:cdk:path': 'Hand/WebSg/Resource' },
      Properties: {
        GroupDescription: 'web',
        VpcId: { Ref: 'Vpc' },
        SecurityGroupIngress: ingress.map((r) => ({ IpProtocol: r.protocol, FromPort: r.from, ToPort: r.to, CidrIp: r.cidr })),
        SecurityGroupEgress: [{ IpProtocol: '-1', CidrIp: '0.0.0.0/0' }],
      },
    },
    Web: {
      Type: 'AWS::EC2::Instance',
      Metadata: { 'aws:cdk:path': 'Hand/Web/Resource' },
      Properties: { ImageId: 'ami-12345678', InstanceType: 't3.micro', SubnetId: { Ref: 'PublicSubnet' }, SecurityGroupIds: [{ 'Fn::GetAtt': ['WebSg', 'GroupId'] }] },
    },
  };
  if (nacl) {
    resources.Acl = { Type: 'AWS::EC2::NetworkAcl', Metadata: { 'aws:cdk:path': 'Hand/Acl/Resource' }, Properties: { VpcId: { Ref: 'Vpc' } } };
    resources.AclAssoc = { Type: 'AWS::EC2::SubnetNetworkAclAssociation', Properties: { SubnetId: { Ref: 'PublicSubnet' }, NetworkAclId: { Ref: 'Acl' } } };
    for (const e of nacl) {
      resources[`AclEntry${e.egress ? 'Out' : 'In'}${e.n}`] = {
        Type: 'AWS::EC2::NetworkAclEntry',
        Properties: {
          NetworkAclId: { Ref: 'Acl' },
          RuleNumber: e.n,
          Egress: e.egress,
          Protocol: e.protocol,
          RuleAction: 'allow',
          CidrBlock: e.cidr,
          PortRange: { From: e.from, To: e.to },
        },
      };
    }
  }
  return { AWSTemplateFormatVersion: '2010-09-09', Resources: resources };
}

/** A fresh temporary directory. */
export function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'check-'));
}

/** Writes `content` (JSON unless a string) to `dir/name` and returns the path. */
export function write(dir: string, name: string, content: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, undefined, 1));
  return file;
}
