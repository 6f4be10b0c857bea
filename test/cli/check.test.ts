/* eslint-disable @typescript-eslint/no-explicit-any */
import '@microsoft/jest-sarif';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { handTemplate, tmpDir, write } from './templates';
import { run } from '../../src/cli/check';

/** Runs `check` with `args`, capturing what it prints. */
async function check(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const w = jest.spyOn(process.stdout, 'write').mockImplementation((s: any) => {
    out += String(s);
    return true;
  });
  const l = jest.spyOn(console, 'log').mockImplementation((...a: any[]) => {
    out += `${a.join(' ')}\n`;
  });
  const e = jest.spyOn(console, 'error').mockImplementation((...a: any[]) => {
    err += `${a.join(' ')}\n`;
  });
  try {
    const code = await run(args);
    return { code, out, err };
  } finally {
    w.mockRestore();
    l.mockRestore();
    e.mockRestore();
  }
}

const SSH_WORLD = { protocol: 'tcp', from: 22, to: 22, cidr: '0.0.0.0/0' };
const HTTPS_WORLD = { protocol: 'tcp', from: 443, to: 443, cidr: '0.0.0.0/0' };
const ALT_WORLD = { protocol: 'tcp', from: 8080, to: 8080, cidr: '0.0.0.0/0' };

describe('a hand-made template with SSH open to the world', () => {
  // GIVEN a template written without CDK: an instance in a public subnet whose group admits 22 from 0.0.0.0/0
  const dir = tmpDir();
  const file = write(dir, 'Hand.template.json', handTemplate([SSH_WORLD, HTTPS_WORLD]));
  const relative = path.relative(process.cwd(), file).split(path.sep).join('/');

  test('the text report shows the exposure and the SG1 error, and the exit code is 1', async () => {
    // WHEN
    const { code, out } = await check(file);
    // THEN
    expect(code).toBe(1);
    expect(out).toMatch(/^VPC Vpc \(stack Hand\): 1 node\(s\)$/m);
    expect(out).toMatch(/^ {4}Hand\/Web \(EC2 instance\): tcp 22, tcp 443$/m);
    expect(out).toMatch(/^ {2}ERROR NetworkPatterns-SG1 at Hand\/WebSg\/Resource in .*Hand\.template\.json:\d+: .*SSH \(22\)/m);
    expect(out).toMatch(/^1 error\(s\), 0 warning\(s\), 0 note\(s\)\.$/m);
  });

  test('the JSON report lists the exposure, the open pairs and the finding', async () => {
    const { code, out } = await check(file, '--format', 'json');
    expect(code).toBe(1);
    const report = JSON.parse(out);
    expect(report.vpcs).toHaveLength(1);
    expect(report.vpcs[0].exposure).toEqual([{ node: 'Hand/Web', kind: 'EC2 instance', ports: ['tcp 22', 'tcp 443'], maybe: [] }]);
    // Exact ranges: the group's all-traffic egress opens every port, 0 included, TCP and UDP.
    expect(report.vpcs[0].openings).toEqual([
      { from: 'Hand/Web', to: 'internet', ports: ['tcp 0-65535', 'udp 0-65535'], maybe: [] },
      { from: 'internet', to: 'Hand/Web', ports: ['tcp 22', 'tcp 443'], maybe: [] },
    ]);
    expect(report.findings).toEqual([expect.objectContaining({
      ruleId: 'NetworkPatterns-SG1', level: 'error', stackName: 'Hand', templateFile: relative, logicalId: 'WebSg', constructPath: 'Hand/WebSg/Resource',
    })]);
  });

  test('the SARIF report validates against the SARIF 2.1.0 schema and locates the finding', async () => {
    const { code, out } = await check(file, '--format', 'sarif');
    expect(code).toBe(1);
    const sarif = JSON.parse(out);
    expect(sarif).toBeValidSarifLog();
    expect(sarif.version).toBe('2.1.0');
    const results = sarif.runs[0].results;
    expect(results).toHaveLength(1);
    const line = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('"WebSg":')) + 1;
    expect(results[0]).toMatchObject({
      ruleId: 'NetworkPatterns-SG1',
      level: 'error',
      locations: [{
        physicalLocation: { artifactLocation: { uri: relative }, region: { startLine: line } },
        logicalLocations: [{ name: 'WebSg', fullyQualifiedName: 'Hand/WebSg/Resource', kind: 'resource' }],
      }],
      properties: { logicalId: 'WebSg', constructPath: 'Hand/WebSg/Resource', stackName: 'Hand' },
    });
    expect(sarif.runs[0].tool.driver.rules[results[0].ruleIndex].id).toBe('NetworkPatterns-SG1');
  });

  test('the schema check is real: a result without a message fails it', async () => {
    const { out } = await check(file, '--format', 'sarif');
    const sarif = JSON.parse(out);
    delete sarif.runs[0].results[0].message;
    expect(sarif).not.toBeValidSarifLog();
  });

  test('--output writes the format to a file and the text report to stdout', async () => {
    const sarifFile = path.join(dir, 'out', 'check.sarif');
    const { code, out } = await check(file, '--format', 'sarif', '--output', sarifFile);
    expect(code).toBe(1);
    expect(JSON.parse(fs.readFileSync(sarifFile, 'utf8')).runs[0].results[0].ruleId).toBe('NetworkPatterns-SG1');
    expect(out).toMatch(/ERROR NetworkPatterns-SG1/);
  });

  test('--fail-on none exits 0 with the same findings', async () => {
    const { code, out } = await check(file, '--fail-on', 'none');
    expect(code).toBe(0);
    expect(out).toMatch(/ERROR NetworkPatterns-SG1/);
  });

  test('SSH from an admin CIDR only: no finding, exit code 0', async () => {
    const admin = write(dir, 'Admin.template.json', handTemplate([{ ...SSH_WORLD, cidr: '203.0.113.0/24' }, HTTPS_WORLD]));
    const { code, out } = await check(admin, '--format', 'json');
    expect(code).toBe(0);
    expect(JSON.parse(out).findings).toEqual([]);
  });
});

