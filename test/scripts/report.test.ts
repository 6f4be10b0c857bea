import { acknowledgmentsSection, cfnLintSection, groupAcknowledgments, renderReport } from '../../scripts/report';
import type { ExampleSummary } from '../../scripts/synth-example';

const ctx = { seconds: 12.3, workers: 2, guard: false };
const NLB_REASON = 'A Network Load Balancer writes access logs only for TLS listeners.';
const summary: ExampleSummary = {
  example: 'demo',
  ok: true,
  seconds: 1,
  stacks: ['Demo'],
  templates: ['cdk.out/examples/demo/Demo.template.json'],
  cfnLint: {
    ran: true,
    errors: [],
    warnings: ['Demo.template.json:21:5:21:23:W3010:Avoid hardcoding availability zones \'us-east-1a\''],
  },
  findings: [],
  acknowledgments: [
    { path: 'Demo/Nlb/Resource', id: 'AwsSolutions-ELB2', reason: NLB_REASON },
    { path: 'Demo/Nlb/Resource', id: 'NIST.800.53.R5-ELBLoggingEnabled', reason: NLB_REASON },
    { path: 'Demo/Other/Resource', id: 'NIST.800.53.R5-ELBLoggingEnabled', reason: NLB_REASON },
    { path: 'Demo/Network/PublicAcl', id: 'AwsSolutions-VPC3', reason: 'Compiled from declared flows | both ways.' },
  ],
  resources: { 'AWS::EC2::VPC': 1 },
  diagrams: [],
  reachability: [],
};

test('acknowledgments with the same reason are one row: every rule it answers, every construct it covers', () => {
  const groups = groupAcknowledgments(summary.acknowledgments);
  expect(groups).toEqual([
    { rules: ['AwsSolutions-ELB2', 'NIST.800.53.R5-ELBLoggingEnabled'], reason: NLB_REASON, paths: ['Demo/Nlb/Resource', 'Demo/Other/Resource'] },
    { rules: ['AwsSolutions-VPC3'], reason: 'Compiled from declared flows | both ways.', paths: ['Demo/Network/PublicAcl'] },
  ]);
  const rows = acknowledgmentsSection(summary, ctx).filter((l) => l.startsWith('| ') && !l.startsWith('| rules') && !l.startsWith('| ---'));
  expect(rows).toHaveLength(2);
  expect(rows[0]).toBe(`| AwsSolutions-ELB2<br>NIST.800.53.R5-ELBLoggingEnabled | ${NLB_REASON} | \`Nlb/Resource\`, \`Other/Resource\` |`);
  // a pipe in a reason cannot break the table
  expect(rows[1]).toContain('declared flows \\| both ways.');
});

test('cfn-lint warnings are listed one by one, not only counted', () => {
  const lines = cfnLintSection(summary, ctx);
  expect(lines).toContain('0 errors, 1 warnings.');
  expect(lines).toContain('- warning: `Demo.template.json:21:5:21:23:W3010:Avoid hardcoding availability zones \'us-east-1a\'`');
});

test('cfn-lint not installed: the section says so instead of listing nothing', () => {
  const lines = cfnLintSection({ ...summary, cfnLint: { ran: false, errors: [], warnings: [], note: 'cfn-lint is not installed: skipped' } }, ctx);
  expect(lines).toContain('cfn-lint is not installed: skipped');
});

test('the report has the summary table and one heading per example, with its sections', () => {
  const text = renderReport([summary], ctx);
  expect(text).toContain('1 examples in 12.3 s on 2 worker processes');
  expect(text).toContain('| [demo](#demo) | ok | 1.0 | Demo | 0 errors, 1 warnings | 4 |');
  expect(text).toMatch(/## demo\n[\s\S]*### Resources[\s\S]*### Acknowledgments[\s\S]*### cfn-lint/);
});
