/**
 * The main job's AWS Control Tower check (scripts/guard.ts and the verdict of
 * scripts/synth-example.ts): a real cfn-guard run over a small stack.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, PolicyValidationPluginReportBeta1, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ControlTowerGuard, controlTowerRules, cuttable, guardCopy, GuardRun, guardRuns, selectsByType } from '../../scripts/guard';
import { blockingFindings, examplePasses, findings, GUARD_PLUGIN } from '../../scripts/synth-example';

/** The names of a run's rules (their file names without `.guard`). */
const ruleNames = (run: GuardRun) => run.rules.map((f) => path.basename(f, '.guard'));

/** The tests that run cfn-guard over synthesized templates take up to a minute on 2 busy cores. */
const SLOW = 120_000;

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
}, SLOW);

test('an acknowledged Control Tower finding passes and leaves no finding', () => {
  const { outdir, error } = synthOpenRdp(true);
  expect(error).toBeUndefined();
  const found = findings(outdir);
  expect(found.filter((f) => f.plugin === GUARD_PLUGIN)).toEqual([]);
  expect(examplePasses({ error, findings: found, reachability: [] })).toBe(true);
}, SLOW);

test('cdk-nag warnings are listed but do not fail an example; errors do', () => {
  const warning = { plugin: 'AwsSolutions', rule: 'AwsSolutions-VPC7', severity: 'warning', paths: ['S/Vpc'], description: 'w' };
  const error = { ...warning, severity: 'error' };
  expect(examplePasses({ findings: [warning], reachability: [] })).toBe(true);
  expect(examplePasses({ findings: [error], reachability: [] })).toBe(false);
}, SLOW);

test('only rules that name a resource type of the templates run', () => {
  const names = guardRuns(new Map([['AWS::EC2::NetworkAclEntry', 3]])).flatMap(ruleNames);
  expect(names).toContain('ct-ec2-pr-5');
  expect(names).not.toContain('ct-s3-pr-1');
  expect(names).not.toContain('ct-kms-pr-3');
  // Every applicable rule runs exactly once.
  const counts = new Map([['AWS::Lambda::Function', 2], ['AWS::EC2::Route', 40], ['AWS::EC2::SecurityGroup', 3], ['AWS::S3::Bucket', 1]]);
  const all = guardRuns(counts).flatMap(ruleNames).sort();
  expect(all).toEqual([...new Set(all)]);
  const applicable = controlTowerRules().filter((r) => r.types.length === 0 || r.types.some((t) => counts.has(t))).map((r) => path.basename(r.file, '.guard')).sort();
  expect(all).toEqual(applicable);
}, SLOW);

test('runs keep the resource types their rules name, and split where one more process costs less than scanning', () => {
  // Many routes and security groups: the Lambda rules (which read functions, subnets and security
  // groups) and the S3 rules are not made to scan the same copy.
  const counts = new Map([['AWS::Lambda::Function', 2], ['AWS::EC2::Subnet', 6], ['AWS::EC2::SecurityGroup', 300], ['AWS::S3::Bucket', 1]]);
  const runs = guardRuns(counts);
  expect(runs.length).toBeGreaterThan(1);
  const runOf = (name: string) => runs.find((r) => ruleNames(r).includes(name))!;
  // CT.LAMBDA.PR.3 checks the function and looks up the subnets and security groups it references.
  expect([...runOf('ct-lambda-pr-3').keep!]).toEqual(expect.arrayContaining(['AWS::Lambda::Function', 'AWS::EC2::Subnet', 'AWS::EC2::SecurityGroup']));
  expect(runOf('ct-s3-pr-1').keep!.has('AWS::EC2::SecurityGroup')).toBe(false);
  // CT.EKS.PR.2 (which names KMS keys) reads a property called Resources: its run keeps every resource.
  expect(guardRuns(new Map([...counts, ['AWS::KMS::Key', 1]])).find((r) => ruleNames(r).includes('ct-eks-pr-2'))!.keep).toBeUndefined();
  // A template of one small type set: one run (a process costs more than the scanning it saves).
  expect(guardRuns(new Map([['AWS::S3::Bucket', 1], ['AWS::S3::BucketPolicy', 1]]))).toHaveLength(1);
}, SLOW);