describe('a hand-made template with a NACL missing its return rule', () => {
  const dir = tmpDir();
  const inbound443 = { n: 100, egress: false, protocol: 6, from: 443, to: 443, cidr: '0.0.0.0/0' };
  const returnOut = { n: 100, egress: true, protocol: 6, from: 1024, to: 65535, cidr: '0.0.0.0/0' };

  test('NACL2 on the inbound entry, and the internet reaches nothing (the answers cannot leave)', async () => {
    // GIVEN a NACL that admits 443 inbound and allows nothing outbound
    const file = write(dir, 'Nacl.template.json', handTemplate([HTTPS_WORLD], [inbound443]));
    // WHEN
    const { code, out } = await check(file, '--format', 'json');
    // THEN
    const report = JSON.parse(out);
    expect(code).toBe(1);
    expect(report.findings.filter((f: any) => f.level === 'error')).toEqual([
      expect.objectContaining({ ruleId: 'NetworkPatterns-NACL2', logicalId: 'AclEntryIn100' }),
    ]);
    expect(report.vpcs[0].exposure).toEqual([]);
  });

  test('with the ephemeral return entry: no NACL2, and the internet reaches 443', async () => {
    const file = write(dir, 'NaclOk.template.json', handTemplate([HTTPS_WORLD], [inbound443, returnOut]));
    const { out } = await check(file, '--format', 'json');
    const report = JSON.parse(out);
    expect(report.findings.map((f: any) => f.ruleId)).not.toContain('NetworkPatterns-NACL2');
    expect(report.vpcs[0].exposure).toEqual([{ node: 'Hand/Web', kind: 'EC2 instance', ports: ['tcp 443'], maybe: [] }]);
  });
});

