import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';

/** A rule of a security group, as `tcp 32768-51677 <peer>` where the peer is `sg <path>` or a CIDR. */
function ruleRow(r: any, peer: unknown, groups: Map<string, string>): string {
  const ports = r.FromPort === r.ToPort ? `${r.FromPort}` : `${r.FromPort}-${r.ToPort}`;
  const peerName = typeof peer === 'string' ? peer : `sg ${groups.get(JSON.stringify(peer)) ?? JSON.stringify(peer)}`;
  return `${r.IpProtocol} ${ports} ${peerName}`;
}

/** Every security group of the stack by its resolved id, named by construct path. */
function groupNames(stack: Stack): Map<string, string> {
  const names = new Map<string, string>();
  for (const c of stack.node.findAll()) {
    if (c instanceof ec2.SecurityGroup) names.set(JSON.stringify(stack.resolve(c.securityGroupId)), c.node.path);
  }
  return names;
}

/** Every ingress rule of `sg` (inline and standalone), as rows. */
export function ingressRows(stack: Stack, template: Template, sg: ec2.ISecurityGroup): string[] {
  const groups = groupNames(stack);
  const id = JSON.stringify(stack.resolve(sg.securityGroupId));
  const rows: string[] = [];
  for (const r of Object.values<any>(template.findResources('AWS::EC2::SecurityGroupIngress'))) {
    if (JSON.stringify(r.Properties.GroupId) !== id) continue;
    rows.push(ruleRow(r.Properties, r.Properties.SourceSecurityGroupId ?? r.Properties.CidrIp, groups));
  }
  for (const [logicalId, g] of Object.entries<any>(template.findResources('AWS::EC2::SecurityGroup'))) {
    if (JSON.stringify({ 'Fn::GetAtt': [logicalId, 'GroupId'] }) !== id) continue;
    for (const r of g.Properties.SecurityGroupIngress ?? []) rows.push(ruleRow(r, r.SourceSecurityGroupId ?? r.CidrIp, groups));
  }
  return rows.sort();
}

/** Every egress rule of `sg` (inline and standalone), as rows. */
export function egressRows(stack: Stack, template: Template, sg: ec2.ISecurityGroup): string[] {
  const groups = groupNames(stack);
  const id = JSON.stringify(stack.resolve(sg.securityGroupId));
  const rows: string[] = [];
  for (const r of Object.values<any>(template.findResources('AWS::EC2::SecurityGroupEgress'))) {
    if (JSON.stringify(r.Properties.GroupId) !== id) continue;
    rows.push(ruleRow(r.Properties, r.Properties.DestinationSecurityGroupId ?? r.Properties.CidrIp, groups));
  }
  for (const [logicalId, g] of Object.entries<any>(template.findResources('AWS::EC2::SecurityGroup'))) {
    if (JSON.stringify({ 'Fn::GetAtt': [logicalId, 'GroupId'] }) !== id) continue;
    for (const r of g.Properties.SecurityGroupEgress ?? []) rows.push(ruleRow(r, r.DestinationSecurityGroupId ?? r.CidrIp, groups));
  }
  return rows.sort();
}

/** The launch template's user data, with tokens rendered as `${Token}`. */
export function userDataText(template: Template): string {
  const lts = Object.values<any>(template.findResources('AWS::EC2::LaunchTemplate'));
  const ud = lts[0].Properties.LaunchTemplateData.UserData['Fn::Base64'];
  const parts: unknown[] = typeof ud === 'string' ? [ud] : ud['Fn::Join'][1];
  return parts.map((p) => (typeof p === 'string' ? p : '${Token}')).join('');
}
