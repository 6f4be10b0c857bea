import { readFileSync } from 'fs';
import { join } from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NagMessageLevel } from 'cdk-nag';
import { findingsOf, Violation } from './nag-test-util';
import * as lib from '../../src';
import { NetworkPatternsChecks } from '../../src';
import { RULES } from '../../src/nag/private/rule-table';
import { testStack } from '../util';

const IDS = ['SG1', 'SG3', 'SG2', 'NACL1', 'NACL2', 'NACL3', 'NAT1', 'ELB1', 'ELB2', 'LAMBDA1', 'EIP1'].map((s) => `NetworkPatterns-${s}`);

/** A stack whose security group admits SSH from anywhere (NetworkPatterns-SG1). */
function sshOpen(stack: Stack = testStack()) {
  const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 2 });
  const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
  sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
  return { stack, vpc, sg };
}

/** The rows of the markdown table under `heading` in RULES.md: first cell -> cells. */
function tableRows(markdown: string, heading: string): Map<string, string[]> {
  const start = markdown.indexOf(`${heading}\n`);
  const rows = new Map<string, string[]>();
  if (start < 0) return rows;
  for (const line of markdown.slice(start + heading.length + 1).split('\n').slice(1)) {
    if (line.startsWith('#')) break;
    if (!line.startsWith('| NetworkPatterns-')) continue;
    const cells = line.split(' | ').map((c) => c.replace(/^\|\s*/, '').replace(/\s*\|$/, '').trim());
    rows.set(cells[0], cells.slice(1));
  }
  return rows;
}

describe('NetworkPatternsChecks', () => {
  test('is a cdk-nag pack named NetworkPatterns with the documented rule ids', () => {
    const pack = new NetworkPatternsChecks();
    expect(pack.name).toBe('NetworkPatterns');
    expect(pack.readPackName).toBe('NetworkPatterns');
    expect(pack.ruleIds).toEqual(IDS);
  });

  test('RULES.md lists every rule once, with the pack\'s cause and explanation, under its level', () => {
    const markdown = readFileSync(join(__dirname, '../../src/nag/RULES.md'), 'utf-8');
    const warnings = tableRows(markdown, '### Warnings');
    const errors = tableRows(markdown, '### Errors');
    const details = tableRows(markdown, '## What each rule reads');
    for (const rule of RULES) {
      const id = `NetworkPatterns-${rule.ruleSuffixOverride}`;
      const section = rule.level === NagMessageLevel.ERROR ? errors : warnings;
      const other = rule.level === NagMessageLevel.ERROR ? warnings : errors;
      expect({ id, row: section.get(id) }).toEqual({ id, row: [rule.info, rule.explanation] });
      expect(other.has(id)).toBe(false);
      expect(details.has(id)).toBe(true);
    }
    expect([...warnings.keys(), ...errors.keys()].sort()).toEqual([...IDS].sort());
  });

  test('levels: errors break traffic or expose hosts; SG2, NACL3 and EIP1 are advisory warnings', () => {
    const levels = Object.fromEntries(RULES.map((r) => [r.ruleSuffixOverride, r.level]));
    const { ERROR, WARN } = NagMessageLevel;
    expect(levels).toEqual({
      SG1: ERROR, SG3: ERROR, SG2: WARN, NACL1: ERROR, NACL2: ERROR, NACL3: WARN, NAT1: ERROR, ELB1: ERROR, ELB2: ERROR, LAMBDA1: ERROR, EIP1: WARN,
    });
  });

  test('a finding carries the rule\'s cause, its severity, and (verbose) its explanation', () => {
    const { stack } = sshOpen();
    const terse = new NetworkPatternsChecks().validateScope(stack).violations as Violation[];
    expect(terse).toEqual([{
      ruleName: 'NetworkPatterns-SG1',
      description: 'The security group admits SSH (22) or RDP (3389), TCP or UDP, from every address (0.0.0.0/0, ::/0, or CIDRs that together cover them).',
      severity: 'error',
      violatingResources: [{ constructPath: 'Test/Sg/Resource', locations: ['Properties'] }],
    }]);
    const verbose = new NetworkPatternsChecks(undefined, { verbose: true }).validateScope(stack).violations as Violation[];
    expect(verbose[0].description).toMatch(/Session Manager/);
  });

  test('an acknowledgment on the construct (or a parent) silences the finding', () => {
    const { stack, sg } = sshOpen();
    Validations.of(sg).acknowledge({ id: 'NetworkPatterns-SG1', reason: 'test: a honeypot that must look exposed' });
    expect(findingsOf(stack, 'NetworkPatterns-SG1')).toEqual([]);
  });

  test('registers as a policy-validation plugin: an error finding fails synth', () => {
    const app = new App();
    Validations.of(app).addPlugins(new NetworkPatternsChecks(app));
    sshOpen(new Stack(app, 'Plugged'));
    expect(() => app.synth()).toThrow(/NetworkPatterns-SG1/);
  });

  test('a stack changed after a validation is read afresh', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 2 });
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
    const pack = new NetworkPatternsChecks();
    expect(pack.validateScope(stack).success).toBe(true);
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(3389));
    expect((pack.validateScope(stack).violations as Violation[]).map((v) => v.ruleName)).toEqual(['NetworkPatterns-SG1']);
  });

  test('validates every stack of an app, each against its own resources', () => {
    const app = new App();
    sshOpen(new Stack(app, 'One'));
    const two = new Stack(app, 'Two');
    new ec2.Vpc(two, 'Vpc', { natGateways: 0, maxAzs: 2 });
    const paths = (new NetworkPatternsChecks().validateScope(app).violations as Violation[])
      .flatMap((v) => v.violatingResources.map((r) => r.constructPath));
    expect(paths).toEqual(['One/Sg/Resource']);
  });

  test('exports only the pack class: the rule functions stay internal', () => {
    expect(Object.keys(lib)).toContain('NetworkPatternsChecks');
    for (const internal of ['NaclReturnTrafficAllowed', 'SecurityGroupRestrictedAdminPorts', 'StackIndex', 'RULES']) {
      expect(Object.keys(lib)).not.toContain(internal);
    }
  });
});