describe('--expect', () => {
  const dir = tmpDir();
  // GIVEN an instance that admits 443 (expected) and 8080 (not expected) from the world
  const file = write(dir, 'Hand.template.json', handTemplate([HTTPS_WORLD, ALT_WORLD]));

  test('every opening no expected flow declares is an error; the expected ones are proven reachable', async () => {
    const expectFile = write(dir, 'flows.yaml', [
      'flows:',
      '  - { from: internet, to: Hand/Web, port: 443 }',
      '  - { from: Web, to: internet, port: 0-65535 }   # a logical id names the node too',
      '  - { from: Hand/Web, to: internet, port: udp 0-65535 }',
    ].join('\n'));
    const { code, out } = await check(file, '--expect', expectFile, '--format', 'json');
    const report = JSON.parse(out);
    expect(code).toBe(1);
    expect(report.expected).toEqual([
      expect.objectContaining({ from: 'internet', to: 'Hand/Web', port: 'tcp 443', verdict: 'reachable' }),
      expect.objectContaining({ from: 'Web', to: 'internet', port: 'tcp 0-65535', verdict: 'reachable' }),
      expect.objectContaining({ from: 'Hand/Web', to: 'internet', port: 'udp 0-65535', verdict: 'reachable' }),
    ]);
    expect(report.undeclared).toEqual([{
      vpc: 'Vpc',
      from: 'internet',
      to: 'Hand/Web',
      port: 'tcp 8080',
      certain: true,
      admittedBy: expect.arrayContaining(['security group Hand/WebSg ingress tcp 8080 from 0.0.0.0/0']),
    }]);
    expect(report.findings).toEqual([expect.objectContaining({
      ruleId: 'NetworkPatterns-CHECK2',
      level: 'error',
      logicalId: 'Web',
      constructPath: 'Hand/Web/Resource',
      message: expect.stringMatching(/internet reaches Hand\/Web on tcp 8080/),
    })]);
  });

  test('an expected flow the templates block is an error naming it', async () => {
    const expectFile = write(dir, 'flows.json', [
      { from: 'internet', to: 'Hand/Web', port: 443 },
      { from: 'internet', to: 'Hand/Web', port: 'tcp 8080' },
      { from: 'Hand/Web', to: 'internet', port: '0-65535' },
      { from: 'Hand/Web', to: 'internet', port: 'udp 0-65535' },
      { from: 'internet', to: 'Hand/Web', port: 5432 },
    ]);
    const { code, out } = await check(file, '--expect', expectFile);
    expect(code).toBe(1);
    expect(out).toMatch(/^ {2}BLOCKED {3}internet -> Hand\/Web on tcp 5432$/m);
    expect(out).toMatch(/ERROR NetworkPatterns-CHECK1 at Hand\/Web\/Resource .*The expected flow internet -> Hand\/Web on tcp 5432 is not reachable/);
    expect(out).toMatch(/Openings no expected flow declares: 0/);
  });

  test('a flow from a CIDR covers what only that CIDR reaches; the same port open to the rest of the internet is still undeclared', async () => {
    const partner = { from: '198.51.100.0/24', to: 'Hand/Web', port: 8080 };
    const egress = [{ from: 'Hand/Web', to: 'internet', port: '0-65535' }, { from: 'Hand/Web', to: 'internet', port: 'udp 0-65535' }];
    const flows = write(dir, 'partner.json', [{ from: 'internet', to: 'Hand/Web', port: 443 }, partner, ...egress]);
    // GIVEN the group admits 8080 from the partner's CIDR only: declared
    const narrow = write(dir, 'Narrow.template.json', handTemplate([HTTPS_WORLD, { ...ALT_WORLD, cidr: '198.51.100.0/24' }]));
    const a = JSON.parse((await check(narrow, '--expect', flows, '--format', 'json')).out);
    expect(a.expected.map((e: any) => e.verdict)).toEqual(['reachable', 'reachable', 'reachable', 'reachable']);
    expect(a.undeclared).toEqual([]);
    // GIVEN the group admits 8080 from the whole internet: the partner's flow does not cover the rest
    const b = JSON.parse((await check(file, '--expect', flows, '--format', 'json')).out);
    expect(b.undeclared).toEqual([expect.objectContaining({ from: 'internet', to: 'Hand/Web', port: 'tcp 8080', certain: true })]);
  });

  test('fails when an expected flow names nothing in the templates (a typo must not pass as UNKNOWN)', async () => {
    const expectFile = write(dir, 'typo.yaml', '- { from: internet, to: Hand/Wbe, port: 443 }');
    const { code, err } = await check(file, '--expect', expectFile);
    expect(code).toBe(2);
    expect(err).toMatch(/--expect: flow 1: to 'Hand\/Wbe' names no resource of the templates/);
  });

  test.each([
    ['[{ from: internet, to: Hand/Web, port: 70000 }]', /flow 1: port must be a port or range within 0-65535.*got 70000/],
    ['[{ from: internet, to: Hand/Web, port: 443-80 }]', /flow 1: port must be a port or range within 0-65535.*got '443-80'/],
    ['[{ from: internet, to: Hand/Web }]', /flow 1: port must be .*got undefined/],
    ['[{ from: internet, to: Hand/Web, port: 443, protocol: icmp }]', /flow 1: protocol must be 'tcp' or 'udp', got 'icmp'/],
    ['[{ from: internet, port: 443 }]', /flow 1: to must be 'internet', a CIDR, a construct path or a logical id, got undefined/],
    ['[{ from: internet, to: x, port: 443, ports: 80 }]', /flow 1 has unknown field\(s\) \['ports'\]/],
    ['{ flow: [] }', /expected a list of flows/],
  ])('fails on a bad expectations file %s', async (content, message) => {
    const expectFile = write(dir, 'bad.yaml', content);
    const { code, err } = await check(file, '--expect', expectFile);
    expect(code).toBe(2);
    expect(err).toMatch(/--expect .*bad\.yaml/);
    expect(err).toMatch(message);
  });
});