test('a rule reads resources only by type when every selection of Resources filters on Type or keys', () => {
  expect(selectsByType("let s3 = Resources.*[ Type == 'AWS::S3::Bucket' ]\nrule r when is_cfn_template(this) { Resources exists }")).toBe(true);
  expect(selectsByType('let ref = %doc.Resources[ keys == %resource_key ]\n# Resources.* in a comment does not count')).toBe(true);
  expect(selectsByType('let sg = Resources[\n    Type == %SECURITY_GROUP_TYPE\n]')).toBe(true);
  // Every resource, whatever its type: the copies must keep them all.
  expect(selectsByType('let all = Resources.*\n%all.Properties.Tags exists')).toBe(false);
  expect(selectsByType('let all = Resources.*[ Properties.Tags exists ]')).toBe(false);
  expect(selectsByType('some Resources[*] == "secrets"')).toBe(false);
}, SLOW);

test('a copy holds the resource types its run keeps, without Metadata, or every resource', () => {
  const read = new Set(['AWS::Lambda::Function', 'AWS::EC2::Subnet']);
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: { P: { Type: 'String' } },
    Resources: {
      Fn: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs20.x' }, Metadata: { 'aws:cdk:path': 'S/Fn' } },
      Route: { Type: 'AWS::EC2::Route', Properties: {} },
    },
  };
  expect(guardCopy(template, read)).toEqual({
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: { P: { Type: 'String' } },
    Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs20.x' } } },
  });
  expect(Object.keys(guardCopy(template, undefined).Resources as object)).toEqual(['Fn', 'Route']);
  expect(template.Resources.Fn.Metadata).toBeDefined();
}, SLOW);

test('the Control Tower verdicts on the cut copies are the validator\'s own on the whole template', () => {
  // A function outside any VPC (CT.LAMBDA.PR.3 fails it), one inside a VPC through references to
  // a subnet and a security group (kept: the rule looks them up), routes no rule reads (left out).
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-test-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Cut');
  const vpc = new ec2.CfnVPC(stack, 'Vpc', { cidrBlock: '10.0.0.0/16' });
  const subnet = new ec2.CfnSubnet(stack, 'Subnet', { vpcId: vpc.ref, cidrBlock: '10.0.0.0/24' });
  const sg = new ec2.CfnSecurityGroup(stack, 'Sg', { vpcId: vpc.ref, groupDescription: 'functions' });
  const table = new ec2.CfnRouteTable(stack, 'Table', { vpcId: vpc.ref });
  new ec2.CfnRoute(stack, 'Route', { routeTableId: table.ref, destinationCidrBlock: '0.0.0.0/0', gatewayId: 'igw-12345678' });
  const fn = (id: string, vpcConfig?: lambda.CfnFunction.VpcConfigProperty) => new lambda.CfnFunction(stack, id, {
    role: 'arn:aws:iam::123456789012:role/fn',
    runtime: 'nodejs20.x',
    handler: 'index.handler',
    code: { zipFile: 'exports.handler = async () => 1;' },
    vpcConfig,
  });
  fn('Outside');
  fn('Inside', { subnetIds: [subnet.ref], securityGroupIds: [sg.attrGroupId] });
  const templatePath = app.synth().getStackArtifact(stack.artifactId).templateFullPath;

  const verdicts = (r: PolicyValidationPluginReportBeta1) => r.violations.flatMap((v) => v.violatingResources.map((x) => `${v.ruleName} ${x.resourceLogicalId}`)).sort();
  const whole = verdicts(new CfnGuardValidator({ controlTowerRulesEnabled: true }).validate({ templatePaths: [templatePath], appConstruct: app }));
  const cut = verdicts(new ControlTowerGuard().validate({ templatePaths: [templatePath], appConstruct: app }));
  expect(cut).toEqual(whole);
  const logicalId = (c: lambda.CfnFunction) => stack.resolve(c.logicalId);
  expect(cut.filter((v) => v.startsWith('lambda_inside_vpc_check'))).toEqual([`lambda_inside_vpc_check ${logicalId(stack.node.findChild('Outside') as lambda.CfnFunction)}`]);
}, SLOW);

