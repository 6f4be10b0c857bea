import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { NetworkPatternsChecks } from '../src/nag';
import { Tier, TieredVpc } from '../src/network';

/** Three fixed AZs, so tests synthesize without AWS credentials. */
export const TEST_AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

/** A fresh env-agnostic stack in a fresh app. */
export function testStack(id = 'Test'): Stack {
  return new Stack(new App(), id);
}

/** Unacknowledged rule findings, as `RuleId @ construct path`; by default AwsSolutions and the library's own pack. */
export function nagFindings(
  scope: IConstruct,
  packs: Array<{ validateScope(s: IConstruct): any }> = [new AwsSolutionsChecks(), new NetworkPatternsChecks()],
): string[] {
  const out: string[] = [];
  for (const pack of packs) {
    const report = pack.validateScope(scope);
    for (const v of report.violations ?? []) {
      for (const r of v.violatingResources) out.push(`${v.ruleName} @ ${r.constructPath}`);
    }
  }
  return out.sort();
}

/** The default plan's tier blocks (TieredVpc with a /16). */
export const PUBLIC = '10.0.0.0/18';
export const APP = '10.0.64.0/18';
export const DATA = '10.0.128.0/18';

/** The NACL entries of every tier of `net`, as sorted `<tier> in|out tcp|udp <ports> <cidr>` rows. */
export function naclRows(stack: Stack, net: TieredVpc, template: Template = Template.fromStack(stack)): string[] {
  const aclTier = new Map<string, string>();
  for (const tier of [Tier.PUBLIC, Tier.APP, Tier.DATA]) aclTier.set(JSON.stringify(stack.resolve(net.networkAcl(tier).networkAclId)), tier);
  return Object.values<any>(template.findResources('AWS::EC2::NetworkAclEntry')).map((r) => {
    const p = r.Properties;
    const ports = p.PortRange.From === p.PortRange.To ? `${p.PortRange.From}` : `${p.PortRange.From}-${p.PortRange.To}`;
    return `${aclTier.get(JSON.stringify(p.NetworkAclId))} ${p.Egress ? 'out' : 'in'} ${p.Protocol === 6 ? 'tcp' : 'udp'} ${ports} ${p.CidrBlock}`;
  }).sort();
}