describe('a cloud assembly with a stage and cross-stack references', () => {
  // GIVEN an app whose stage holds a network stack and a workload stack importing its VPC
  const outdir = tmpDir();
  const app = new App({ outdir });
  const stage = new Stage(app, 'Prod');
  const net = new Stack(stage, 'Net');
  const vpc = new ec2.Vpc(net, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
  const web = new Stack(stage, 'Web');
  const sg = new ec2.SecurityGroup(web, 'Sg', { vpc });
  sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
  const acknowledgedSg = new ec2.SecurityGroup(web, 'AcknowledgedSg', { vpc });
  acknowledgedSg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(3389));
  Validations.of(acknowledgedSg).acknowledge({ id: 'NetworkPatterns-SG1', reason: 'A test of acknowledgments.' });
  new ec2.CfnInstance(web, 'Host', {
    imageId: 'ami-12345678',
    instanceType: 't3.micro',
    subnetId: vpc.publicSubnets[0].subnetId,
    securityGroupIds: [sg.securityGroupId, acknowledgedSg.securityGroupId],
  });
  app.synth();

  test('reads both stacks of the nested assembly, resolves the imported VPC, and locates the finding', async () => {
    // WHEN
    const { code, out } = await check(outdir, '--format', 'json');
    // THEN
    const report = JSON.parse(out);
    expect(code).toBe(1);
    expect(report.templates.map((t: any) => t.stackName).sort()).toEqual(['Prod-Net', 'Prod-Web']);
    expect(report.vpcs).toHaveLength(1);
    expect(report.vpcs[0]).toMatchObject({ vpc: 'Prod/Net/Vpc', stackName: 'Prod-Net' });
    expect(report.vpcs[0].exposure).toEqual([{ node: 'Prod/Web/Host', kind: 'EC2 instance', ports: ['tcp 22', 'tcp 3389'], maybe: [] }]);
    expect(report.findings).toEqual([expect.objectContaining({
      ruleId: 'NetworkPatterns-SG1',
      stackName: 'Prod-Web',
      templateFile: expect.stringMatching(/assembly-Prod\/ProdWeb[0-9A-F]*\.template\.json$/),
      constructPath: 'Prod/Web/Sg/Resource',
    })]);
  });
});

describe('what the templates do not say', () => {
  test('a rule from a parameter CIDR is UNKNOWN, with why, never guessed open or closed', async () => {
    // GIVEN SSH admitted from a CIDR given as a parameter at deploy time
    const template = handTemplate([{ ...SSH_WORLD, cidr: 'replaced below' }]);
    template.Parameters = { AdminCidr: { Type: 'String' } };
    template.Resources.WebSg.Properties.SecurityGroupIngress[0].CidrIp = { Ref: 'AdminCidr' };
    const file = write(tmpDir(), 'Param.template.json', template);
    // WHEN
    const { code, out } = await check(file, '--format', 'json');
    // THEN
    const report = JSON.parse(out);
    expect(report.vpcs[0].exposure).toEqual([{ node: 'Hand/Web', kind: 'EC2 instance', ports: [], maybe: ['tcp 22'] }]);
    expect(report.vpcs[0].unknown).toEqual([expect.objectContaining({ what: 'internet -> Hand/Web on tcp 22', why: expect.stringMatching(/AdminCidr/) })]);
    expect(report.findings).toEqual([
      // the pack cannot prove the admin port closed: an error, as cdk-nag reports a rule it could not validate
      expect.objectContaining({ ruleId: 'NetworkPatterns-SG1', level: 'error', message: expect.stringMatching(/could not be validated/) }),
      expect.objectContaining({ ruleId: 'NetworkPatterns-CHECK3', level: 'note', logicalId: 'Web', message: expect.stringMatching(/AdminCidr/) }),
    ]);
    expect(code).toBe(1);
  });
});