describe('templates the cut copies could have read differently', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-edge-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const app = new App();
  const verdicts = (r: PolicyValidationPluginReportBeta1) => r.violations.flatMap((v) => v.violatingResources.map((x) => `${v.ruleName} ${x.resourceLogicalId}`)).sort();
  /** The plugin's report and the validator's own on the whole template must agree. */
  const compare = (name: string, template: object) => {
    const file = path.join(dir, `${name}.template.json`);
    fs.writeFileSync(file, JSON.stringify(template, null, 1));
    const context = { templatePaths: [file], appConstruct: app };
    const whole = new CfnGuardValidator({ controlTowerRulesEnabled: true }).validate(context);
    const cut = new ControlTowerGuard().validate(context);
    expect(verdicts(cut)).toEqual(verdicts(whole));
    expect(cut.success).toBe(whole.success);
    return cut;
  };
  const openSsh = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '0.0.0.0/0' };

  test('a rule looking up a resource of a type its run leaves out finds a stand-in of that type', () => {
    // Many security groups keep the Lambda and S3 rules in separate runs; the function's security
    // group reference points at a bucket, which the Lambda rules' copy would otherwise not hold.
    const groups = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`Sg${i}`, { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'g', VpcId: 'vpc-12345678' } }]));
    const report = compare('LookupOfLeftOut', {
      Resources: {
        ...groups,
        Bucket0: { Type: 'AWS::S3::Bucket' },
        Bucket1: { Type: 'AWS::S3::Bucket' },
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Role: 'arn:aws:iam::123456789012:role/fn',
            Runtime: 'nodejs20.x',
            Handler: 'index.handler',
            Code: { ZipFile: 'x' },
            VpcConfig: { SubnetIds: ['subnet-1'], SecurityGroupIds: [{ 'Fn::GetAtt': ['Bucket0', 'Arn'] }] },
          },
        },
      },
    });
    expect(verdicts(report)).toContain('lambda_inside_vpc_check Fn');
    expect(guardCopy({ Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: { Ref: 'Bucket0' } } }, Bucket0: { Type: 'AWS::S3::Bucket', Properties: { X: 1 } } } }, new Set(['AWS::Lambda::Function'])))
      .toEqual({ Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: { Ref: 'Bucket0' } } }, Bucket0: { Type: 'AWS::S3::Bucket' } } });
  }, SLOW);

  test('a hook-shaped section or a Type that is not a string: every rule on the template as it is', () => {
    // The validator's own run of every rule (what the plugin hands such a template to) finds the open SSH port.
    const file = path.join(dir, 'HookShaped.template.json');
    fs.writeFileSync(file, JSON.stringify({ 'AWS::EC2::SecurityGroup': { resourceProperties: { SecurityGroupIngress: [openSsh] } } }));
    const hook = new ControlTowerGuard().validate({ templatePaths: [file], appConstruct: app });
    expect(hook.violations.map((v) => v.ruleName)).toEqual(expect.arrayContaining(['vpc_sg_open_only_to_authorized_ports_check']));
    expect(cuttable({ AWSTemplateFormatVersion: '2010-09-09', Resources: { Sg: { Type: 'AWS::EC2::SecurityGroup' }, NoType: {} } })).toBe(true);
    expect(cuttable({ 'AWS::EC2::SecurityGroup': { resourceProperties: {} } })).toBe(false);
    expect(cuttable({ Resources: { Sg: { Type: ['AWS::EC2::SecurityGroup'] } } })).toBe(false);
    expect(cuttable({ Resources: { Sg: 'AWS::EC2::SecurityGroup' } })).toBe(false);
  }, SLOW);
});
