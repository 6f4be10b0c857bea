/**
 * The main job's AWS Control Tower check (scripts/guard.ts and the verdict of
 * scripts/synth-example.ts): a real cfn-guard run over a small stack.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ControlTowerGuard, inapplicableRules } from '../../scripts/guard';
import { blockingFindings, examplePasses, findings, GUARD_PLUGIN } from '../../scripts/synth-example';

jest.setTimeout(120_000);

/** A NACL whose inbound entry admits TCP 3389 (RDP) from anywhere: CT.EC2.PR.5 fails it. */
function synthOpenRdp(acknowledge: boolean): { outdir: string; error?: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-test-'));
  const app = new App({ outdir });
  Validations.of(app).addPlugins(new ControlTowerGuard());
  const stack = new Stack(app, 'Guarded');
  const acl = new ec2.CfnNetworkAcl(stack, 'Acl', { vpcId: 'vpc-12345678' });
  const entry = new ec2.CfnNetworkAclEntry(stack, 'OpenRdp', {
    networkAclId: acl.ref,
    ruleNumber: 100,
    protocol: 6,
    ruleAction: 'allow',
    egress: false,
    cidrBlock: '0.0.0.0/0',
    portRange: { from: 3389, to: 3389 },
  });
  if (acknowledge) {
    Validations.of(entry).acknowledge({ id: `${GUARD_PLUGIN}::nacl_no_unrestricted_ssh_rdp_check`, reason: 'test: acknowledged' });
  }
  let error: string | undefined;
  try {
    app.synth();
  } catch (e) {
    error = (e as Error).message;
  }
  return { outdir, error };
}

test('an unacknowledged Control Tower finding fails the example', () => {
  const { outdir, error } = synthOpenRdp(false);
  const found = findings(outdir);
  expect(found).toEqual([expect.objectContaining({ plugin: GUARD_PLUGIN, rule: 'nacl_no_unrestricted_ssh_rdp_check', paths: ['Guarded/OpenRdp'] })]);
  expect(found[0].description).toContain('CT.EC2.PR.5');
  expect(blockingFindings(found)).toHaveLength(1);
  // Fails even when the synth itself did not throw (a guard finding carries no severity).
  expect(examplePasses({ error: undefined, findings: found, reachability: [] })).toBe(false);
  expect(error).toMatch(/Validation failed|nacl_no_unrestricted_ssh_rdp_check/);
});

test('an acknowledged Control Tower finding passes and leaves no finding', () => {
  const { outdir, error } = synthOpenRdp(true);
  expect(error).toBeUndefined();
  const found = findings(outdir);
  expect(found.filter((f) => f.plugin === GUARD_PLUGIN)).toEqual([]);
  expect(examplePasses({ error, findings: found, reachability: [] })).toBe(true);
});

test('cdk-nag warnings are listed but do not fail an example; errors do', () => {
  const warning = { plugin: 'AwsSolutions', rule: 'AwsSolutions-VPC7', severity: 'warning', paths: ['S/Vpc'], description: 'w' };
  const error = { ...warning, severity: 'error' };
  expect(examplePasses({ findings: [warning], reachability: [] })).toBe(true);
  expect(examplePasses({ findings: [error], reachability: [] })).toBe(false);
});

test('only rules that name a resource type of the templates run', () => {
  const skipped = inapplicableRules(new Set(['AWS::EC2::NetworkAclEntry']));
  expect(skipped).not.toContain('ct-ec2-pr-5');
  expect(skipped).toContain('ct-s3-pr-1');
  expect(skipped).toContain('ct-kms-pr-3');
});