describe('YAML templates', () => {
  test('short-form intrinsic functions are read, and the finding has its line', async () => {
    const dir = tmpDir();
    const yaml = [
      'Resources:',
      '  Vpc:',
      '    Type: AWS::EC2::VPC',
      '    Properties: { CidrBlock: 10.0.0.0/16 }',
      '  AdminSg:',
      '    Type: AWS::EC2::SecurityGroup',
      '    Properties:',
      '      GroupDescription: admin',
      '      VpcId: !Ref Vpc',
      '      SecurityGroupIngress:',
      '        - { IpProtocol: tcp, FromPort: 3389, ToPort: 3389, CidrIp: 0.0.0.0/0 }',
    ].join('\n');
    const file = write(dir, 'admin.yaml', yaml);
    const { code, out } = await check(file, '--format', 'json');
    expect(code).toBe(1);
    expect(JSON.parse(out).findings).toEqual([expect.objectContaining({ ruleId: 'NetworkPatterns-SG1', stackName: 'admin', logicalId: 'AdminSg', line: 5 })]);
  });
});

describe('--fail-on', () => {
  // GIVEN a group admitting a CIDR inside its own VPC: a warning (NetworkPatterns-SG2), no error
  const dir = tmpDir();
  const file = write(dir, 'Warn.template.json', handTemplate([{ protocol: 'tcp', from: 5432, to: 5432, cidr: '10.0.5.0/24' }]));

  test('a warning alone exits 0 by default', async () => {
    const { code, out } = await check(file, '--format', 'json');
    expect(code).toBe(0);
    expect(JSON.parse(out).findings).toEqual([expect.objectContaining({ ruleId: 'NetworkPatterns-SG2', level: 'warning' })]);
  });

  test('--fail-on warning makes it exit 1', async () => {
    expect((await check(file, '--fail-on', 'warning')).code).toBe(1);
  });
});

describe('bad input', () => {
  const dir = tmpDir();
  test.each([
    [[], /give a cloud assembly directory \(cdk\.out\) or template files/],
    [[path.join(dir, 'missing.json')], /the input '.*missing\.json' does not exist/],
    [[dir], /has no manifest\.json, so it is not a cloud assembly/],
    [['--format', 'xml', dir], /--format must be one of text, json, sarif, got 'xml'/],
    [['--fail-on', 'sometimes', dir], /--fail-on must be one of error, warning, note, none, got 'sometimes'/],
    [['--frobnicate', dir], /Unknown option '--frobnicate'.*check --help/],
    [[write(dir, 'notes.json', { hello: 1 })], /has no Resources section/],
  ])('fails with exit code 2 on %j', async (args, message) => {
    const { code, err } = await check(...args);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  test('--help prints the options and exits 0', async () => {
    const { code, out } = await check('--help');
    expect(code).toBe(0);
    expect(out).toMatch(/--expect <file>/);
  });
});

describe('the package command', () => {
  test('`cdk-network-patterns check` prints SARIF and sets the exit code', () => {
    // GIVEN the world-open SSH template WHEN the command runs as its own process, through the dispatcher
    const file = write(tmpDir(), 'Hand.template.json', handTemplate([SSH_WORLD]));
    const child = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join('src', 'cli', 'main.ts'), 'check', file, '--format', 'sarif'], {
      encoding: 'utf8',
      env: { ...process.env, TS_NODE_PROJECT: path.join('test', 'tsconfig.json') },
    });
    // THEN
    expect(child.status).toBe(1);
    expect(JSON.parse(child.stdout).runs[0].results.map((r: any) => r.ruleId)).toEqual(['NetworkPatterns-SG1']);
  }, 60_000);
});
