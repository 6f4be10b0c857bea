import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ITieredVpc, Tier } from '../../src';

/**
 * An auto scaling group of servers in `tier`, clean under AwsSolutions: launch template with
 * IMDSv2 and encrypted EBS, no SSH, its own security group without default egress, ELB health
 * checks, scaling notifications to an encrypted, TLS-only topic.
 */
export function serverGroup(scope: Construct, id: string, vpc: ec2.IVpc, subnets: ec2.SubnetSelection): autoscaling.AutoScalingGroup {
  const securityGroup = new ec2.SecurityGroup(scope, `${id}Sg`, { vpc, allowAllOutbound: false, description: `${id} servers` });
  const launchTemplate = new ec2.LaunchTemplate(scope, `${id}Template`, {
    instanceType: new ec2.InstanceType('t3.small'),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    securityGroup,
    requireImdsv2: true,
    blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(20, { encrypted: true }) }],
  });
  const topic = new sns.Topic(scope, `${id}Events`, {
    enforceSSL: true,
    masterKey: kms.Alias.fromAliasName(scope, `${id}EventsKey`, 'alias/aws/sns'),
  });
  return new autoscaling.AutoScalingGroup(scope, id, {
    vpc,
    vpcSubnets: subnets,
    launchTemplate,
    minCapacity: 2,
    maxCapacity: 3,
    cooldown: Duration.minutes(5),
    healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
      additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
      gracePeriod: Duration.minutes(5),
    }),
    notifications: [{ topic }],
  });
}

/** A server group in a tier of the tiered VPC. */
export function tierGroup(scope: Construct, id: string, net: ITieredVpc, tier: Tier = Tier.APP): autoscaling.AutoScalingGroup {
  return serverGroup(scope, id, net.vpc, net.tierSubnets(tier));
}

export { APP, DATA, naclRows, PUBLIC } from '../util';

/** The ingress rules of a security group (inline and standalone) as `proto from-to <- source` rows. */
export function ingressRows(stack: Stack, sg: ec2.SecurityGroup, template: Template): string[] {
  const id = JSON.stringify(stack.resolve(sg.securityGroupId));
  const logical = stack.resolve((sg.node.defaultChild as ec2.CfnSecurityGroup).logicalId);
  const rows: string[] = [];
  const source = (r: any) => r.CidrIp ?? JSON.stringify(r.SourceSecurityGroupId);
  for (const r of template.toJSON().Resources[logical].Properties.SecurityGroupIngress ?? []) {
    rows.push(`${r.IpProtocol} ${r.FromPort}-${r.ToPort} <- ${source(r)}`);
  }
  for (const r of Object.values<any>(template.findResources('AWS::EC2::SecurityGroupIngress'))) {
    if (JSON.stringify(r.Properties.GroupId) === id) rows.push(`${r.Properties.IpProtocol} ${r.Properties.FromPort}-${r.Properties.ToPort} <- ${source(r.Properties)}`);
  }
  return rows.sort();
}

/** The egress rules of a security group (inline and standalone) as `proto from-to -> destination` rows. */
export function egressRows(stack: Stack, sg: ec2.SecurityGroup, template: Template): string[] {
  const id = JSON.stringify(stack.resolve(sg.securityGroupId));
  const logical = stack.resolve((sg.node.defaultChild as ec2.CfnSecurityGroup).logicalId);
  const rows: string[] = [];
  const dest = (r: any) => r.CidrIp ?? JSON.stringify(r.DestinationSecurityGroupId);
  for (const r of template.toJSON().Resources[logical].Properties.SecurityGroupEgress ?? []) {
    if (r.CidrIp === '255.255.255.255/32') continue; // CDK's "no egress" placeholder
    rows.push(`${r.IpProtocol} ${r.FromPort}-${r.ToPort} -> ${dest(r)}`);
  }
  for (const r of Object.values<any>(template.findResources('AWS::EC2::SecurityGroupEgress'))) {
    if (JSON.stringify(r.Properties.GroupId) === id) rows.push(`${r.Properties.IpProtocol} ${r.Properties.FromPort}-${r.Properties.ToPort} -> ${dest(r.Properties)}`);
  }
  return rows.sort();
}

/** `{"Fn::GetAtt":[...,"GroupId"]}` of a security group, as the rows above print it. */
export function sgRef(stack: Stack, sg: ec2.ISecurityGroup): string {
  return JSON.stringify(stack.resolve(sg.securityGroupId));
}
